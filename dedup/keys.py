"""Paragraphs -> normalized keys: the text that matching compares.

Normalization is Unicode-safe and never strips to ASCII:

1. HTML entities are decoded (``&amp;`` -> ``&``, ``&#8217;`` -> ``'``).
2. NFKC folds compatibility forms (full-width letters, ligatures, ``…``).
3. ``casefold`` folds case in every script (``Straße`` matches ``STRASSE``).
4. Invisible format characters (soft hyphens, zero-width spaces and joiners,
   byte-order marks) are deleted.
5. Everything that is not a letter, a digit or a combining mark (quotes of
   every kind, dashes, bullets, symbols, emoji, underscores) becomes a space,
   and runs of whitespace become one space.

Letters, marks and digits of every script survive, so Cyrillic, Arabic, CJK
and Thai paragraphs (whose vowel and tone marks are combining marks) match
their own copies and nothing else. A paragraph made only of punctuation
(``* * *``) keeps its whitespace-collapsed raw text as its key, so it never
shares the empty key with other such paragraphs.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import cast

import numpy as np
import numpy.typing as npt

from dedup import kernels
from dedup.paragraphs import Paragraph, Paragraphs

__all__ = ["normalize", "normalize_lines", "normalize_paragraphs"]

# Deleted before folding: soft hyphen, zero-width space and joiners, bidi marks,
# word joiner, byte-order mark.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
# Non-ASCII punctuation common enough in scraped text that the NumPy path replaces
# it up front, so that most articles take its ASCII path (the compiled fold folds
# it like any other character that does not survive).
_COMMON_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u00ab\u00bb\u2022\u00b7"
# Byte folding of UTF-8: ASCII letters (lower-cased), digits, space and newline stay, other
# ASCII (punctuation, symbols, controls, underscore) becomes a space, and the
# bytes of multi-byte characters (128-255) pass through untouched.
_BYTE_FOLD = bytes(
    c if c >= 0x80 else ord(chr(c).lower()) if chr(c).isalnum() or c in (0x20, 0x0A) else 0x20
    for c in range(256)
)
_ASCII_FOLD = np.frombuffer(_BYTE_FOLD, dtype=np.uint8).copy()  # writable, as kernels' warm-up
# The planes where letters, digits or marks live: BMP, SMP, SIP, TIP and SSP.
_SCANNED = ((0x80, 0x40000), (0xE0000, 0xF0000))
_CASED = 0x20000  # str.casefold changes no character from here on
# Common characters NFKC changes, and their NFKD decomposition.
_DECOMPOSED = {c: unicodedata.normalize("NFKD", c) for c in "\u00a0\u2026"}


@cache
def _survivors() -> npt.NDArray[np.uint8]:
    """Per code point, 1 when the character survives folding (built once per process).

    A character of several UTF-8 bytes survives when it is a letter or a digit
    (``str.isalnum``, which is also the regex ``\\w``) or a combining mark
    (category ``M*``, which ``isalnum`` leaves out). Only planes 0-3 and 14
    hold such characters (a test checks every code point of the running
    Python's Unicode database), so only they are scanned: 50 ms instead of
    200 ms for all 1.1 million code points.
    """
    table = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    category = unicodedata.category
    for start, stop in _SCANNED:
        chars = "".join(map(chr, range(start, stop)))
        table[start:stop] = np.fromiter(
            (c.isalnum() or category(c)[0] == "M" for c in chars), np.bool_, stop - start
        )
    return table


@cache
def _folded() -> re.Pattern[str]:
    """A regex for runs of characters folded to a space: the NumPy path's :func:`_survivors`.

    It runs after the byte table has folded ASCII, so it leaves ASCII alone.
    The class is negated: ASCII and the surviving characters, as ranges.
    """
    table = _survivors().astype(np.int8)
    table[:0x80] = 1
    edges = np.flatnonzero(np.diff(table, prepend=0, append=0))
    ranges = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b - 1))}"
                     for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    return re.compile(f"[^{ranges}]+")


def _fold(text: str) -> list[str]:
    """Fold ``text`` and return the key of each of its lines (collapsed and stripped)."""
    kernel = kernels.compiled(len(text))
    if kernel is not None:  # casefold and invisible characters are the kernel's
        utf8 = np.frombuffer(_compatible(_unescaped(text)).encode("utf-8", "surrogatepass"),
                             np.uint8)
        folded = cast("npt.NDArray[np.uint8]", kernel.fold_spaces(utf8, _ASCII_FOLD,
                                                                  *_fold_tables()))
        return folded.tobytes().decode("utf-8", "surrogatepass").split("\n")
    text = _prepare(text)
    if not text.isascii():
        for char in _COMMON_PUNCTUATION:
            if char in text:
                text = text.replace(char, " ")
    data = text.encode("utf-8", "surrogatepass").translate(_BYTE_FOLD)
    if text.isascii():  # the byte table did everything
        return [b" ".join(line.split()).decode("ascii") for line in data.split(b"\n")]
    text = _folded().sub(" ", data.decode("utf-8", "surrogatepass"))
    return [" ".join(line.split()) for line in text.split("\n")]


def _prepare(text: str) -> str:
    """Decode entities, apply NFKC and casefold, delete invisible characters."""
    text = _compatible(_unescaped(text)).casefold()
    if not text.isascii():
        for char in _INVISIBLE:
            if char in text:
                text = text.replace(char, "")
    return text


def _unescaped(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _compatible(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, normalizing only the lines that need it.

    ASCII and most other text is normalized already (a quick check says so). Else
    the common offenders are replaced by their NFKD decomposition first, which
    leaves the NFKD, hence the NFKC, of the text as it was; and a line break
    never composes with its neighbours, so the lines still not normalized are
    normalized one by one.
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    for char, decomposed in _DECOMPOSED.items():
        if char in text:
            text = text.replace(char, decomposed)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join([unicodedata.normalize("NFKC", line) for line in text.split("\n")])


@cache
def _fold_tables() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32], npt.NDArray[np.int32],
                            npt.NDArray[np.uint8]]:
    """The compiled fold's tables: per code point 0 (a space), 1 (stays) or 2 (replaced).

    A replaced character (its casefold differs, or it is invisible) has its row
    in the second table; its replacement, folded already (a character that does
    not survive as one space byte), is ``pool[offsets[row]:offsets[row + 1]]``.
    Below ``_CASED`` are all the characters ``str.casefold`` changes (a test
    checks every code point), and ``str.casefold`` maps each character alone,
    so the kernel folds case as it does.
    """
    survivors = _survivors()
    actions = survivors.copy()
    replaced = np.zeros(_CASED, dtype=np.int32)
    pool = bytearray()
    offsets = [0]
    chars = list(map(chr, range(0x80, _CASED)))
    changed = [(c, f) for c, f in zip(chars, map(str.casefold, chars), strict=True) if f != c]
    for char, replacement in [*changed, *((c, "") for c in _INVISIBLE)]:
        code = ord(char)
        actions[code], replaced[code] = 2, len(offsets) - 1
        for unit in replacement:
            point = ord(unit)
            if point < 0x80:
                pool.append(_BYTE_FOLD[point])
            else:
                pool += unit.encode("utf-8", "surrogatepass") if survivors[point] else b" "
        offsets.append(len(pool))
    return (actions, replaced, np.array(offsets, dtype=np.int32),
            np.frombuffer(bytes(pool), dtype=np.uint8).copy())


def normalize(text: str) -> str:
    """Return the matching key of one paragraph.

    Example:
        >>> normalize("“Don’t” — it&#39;s   ＦＩＮＥ…")
        'don t it s fine'
        >>> normalize("Привет, МИР!")
        'привет мир'
        >>> normalize("* * *")
        '* * *'
    """
    # An entity such as &#10; may decode to a newline: a key is one line all the same.
    key = " ".join(line for line in _fold(text.replace("\n", " ")) if line)
    return key or " ".join(text.split())


def normalize_lines(text: str) -> list[str]:
    """Return the key of every ``\\n``-separated line of ``text`` in one pass.

    The same keys as ``normalize(line)`` for each line, except that a line
    made only of punctuation or whitespace gets an empty key.

    Example:
        >>> normalize_lines("One, two!\\n\\nTHREE")
        ['one two', '', 'three']
    """
    keys = _fold(text)
    if len(keys) != text.count("\n") + 1:  # an entity decoded to a newline
        return [" ".join(line for line in _fold(line) if line) for line in text.split("\n")]
    return keys


def normalize_paragraphs(paragraphs: Sequence[Paragraph]) -> list[str]:
    r"""Return the key of every paragraph, in order: ``normalize(p.text)`` for each.

    The paragraphs are normalized in one pass over their joined text, which is
    several times faster than one call per paragraph and gives the same keys.

    Example:
        >>> from dedup.paragraphs import split_paragraphs
        >>> normalize_paragraphs(split_paragraphs("A&amp;B\n—\nＣ"))
        ['a b', '—', 'c']
    """
    if not paragraphs:
        return []
    texts = paragraphs.texts if isinstance(paragraphs, Paragraphs) else [p.text for p in paragraphs]
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # split="blank": lines inside paragraphs
        joined = "\n".join(text.replace("\n", " ") for text in texts)
    keys = _fold(joined)
    if len(keys) != len(texts):  # an entity decoded to a newline
        return [normalize(text) for text in texts]
    if all(keys):
        return keys
    return [key or " ".join(text.split()) for key, text in zip(keys, texts, strict=True)]
