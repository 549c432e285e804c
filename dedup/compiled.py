"""The loops Numba compiles: character folding, shingles and signatures, LSH banding, band owners.

Plain Python on NumPy arrays, each the twin of a stage's NumPy code (results
bit for bit the same; tests compare both paths). :mod:`dedup.kernels` decides
whether they run compiled; this module never imports Numba. The constants of the
arithmetic are passed in by the stages that own them, never copied here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["GOLDEN", "band_pairs", "fold_spaces", "shingle_sign", "table_claim", "table_find",
           "table_release"]

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

_LOW = 0xFFFFFFFF  # the low 32 bits
GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing: a key's home slot is the top bits of key * GOLDEN


def shingle_sign(
    data: npt.NDArray[np.uint8],
    count: int,
    mix: U64,
    size: int,
    a: U32,
    b: U32,
    base: np.uint64,
    fmix: U64,
) -> tuple[U32, I64, I64]:
    """Shingle and sign ``data`` (:func:`dedup.shingles.encode` of ``count`` keys).

    Returns the signatures ``(count, len(a))``, the words and the shingles of each key.
    ``mix`` and ``base`` are :mod:`dedup.shingles`' word and shingle hash constants,
    ``fmix`` the two multipliers of :func:`dedup.signatures.fmix32`. All arithmetic
    is on unsigned 64-bit integers, reduced to 32 bits where the NumPy path works
    in 32 bits.
    """
    perms = a.shape[0]
    low = np.uint64(_LOW)
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
        value = (value * fmix[0]) & low
        value ^= value >> np.uint64(13)
        value = (value * fmix[1]) & low
        value ^= value >> np.uint64(16)
        shingles[key] += 1
        row = signatures[key]
        for k in range(perms):
            permuted = np.uint32((np.uint64(a[k]) * value + np.uint64(b[k])) & low)
            if permuted < row[k]:
                row[k] = permuted
    return signatures, words, shingles


def band_pairs(
    signatures: U32,
    bands: int,
    mix: U64,
    shift: np.uint64,
    owners: I64,
    max_bucket: int,
    window: int,
) -> npt.NDArray[np.int64]:
    """Candidate pairs of paragraphs sharing a band key, sorted and distinct, shape ``(m, 2)``.

    The band keys are :func:`dedup.candidates.band_keys` (same arithmetic, its ``mix``
    and ``shift``); a bucket of
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
                key ^= key >> shift
                key += np.uint64(signatures[i, band * rows + r]) * mix[r % mix.shape[0]]
            key ^= np.uint64(band) * mix[mix.shape[0] - 1]
            keys[i * bands + band] = key
    # most articles repeat no key: an open-addressing set of the keys tells so in one pass
    bits = 4
    while (1 << bits) < 2 * count * bands:
        bits += 1
    mask = (1 << bits) - 1
    slots = np.zeros(1 << bits, dtype=np.uint64)
    used = np.zeros(1 << bits, dtype=np.uint8)
    repeated = False
    for k in range(count * bands):
        key = keys[k]
        at = np.int64((key * np.uint64(GOLDEN)) >> np.uint64(64 - bits))
        while used[at] and slots[at] != key:
            at = (at + 1) & mask
        if used[at]:
            repeated = True
            break
        used[at] = 1
        slots[at] = key
    if not repeated:
        return np.empty((0, 2), dtype=np.int64)
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


def fold_spaces(
    data: npt.NDArray[np.uint8],
    ascii_fold: npt.NDArray[np.uint8],
    actions: npt.NDArray[np.uint8],
    replaced: npt.NDArray[np.int32],
    offsets: npt.NDArray[np.int32],
    pool: npt.NDArray[np.uint8],
) -> npt.NDArray[np.uint8]:
    """Fold UTF-8 to its key bytes: what :func:`dedup.keys._fold` does after NFKC.

    An ASCII byte is mapped through ``ascii_fold`` (letters, lower-cased, digits,
    space and newline stay, the rest become spaces). A character of several
    bytes is looked up in ``actions`` by code point: 0, it becomes a space; 1, it
    stays; 2, it is replaced by ``pool[offsets[r]:offsets[r + 1]]`` with ``r =
    replaced[code point]``: its casefold, already folded (a space byte for a
    character that does not survive; nothing for an invisible one). Then runs of
    spaces collapse to one and spaces at the ends of lines go: each line becomes
    ``" ".join(line.split())``. ``data`` is valid UTF-8 (lone surrogates encoded
    as three bytes allowed).
    """
    size = data.shape[0]
    out = np.empty(size * 3 + 1, dtype=np.uint8)  # a casefold is at most 3 times longer
    n = 0
    pending = 0  # 1: a space seen after a word of the current line
    started = 0  # 1: a byte of the current line written (no re-read of ``out``)
    i = 0
    while i < size:
        byte = data[i]
        if byte < 0x80:  # without branches: a space written, kept only before a word
            folded = ascii_fold[byte]
            word = int(folded > 32)
            newline = int(folded == 10)
            out[n] = 32
            n += pending & word
            out[n] = folded
            n += word | newline
            pending = int(folded == 32) & started
            started = word | (started & (1 - newline))
            i += 1
            continue
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
        action = actions[code]
        if action == 1:
            if pending:
                out[n] = 32
                n += 1
                pending = 0
            for k in range(width):
                out[n] = data[i + k]
                n += 1
            started = 1
        elif action == 0:
            pending = started
        else:
            row = replaced[code]
            for k in range(offsets[row], offsets[row + 1]):
                unit = pool[k]
                if unit == 32:
                    pending = started
                    continue
                if pending:
                    out[n] = 32
                    n += 1
                    pending = 0
                out[n] = unit
                n += 1
                started = 1
        i += width
    return out[:n]


def table_find(
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
        i = np.int64((key * np.uint64(GOLDEN)) >> np.uint64(shift))
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


def table_claim(
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
        i = np.int64((key * np.uint64(GOLDEN)) >> np.uint64(shift))
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


def table_release(
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
        i = np.int64((key * np.uint64(GOLDEN)) >> np.uint64(shift))
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
            home = np.int64((slots[j, 0] * np.uint64(GOLDEN)) >> np.uint64(shift))
            if ((j - home) & mask) >= ((j - hole) & mask):  # home not in (hole, j]: move back
                slots[hole, 0] = slots[j, 0]
                slots[hole, 1] = slots[j, 1]
                used[hole] = 1
                hole = j
        used[hole] = 0
        slots[hole, 0] = 0
        slots[hole, 1] = 0
    return removed
