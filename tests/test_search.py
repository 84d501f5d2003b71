"""Search across transliterations (layers.core.search)."""

from __future__ import annotations

import pytest

from layers.core.search import _WORD as WORD
from layers.core.search import MAX_WORDS, MIN_SKELETON, Index, fold, keys, skeleton


def matches(query: str, item: tuple[str, str]) -> bool:
    """Whether an index of this one item finds it."""
    return Index([item]).find(query) == [0]


def reference(query: str, item: tuple[str, str]) -> bool:
    """The matching rule item by item, as it was before the index (the index must answer the same)."""
    folded_text, skeletons = item
    q = fold(query)
    if not q or q in folded_text:
        return True
    words = list(dict.fromkeys(WORD.findall(q)))[:MAX_WORDS]
    for word in words:
        if word in folded_text:
            continue
        sk = skeleton(word)
        if (sk not in skeletons.split()) if len(sk) < MIN_SKELETON else (sk not in skeletons):
            return False
    return bool(words)


@pytest.mark.parametrize("spelling", ["Meshlib", "Mishlab", "al-Mashlab", "Al Mashlab", "MASHLAB", "Mashlab"])
def test_spellings_of_al_mashlab_find_each_other(spelling):
    item = keys(["al-Meshlib retaken", "al-Mashlab neighbourhood"])
    assert matches(spelling, item)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Raqqa", "Ar-Raqqah"),
        ("Tabqa", "al-Tabaqah dam"),
        ("Ain Issa", "Ayn Issa"),
        ("Ma'dan", "Maadan"),
        ("Kiradi", "al-Kiradi"),
    ],
)
def test_common_transliterations_match(query, text):
    assert matches(query, keys([text]))


@pytest.mark.parametrize(("query", "text"), [("Mishlab", "Tabqa dam"), ("Raqqa", "Ayn Issa"), ("xyz", "Meshlib")])
def test_different_names_do_not_match(query, text):
    assert not matches(query, keys([text]))


def test_every_word_of_the_query_must_match():
    item = keys(["SDF enter al-Mashlab"])
    assert matches("SDF Mishlab", item)
    assert not matches("SDF Tabqa", item)


def test_folding_and_skeletons():
    assert fold("  Ṭabqa  ʿAyn ") == "tabqa ayn"
    assert skeleton("al-mashlab") == skeleton("meshlib") == "mshlb"
    assert skeleton("raqqah") == skeleton("raqqa") == "rk"


def test_empty_or_hostile_queries_do_not_crash():
    item = keys(["Battle of Raqqa"])
    assert matches("", item) and matches("   ", item)
    assert not matches("<script>alert(1)</script>", item)
    assert not matches("((((((((((", item)
    assert matches("raqqa" * 1, item)


TEXTS = ["al-Meshlib retaken", "Ayn Issa", "Battle of Raqqa", "", "SDF enter al-Mashlab", "Tabqa dam", "Ain"]


@pytest.mark.parametrize("query", ["Mashlab", "SDF Mishlab", "Raqqa", "ain", "n", "a", "", "dam Tabqa", "qa\nAyn"])
def test_an_index_finds_what_searching_each_item_alone_finds(query):
    items = [keys([t]) for t in TEXTS]
    assert Index(items).find(query) == [i for i, k in enumerate(items) if matches(query, k)]


def test_a_match_never_spans_two_items_of_an_index():
    index = Index([keys(["Abu"]), keys(["Ayn"]), keys(["Kubaydah"])])
    assert index.find("abu ayn") == []  # the words are in neighbouring items, not in one
    assert index.find("bu ay") == [] and index.find("n") == [1]  # "n" is Ayn's whole skeleton only
    assert index.find("kubaydah") == [2] and index.find("abu") == [0]
    assert Index([]).find("raqqa") == [] and Index([]).find("") == []


@pytest.mark.slow
def test_the_worst_query_matches_every_item_of_a_large_index_once():
    """The worst case a search can meet within the event budget: 200,000 items, each holding the query many
    times over: the answer is each position once, in order."""
    n = 200_000
    index = Index(keys([f"event {i} raqqa raqqa raqqa"]) for i in range(n))
    assert index.find("raqqa") == list(range(n))
    assert index.find("Raqqah") == list(range(n))  # by skeleton
    assert index.find("raqqa tabqa") == []


def test_words_past_max_words_are_not_searched():
    index = Index([keys(["Battle of Raqqa"])])
    found_words = ["battle", "of", "raqqa", "bat", "att", "ttl", "raq", "aqq"]  # each in the item
    assert len(found_words) == MAX_WORDS
    assert index.find(" ".join([*found_words, "nowhere"])) == [0]  # the ninth distinct word is not searched
    assert index.find(" ".join(["nowhere", *found_words])) == []
    assert index.find(" ".join([*(["raqqa"] * 20), "nowhere"])) == []  # a repeated word counts once


CORPUS = [
    "al-Meshlib retaken; Kurdish Red Crescent post there",
    "Ṭabqa dam: taken by the SDF",
    "ʿAyn ʿĪsā camp",
    "Battle of Raqqa begins (Ar-Raqqah)",
    "al-Tawasu'iya and al-Mishlab",
    "Hisham bin Abdul Malik",
    "Kiradi, al-Kiradi",
    "2017-06-06 Raqqa",
]
QUERIES = [
    "Mishlab",
    "al-Meshlib",
    "Tabqa dam",
    "ayn isa",
    "Ain",
    "n",
    "a",
    "raqqah 2017",
    "( .* [",
    "'",
    "ʿ",
    "kurdish crescent",
    "bin malik",
    "x" * 300,
    "al-",
    "-",
    "06 06",
    "SDF SDF SDF",
    "ras al-ayn",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_answers_as_the_rule_item_by_item(query):
    items = [keys([t]) for t in CORPUS] + [keys(CORPUS[i : i + 2]) for i in range(len(CORPUS) - 1)]
    assert Index(items).find(query) == [i for i, k in enumerate(items) if reference(query, k)]
