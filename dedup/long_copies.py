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

Most articles share no band of the second banding at all: one sort of the
banded signatures tells, and the stage ends there (about two thirds of the
pages of the ``main`` view; with the compiled kernels,
:func:`dedup.signatures.sign_article` tells while signing, and also which rows
share a band key of this banding, the only ones looked at). Otherwise the long
paragraphs in no candidate pair are banded by the first pass's own code (``pairs_sharing_a_band`` of
:mod:`dedup.candidates`: the compiled kernel, or its NumPy twin with
``DEDUP_JIT=0``, same pairs; a bucket of more than ``MAX_BUCKET`` paragraphs
pairs each with its next ``WINDOW`` only). The cost: ``clean()`` takes about
1.1x its time without this stage on the ``main`` view (README).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from dedup.candidates import pairs_sharing_a_band
from dedup.indel import PIECE, ratio
from dedup.lengths import long_keys
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
    shared: Sequence[int] | None = None,
) -> list[Match]:
    """Return the verified near copies among the long signed paragraphs in no ``proposed`` pair.

    ``signed`` are the paragraphs of the rows of ``signatures``, in order;
    ``bands`` the first banding's number of bands; ``shared``, when known, the
    rows that share a band key of the second banding with another row, none
    when no two rows agree on a band of it (:class:`dedup.signatures.Article`):
    only they can be paired.

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
    if shared is not None and len(shared) < 2:
        return []
    paired = _row_pairs(signatures)
    if shared is None and not _any_shared(paired):
        return []  # no two paragraphs share a band of the second banding: most articles
    busy = {i for pair in proposed for i in pair}
    rows = range(len(signed)) if shared is None else shared
    free = [n for n in rows if signed[n] not in busy]
    rows = [free[k] for k in long_keys([keys[signed[n]] for n in free], min_length)]
    if len(rows) < 2:
        return []
    owners = np.asarray(signed, dtype=np.int64)[rows]
    banded = pairs_sharing_a_band(paired[rows].view(np.uint32), paired.shape[1], owners)
    pairs = sorted((a, b) for a, b in banded if _fits(len(keys[a]), len(keys[b]), min_similarity))
    if not pairs:
        return []
    return verify_pairs(keys, _alike(keys, pairs, min_similarity), min_similarity,
                        min_contained=min_length)


def _row_pairs(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """The bands of the second banding, one 64-bit value per band: rows ``2j`` and ``2j + 1``.

    A view of the signatures (of a copy of their even width when ``num_perm`` is odd).
    """
    width = signatures.shape[1] // ROWS * ROWS
    if width != signatures.shape[1] or not signatures.flags.c_contiguous:
        signatures = np.ascontiguousarray(signatures[:, :width])
    return signatures.view(np.uint64)


def _any_shared(paired: npt.NDArray[np.uint64]) -> bool:
    """Whether two rows share a band of the second banding."""
    ordered = np.sort(paired, axis=0)
    return bool((ordered[1:] == ordered[:-1]).any())


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
