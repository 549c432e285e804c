"""Shingles -> MinHash signatures, one row per paragraph.

The permutations are datasketch's own (``MinHash(num_perm, seed,
scheme="affine32").permutations``, drawn here the way datasketch draws them, so
that importing dedup does not import datasketch and, through it, SciPy: half a
second per process; a test compares them) and so is the arithmetic: each 32-bit
shingle hash is pre-mixed with the MurmurHash3 finalizer and permuted as
``a * h + b`` modulo 2**32. A row is therefore bit-for-bit the ``hashvalues`` of
a datasketch ``MinHash`` updated with the same shingle hashes (a test checks
this), but all paragraphs are signed in a few NumPy operations instead of one
Python object per paragraph.

A paragraph without shingles gets the empty signature (all ``2**32 - 1``);
the candidate stage never compares it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple, cast

import numpy as np
import numpy.typing as npt

from dedup import kernels
from dedup.candidates import BAND_MIX, BAND_SHIFT
from dedup.lengths import LETTERS_PER_WORD, TENTHS, scripts, word_counts
from dedup.shingles import BASE, EDGE, MIX, Shingles, encode, shingle

__all__ = ["EMPTY", "FMIX", "Article", "Signed", "permutations", "sign", "sign_article",
           "sign_keys"]

EMPTY = np.uint32(0xFFFFFFFF)
FMIX = np.array([0x85EBCA6B, 0xC2B2AE35], dtype=np.uint64)  # the finalizer's two multipliers
_CHUNK = 1 << 16  # shingles permuted at once: bounds memory to _CHUNK * num_perm * 4 bytes

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
_NO_AFFIXES = np.empty((2, 0), dtype=np.uint64)


class Signed(NamedTuple):
    """What :func:`sign_keys` returns: per key its signature, its words, its shingles."""

    signatures: U32
    words: I64
    shingles: I64

    def usable(self, min_words: int) -> npt.NDArray[np.bool_]:
        """Which keys take part in near-duplicate matching: ``min_words`` words and a shingle."""
        return (self.words >= min_words) & (self.shingles > 0)


@cache
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """Return datasketch's ``(a, b)`` permutation parameters (computed once per process).

    As ``MinHash(num_perm, seed, scheme="affine32")`` draws them: odd multipliers
    ``a``, then offsets ``b``, from ``numpy.random.RandomState(seed)``.
    """
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(values: U32) -> U32:
    """The MurmurHash3 32-bit finalizer, as datasketch applies it before permuting."""
    h = values.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(FMIX[0])
    h ^= h >> np.uint32(13)
    h *= np.uint32(FMIX[1])
    h ^= h >> np.uint32(16)
    return h


def sign(shingles: Shingles, num_perm: int = 32, seed: int = 1) -> U32:
    """Return the MinHash signature of every paragraph, shape ``(paragraphs, num_perm)``.

    Example:
        >>> from dedup.shingles import shingle
        >>> s = sign(shingle(["a b c d", "a b c d", "q"]), num_perm=4)
        >>> s.shape, bool((s[0] == s[1]).all()), bool((s[2] == EMPTY).all())
        ((3, 4), True, True)
    """
    a, b = permutations(num_perm, seed)
    count = len(shingles.offsets) - 1
    signatures = np.full((count, num_perm), EMPTY, dtype=np.uint32)
    hashes = shingles.hashes
    if count == 0 or len(hashes) == 0:
        return signatures
    mixed = fmix32(hashes)
    if len(hashes) <= _CHUNK:  # one step: every non-empty row is one reduceat segment
        filled = np.flatnonzero(np.diff(shingles.offsets))
        permuted = mixed[:, None] * a[None, :]
        permuted += b
        signatures[filled] = np.minimum.reduceat(permuted, shingles.offsets[filled], axis=0)
        return signatures
    owner = np.repeat(np.arange(count), np.diff(shingles.offsets))
    for begin in range(0, len(hashes), _CHUNK):
        chunk = mixed[begin : begin + _CHUNK]
        owners = owner[begin : begin + _CHUNK]
        permuted = chunk[:, None] * a[None, :] + b[None, :]
        starts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
        minima = np.minimum.reduceat(permuted, starts, axis=0)
        rows = owners[starts]
        signatures[rows] = np.minimum(signatures[rows], minima)
    return signatures


def sign_keys(keys: Sequence[str], shingle_size: int, num_perm: int, seed: int) -> Signed:
    """Shingle and sign ``keys``: :func:`sign` of :func:`dedup.shingles.shingle`.

    The compiled kernel of :mod:`dedup.kernels` does it in one pass when Numba is
    available, with the same result bit for bit. ``words`` are
    :func:`dedup.lengths.word_counts`: characters of scripts written without
    spaces count by their amount of text, not one word each.

    Example:
        >>> signed = sign_keys(["a b c d", "a b c d", "q"], 2, num_perm=4, seed=1)
        >>> signed.words.tolist(), signed.shingles.tolist()
        ([4, 4, 1], [3, 3, 0])
        >>> bool((signed.signatures[0] == signed.signatures[1]).all())
        True
    """
    data = encode(keys)
    kernel = kernels.compiled(len(data))
    if kernel is not None:
        a, b = permutations(num_perm, seed)
        signed = kernel.shingle_sign(data, len(keys), MIX, shingle_size, a, b, BASE, FMIX)
        signatures, words, counts = cast("tuple[U32, I64, I64]", signed)
        return Signed(signatures, word_counts(keys, words), counts)
    shingles = shingle(keys, shingle_size)
    signatures = sign(shingles, num_perm, seed)
    return Signed(signatures, word_counts(keys, shingles.words), np.diff(shingles.offsets))


class Article(NamedTuple):
    """What :func:`sign_article` returns: the signed paragraphs, their rows, what may follow.

    ``banded``, ``affixes`` and ``shared`` are None when not known (the NumPy
    path). Else ``banded`` tells whether two signed keys share a band key of the
    first banding; ``shared`` are the rows sharing a band key of the second
    banding with another row, none when no two rows have the same values there;
    ``affixes`` are hashes of the head and of the tail affix of each signed key
    (:func:`dedup.lengths.affixes`), shape ``(2, signed)``, when two may be
    equal, and empty when none are (equal affixes have equal hashes).
    """

    signed: list[int]
    signatures: U32
    banded: bool | None = None
    affixes: U64 | None = None
    shared: list[int] | None = None


def sign_article(
    keys: Sequence[str],
    firsts: Sequence[int],
    *,
    shingle_size: int,
    num_perm: int,
    seed: int,
    min_words: int,
    affix: int,
    bands: int,
) -> Article:
    """Sign the ``firsts`` that have ``min_words`` words and a shingle: their indices and rows.

    ``affix`` are the Latin letters of an affix (:func:`dedup.lengths.affixes`),
    ``bands`` those of the first banding (:mod:`dedup.candidates`).
    The compiled kernel (:func:`dedup.compiled.sign_article`) does it in one call,
    from the keys' UTF-8 bytes, and also tells whether the affix and second-banding
    steps can find anything; the NumPy path is :func:`sign_keys`.
    """
    chosen = keys if len(firsts) == len(keys) else [keys[i] for i in firsts]
    encoded = "\n".join(chosen).encode("utf-8", "surrogatepass")
    kernel = kernels.compiled(len(encoded))
    if kernel is None:
        signed = sign_keys(chosen, shingle_size, num_perm, seed)
        usable = signed.usable(min_words)
        picked = usable.nonzero()[0]
        if len(picked) == len(firsts):
            return Article(list(firsts), signed.signatures)
        return Article([firsts[i] for i in picked.tolist()], signed.signatures[picked])
    a, b = permutations(num_perm, seed)
    data = np.frombuffer(encoded + b"\n" * (-len(encoded) % 8), dtype=np.uint8)
    result = kernel.sign_article(data, len(chosen), _hashing(), shingle_size, a, b, scripts(),
                                 _limits(min_words, affix, bands))
    signatures, picked, flags, hashes, sharing = cast(
        "tuple[U32, I64, npt.NDArray[np.bool_], U64, I64]", result)
    banded, affixed, shared = flags.tolist()
    rows = list(firsts) if len(picked) == len(firsts) else [firsts[i] for i in picked.tolist()]
    return Article(rows, signatures, banded, hashes if affixed else _NO_AFFIXES,
                   sharing.tolist() if shared else [])


@cache
def _hashing() -> npt.NDArray[np.uint64]:
    """The constants of :func:`dedup.compiled.sign_article`: ``MIX``, ``BASE``, ``FMIX``, bands'."""
    return np.concatenate((MIX, [BASE], FMIX, BAND_MIX)).astype(np.uint64)


@cache
def _limits(min_words: int, affix: int, bands: int) -> npt.NDArray[np.int64]:
    limits = [EDGE, min_words, affix * TENTHS, LETTERS_PER_WORD * TENTHS, bands, int(BAND_SHIFT),
              len(MIX)]
    return np.array(limits, dtype=np.int64)
