"""The Data tab's health section (layers/features/data_health.py)."""

from __future__ import annotations

from dataclasses import replace

from layers.core.health import health
from layers.features import data_health
from tests.features.conftest import texts


def test_the_data_tab_shows_the_figures_validate_prints(ctx):
    h = health(ctx.dataset, tables=ctx.tables)
    text = texts(data_health.component(ctx))
    assert f"{h['implied_rows']:,} (B-… {h['implied_by_prefix']['B-']:,}, E-… {h['implied_by_prefix']['E-']:,})" in text
    assert ", ".join(f"{h['rows_by_confidence'][c]:,} {c}" for c in ("high", "medium", "low")) in text
    assert f"{h['estimated_coordinates']:,} of {h['places']:,}" in text
    assert f"Accepted warnings ({len(h['accepted'])})" in text and len(h["accepted"]) > 0
    assert all(a["reason"] in text for a in h["accepted"])
    assert "Open findings" not in text  # the bundled data has none left open


def test_a_long_list_of_findings_is_capped(ctx):
    finding = {"rule": "url", "severity": "error", "file": "ledger.csv", "item": "row X", "message": "bad"}
    many = dict(ctx.health, findings=[finding] * 5000)
    fake = replace(ctx)  # a Context whose health is the long list
    object.__setattr__(fake, "health", many)
    text = texts(data_health.component(fake))
    assert "Open findings (5000)" in text
    assert text.count("[url] row X: bad") == data_health.MAX_LISTED
    assert f"… and {5000 - data_health.MAX_LISTED:,} more: run validate" in text
