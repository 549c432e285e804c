"""Long paragraphs LSH left alone -> their near copies, from a second banding.

LSH makes two paragraphs a candidate pair when their MinHash signatures agree
on every row of one band (:mod:`dedup.candidates`: 8 bands of 3 rows), or
when they share their first or last characters. A copy with a few typos and a
fragment at one end ("... Share this article", "(Reuters) - ...") can change
enough of its shingles that no band agrees (a long paragraph is shingled at its
edges only, :data:`dedup.shingles.EDGE`, where the fragment lands) and its
first and last characters too: no candidate, although the two texts are 95%
alike and their signatures still agree on 7 to 15 of their 24 rows. Bands of
3 rows miss a pair agreeing on 7 rows 86% of the time, on 10 rows 57%, on 12
rows 31%.

This stage bands the same signatures a second time, in bands of ``ROWS`` (2)
rows (rows ``2j`` and ``2j + 1``: 12 bands by default), for the paragraphs the
first pass left alone. A pair sharing one of these bands is verified when

- neither paragraph is in a candidate pair of the first pass (a paragraph
  with a candidate has been looked at; a paragraph of an article's duplicated
  run has one);
- both have at least ``min_length`` of :func:`dedup.lengths.text_length`:
  shorter ones never go as an isolated copy, and a repeated block is found
  through its other members;
- their key lengths allow a ratio of ``min_similarity``
  (``2 * min(a, b) >= min_similarity * (a + b)``) and their whole keys have
  that ratio (``fuzz.ratio``, all pairs of an article in one rapidfuzz call);

then :func:`dedup.verify.verify_pairs` decides as for every pair (numbers,
words). The two passes together miss a pair agreeing on 7 rows 29% of the
time, on 10 rows 3%, on 12 rows 0.1%. A teaser, or a sentence that another one
extends by a clause, has a lower whole ratio and is left to the first pass,
whose affix keys are made for teasers (MRPC's "not a paraphrase" pairs are
often such sentences).

A bucket of more than :data:`dedup.candidates.MAX_BUCKET` paragraphs pairs each
with its next :data:`dedup.candidates.WINDOW` only, as in the first pass. Most
articles share no band of the second banding at all: one sort of the banded
signatures tells, and the stage ends there. Pure NumPy and rapidfuzz, on
signatures that the compiled and the NumPy paths compute alike: the same pairs
on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from dedup.candidates import _pairs
from dedup.indel import PIECE, ratio
from dedup.lengths import text_length
from dedup.verify import Match, verify_pairs

__all__ = ["long_copies"]

ROWS = 2  # rows per band of the second banding

Pair = tuple[int, int]
I64 = npt.NDArray[np.int64]


def long_copies(
    keys: Sequence[str],
    signed: Sequence[int],
    signatures: npt.NDArray[np.uint32],
    proposed: Iterable[Pair],
    *,
    bands: int,
    min_length: int,
    min_similarity: float,
) -> list[Match]:
    """Return the verified near copies among the long signed paragraphs in no ``proposed`` pair.

    ``signed`` are the paragraphs of the rows of ``signatures``, in order;
    ``bands`` the first banding's number of bands.

    Example:
        >>> import numpy as np
        >>> one = "the harbour pier stays closed until spring after engineers found cracks"
        >>> two = "the harbuor pier stays closed until spring after engineers found crakcs"
        >>> sig = np.array([[1, 2, 3, 4, 5, 6], [1, 9, 3, 4, 9, 6]], dtype=np.uint32)
        >>> [(m.a, m.b, m.kind) for m in long_copies(
        ...     [one, two], [0, 1], sig, [], bands=2, min_length=50, min_similarity=0.9)]
        [(0, 1, 'near')]
    """
    if signatures.shape[1] // bands <= ROWS or len(signed) < 2:
        return []
    paired = _row_pairs(signatures)
    ordered = np.sort(paired, axis=0)
    if not (ordered[1:] == ordered[:-1]).any():
        return []  # no two paragraphs share a band of the second banding: most articles
    busy = {i for pair in proposed for i in pair}
    eligible: dict[int, bool] = {}  # by row: not in a candidate pair, long enough
    found: set[Pair] = set()
    for run in _runs(paired):
        members = []
        for row in run:
            if row not in eligible:
                i = signed[row]
                eligible[row] = i not in busy and _long(keys[i], min_length)
            if eligible[row]:
                members.append(signed[row])
        for a, b in _pairs(sorted(members)):
            if _fits(len(keys[a]), len(keys[b]), min_similarity):
                found.add((a, b))
    if not found:
        return []
    pairs = sorted(found)
    return verify_pairs(keys, _alike(keys, pairs, min_similarity), min_similarity,
                        min_contained=min_length)


def _runs(paired: npt.NDArray[np.uint64]) -> list[list[int]]:
    """The rows equal in a column of ``paired``, run by run (two or more rows each)."""
    order = np.argsort(paired, axis=0, kind="stable")
    ordered = np.take_along_axis(paired, order, axis=0)
    columns, places = np.nonzero((ordered[1:] == ordered[:-1]).T)
    runs: list[list[int]] = []
    last = (-1, -1)
    for column, place in zip(columns.tolist(), places.tolist(), strict=True):
        if (column, place) != last:  # a new run starts at this place
            runs.append([int(order[place, column])])
        runs[-1].append(int(order[place + 1, column]))
        last = (column, place + 1)
    return runs


def _long(key: str, min_length: int) -> bool:
    """``text_length(key) >= min_length``; never below ``len(key)``, and equal to it in ASCII."""
    return len(key) >= min_length or (not key.isascii() and text_length(key) >= min_length)


def _row_pairs(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """The bands of the second banding, one 64-bit value per band: rows ``2j`` and ``2j + 1``.

    A view of the signatures (a copy of their even width when ``num_perm`` is odd).
    """
    even = np.ascontiguousarray(signatures[:, : signatures.shape[1] // ROWS * ROWS])
    return even.view(np.uint64)


def _fits(one: int, two: int, min_similarity: float) -> bool:
    """Whether keys of these sizes may have a ratio of ``min_similarity``.

    The ratio is twice the common characters over the total, at most twice the
    shorter size over the total.
    """
    return 2 * min(one, two) >= min_similarity * (one + two)


def _alike(keys: Sequence[str], pairs: list[Pair], min_similarity: float) -> list[Pair]:
    """The pairs whose whole keys have a ratio of ``min_similarity``, in order.

    One rapidfuzz call for all pairs up to ``PIECE`` characters a side;
    longer ones piece by piece (:func:`dedup.indel.ratio`: rapidfuzz's cost
    grows with the product of the lengths).
    """
    cutoff = min_similarity * 100.0
    short = [(a, b) for a, b in pairs if max(len(keys[a]), len(keys[b])) <= PIECE]
    alike: set[Pair] = set()
    if short:
        scores = process.cpdist([keys[a] for a, _ in short], [keys[b] for _, b in short],
                                scorer=fuzz.ratio, score_cutoff=cutoff)
        alike.update(pair for pair, score in zip(short, scores.tolist(), strict=True)
                     if score >= cutoff)
    if len(short) < len(pairs):
        compared = set(short)
        alike.update((a, b) for a, b in pairs
                     if (a, b) not in compared and ratio(keys[a], keys[b], cutoff) >= cutoff)
    return [pair for pair in pairs if pair in alike]
