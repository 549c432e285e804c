"""Normalized keys -> shingles: stable 32-bit hashes of word n-grams.

A key is cut into words at spaces. Scripts written without spaces (Han,
Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) make every character a word, so
their shingles are character n-grams. A shingle is ``shingle_size``
consecutive words of one paragraph; a paragraph with fewer words than that
has no shingles, and an empty shingle set never reaches MinHash.

Long keys are shingled at their edges only: the first and the last ``EDGE``
characters. Near duplicates agree there (a typo changes a few shingles, a
teaser shares the start, a copy with a fragment added shares the start or the
end), the work per paragraph is bounded, and verification still compares the
full texts. ``words`` counts the words shingled.

Hashing is vectorized with NumPy over all paragraphs at once and depends only
on the text: it never uses Python's per-process randomized ``hash()``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

__all__ = ["BASE", "EDGE", "MIX", "Shingles", "below", "encode", "shingle"]

_UNSPACED_FROM = 0x0E00  # the first character of _NO_SPACES: text below it needs no spacing
_NO_SPACES = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)
BASE = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: odd, so it has an inverse mod 2**64
_BASE_INVERSE = np.uint64(pow(int(BASE), -1, 1 << 64))
MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)

EDGE = 64
_TABLE = 1 << 20  # texts up to 1 MB use the precomputed power table

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Shingles:
    """Shingle hashes of paragraphs, concatenated.

    ``hashes[offsets[i]:offsets[i + 1]]`` are the shingles of paragraph ``i``;
    ``words[i]`` is its number of words.
    """

    hashes: U32
    offsets: I64
    words: I64


def shingle(keys: Sequence[str], shingle_size: int = 2) -> Shingles:
    """Return the shingle hashes of every key.

    Example:
        >>> s = shingle(["a b c", "a b c", "x"], 2)
        >>> s.words.tolist(), s.offsets.tolist()
        ([3, 3, 1], [0, 2, 4, 4])
        >>> bool((s.hashes[0:2] == s.hashes[2:4]).all())
        True
        >>> shingle(["東京都"], 2).words.tolist()
        [3]
    """
    count = len(keys)
    tokens, paragraph = _tokens(encode(keys))
    words = np.bincount(paragraph, minlength=count)
    offsets = np.zeros(count + 1, np.int64)
    if len(tokens) < shingle_size:
        return Shingles(np.empty(0, np.uint32), offsets, words)
    width = len(tokens) - shingle_size + 1
    combined = tokens[:width] * MIX[0]
    for k in range(1, shingle_size):
        combined += tokens[k : k + width] * MIX[k % len(MIX)]
    owners = paragraph[:width]
    valid = owners == paragraph[shingle_size - 1 :]
    folded = combined[valid]
    folded ^= folded >> np.uint64(32)
    np.cumsum(np.bincount(owners[valid], minlength=count), out=offsets[1:])
    return Shingles(folded.astype(np.uint32), offsets, words)


def encode(keys: Sequence[str]) -> npt.NDArray[np.uint8]:
    """Return what is shingled: the keys' UTF-8 bytes, one key per line, edges of long keys.

    Characters of scripts without spaces get a space on each side; the bytes start
    and end with a space.

    Example:
        >>> bytes(encode(["a b", "東京"]))
        b' a b\\n \\xe6\\x9d\\xb1  \\xe4\\xba\\xac  '
    """
    edge, long = EDGE, 2 * EDGE  # locals: read once, not per key
    joined = "\n".join([k if len(k) <= long else f"{k[:edge]} {k[-edge:]}" for k in keys])
    if not below(joined, _UNSPACED_FROM):  # a regex pass costs 20x this check
        joined = _NO_SPACES.sub(r" \g<0> ", joined)
    return np.frombuffer(f" {joined} ".encode("utf-8", "surrogatepass"), dtype=np.uint8)


def below(text: str, limit: int) -> bool:
    """Whether every character of ``text`` is below code point ``limit`` (256 to 0xD800).

    Example:
        >>> below("naïve", 0x0E00), below("ok 東京", 0x0E00)
        (True, False)
    """
    if text.isascii():  # a flag: no scan
        return True
    try:  # a copy, for text stored one byte per character: faster than any scan
        text.encode("latin-1")
    except UnicodeEncodeError:
        # two bytes per character: a copy and a NumPy maximum (a regex is 7x slower)
        units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
        return int(units.max()) < limit
    return True


def _tokens(data: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint64], I64]:
    """Hash every word of ``data`` (UTF-8, words split by spaces, paragraphs by newlines).

    ``data`` starts and ends with a space. Returns the word hashes and the
    paragraph index of each word.
    """
    separator = data <= 32  # keys hold no control characters but the newline
    # Separator/word changes alternate, from the separator before the first word
    # to the last byte of the last word, as ``data`` starts and ends with a space.
    changes = np.flatnonzero(separator[:-1] != separator[1:])
    before = changes[0::2]  # the separator before each word
    last = changes[1::2]  # the last byte of each word
    paragraph = np.searchsorted(np.flatnonzero(data == 10), before, side="right")
    # Polynomial hash of each word: sum of byte * BASE**(k - start), mod 2**64.
    powers, inverse = _powers(len(data))
    prefix = np.cumsum(data * powers[: len(data)])
    word = prefix[last]
    word -= prefix[before]
    word *= inverse[before + 1]
    return word, paragraph


@cache
def _power_table() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """BASE**(k+1) and BASE**-k mod 2**64 for k < _TABLE (constants, built once)."""
    return _compute_powers(_TABLE)


def _compute_powers(size: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    powers = np.cumprod(np.full(size, BASE, dtype=np.uint64), dtype=np.uint64)
    inverse = np.empty(size, dtype=np.uint64)
    inverse[0] = 1
    np.cumprod(np.full(size - 1, _BASE_INVERSE, dtype=np.uint64), out=inverse[1:])
    return powers, inverse


def _powers(size: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    return _power_table() if size <= _TABLE else _compute_powers(size)
