"""Compiled kernels: character folding, shingles and signatures, LSH banding, band owners.

:mod:`dedup.keys`, :mod:`dedup.shingles`, :mod:`dedup.signatures` and
:mod:`dedup.candidates` describe the arithmetic and compute it with NumPy (and
``str`` methods), a few dozen calls per article. On articles of a few dozen
paragraphs the time goes to those calls rather than to the work, so when Numba is
installed each stage runs as one compiled loop per article instead:

- :func:`fold_spaces`: the character folding and ``" ".join(line.split())`` of every line;
- :func:`shingle_sign`: word hashes, shingle hashes and MinHash rows in one pass;
- :func:`band_pairs`: band keys, buckets and candidate pairs;
- :func:`table_find`, :func:`table_claim`, :func:`table_release`: an
  open-addressing table of 64-bit keys and values, which
  :class:`dedup.corpus.bands.BandOwners` keeps the corpus's band owners in
  (its twin there is a ``dict``).

Each does the same work as its twin in NumPy, ``re`` or a ``dict``, so results are
bit for bit the same (tests compare both paths on random and generated input) and
never depend on which path ran.

Numba compiles the kernels on first use and caches the machine code next to this
module (about 6 s once per installation; later processes load it in about 0.15 s).
``DEDUP_JIT=0`` in the environment, or Numba missing, selects the NumPy path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "band_pairs",
    "fold_spaces",
    "shingle_sign",
    "table_claim",
    "table_find",
    "table_release",
    "warm_up",
]

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Kernel = Callable[..., tuple[U32, I64, I64]]
TableFind = Callable[..., tuple[npt.NDArray[np.bool_], U64]]
TableChange = Callable[..., int]
PairKernel = Callable[..., npt.NDArray[np.int64]]
FoldKernel = Callable[
    [npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.uint8]], npt.NDArray[np.uint8]
]

_BASE = 0x100000001B3  # the word hash's base, as in dedup.shingles
_LOW = 0xFFFFFFFF


def _jit() -> Callable[[Callable[..., object]], Callable[..., object]] | None:
    """Numba's compiler with on-disk caching, or None for the NumPy path."""
    if os.environ.get("DEDUP_JIT", "1") == "0":
        return None
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba is a dependency; NumPy is the fallback
        return None
    compiler: Callable[[Callable[..., object]], Callable[..., object]] = njit(
        cache=True, nogil=True
    )
    return compiler


def _shingle_sign(
    data: npt.NDArray[np.uint8],
    count: int,
    mix: npt.NDArray[np.uint64],
    size: int,
    a: U32,
    b: U32,
) -> tuple[U32, I64, I64]:
    """Shingle and sign ``data`` (:func:`dedup.shingles.encode` of ``count`` keys).

    Returns the signatures ``(count, len(a))``, the words and the shingles of each key.
    Plain Python that Numba compiles; all arithmetic is on unsigned 64-bit integers,
    reduced to 32 bits where the NumPy path works in 32 bits.
    """
    perms = a.shape[0]
    low = np.uint64(_LOW)
    base = np.uint64(_BASE)
    signatures = np.full((count, perms), np.uint32(_LOW), dtype=np.uint32)
    words = np.zeros(count, dtype=np.int64)
    shingles = np.zeros(count, dtype=np.int64)
    recent = np.zeros(size, dtype=np.uint64)  # the last `size` word hashes of the key
    key = 0
    seen = 0  # words of the current key so far
    i = 0
    n = data.shape[0]
    while i < n:
        byte = data[i]
        if byte == 10:
            key += 1
            seen = 0
            i += 1
            continue
        if byte <= 32:
            i += 1
            continue
        word = np.uint64(0)
        power = base
        while i < n and data[i] > 32:  # sum of byte * BASE**(position + 1), mod 2**64
            word += np.uint64(data[i]) * power
            power *= base
            i += 1
        recent[seen % size] = word
        seen += 1
        words[key] += 1
        if seen < size:
            continue
        combined = np.uint64(0)
        for k in range(size):
            combined += recent[(seen - size + k) % size] * mix[k % mix.shape[0]]
        combined ^= combined >> np.uint64(32)
        value = combined & low
        value ^= value >> np.uint64(16)  # fmix32, as datasketch's affine32 scheme
        value = (value * np.uint64(0x85EBCA6B)) & low
        value ^= value >> np.uint64(13)
        value = (value * np.uint64(0xC2B2AE35)) & low
        value ^= value >> np.uint64(16)
        shingles[key] += 1
        row = signatures[key]
        for k in range(perms):
            permuted = np.uint32((np.uint64(a[k]) * value + np.uint64(b[k])) & low)
            if permuted < row[k]:
                row[k] = permuted
    return signatures, words, shingles


