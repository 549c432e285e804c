"""Signatures and keys -> candidate pairs: which paragraphs may be near duplicates.

Candidates are approximate: LSH proposes, :mod:`dedup.verify` decides. Two
paragraphs become a candidate pair when

- their MinHash signatures agree on all rows of at least one LSH band (the
  banding of datasketch's ``MinHashLSH`` with ``params=(bands, rows)``,
  computed with NumPy: a test checks the pairs equal ``MinHashLSH``'s), or
- their keys share the first or the last ``AFFIX`` characters (fewer of
  heavy scripts: :func:`dedup.lengths.affixes`), which finds
  truncated teasers and copies with a fragment appended or prepended, whose
  Jaccard similarity is too low for LSH.

Only paragraphs with at least ``min_words`` words and one shingle take part,
so empty shingle sets never collide. With ``candidates="all_pairs"`` every pair
of such paragraphs is a candidate instead (exhaustive, for small inputs and
tests). Pairs are sorted ``(i, j)`` with ``i < j``, so the output never depends
on set or hash order.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import cast

import numpy as np
import numpy.typing as npt

from dedup import kernels
from dedup.config import Candidates
from dedup.lengths import affixes

__all__ = ["AFFIX", "BAND_MIX", "BAND_SHIFT", "band_keys", "find_candidates",
           "pairs_sharing_a_band"]

AFFIX = 32
MAX_BUCKET = 64  # a larger bucket pairs each member with its next WINDOW members only
WINDOW = 8
BAND_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xBF58476D1CE4E5B9,
        0x94D049BB133111EB,
        0xD6E8FEB86659FD93,
        0xA0761D6478BD642F,
        0xE7037ED1A0B428DB,
        0x8EBC6AF09C88C6E3,
        0x589965CC75374CC3,
    ],
    dtype=np.uint64,
)

BAND_SHIFT = np.uint64(29)  # a band key mixes in each row: shift, xor, multiply-add

Pair = tuple[int, int]
I64 = npt.NDArray[np.int64]


def band_keys(signatures: npt.NDArray[np.uint32], bands: int) -> npt.NDArray[np.uint64]:
    """Return one 64-bit key per paragraph and band, shape ``(paragraphs, bands)``.

    Two paragraphs share a band's key exactly when their signatures agree on
    the band's rows (up to 64-bit hash collisions, which verification absorbs).
    The key includes the band's index, so keys of different bands never meet.

    Example:
        >>> sig = np.array([[1, 2, 3, 4], [1, 2, 9, 9]], dtype=np.uint32)
        >>> k = band_keys(sig, 2)
        >>> bool(k[0, 0] == k[1, 0]), bool(k[0, 1] == k[1, 1])
        (True, False)
    """
    count, num_perm = signatures.shape
    rows = num_perm // bands
    values = signatures.reshape(count, bands, rows).astype(np.uint64)
    keys: npt.NDArray[np.uint64] = values[:, :, 0] * BAND_MIX[0]
    for r in range(1, rows):
        keys ^= keys >> BAND_SHIFT
        keys += values[:, :, r] * BAND_MIX[r % len(BAND_MIX)]
    keys ^= np.arange(bands, dtype=np.uint64) * BAND_MIX[-1]
    return keys


def find_candidates(
    keys: Sequence[str],
    eligible: Sequence[int],
    signatures: npt.NDArray[np.uint32],
    *,
    bands: int,
    method: Candidates = "lsh",
    banded: bool | None = None,
    affixes: npt.NDArray[np.uint64] | None = None,
) -> list[Pair]:
    """Return sorted candidate pairs among the ``eligible`` paragraph indices.

    ``eligible`` is sorted; row ``k`` of ``signatures`` belongs to ``eligible[k]``.
    ``banded=False`` says no two rows share a band key; ``affixes``, hashes of
    each eligible key's head and tail affix, empty when no two are equal
    (:class:`dedup.signatures.Article`), spare comparing the affixes of all.

    Example:
        >>> sig = np.array([[1, 2], [1, 2], [3, 4]], dtype=np.uint32)
        >>> find_candidates(["a", "b", "c"], [0, 1, 2], sig, bands=2)
        [(0, 1)]
        >>> find_candidates(["a", "b", "c"], [0, 1, 2], sig, bands=2, method="all_pairs")
        [(0, 1), (0, 2), (1, 2)]
    """
    if method == "all_pairs":
        return list(combinations(eligible, 2))
    if len(eligible) < 2 or (banded is False and affixes is not None and not affixes.size):
        return []
    members = list(eligible)
    owner = np.asarray(members, dtype=np.int64)
    if affixes is not None and not affixes.size:
        return _sorted_band_pairs(signatures, bands, owner)
    found = set() if banded is False else pairs_sharing_a_band(signatures, bands, owner)
    groups = _affixes(keys, members) if affixes is None else _hashed_affixes(keys, members,
                                                                            affixes)
    for group in groups:
        found.update(_pairs(group))
    return sorted(found)


def pairs_sharing_a_band(signatures: npt.NDArray[np.uint32], bands: int, owner: I64) -> set[Pair]:
    """Pairs of paragraphs (``owner`` of each row) that share a band key."""
    kernel = kernels.compiled(signatures.size)
    if kernel is not None:
        return set(_kernel_pairs(kernel, signatures, bands, owner))
    return _sharing_a_band_numpy(signatures, bands, owner)


def _sorted_band_pairs(signatures: npt.NDArray[np.uint32], bands: int, owner: I64) -> list[Pair]:
    """``sorted(pairs_sharing_a_band(...))``: the kernel's pairs come sorted."""
    kernel = kernels.compiled(signatures.size)
    if kernel is not None:
        return _kernel_pairs(kernel, signatures, bands, owner)
    return sorted(_sharing_a_band_numpy(signatures, bands, owner))


