"""Text search that matches Arabic place names across transliterations (Meshlib, Mishlab, al-Mashlab).

Two keys per text: the *folded* text (lower case, accents and apostrophes removed) for plain substring
matches, and a *consonant skeleton* per word for names: the Arabic article (al-, el-, ar-, ash- …) dropped,
digraphs and doubled letters reduced, vowels and a final ``h`` removed. Transliterations of one Arabic name
differ mostly in vowels, doubling and the article, so they share a skeleton: ``meshlib``, ``mishlab`` and
``al-mashlab`` all become ``mshlb``; ``Raqqa`` and ``Raqqah`` become ``rq``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

_ARTICLE = re.compile(r"^(?:al|el|ar|as|ash|ad|at|az|an|adh|ath)[-\s]+")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("ph", "f"), ("ou", "u"), ("ck", "k"), ("q", "k"))
_MARKS = re.compile(r"[\u02bb\u02bc\u02be\u02bf\u2018\u2019'`´]")  # apostrophes, ayn and hamza
_SPACES = re.compile(r"\s+")
_DOUBLED = re.compile(r"(.)\1+")
_NO_VOWELS = str.maketrans("", "", "aeiouy")
MIN_SKELETON = 2  # a shorter query skeleton must equal a whole word's skeleton, not just occur in one


@lru_cache(maxsize=65_536)  # names and queries repeat
def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes or ayn/hamza marks, single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", _MARKS.sub("", text.lower())).strip()


@lru_cache(maxsize=65_536)
def skeleton(word: str) -> str:
    """Consonant skeleton of one folded word (see the module docstring)."""
    w = _ARTICLE.sub("", word).replace("-", "")
    for a, b in _DIGRAPHS:
        w = w.replace(a, b)
    if len(w) > 2 and w.endswith("h") and w[-2] in "aeiouy":
        w = w[:-1]
    return _DOUBLED.sub(r"\1", w.translate(_NO_VOWELS))


def keys(texts: Iterable[str]) -> tuple[str, str]:
    """The folded text and the space-joined word skeletons of ``texts`` (what an :class:`Index` searches)."""
    return _keys(tuple(texts))


@lru_cache(maxsize=65_536)  # places share names: a name's keys are worked out once
def _keys(texts: tuple[str, ...]) -> tuple[str, str]:
    folded = " ".join(fold(t) for t in texts if t)
    joined = _WORD.findall(folded)  # "al-mashlab" whole, so the article rule applies, and split below
    split = _WORD.findall(folded.replace("al-", "al ")) if "al-" in folded else []
    return folded, " ".join(dict.fromkeys(s for s in map(skeleton, [*joined, *split]) if s))


def event_index(dataset) -> Index:
    """The search index of a dataset's events, in their order: each is found by its title, id, date, the
    article's claim, detail and corroboration, and its place's name in every spelling the gazetteer lists."""
    own = _keys.__wrapped__  # one call per event: the shared cache would only churn
    place_keys = {pid: _keys((p.name, *p.alt_names)) for pid, p in dataset.places.items()}

    def event_keys(e) -> tuple[str, str]:
        texts = own((e.title, e.event_id, e.date.isoformat(), e.article_claim, e.detail, e.corroborated))
        place = place_keys.get(e.place_id)
        return (f"{texts[0]} {place[0]}", f"{texts[1]} {place[1]}".strip()) if place else texts

    return Index(event_keys(e) for e in dataset.events)


def place_index(dataset, place_ids: list[str]) -> Index:
    """The search index of the places ``place_ids``, in that order: each is found by its name, every other
    spelling the gazetteer lists, and its id."""
    places = dataset.places
    return Index(keys([places[p].name, *places[p].alt_names, p.replace("_", " ")]) for p in place_ids)


class Index:
    """Many items' keys (:func:`keys`) joined into two texts, so a query scans them in C, not item by item.

    An item matches if its folded text holds the whole folded query, or if every word of the query is found in
    it as text or as a skeleton (a skeleton shorter than MIN_SKELETON only as a whole word's). A query is at
    most 2 * MAX_WORDS + 1 scans (the whole query, then each word as text and as a skeleton), each linear in
    the index's length in C, plus one Python step per item it finds.
    """

    def __init__(self, item_keys: Iterable[tuple[str, str]]) -> None:
        folded, skeletons = [], []
        for text, skel in item_keys:
            folded.append(text)
            skeletons.append(f" {skel} ")  # so a whole word's skeleton is " sk ", one literal to look for
        self._join(SEP.join(folded), SEP.join(skeletons), len(folded))

    @classmethod
    def joined(cls, folded: str, skeletons: str, size: int) -> Index:
        """An index of ``size`` items from its two texts (``Index.folded`` and ``Index.skeletons``, as stored);
        ValueError if they do not hold ``size`` items each."""
        index = cls.__new__(cls)
        index._join(folded, skeletons, size)
        return index

    def _join(self, folded: str, skeletons: str, size: int) -> None:
        self.folded, self.skeletons, self.size = folded, skeletons, size
        self._starts = (_starts(folded, size), _starts(skeletons, size))

    def find(self, query: str) -> list[int]:
        """The positions of the items that match ``query``, in order (every item for an empty query)."""
        q = fold(query)
        if not q:
            return list(range(self.size))
        hits = self._holding(0, re.escape(q))
        found = None
        for word in list(dict.fromkeys(_WORD.findall(q)))[:MAX_WORDS]:
            sk = skeleton(word)
            these = hits if word == q else self._holding(0, re.escape(word))
            if len(sk) >= MIN_SKELETON:
                these = these | self._holding(1, re.escape(sk))
            elif sk:  # "Ain" -> "n": only as a whole word's skeleton
                these = these | self._holding(1, re.escape(f" {sk} "))
            found = these if found is None else found & these
            if not found.any():
                break
        if found is not None:
            hits = hits | found
        return np.flatnonzero(hits).tolist()

    def _holding(self, which: int, pattern: str) -> np.ndarray:
        """Which items' text (0: folded, 1: skeletons) holds ``pattern`` (no SEP in what it matches): each match
        runs on to its item's end, so the scan finds each item once."""
        text, starts = (self.folded, self.skeletons)[which], self._starts[which]
        at = np.fromiter((m.start() for m in re.finditer(f"{pattern}[^{SEP}]*", text)), dtype=np.int64)
        out = np.zeros(self.size, dtype=bool)
        out[np.searchsorted(starts, at, side="right") - 1] = True
        return out


SEP = "\n"  # between the items of an index: neither a folded text nor a skeleton holds one
MAX_WORDS = 8  # distinct words of one query searched (the rest are ignored): each costs up to two scans


def _starts(text: str, size: int) -> np.ndarray:
    """Where each of the ``size`` items of a SEP-joined text starts; ValueError if it holds another number."""
    if size == 0 and not text:
        return np.zeros(0, dtype=np.int64)
    starts = np.fromiter(itertools.chain((0,), (m.end() for m in re.finditer(SEP, text))), dtype=np.int64)
    if len(starts) != size:
        raise ValueError(f"{len(starts)} items joined, not {size}")
    return starts
