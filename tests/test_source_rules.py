"""The consistency rules on the sources (layers/core/source_rules.py): second sources that are not independent,
and malformed, truncated or placeholder URLs, with their exact messages."""

from __future__ import annotations

import pytest

from layers.core.source_rules import url_problem
from tests.conftest import ledger_row
from tests.consistency_inputs import BASE, dataset, found

HOSTS = "host,kind,reason\nwikisum.wiki,summary,AI summaries of Wikipedia articles\n"


def test_dependent_second_source_is_an_error_on_a_high_row_and_a_warning_otherwise(tmp_path):
    ledger = [
        *BASE,
        ledger_row("X1", "2017-02-01", "n1", "SDF", supporting_source_url="https://wikisum.wiki/wiki/N1"),
        ledger_row(
            "X2",
            "2017-02-01",
            "n2",
            "SDF",
            confidence="medium",
            source_url="https://www.reuters.com/a",
            supporting_source_url="https://in.reuters.com/b",
        ),
        ledger_row("X3", "2017-02-01", "s1", "SDF", source_url="https://www.reuters.com/a",
                   supporting_source_url="https://www.bbc.co.uk/news/c"),
    ]  # fmt: skip
    ds = dataset(tmp_path, ledger, files={"sources/dependent_hosts.csv": HOSTS})
    assert found(ds, "second-source") == [
        (
            "error",
            "row X1",
            "the second source https://wikisum.wiki/wiki/N1 is not independent: wikisum.wiki is a summary "
            "(AI summaries of Wikipedia articles); the high confidence rests on it",
        ),
        (
            "warning",
            "row X2",
            "the second source https://in.reuters.com/b is not independent: it is from the same outlet as the "
            "first source (reuters.com)",
        ),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://suryaa.com/14136-", ("error", "looks truncated: it ends with '-'")),
        ("https://en.wikipedia.org/wiki/Raqqa_(2016", ("error", "looks truncated: its brackets do not balance")),
        ("https://www.reuters.com/article/a%2", ("error", "is malformed: a '%' not followed by two hex digits")),
        ("https://localhostnews/a", ("error", "is malformed: host 'localhostnews' has no domain")),
        ("https://www.example.com/report", ("warning", "is a placeholder: www.example.com is a reserved example host")),
        ("https://news.site.org/TODO", ("warning", "is a placeholder: it contains 'todo'")),
        ("https://en.wikipedia.org/wiki/Raqqa_campaign_(2016%E2%80%932017)", None),
        ("https://www.syriahr.com/en/68381/", None),
    ],
)  # fmt: skip
def test_url_problems(url, expected):
    assert url_problem(url) == expected


def test_truncated_url_in_the_ledger_names_row_and_column(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "SDF", source_url="http://suryaa.com/14136-")]
    errors = [f for f in found(dataset(tmp_path, ledger), "url") if f[0] == "error"]
    assert errors == [("error", "row X1", "source_url 'http://suryaa.com/14136-' looks truncated: it ends with '-'")]
