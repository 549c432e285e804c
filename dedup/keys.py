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

import numpy as np

from dedup import kernels
from dedup.paragraphs import Paragraph, Paragraphs

__all__ = ["normalize", "normalize_lines", "normalize_paragraphs"]

# Deleted before folding: soft hyphen, zero-width space and joiners, bidi marks,
# word joiner, byte-order mark.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
# Non-ASCII punctuation common enough in scraped text to replace up front, so
# that most articles take the ASCII path of _fold.
_COMMON_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u00ab\u00bb\u2022\u00b7"
# Byte folding of UTF-8: ASCII letters, digits, space and newline stay, other
# ASCII (punctuation, symbols, controls, underscore) becomes a space, and the
# bytes of multi-byte characters (128-255) pass through untouched.
_BYTE_FOLD = bytes(
    c if c >= 0x80 or chr(c).isalnum() or c in (0x20, 0x0A) else 0x20 for c in range(256)
)


@cache
def _folded() -> re.Pattern[str]:
    r"""A regex for runs of characters folded to a space (built once per process).

    It runs after the byte table has folded ASCII, so it leaves ASCII alone.
    The class is negated: a character survives when it is ASCII, a word
    character (``\\w``: letters and digits of every script), or a combining
    mark (``M*``), which ``\\w`` leaves out.
    """
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code))[0] != "M":
            continue
        if ranges and _only_unassigned(ranges[-1][1] + 1, code):
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    marks = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(rf"[^\x00-\x7f\w{marks}]+")


def _only_unassigned(start: int, stop: int) -> bool:
    return all(unicodedata.category(chr(c)) == "Cn" for c in range(start, stop))


def _fold(text: str) -> list[str]:
    """Fold ``text`` and return the key of each of its lines (collapsed and stripped)."""
    text = _prepare(text)
    data = text.encode("utf-8", "surrogatepass").translate(_BYTE_FOLD)
    collapse = kernels.collapse_spaces
    if text.isascii():  # the byte table did everything
        if collapse is not None:
            return collapse(np.frombuffer(data, np.uint8)).tobytes().decode("ascii").split("\n")
        return [b" ".join(line.split()).decode("ascii") for line in data.split(b"\n")]
    text = _folded().sub(" ", data.decode("utf-8", "surrogatepass"))
    if collapse is not None:  # only spaces and newlines are left: collapse the UTF-8 bytes
        data = text.encode("utf-8", "surrogatepass")
        collapsed = collapse(np.frombuffer(data, np.uint8)).tobytes()
        return collapsed.decode("utf-8", "surrogatepass").split("\n")
    return [" ".join(line.split()) for line in text.split("\n")]


def _prepare(text: str) -> str:
    """Decode entities, apply NFKC and casefold, delete invisibles, replace common punctuation."""
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        for char in _INVISIBLE:
            if char in text:
                text = text.replace(char, "")
        for char in _COMMON_PUNCTUATION:
            if char in text:
                text = text.replace(char, " ")
    return text


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
