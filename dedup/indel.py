"""Texts of any length -> their Indel similarity, at a cost linear in their length.

rapidfuzz's ``fuzz.ratio`` (normalized Indel similarity: twice the longest
common subsequence over the total length) takes time proportional to the
product of the two lengths: microseconds for paragraphs, seconds for two
copies of a 1 MB paragraph, minutes at 4 MB. Verification must not stall on a
hostile or broken input, so texts longer than ``PIECE`` characters are
compared piece by piece:

1. **Anchors**: runs of characters that occur exactly once in each text, kept
   where they appear in the same order in both (a longest increasing
   subsequence, ``n log n``), as patience diff does with unique lines.
2. **Pieces**: both texts are cut at anchors into pairs of pieces of at most
   ``PIECE`` characters each; a stretch without anchors longer than that is
   anchored again on its own unique runs (once) and then cut into pieces of
   proportional length.
3. The distance is the sum of rapidfuzz's exact Indel distances of the pieces.

Each rapidfuzz call sees at most ``PIECE`` characters a side and together they
see each character once, so a pair costs ``O(n * PIECE)`` instead of
``O(n**2)``. The cuts are a valid alignment, so the distance is never below
the exact one: a long pair is never called more similar than it is. Texts of
at most ``PIECE`` characters (every paragraph of ordinary text) get rapidfuzz's
exact result.

Example:
    >>> ratio("abcd", "abce")
    75.0
    >>> long = " ".join(f"w{n}" for n in range(20000))  # 118,890 characters
    >>> distance(long, long.replace("w500 ", "w500 x ")), distance(long, long[1000:])
    (2, 1000)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from dedup.compiled import GOLDEN  # Fibonacci hashing: which positions start a run

__all__ = ["PIECE", "distance", "ratio"]

PIECE = 4096  # characters a side that one rapidfuzz call compares at most
_DEPTH = 1  # a stretch without anchors is anchored again this many times
_RUN = 32  # characters of a run that anchors two texts
_SAMPLE_BITS = 4  # one position in 2**_SAMPLE_BITS starts a run
_PER_PIECE = 16  # anchors kept per PIECE characters, enough to cut near its end
_BASE = 0x100000001B3  # the runs' polynomial hash: an odd base, invertible modulo 2**64
_INVERSE = pow(_BASE, -1, 1 << 64)

Cut = tuple[int, int]


def ratio(first: str, second: str, score_cutoff: float = 0.0) -> float:
    """Return ``fuzz.ratio(first, second)`` (0-100), piecewise beyond ``PIECE`` characters.

    As rapidfuzz does, a score below ``score_cutoff`` is returned as 0.
    """
    if len(first) <= PIECE and len(second) <= PIECE:
        return float(fuzz.ratio(first, second, score_cutoff=score_cutoff))
    total = len(first) + len(second)
    if 200.0 * min(len(first), len(second)) / total < score_cutoff:  # even a full match
        return 0.0
    score = 100.0 * (1.0 - distance(first, second) / total)
    return score if score >= score_cutoff else 0.0


def distance(first: str, second: str) -> int:
    """Return the Indel distance of the pieces (the exact one up to ``PIECE`` characters)."""
    return sum(Indel.distance(a, b) for a, b in _pieces(first, second, 0))


def _pieces(first: str, second: str, depth: int) -> Iterator[tuple[str, str]]:
    """Cut ``first`` and ``second`` into aligned pieces of at most PIECE characters a side."""
    if len(first) <= PIECE and len(second) <= PIECE:
        yield first, second
        return
    start: Cut = (0, 0)
    last = start  # the furthest cut that keeps the piece from ``start`` small
    for cut in [*_anchors(first, second), (len(first), len(second))]:
        if _small(start, cut):
            last = cut
            continue
        if last != start:
            yield first[start[0] : last[0]], second[start[1] : last[1]]
            start = last
        if _small(start, cut):
            last = cut
            continue
        gap = first[start[0] : cut[0]], second[start[1] : cut[1]]
        if depth < _DEPTH:
            yield from _pieces(*gap, depth + 1)
        else:
            yield from _diagonal(*gap)
        start = last = cut
    if last != start:
        yield first[start[0] : last[0]], second[start[1] : last[1]]


def _small(start: Cut, end: Cut) -> bool:
    return end[0] - start[0] <= PIECE and end[1] - start[1] <= PIECE


def _diagonal(first: str, second: str) -> Iterator[tuple[str, str]]:
    """Cut both into the same number of pieces of proportional length."""
    count = -(-max(len(first), len(second)) // PIECE)
    for k in range(count):
        yield (first[k * len(first) // count : (k + 1) * len(first) // count],
               second[k * len(second) // count : (k + 1) * len(second) // count])


def _anchors(first: str, second: str) -> list[Cut]:
    """Offsets ``(i, j)`` where the same run of characters starts, in the same order in both.

    The runs are the ``_RUN`` characters from positions chosen by their content
    (one in ``_SAMPLE``, so the choice survives insertions and works in every
    script), of those the ones that occur once in each text, and of those a
    longest chain increasing in both texts.
    """
    at_first, runs_first = _runs(first)
    at_second, runs_second = _runs(second)
    values_first, where_first = _once(runs_first)
    values_second, where_second = _once(runs_second)
    _, in_first, in_second = np.intersect1d(
        values_first, values_second, assume_unique=True, return_indices=True
    )
    i = at_first[where_first[in_first]]
    j = at_second[where_second[in_second]]
    order = np.argsort(i, kind="stable")
    i, j = i[order], j[order]
    step = max(1, len(i) * PIECE // (_PER_PIECE * max(len(first), 1)))  # enough to cut by
    return _increasing(list(zip(i[::step].tolist(), j[::step].tolist(), strict=True)))


def _runs(text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """The chosen positions of ``text`` and a 64-bit hash of the run starting at each."""
    code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    count = len(code) - _RUN + 1
    if count <= 0:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    powers = np.empty(len(code), np.uint64)
    powers[0] = 1
    np.cumprod(np.full(len(code) - 1, _BASE, np.uint64), out=powers[1:])
    prefix = np.zeros(len(code) + 1, np.uint64)
    np.cumsum(code * powers, out=prefix[1:])
    inverse = np.empty(count, np.uint64)
    inverse[0] = 1
    np.cumprod(np.full(count - 1, _INVERSE, np.uint64), out=inverse[1:])
    runs = (prefix[_RUN:] - prefix[:count]) * inverse  # sum of code[i + k] * BASE**k
    mixed = runs ^ (runs >> np.uint64(29))
    chosen = np.flatnonzero((mixed * np.uint64(GOLDEN)) >> np.uint64(64 - _SAMPLE_BITS) == 0)
    return chosen, runs[chosen]


def _once(values: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The values occurring once, sorted, and where each is in ``values``."""
    unique, where, counts = np.unique(values, return_index=True, return_counts=True)
    single = counts == 1
    return unique[single], where[single]


def _increasing(pairs: list[Cut]) -> list[Cut]:
    """A longest subsequence of ``pairs`` (sorted by ``i``) whose ``j`` increase too."""
    tails: list[int] = []  # tails[k]: the smallest j ending an increasing run of k + 1
    ends: list[int] = []  # the index in ``pairs`` of that end
    before = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[k] = j
            ends[k] = n
        before[n] = ends[k - 1] if k else -1
    chain = []
    n = ends[-1] if ends else -1
    while n >= 0:
        chain.append(pairs[n])
        n = before[n]
    return chain[::-1]