def _band_pairs(
    signatures: U32,
    bands: int,
    mix: npt.NDArray[np.uint64],
    owners: I64,
    max_bucket: int,
    window: int,
) -> npt.NDArray[np.int64]:
    """Candidate pairs of paragraphs sharing a band key, sorted and distinct, shape ``(m, 2)``.

    The band keys are :func:`dedup.candidates.band_keys` (same arithmetic); a bucket of
    more than ``max_bucket`` paragraphs pairs each with its next ``window`` only, as
    :func:`dedup.candidates.find_candidates` does. Row ``i`` belongs to ``owners[i]``
    (sorted).
    """
    count = signatures.shape[0]
    rows = signatures.shape[1] // bands
    keys = np.empty(count * bands, dtype=np.uint64)
    for i in range(count):
        for band in range(bands):
            key = np.uint64(signatures[i, band * rows]) * mix[0]
            for r in range(1, rows):
                key ^= key >> np.uint64(29)
                key += np.uint64(signatures[i, band * rows + r]) * mix[r % mix.shape[0]]
            key ^= np.uint64(band) * mix[mix.shape[0] - 1]
            keys[i * bands + band] = key
    order = np.argsort(keys)
    width = np.int64(owners[count - 1] + 1) if count else np.int64(1)
    found = []
    start = 0
    while start < count * bands:
        end = start + 1
        while end < count * bands and keys[order[end]] == keys[order[start]]:
            end += 1
        if end - start > 1:
            bucket = np.unique(owners[order[start:end] // bands])
            size = bucket.shape[0]
            for x in range(size):
                last = size if size <= max_bucket else min(size, x + 1 + window)
                for y in range(x + 1, last):
                    found.append(bucket[x] * width + bucket[y])
        start = end
    codes = np.unique(np.array(found, dtype=np.int64))
    pairs = np.empty((codes.shape[0], 2), dtype=np.int64)
    pairs[:, 0] = codes // width
    pairs[:, 1] = codes % width
    return pairs


def _fold_spaces(
    data: npt.NDArray[np.uint8], ascii_fold: npt.NDArray[np.uint8], survives: npt.NDArray[np.uint8]
) -> npt.NDArray[np.uint8]:
    """Fold UTF-8 to its key bytes: what :func:`dedup.keys._fold` does after preparing the text.

    An ASCII byte is mapped through ``ascii_fold`` (letters, digits, space and
    newline stay, the rest become spaces); a character of several bytes stays
    when ``survives[code point]`` is set and becomes a space otherwise. Then
    runs of spaces collapse to one and spaces at the ends of lines go: each
    line becomes ``" ".join(line.split())``. ``data`` is valid UTF-8 (lone
    surrogates encoded as three bytes allowed).
    """
    out = np.empty(data.shape[0], dtype=np.uint8)
    n = 0
    pending = False  # a space seen after a word of the current line
    i = 0
    size = data.shape[0]
    while i < size:
        byte = data[i]
        width = 1
        if byte < 0x80:
            byte = ascii_fold[byte]
            if byte == 10:
                out[n] = 10
                n += 1
                pending = False
                i += 1
                continue
            space = byte == 32
        else:
            if byte >= 0xF0:
                width = 4
                code = np.int64(byte & 0x07)
            elif byte >= 0xE0:
                width = 3
                code = np.int64(byte & 0x0F)
            else:
                width = 2
                code = np.int64(byte & 0x1F)
            for k in range(1, width):
                code = (code << 6) | np.int64(data[i + k] & 0x3F)
            space = survives[code] == 0
        if space:
            pending = n > 0 and out[n - 1] != 10
        else:
            if pending:
                out[n] = 32
                n += 1
                pending = False
            for k in range(width):
                out[n] = data[i + k]
                n += 1
            if width == 1:
                out[n - 1] = byte
        i += width
    return out[:n]


_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing: a key's home slot is the top bits of key * GOLDEN


def _table_find(
    slots: U64, used: npt.NDArray[np.uint8], shift: int, queries: U64
) -> tuple[npt.NDArray[np.bool_], U64]:
    """Look ``queries`` up in an open-addressing table: found flags and values.

    ``slots`` holds ``(key, value)`` rows (one cache line serves both), of
    which ``used`` flags the filled ones; there are ``2**(64 - shift)`` of
    them, probed linearly from each key's home slot. ``used`` is read only
    where a key is 0, which marks an empty slot unless ``used`` says otherwise.
    """
    mask = np.int64(slots.shape[0] - 1)
    found = np.zeros(queries.shape[0], dtype=np.bool_)
    result = np.zeros(queries.shape[0], dtype=np.uint64)
    for q in range(queries.shape[0]):
        key = queries[q]
        i = np.int64((key * np.uint64(_GOLDEN)) >> np.uint64(shift))
        while True:
            stored = slots[i, 0]
            if stored == key and (key != 0 or used[i]):
                found[q] = True
                result[q] = slots[i, 1]
                break
            if stored == 0 and not used[i]:
                break
            i = (i + 1) & mask
    return found, result


def _table_claim(
    slots: U64, used: npt.NDArray[np.uint8], shift: int, keys: U64, values: U64
) -> int:
    """Add each key not in the table yet with its value, in order; return how many were added.

    The first value given for a key wins, as ``dict.setdefault`` in a loop. The
    caller keeps the table at most half full.
    """
    mask = np.int64(slots.shape[0] - 1)
    added = 0
    for q in range(keys.shape[0]):
        key = keys[q]
        i = np.int64((key * np.uint64(_GOLDEN)) >> np.uint64(shift))
        while True:
            stored = slots[i, 0]
            if stored == 0 and not used[i]:
                used[i] = 1
                slots[i, 0] = key
                slots[i, 1] = values[q]
                added += 1
                break
            if stored == key and (key != 0 or used[i]):
                break
            i = (i + 1) & mask
    return added


def _table_release(
    slots: U64, used: npt.NDArray[np.uint8], shift: int, keys: U64, values: U64
) -> int:
    """Remove each key whose value is the one given; return how many were removed.

    Deletion moves later keys of the probe run back into the hole (no
    tombstones), so lookups stay as short as if the key had never been added.
    """
    mask = np.int64(slots.shape[0] - 1)
    removed = 0
    for q in range(keys.shape[0]):
        key = keys[q]
        i = np.int64((key * np.uint64(_GOLDEN)) >> np.uint64(shift))
        while used[i] and slots[i, 0] != key:
            i = (i + 1) & mask
        if not used[i] or slots[i, 1] != values[q]:
            continue
        removed += 1
        hole = i
        j = i
        while True:
            j = (j + 1) & mask
            if not used[j]:
                break
            home = np.int64((slots[j, 0] * np.uint64(_GOLDEN)) >> np.uint64(shift))
            if ((j - home) & mask) >= ((j - hole) & mask):  # home not in (hole, j]: move back
                slots[hole, 0] = slots[j, 0]
                slots[hole, 1] = slots[j, 1]
                used[hole] = 1
                hole = j
        used[hole] = 0
        slots[hole, 0] = 0
        slots[hole, 1] = 0
    return removed


_compiler = _jit()
shingle_sign = cast("Kernel | None", _compiler and _compiler(_shingle_sign))
band_pairs = cast("PairKernel | None", _compiler and _compiler(_band_pairs))
fold_spaces = cast("FoldKernel | None", _compiler and _compiler(_fold_spaces))
table_find = cast("TableFind | None", _compiler and _compiler(_table_find))
table_claim = cast("TableChange | None", _compiler and _compiler(_table_claim))
table_release = cast("TableChange | None", _compiler and _compiler(_table_release))


def warm_up() -> None:
    """Compile the kernels now (or load them from the cache) instead of on first use."""
    if shingle_sign is None or band_pairs is None or fold_spaces is None:  # pragma: no cover
        return
    data = np.frombuffer(b" a b c\n a b c ", dtype=np.uint8)
    a = b = np.ones(4, dtype=np.uint32)
    signatures, _, _ = shingle_sign(data, 2, np.ones(2, dtype=np.uint64), 2, a, b)
    band_pairs(signatures, 2, np.ones(8, dtype=np.uint64), np.arange(2, dtype=np.int64), 64, 8)
    fold_spaces(data, np.arange(256, dtype=np.uint8), np.ones(1, dtype=np.uint8))
    if table_find is None or table_claim is None or table_release is None:
        return
    slots, used = np.zeros((4, 2), dtype=np.uint64), np.zeros(4, dtype=np.uint8)
    keys = np.arange(2, dtype=np.uint64)
    table_claim(slots, used, 62, keys, keys)
    table_find(slots, used, 62, keys)
    table_release(slots, used, 62, keys, keys)
