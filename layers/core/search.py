"""Text search that matches Arabic place names across transliterations (Meshlib, Mishlab, al-Mashlab).

Two keys per text: the *folded* text (lower case, accents and apostrophes removed) for plain substring
matches, and a *consonant skeleton* per word for names: the Arabic article (al-, el-, ar-, ash- …) dropped,
digraphs and doubled letters reduced, vowels and a final ``h`` removed. Transliterations of one Arabic name
differ mostly in vowels, doubling and the article, so they share a skeleton: ``meshlib``, ``mishlab`` and
``al-mashlab`` all become ``mshlb``; ``Raqqa`` and ``Raqqah`` become ``rq``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_ARTICLE = re.compile(r"^(?:al|el|ar|as|ash|ad|at|az|an|adh|ath)[-\s]+")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("ph", "f"), ("ou", "u"), ("ck", "k"), ("q", "k"))
MIN_SKELETON = 2  # a shorter query skeleton must equal a whole word's skeleton, not just occur in one


@lru_cache(maxsize=65_536)  # the query is folded once per item searched
def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes or ayn/hamza marks, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\u02bb\u02bc\u02be\u02bf\u2018\u2019'`´]", "", text.lower())
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=65_536)
def skeleton(word: str) -> str:
    """Consonant skeleton of one folded word (see the module docstring)."""
    w = _ARTICLE.sub("", word).replace("-", "")
    for a, b in _DIGRAPHS:
        w = w.replace(a, b)
    if len(w) > 2 and w.endswith("h") and w[-2] in "aeiouy":
        w = w[:-1]
    w = re.sub(r"[aeiouy]", "", w)
    return re.sub(r"(.)\1+", r"\1", w)


def keys(texts: Iterable[str]) -> tuple[str, str]:
    """The folded text and the space-joined word skeletons of ``texts`` (what :func:`matches` compares)."""
    return _keys(tuple(texts))


@lru_cache(maxsize=65_536)  # every search asks again for every event's and place's keys: work them out once
def _keys(texts: tuple[str, ...]) -> tuple[str, str]:
    folded = " ".join(fold(t) for t in texts if t)
    words = _WORD.findall(folded.replace("al-", "al "))
    joined = _WORD.findall(folded)  # keep "al-mashlab" whole too, so the article rule applies
    return folded, " ".join(s for s in (skeleton(w) for w in [*joined, *words]) if s)


def matches(query: str, item_keys: tuple[str, str]) -> bool:
    """True if every word of ``query`` is found in the item, as text or as a skeleton."""
    folded_text, skeletons = item_keys
    q = fold(query)
    if not q:
        return True
    if q in folded_text:
        return True
    for word in _WORD.findall(q):
        if word in folded_text:
            continue
        sk = skeleton(word)
        if len(sk) < MIN_SKELETON:  # "Ain" -> "n": only as a whole word's skeleton
            if sk not in skeletons.split():
                return False
        elif sk not in skeletons:
            return False
    return bool(_WORD.findall(q))
