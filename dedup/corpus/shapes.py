"""Normalized keys -> shape fingerprints: the same line with other numbers, dates or times.

The shape of a key folds every run of digits (with an ordinal suffix: ``1st``,
``22nd``) and every month name, day name, am/pm and time zone word to ``#``,
so that "last updated monday 14 march 2005" and "last updated friday 2 june
2006" have one shape. Keys without anything to fold have no shape (0), and so
do keys longer than :data:`SHAPE_LENGTH`: a template is a line (a dateline, a
counter, a byline, a copyright notice), while prose that shares its words
with other numbers is content (a market report, a results summary). Folding
only the lines also keeps shapes cheap: long paragraphs hold most of a page's
characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import xxhash

__all__ = ["DATE_WORDS", "SHAPE_LENGTH", "SHAPE_SEED", "shape_of", "shape_prints"]

SHAPE_SEED = 0x7E6D
"""xxh3 seed of shape fingerprints: never equal to an exact fingerprint of the same text."""
SHAPE_LENGTH = 100
"""Longest normalized key (in characters) that has a shape."""

DATE_WORDS = frozenset([
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "today", "yesterday",
    "am", "pm", "gmt", "bst", "cet", "cest", "utc", "est", "edt", "cst", "cdt", "pst", "pdt",
])
"""Words folded like numbers: months, days, am/pm, time zones."""

_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)?")
_DIGIT = re.compile(r"\d")
_SEPARATOR = " \n "


def shape_of(key: str) -> str | None:
    """Return the shape of a normalized key (numbers and date words folded), or ``None``.

    ``None`` when nothing folds (the shape would be the key itself) or the key
    is longer than :data:`SHAPE_LENGTH`.

    Example:
        >>> shape_of("last updated monday 14 march 2005 12 02 gmt")
        'last updated # # # # # # #'
        >>> shape_of("12 comments") == shape_of("7 comments"), shape_of("share this")
        (True, None)
    """
    if len(key) > SHAPE_LENGTH:
        return None
    words = key.split(" ")
    dated = not DATE_WORDS.isdisjoint(words)
    if not dated and _DIGIT.search(key) is None:
        return None
    if dated:
        words = ["#" if w in DATE_WORDS else w for w in words]
    return _NUMBER.sub("#", " ".join(words))


def shape_prints(keys: Sequence[str]) -> list[int]:
    """Return the shape fingerprint of every key (0 for keys without a shape).

    The same shapes as :func:`shape_of`, folded over all the article's lines
    at once. Normalized keys hold no newline, so the lines are joined by one.

    Example:
        >>> keys = ["posted 3 may", "share this", "posted 14 june", "a long one 7 " * 20]
        >>> first, none, last, long = shape_prints(keys)
        >>> first == last != 0 == none == long
        True
    """
    lines = [i for i, key in enumerate(keys) if len(key) <= SHAPE_LENGTH]
    out = [0] * len(keys)
    if not lines:
        return out
    short = [keys[i] for i in lines]
    joined = _SEPARATOR.join(short)
    words = joined.split(" ")
    dated = joined
    if not DATE_WORDS.isdisjoint(words):
        dated = " ".join(["#" if w in DATE_WORDS else w for w in words])
    folded = _NUMBER.sub("#", dated)
    if folded == joined:
        return out
    digest = xxhash.xxh3_64_intdigest
    for i, key, shape in zip(lines, short, folded.split(_SEPARATOR), strict=True):
        if shape != key:
            out[i] = digest(shape.encode("utf-8", "surrogatepass"), SHAPE_SEED) or 1
    return out
