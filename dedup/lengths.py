"""Normalized keys -> amounts of text: one measure of length and of words for every script.

``min_length`` (50) and ``min_words`` (5) were first Latin-script measures: 50
characters are a sentence of English, while 50 Chinese characters are a
paragraph, and a Thai "word" of the shingle stage is one character. Here a key's
*length* counts each character by how much text it carries, in Latin letters
(spaces and digits count 1):

- Han ideographs (and Yi syllables): 3. Chinese translates to about a third as
  many characters as English;
- Hangul syllables: 2.5 (a syllable spells two or three letters; Korean keeps
  spaces between words);
- Hiragana, Katakana and Bopomofo: 1.5 (one syllable, two letters of a romanization);
- every other character, Thai, Lao, Khmer, Myanmar and Tibetan letters and
  their combining marks included: 1 (alphabets and abugidas spell about one
  sound per character, as Latin does).

A key's *words* are its space-separated words, except that scripts written
without spaces (Han, kana, Thai, Lao, Khmer, Myanmar: each of their characters
is a word to the shingle stage) count one word per ``LETTERS_PER_WORD`` (6)
Latin letters of length: ten Han characters, twenty kana or thirty Thai letters
are five words, as thirty letters of English are.

So ``min_length`` and ``min_words`` mean the same amount of text in every
script: a Chinese sentence of 20 characters is as long as an English one of 60,
while a menu item, a caption or a date stays short in both. The in-article
pipeline, verification and the corpus cross-document ``--min-length`` all use
:func:`text_length` / :func:`text_lengths`; :func:`dedup.signatures.sign_keys`
counts words with :func:`word_counts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from dedup.shingles import EDGE, below

__all__ = [
    "LETTERS_PER_WORD",
    "TENTHS",
    "affixes",
    "long_keys",
    "scripts",
    "text_length",
    "text_lengths",
    "word_count",
    "word_counts",
]

LETTERS_PER_WORD = 6  # five letters and a space: an average English word
TENTHS = 10  # weights are stored in tenths of a Latin letter
_LIGHT = "\u0e00"  # below this code point every character weighs 1 and is spaced
# (first, last code point, weight in tenths, written without spaces)
_RANGES = (
    (0x0E00, 0x0EFF, 10, True),  # Thai, Lao
    (0x1000, 0x109F, 10, True),  # Myanmar
    (0x1780, 0x17FF, 10, True),  # Khmer
    (0x1100, 0x11FF, 10, False),  # Hangul jamo
    (0x3040, 0x30FF, 15, True),  # Hiragana, Katakana
    (0x3100, 0x312F, 15, False),  # Bopomofo
    (0x31A0, 0x31BF, 15, False),  # Bopomofo extended
    (0x31F0, 0x31FF, 15, True),  # Katakana phonetic extensions
    (0x3400, 0x4DBF, 30, True),  # CJK extension A
    (0x4E00, 0x9FFF, 30, True),  # CJK unified ideographs
    (0xA000, 0xA4CF, 30, False),  # Yi syllables and radicals
    (0xAC00, 0xD7AF, 25, False),  # Hangul syllables
    (0xF900, 0xFAFF, 30, True),  # CJK compatibility ideographs
    (0x20000, 0x3134F, 30, True),  # CJK extensions B-G
    (0x31350, 0x323AF, 30, False),  # CJK extension H
)
_TOP = 0x40000  # nothing above weighs more than 1


class _Tables(NamedTuple):
    """Per code point below ``_TOP`` (built once); sums over them are taken in int64."""

    weight: npt.NDArray[np.uint8]  # in tenths of a Latin letter
    unspaced: npt.NDArray[np.uint8]  # 1 for scripts written without spaces
    unspaced_weight: npt.NDArray[np.uint8]  # weight * unspaced


@cache
def _tables() -> _Tables:
    """Build the tables of :class:`_Tables` from ``_RANGES``."""
    weight = np.full(_TOP, TENTHS, dtype=np.uint8)
    unspaced = np.zeros(_TOP, dtype=np.uint8)
    for first, last, tenths, no_spaces in _RANGES:
        weight[first : last + 1] = tenths
        unspaced[first : last + 1] = no_spaces
    return _Tables(weight, unspaced, weight * unspaced)


@cache
def scripts() -> npt.NDArray[np.uint8]:
    """Per code point below ``_TOP``: its weight in tenths, plus 128 for an unspaced script.

    What the compiled :func:`dedup.compiled.sign_article` reads (one table for both facts).
    """
    tables = _tables()
    return tables.weight | (tables.unspaced << np.uint8(7))


def _light(key: str) -> bool:
    """Whether every character of ``key`` weighs 1 and belongs to a spaced script."""
    return below(key, ord(_LIGHT))


def _heavy(keys: Sequence[str]) -> range:
    """The keys to weigh: none when all are light (``str.isascii`` is a flag: no scan), else all.

    Weighing a light key gives its plain count, and one NumPy pass over all
    keys is faster than finding the heavy ones first.
    """
    if all(map(str.isascii, keys)) or _light("".join(keys)):
        return range(0)
    return range(len(keys))


def _codes(text: str) -> npt.NDArray[np.uint32]:
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.minimum(codes, _TOP - 1)


def text_length(key: str) -> int:
    """Return the length of a normalized key in Latin letters (see the module docstring).

    Example:
        >>> text_length("the first snow of winter fell on the city today")
        47
        >>> text_length("今年冬天的第一场雪今天落在了城市里")  # the same sentence, 17 characters
        51
        >>> text_length("서울에 첫눈이 내렸다")
        24
    """
    if _light(key):
        return len(key)
    return int(_tables().weight[_codes(key)].sum(dtype=np.int64)) // TENTHS


def text_lengths(keys: Sequence[str]) -> list[int]:
    """Return :func:`text_length` of every key, in one pass over the heavy ones.

    Example:
        >>> text_lengths(["abc", "東京", "ça va"])
        [3, 6, 5]
    """
    lengths = list(map(len, keys))
    heavy = _heavy(keys)
    if heavy:
        tenths = _per_key(keys, heavy, _tables().weight)
        for i, value in zip(heavy, tenths.tolist(), strict=True):
            lengths[i] = value // TENTHS
    return lengths


def long_keys(keys: Sequence[str], shortest: int) -> list[int]:
    """Return the indices of the keys whose :func:`text_length` is at least ``shortest``.

    No character weighs less than one, so only the keys shorter in characters
    than ``shortest`` and not ASCII are weighed, in one pass.

    Example:
        >>> long_keys(["abcdef", "ab", "東京"], 5)
        [0, 2]
    """
    lengths = list(map(len, keys))
    short = [i for i, n in enumerate(lengths) if n < shortest and not keys[i].isascii()]
    if short:
        for i, size in zip(short, text_lengths([keys[i] for i in short]), strict=True):
            lengths[i] = size
    return [i for i, size in enumerate(lengths) if size >= shortest]


def word_counts(keys: Sequence[str], words: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return the words of every key, given ``words``: the shingle stage's count.

    The shingle stage counts a character of an unspaced script as a word; here
    those characters count one word per ``LETTERS_PER_WORD`` letters of length
    instead. Keys without such characters keep their count. Like ``words``,
    the count covers the edges of a long key only (:data:`dedup.shingles.EDGE`).

    Example:
        >>> import numpy as np
        >>> keys = ["a b c", "東京都庁", "東京都庁の前で会いましょう"]
        >>> word_counts(keys, np.array([3, 4, 13])).tolist()
        [3, 2, 4]
    """
    heavy = _heavy(keys)
    if not heavy:
        return words
    # the shingle stage sees only the edges of a long key, and counts the words there
    keys = [k if len(k) <= 2 * EDGE else f"{k[:EDGE]} {k[-EDGE:]}" for k in keys]
    tables = _tables()
    tenths = _per_key(keys, heavy, tables.unspaced_weight)
    characters = _per_key(keys, heavy, tables.unspaced)
    counted = words.copy()
    rows = np.asarray(heavy, dtype=np.int64)
    counted[rows] = words[rows] - characters + tenths // (LETTERS_PER_WORD * TENTHS)
    return counted


