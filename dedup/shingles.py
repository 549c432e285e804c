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

A word is hashed from its first ``WORD`` characters (longer words share a hash
when they share that prefix, which only adds candidates: verification decides).
Hashing is vectorized with NumPy over all paragraphs at once and depends only
on the text: it never uses Python's per-process randomized ``hash()``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

__all__ = ["EDGE", "WORD", "Shingles", "shingle"]

_NO_SPACES = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)
# Odd 64-bit multipliers: one per 64-bit column of a word (two UCS-4 characters).
_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0x27D4EB2F165667C5,
        0xBF58476D1CE4E5B9,
        0x94D049BB133111EB,
    ],
    dtype=np.uint64,
)

EDGE = 64
WORD = 2 * len(_MIX)  # characters of a word that its hash reads

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
    sampled = [k if len(k) <= 2 * EDGE else f"{k[:EDGE]} {k[-EDGE:]}" for k in keys]
    words = [
        (s if s.isascii() else _NO_SPACES.sub(r" \g<0> ", s)).split() for s in sampled
    ]
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=count)
    offsets = np.zeros(count + 1, np.int64)
    flat = list(chain.from_iterable(words))
    if len(flat) < shingle_size:
        return Shingles(np.empty(0, np.uint32), offsets, lengths)
    tokens = _hash_words(flat)
    paragraph = np.repeat(np.arange(count), lengths)
    width = len(tokens) - shingle_size + 1
    combined = tokens[:width] * _MIX[0]
    for k in range(1, shingle_size):
        combined += tokens[k : k + width] * _MIX[k % len(_MIX)]
    owners = paragraph[:width]
    valid = owners == paragraph[shingle_size - 1 :]
    folded = combined[valid]
    folded ^= folded >> np.uint64(32)
    np.cumsum(np.bincount(owners[valid], minlength=count), out=offsets[1:])
    return Shingles(folded.astype(np.uint32), offsets, lengths)


def _hash_words(words: list[str]) -> npt.NDArray[np.uint64]:
    """Hash each word from its first WORD characters (UCS-4, read as 64-bit columns)."""
    columns = np.array(words, dtype=f"U{WORD}").view(np.uint64).reshape(len(words), -1)
    hashed: npt.NDArray[np.uint64] = (columns * _MIX).sum(axis=1, dtype=np.uint64)
    hashed ^= hashed >> np.uint64(29)
    hashed *= _MIX[1]
    return hashed
