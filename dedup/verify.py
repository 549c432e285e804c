"""Candidate pairs -> verified matches: rapidfuzz decides every merge.

A candidate pair of normalized keys ``(short, long)`` is a match when

- the multiset of numbers in ``short`` is contained in that of ``long``
  (``rose 2% to 340p`` never matches ``fell 3% to 310p``), and either
- ``fuzz.ratio`` (normalized Indel similarity) is at least ``min_similarity``:
  the same paragraph with formatting noise or a few characters changed
  (``Match.kind == "near"``), or
- ``short`` (of at least ``min_contained`` characters, as
  :func:`dedup.lengths.text_length` counts them) has at least
  ``min_similarity`` with the start or the end of ``long`` (its first or last
  ``len(short)`` characters): a truncated teaser, or a copy with a short
  fragment appended or prepended (``Match.kind == "contained"``),
- and the words that differ differ only by typos: each word one side lacks
  pairs with a word of the other side within a small Damerau-Levenshtein
  distance. An inserted "not", "safe" for "closed" or "woman" for "man" makes
  two different paragraphs, however similar their characters.

rapidfuzz scores are 0-100; every similarity here is a float in [0, 1].
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from dedup.lengths import text_length

__all__ = ["Match", "similarity", "verify_pairs"]

_NUMBER = re.compile(r"\d+")
_NONE: Counter[str] = Counter()
# Inserting or deleting one of these reverses a statement ("t" is what is left
# of "n't" once punctuation is folded: "didn't" -> "didn t").
_NEGATIONS = frozenset(
    ("not", "no", "never", "none", "nor", "neither", "nobody", "nothing", "cannot", "t", "without")
)

MatchKind = Literal["near", "contained"]


@dataclass(frozen=True, slots=True)
class Match:
    """A verified near-duplicate pair ``(a, b)``, ``a < b``, and its similarity in [0, 1]."""

    a: int
    b: int
    kind: MatchKind
    similarity: float


def similarity(first: str, second: str) -> float:
    """Return the similarity verification weighs, in [0, 1].

    That is the larger of ``fuzz.ratio`` and the shorter key's ratio with the
    start or the end of the longer one.

    Example:
        >>> similarity("abcd", "abce")
        0.75
        >>> similarity("the start of a story", "the start of a story and its end")
        1.0
    """
    short, long = sorted((first, second), key=lambda key: (len(key), key))
    if not short:
        return fuzz.ratio(short, long) / 100.0
    edges = max(fuzz.ratio(short, long[: len(short)]), fuzz.ratio(short, long[-len(short) :]))
    return max(fuzz.ratio(short, long), edges) / 100.0


def verify_pairs(
    keys: Sequence[str],
    pairs: Iterable[tuple[int, int]],
    min_similarity: float,
    *,
    min_contained: int = 0,
) -> list[Match]:
    """Return the candidate pairs that rapidfuzz confirms, in input order.

    A teaser or fragment match needs the shorter key to have at least
    ``min_contained`` characters (:func:`dedup.lengths.text_length`).

    Example:
        >>> keys = ["shares rose 2 to 340p today in london",
        ...         "shares fell 3 to 310p today in london",
        ...         "shares rose 2 to 340p today in london read more"]
        >>> [(m.a, m.b, m.kind) for m in verify_pairs(keys, [(0, 1), (0, 2)], 0.9)]
        [(0, 2, 'contained')]
    """
    cutoff = min_similarity * 100.0
    numbers: dict[int, Counter[str]] = {}
    matches: list[Match] = []
    for a, b in pairs:
        first, second = keys[a], keys[b]
        if (len(first), first) > (len(second), second):  # symmetric: short, then long
            a, b = b, a
            first, second = second, first
        if not _numbers_fit(_numbers(numbers, a, first), _numbers(numbers, b, second)):
            continue
        match = _verify(first, second, cutoff, min_contained)
        if match is not None:
            matches.append(Match(min(a, b), max(a, b), match[0], match[1]))
    return matches


def _numbers(cache: dict[int, Counter[str]], index: int, key: str) -> Counter[str]:
    found = cache.get(index)
    if found is None:
        numbers = _NUMBER.findall(key)
        found = cache[index] = Counter(numbers) if numbers else _NONE
    return found


def _verify(
    short: str, long: str, cutoff: float, min_contained: int
) -> tuple[MatchKind, float] | None:
    """Verify ``short`` against ``long`` (``short`` is not the longer one)."""
    score = fuzz.ratio(short, long, score_cutoff=cutoff)
    if score and _words_fit(short.split(), long.split()):
        return "near", score / 100.0
    if text_length(short) < min_contained:
        return None
    head_window = long[: len(short)]
    head = fuzz.ratio(short, head_window, score_cutoff=cutoff)
    if head and not _words_fit(short.split(), head_window.split()):
        head = 0.0
    tail_window = long[-len(short) :]
    tail = fuzz.ratio(short, tail_window, score_cutoff=cutoff)
    if tail and not _words_fit(short.split(), tail_window.split()):
        tail = 0.0
    best = max(head, tail)
    return ("contained", best / 100.0) if best else None


def _words_fit(first: list[str], second: list[str]) -> bool:
    """Whether the words of two texts differ only the way copies of one paragraph do.

    Allowed: typos and abbreviations (a word pairs with a word of the other
    text it could be a misspelling of), words run together or split ("sea
    front" / "seafront"), and a few inserted or deleted words, at most one in
    ten. Refused: a word replaced by a different word ("safe" / "closed",
    "man" / "woman", "Yes" / "No"), and an inserted or deleted negation ("not",
    "never", the "t" of "didn't"): the paragraphs say different things.
    """
    if first == second:
        return True
    only_first = list((Counter(first) - Counter(second)).elements())
    only_second = list((Counter(second) - Counter(first)).elements())
    only_first, only_second = _unsplit(only_first, only_second)
    only_second, only_first = _unsplit(only_second, only_first)
    for word in list(only_first):
        for n, other in enumerate(only_second):
            if _typo(word, other):
                only_first.remove(word)
                del only_second[n]
                break
    if only_first and only_second:
        return False  # a word was replaced by another
    inserted = only_first or only_second
    if any(word in _NEGATIONS for word in inserted):
        return False
    return len(inserted) <= max(1, min(len(first), len(second)) // 10)


def _unsplit(joined: list[str], split: list[str]) -> tuple[list[str], list[str]]:
    """Pair words of ``joined`` with two words of ``split`` that run together into them."""
    joined, split = list(joined), list(split)
    for word in list(joined):
        for a in split:
            if word.startswith(a) and word != a and word[len(a) :] in split:
                rest = word[len(a) :]
                if rest == a and split.count(a) < 2:
                    continue
                joined.remove(word)
                split.remove(a)
                split.remove(rest)
                break
    return joined, split


def _typo(word: str, other: str) -> bool:
    """A misspelling (one edit per four letters) or an abbreviation ("thurs" for "thursday")."""
    shorter, longer = sorted((word, other), key=len)
    if len(shorter) >= 3 and longer.startswith(shorter):
        return True
    limit = max(1, len(shorter) // 4)
    return DamerauLevenshtein.distance(word, other, score_cutoff=limit) <= limit


def _numbers_fit(short: Counter[str], long: Counter[str]) -> bool:
    """Whether every number of the shorter key also occurs (as often) in the longer."""
    return short is _NONE or all(long[number] >= count for number, count in short.items())