def word_count(key: str) -> int:
    """Return the words of one key, as :func:`word_counts` counts them.

    Example:
        >>> word_count("the council met"), word_count("東京都庁の前で会いましょう"), word_count("")
        (3, 4, 0)
    """
    if _light(key):
        return len(key.split())
    tables = _tables()
    codes = _codes(key)
    chosen = tables.unspaced[codes].astype(np.bool_)
    tenths = int(tables.unspaced_weight[codes].sum(dtype=np.int64))
    plain = "".join(" " if flag else char for char, flag in zip(key, chosen.tolist(), strict=True))
    return len(plain.split()) + tenths // (LETTERS_PER_WORD * TENTHS)


def affixes(
    keys: Sequence[str], chosen: Sequence[int], letters: int
) -> tuple[list[str], list[str]]:
    """Return the first and the last ``letters`` Latin letters' worth of each chosen key.

    ``key[:letters]`` and ``key[-letters:]`` for keys of light scripts; fewer
    characters of the heavy ones (32 letters are 11 Han characters).

    Example:
        >>> affixes(["abcdef", "東京都庁の前で", "x"], [0, 1], 6)
        (['abcdef', '東京'], ['abcdef', 'の前で'])
    """
    heads = [keys[i][:letters] for i in chosen]
    tails = [keys[i][-letters:] for i in chosen]
    if not _heavy(heads) and not _heavy(tails):
        return heads, tails
    weight = _tables().weight
    for n, i in enumerate(chosen):
        key = keys[i]
        if max(heads[n]) < _LIGHT and max(tails[n]) < _LIGHT:
            continue
        tenths = weight[_codes(key)]
        budget = letters * TENTHS
        head = int(np.searchsorted(np.cumsum(tenths, dtype=np.int64), budget)) + 1
        tail = int(np.searchsorted(np.cumsum(tenths[::-1], dtype=np.int64), budget)) + 1
        heads[n], tails[n] = key[:head], key[-tail:]
    return heads, tails


def _per_key(
    keys: Sequence[str], chosen: Sequence[int], table: npt.NDArray[np.uint8]
) -> npt.NDArray[np.int64]:
    """Sum ``table`` over the code points of each chosen key (empty keys sum to 0)."""
    codes = _codes("".join([keys[i] for i in chosen]))
    sizes = np.fromiter(map(len, map(keys.__getitem__, chosen)), dtype=np.int64, count=len(chosen))
    running = np.concatenate(([0], np.cumsum(table[codes], dtype=np.int64)))
    ends = np.cumsum(sizes)
    summed: npt.NDArray[np.int64] = running[ends] - running[ends - sizes]
    return summed
