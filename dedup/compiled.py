"""The loops Numba compiles: character folding, shingles and signatures, LSH banding, band owners.

Plain Python on NumPy arrays, each the twin of a stage's NumPy code (results
bit for bit the same; tests compare both paths). :mod:`dedup.kernels` decides
whether they run compiled; this module never imports Numba. The constants of the
arithmetic are passed in by the stages that own them, never copied here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["GOLDEN", "band_pairs", "fold_spaces", "shingle_sign", "sign_article", "table_claim",
           "table_find", "table_release"]

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
    # an open-addressing table of the keys; the rows of a key are chained in row order
    # (most articles repeat no key, and only the repeated ones are visited)
    total = count * bands
    bits = 4
    while (1 << bits) < 2 * total:
        bits += 1
    mask = (1 << bits) - 1
    slots = np.zeros(1 << bits, dtype=np.uint64)
    used = np.zeros(1 << bits, dtype=np.uint8)
    first = np.zeros(1 << bits, dtype=np.int64)  # the first member of the slot's key
    last = np.zeros(1 << bits, dtype=np.int64)  # and its last one so far
    following = np.full(total, -1, dtype=np.int64)  # the next member of the same key
    repeated = False
    for k in range(total):
        key = keys[k]
        at = np.int64((key * np.uint64(GOLDEN)) >> np.uint64(64 - bits))
        while used[at] and slots[at] != key:
            at = (at + 1) & mask
        if used[at]:
            repeated = True
            following[last[at]] = k
        else:
            used[at] = 1
            slots[at] = key
            first[at] = k
        last[at] = k
    if not repeated:
        return np.empty((0, 2), dtype=np.int64)
    width = np.int64(owners[count - 1] + 1) if count else np.int64(1)
    found = []
    bucket = np.empty(total, dtype=np.int64)
    for slot in range(1 << bits):
        if not used[slot] or first[slot] == last[slot]:
            continue
        size = 0  # the bucket's distinct owners, sorted: rows come in order
        k = first[slot]
        while k >= 0:
            owner = owners[k // bands]
            if size == 0 or bucket[size - 1] != owner:
                bucket[size] = owner
                size += 1
            k = following[k]
        for x in range(size):
            end = size if size <= max_bucket else min(size, x + 1 + window)
            for y in range(x + 1, end):
                found.append(bucket[x] * width + bucket[y])
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



def sign_article(
    data: npt.NDArray[np.uint8],
    count: int,
    hashing: U64,
    size: int,
    a: U32,
    b: U32,
    scripts: npt.NDArray[np.uint8],
    limits: I64,
) -> tuple[U32, I64, npt.NDArray[np.bool_], U64, I64]:
    """Sign an article's keys and tell which candidate steps can find anything.

    ``data`` is ``"\\n".join(keys)`` in UTF-8 (lone surrogates as three bytes), whole,
    padded with newlines to a multiple of 8 bytes:
    the kernel cuts long keys to their edges and spaces the characters of scripts
    written without spaces itself, as :func:`dedup.shingles.encode` does, then signs
    as :func:`shingle_sign`. ``hashing`` holds :mod:`dedup.shingles`' ``MIX``, its
    ``BASE``, the two multipliers of the finalizer and :mod:`dedup.candidates`'
    ``BAND_MIX``. ``scripts[code]`` is a character's weight in tenths of a Latin letter
    (:mod:`dedup.lengths`) plus 128 when its script is written without spaces, for
    code points below ``len(scripts)`` (above: weight 10, spaced). ``limits`` are
    the edge (64), ``min_words``, the affix budget in tenths (``AFFIX * 10``), the
    tenths of a word (60), the bands of the first banding, its shift (29) and
    ``len(MIX)``.

    Returns the signatures of the usable keys (``min_words`` words, as
    :func:`dedup.lengths.word_counts` counts them, and a shingle), their indices,
    and three flags: whether two usable keys share a band key of the first banding
    (:func:`dedup.candidates.band_keys`, the same 64-bit keys), whether they may
    share a head or a tail affix (:func:`dedup.lengths.affixes`; a hash of each:
    False is sure), and whether two share a band of the second banding (rows
    ``2j`` and ``2j + 1``, :mod:`dedup.long_copies`; exact); last the hashes of
    the usable keys' head and tail affixes, shape ``(2, usable)``, and the usable
    rows that share a band key of the second banding
    (:func:`dedup.candidates.band_keys` of rows ``2j``, ``2j + 1``) with another one.
    """
    perms = a.shape[0]
    low = np.uint64(_LOW)
    edge, min_words, budget, per_word, bands, shift, mixes = (
        limits[0], limits[1], limits[2], limits[3], limits[4], np.uint64(limits[5]), limits[6])
    base = hashing[mixes]
    band_mix = hashing[mixes + 3 :]
    spread = band_mix.shape[0]
    top = scripts.shape[0]
    signatures = np.full((count, perms), np.uint32(_LOW), dtype=np.uint32)
    usable = np.zeros(count, dtype=np.bool_)
    affixes = np.zeros((2, count), dtype=np.uint64)  # hashes of the heads, of the tails
    recent = np.zeros(size, dtype=np.uint64)
    starts = np.zeros(2 * edge + 1, dtype=np.int64)  # where each character read starts
    weights = np.zeros(2 * edge + 1, dtype=np.int64)  # and its weight in tenths
    n = data.shape[0]
    packed = data.view(np.uint64)  # eight bytes at a time: newlines found 4x faster
    lines = np.uint64(0x0A0A0A0A0A0A0A0A)
    ones = np.uint64(0x0101010101010101)
    highs = np.uint64(0x8080808080808080)
    any_high = np.uint64(0)
    for w in range(packed.shape[0]):
        any_high |= packed[w]
    ascii = (any_high & highs) == 0  # every affix is its first or last budget // 10 bytes
    start = 0
    for key in range(count):
        end = start
        while end < n and end & 7 and data[end] != 10:
            end += 1
        if end < n and data[end] != 10:
            w = end >> 3
            while w < packed.shape[0]:
                x = packed[w] ^ lines
                if (x - ones) & ~x & highs:  # a zero byte: a newline in these eight
                    break
                w += 1
            end = w << 3
            while end < n and data[end] != 10:
                end += 1
        cut = end  # the first edge ends here, the second starts at ``resume``
        resume = end
        if end - start > 2 * edge:  # more bytes than two edges' characters: maybe long
            cut = start
            seen = 0
            while seen < edge or (data[cut] & 0xC0) == 0x80:
                if (data[cut] & 0xC0) != 0x80:
                    seen += 1
                cut += 1
            resume = end
            seen = 0
            while seen < edge:
                resume -= 1
                if (data[resume] & 0xC0) != 0x80:
                    seen += 1
            if resume <= cut:  # at most two edges' characters: the whole key
                cut = end
                resume = end
        words = 0
        shingles = 0
        unspaced = 0
        unspaced_tenths = np.int64(0)
        word = np.uint64(0)
        power = base
        letters = 0  # bytes in ``word``
        alone = False  # the current word is one character of an unspaced script
        read = 0  # characters read: at most two edges' worth
        i = start
        stop = cut
        while True:
            while not alone and i < stop and 32 < data[i] < 0x80:  # ASCII letters
                word += np.uint64(data[i]) * power
                power *= base
                letters += 1
                if not ascii:
                    starts[read] = i
                    weights[read] = 10
                    read += 1
                i += 1
            width = 1
            code = np.int64(0)
            info = np.int64(10)
            if i < stop:
                code = np.int64(data[i])
                if code >= 0x80:
                    if code >= 0xF0:
                        width, code = 4, code & 0x07
                    elif code >= 0xE0:
                        width, code = 3, code & 0x0F
                    else:
                        width, code = 2, code & 0x1F
                    for k in range(1, width):
                        code = (code << 6) | np.int64(data[i + k] & 0x3F)
                    if code < top:
                        info = np.int64(scripts[code])
            single = info >= 128
            if letters and (i >= stop or code <= 32 or single or alone):
                recent[words % size] = word
                words += 1
                if words >= size:
                    combined = np.uint64(0)
                    for k in range(size):
                        combined += recent[(words - size + k) % size] * hashing[k % mixes]
                    combined ^= combined >> np.uint64(32)
                    value = combined & low
                    value ^= value >> np.uint64(16)  # fmix32, as datasketch's affine32 scheme
                    value = (value * hashing[mixes + 1]) & low
                    value ^= value >> np.uint64(13)
                    value = (value * hashing[mixes + 2]) & low
                    value ^= value >> np.uint64(16)
                    shingles += 1
                    row = signatures[key]
                    for k in range(perms):
                        permuted = np.uint32((np.uint64(a[k]) * value + np.uint64(b[k])) & low)
                        row[k] = min(row[k], permuted)
                word = np.uint64(0)
                power = base
                letters = 0
                alone = False
            if i >= stop:
                if stop == end:
                    break
                i, stop = resume, end
                continue
            if code > 32:
                for k in range(width):
                    word += np.uint64(data[i + k]) * power
                    power *= base
                letters += width
            if single:
                alone = True
                unspaced += 1
                unspaced_tenths += info - 128
            if not ascii:
                starts[read] = i
                weights[read] = info & 0x7F
                read += 1
            i += width
        if ascii:  # a byte is a character of 10 tenths
            bounds = (start, min(start + budget // 10, end), max(end - budget // 10, start), end)
        else:  # the affixes lie in the edges read: a character weighs 10 tenths or more
            starts[read] = end
            chars = 0
            tenths = 0
            while chars < read and tenths < budget:
                tenths += weights[chars]
                chars += 1
            head = starts[chars]
            chars = read
            tenths = 0
            while chars > 0 and tenths < budget:
                chars -= 1
                tenths += weights[chars]
            bounds = (start, head, starts[chars], end)
        for side in range(2):  # a hash of each affix's bytes: equal bytes, equal hashes
            value = np.uint64(0)
            power = base
            for k in range(bounds[2 * side], bounds[2 * side + 1]):
                value += np.uint64(data[k]) * power
                power *= base
            affixes[side, key] = value
        counted = words - unspaced + unspaced_tenths // per_word
        usable[key] = counted >= min_words and shingles > 0
        start = end + 1
    chosen = np.flatnonzero(usable)
    kept = chosen.shape[0]
    out = np.empty((kept, perms), dtype=np.uint32)
    for r in range(kept):
        out[r] = signatures[chosen[r]]
    # a set of values per kind of question, in one table (a slot of an earlier kind is free);
    # kinds: 0 heads, 1 tails, 2 + band: band keys, then per band j of the second banding
    # its rows 2j, 2j + 1, then its band key
    rows = perms // bands
    pairs = perms // 2
    kinds = 2 + bands + 2 * pairs
    bits = 4
    while (1 << bits) < 2 * kept:
        bits += 1
    mask = (1 << bits) - 1
    slots = np.zeros(1 << bits, dtype=np.uint64)
    owner = np.full(1 << bits, -1, dtype=np.int64)  # the kind of the value: one table per kind
    holder = np.zeros(1 << bits, dtype=np.int64)  # the row that put it there
    repeated = np.zeros(kinds, dtype=np.bool_)
    sharing = np.zeros(kept, dtype=np.bool_)  # shares a second-banding band key
    for kind in range(kinds if kept > 1 else 0):
        if kind == 2 + bands + pairs and not repeated[2 + bands :].any():
            break  # no two rows agree on a band of the second banding: no band key to share
        for r in range(kept):
            if kind < 2:
                value = affixes[kind, chosen[r]]
            elif kind < 2 + bands + pairs and kind >= 2 + bands:
                j = kind - 2 - bands
                value = (np.uint64(out[r, 2 * j]) << np.uint64(32)) | np.uint64(out[r, 2 * j + 1])
            else:  # as dedup.candidates.band_keys, of the first banding or the second
                first_banding = kind < 2 + bands
                band = kind - 2 if first_banding else kind - 2 - bands - pairs
                width = rows if first_banding else 2
                value = np.uint64(out[r, band * width]) * band_mix[0]
                for k in range(1, width):
                    value ^= value >> shift
                    value += np.uint64(out[r, band * width + k]) * band_mix[k % spread]
                value ^= np.uint64(band) * band_mix[spread - 1]
            at = np.int64((value * np.uint64(GOLDEN)) >> np.uint64(64 - bits))
            while owner[at] == kind and slots[at] != value:
                at = (at + 1) & mask
            if owner[at] != kind:
                owner[at] = kind
                slots[at] = value
                holder[at] = r
                continue
            repeated[kind] = True
            if kind >= 2 + bands + pairs:
                sharing[r] = True
                sharing[holder[at]] = True
    flags = np.zeros(3, dtype=np.bool_)
    flags[0] = repeated[2 : 2 + bands].any()
    flags[1] = repeated[0] or repeated[1]
    flags[2] = repeated[2 + bands : 2 + bands + pairs].any()
    hashes = np.empty((2, kept), dtype=np.uint64)
    for r in range(kept):
        hashes[0, r] = affixes[0, chosen[r]]
        hashes[1, r] = affixes[1, chosen[r]]
    return out, chosen.astype(np.int64), flags, hashes, np.flatnonzero(sharing).astype(np.int64)


