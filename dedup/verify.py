"""Candidate pairs -> verified matches: rapidfuzz decides every merge.

A candidate pair of normalized keys ``(short, long)`` is a match when

- the multiset of numbers in ``short`` is contained in that of ``long``
  (``rose 2% to 340p`` never matches ``fell 3% to 310p``), and either
- ``fuzz.ratio`` (normalized Indel similarity) is at least ``min_similarity``:
  the same paragraph with formatting noise or a few characters changed
  (``Match.kind == "near"``), or
- ``short`` has at least ``min_similarity`` with the start or the end of
  ``long`` (its first or last ``len(short)`` characters): a truncated teaser,
  or a copy with a short fragment appended or prepended
  (``Match.kind == "contained"``).

rapidfuzz scores are 0-100; every similarity here is a float in [0, 1].
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

__all__ = ["Match", "similarity", "verify_pairs"]

_NUMBER = re.compile(r"\d+")
_NONE: Counter[str] = Counter()

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
    keys: Sequence[str], pairs: Iterable[tuple[int, int]], min_similarity: float
) -> list[Match]:
    """Return the candidate pairs that rapidfuzz confirms, in input order.

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
        match = _verify(first, second, cutoff)
        if match is not None:
            matches.append(Match(min(a, b), max(a, b), match[0], match[1]))
    return matches


def _numbers(cache: dict[int, Counter[str]], index: int, key: str) -> Counter[str]:
    found = cache.get(index)
    if found is None:
        numbers = _NUMBER.findall(key)
        found = cache[index] = Counter(numbers) if numbers else _NONE
    return found


def _verify(short: str, long: str, cutoff: float) -> tuple[MatchKind, float] | None:
    """Verify ``short`` against ``long`` (``short`` is not the longer one)."""
    score = fuzz.ratio(short, long, score_cutoff=cutoff)
    if score:
        return "near", score / 100.0
    head = fuzz.ratio(short, long[: len(short)], score_cutoff=cutoff)
    tail = fuzz.ratio(short, long[-len(short) :], score_cutoff=cutoff) if short else 0.0
    best = max(head, tail)
    return ("contained", best / 100.0) if best else None


def _numbers_fit(short: Counter[str], long: Counter[str]) -> bool:
    """Whether every number of the shorter key also occurs (as often) in the longer."""
    return short is _NONE or all(long[number] >= count for number, count in short.items())