def _kernel_pairs(
    kernel: kernels.Kernels, signatures: npt.NDArray[np.uint32], bands: int, owner: I64
) -> list[Pair]:
    shared = cast("I64", kernel.band_pairs(signatures, bands, BAND_MIX, BAND_SHIFT, owner,
                                           MAX_BUCKET, WINDOW))
    if not len(shared):
        return []
    return list(zip(shared[:, 0].tolist(), shared[:, 1].tolist(), strict=True))


def _sharing_a_band_numpy(
    signatures: npt.NDArray[np.uint32], bands: int, owner: I64
) -> set[Pair]:
    found: set[Pair] = set()
    flat = band_keys(signatures, bands).ravel()
    owners = np.repeat(owner, bands)
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    same = ordered[1:] == ordered[:-1]
    if same.any():  # runs of equal band keys: only those of two or more are visited
        run_starts = np.flatnonzero(np.concatenate(([True], ~same)))
        run_ends = np.append(run_starts[1:], len(ordered))
        shared = np.flatnonzero(run_ends - run_starts > 1)
        for begin, end in zip(run_starts[shared].tolist(), run_ends[shared].tolist(), strict=True):
            found.update(_pairs(sorted(set(owners[order[begin:end]].tolist()))))
    return found


def _pairs(bucket: Sequence[int]) -> list[Pair]:
    """All pairs of a sorted bucket; a bucket over MAX_BUCKET pairs near neighbours only."""
    if len(bucket) <= MAX_BUCKET:
        return list(combinations(bucket, 2))
    return [
        (bucket[i], bucket[j])
        for i in range(len(bucket))
        for j in range(i + 1, min(i + 1 + WINDOW, len(bucket)))
    ]


def _affixes(keys: Sequence[str], members: Sequence[int]) -> list[list[int]]:
    """Return the groups of two or more members sharing their first or their last AFFIX characters.

    Most articles have none, which one ``set`` per side shows without grouping.
    """
    groups: list[list[int]] = []
    for side in affixes(keys, members, AFFIX):
        if len(set(side)) == len(side):
            continue
        by_affix: dict[str, list[int]] = {}
        for i, affix in zip(members, side, strict=True):
            by_affix.setdefault(affix, []).append(i)
        groups.extend(group for group in by_affix.values() if len(group) > 1)
    return groups


def _hashed_affixes(
    keys: Sequence[str], members: Sequence[int], hashes: npt.NDArray[np.uint64]
) -> list[list[int]]:
    """:func:`_affixes`, comparing the affixes of the members whose affix hashes are equal only."""
    groups: list[list[int]] = []
    for side in (0, 1):
        values = hashes[side]
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            continue
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        ends = np.append(starts[1:], len(ordered))
        for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if end - begin < 2:
                continue
            chosen = [members[n] for n in sorted(order[begin:end].tolist())]
            by_affix: dict[str, list[int]] = {}
            for i, affix in zip(chosen, affixes(keys, chosen, AFFIX)[side], strict=True):
                by_affix.setdefault(affix, []).append(i)
            groups.extend(group for group in by_affix.values() if len(group) > 1)
    return groups
