"""Doubled headings: the title captured twice at the top of an article.

Extractors emit the headline twice (the ``h1`` and the ``og:title``, or the
title again atop the body), sometimes in other case or punctuation, or with
the site's name attached (``"Title | Site"``, ``"Title - Site"``,
``"Site: Title"``, ``"标题_网站"``). A title is short, and short lines repeated
in isolation are protected, so this stage looks at the top of the article only:

- the first copy is the first paragraph (of those kept so far) and the
  second follows it within ``REACH`` (4) paragraphs, or the first copy is
  the second paragraph (after a kicker or a section name) and the second
  copy comes right after it;
- both have the same key, or one is the other's key with a site name of at
  most ``SITE_WORDS`` (5) words attached by a separator that cuts exactly
  those words off (``|``, ``-``, ``–``,
  ``—``, ``:``, ``·``, ``•``, ``»``, ``/``, ``_``);
- the first copy looks like a heading: at least two words
  (:func:`dedup.lengths.word_count`; one is enough when the first paragraph
  comes again, same key, right after it, as a section name captured twice),
  its raw text does not start like a list item (``-``, ``*``, ``•``, ``1.``)
  nor end like a sentence or a label (``.``, ``:``, ``;``, ``,``), and the
  paragraph before it (if any) does not end in ``:``, ``;`` or ``,`` (a
  label that introduces a list), nor does the one before the second copy;
- its key (and the other copy's) occurs only these two times among the
  paragraphs kept so far.

The title also comes back as the last paragraph (the ``og:title`` of a share
box or a footer, a breadcrumb under the body). That copy goes too when the
first kept paragraph is the title (same tests as above, and the last copy
looks like a heading as well) and one of the ``TAIL_REACH`` (2) paragraphs
before it is prose of at least ``min_length`` (:func:`dedup.lengths.text_length`;
a byline or a "follow us" line may come between): a refrain
closing a song or a poem follows other short lines only, and stays, as does a
line after a label ending in ``:``.

Then one copy goes: with ``keep="best"`` the one carrying the site name, else
the second; ``"first"`` drops the second, ``"last"`` the first. A refrain, a
table row, a list item or ``* * *`` repeated further down, or more than twice,
stays as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import islice

from dedup.config import Keep
from dedup.decide import Drop, add_drop, key_similarity
from dedup.keys import normalize
from dedup.lengths import text_length, word_count
from dedup.paragraphs import Paragraphs
from dedup.report import DropReason

__all__ = ["HEAD", "REACH", "SITE_WORDS", "TAIL_REACH", "heading_drops"]

HEAD = 2
REACH = 4
TAIL_REACH = 2
SITE_WORDS = 5
_SITE_CHARS = 80  # a site name is shorter than this
_WIDE = "\u3000-\u9fff\uac00-\ud7af\uff00-\uffef"  # CJK and Hangul: no spaces around a separator
# closing marks a title may end with before a site name joined without spaces: "“标题？”-网站"
_CLOSING = "\"”’»)」』）】〉》!?？！"
_SEPARATOR = re.compile(
    rf"\s+[|\-–—:·•»/~]+\s+|\s*[|｜_]+\s*|(?<=\w):\s+|(?<=[{_WIDE}{_CLOSING}])[-–—]"
    rf"|[-–—](?=[{_WIDE}])"
)
_LIST_ITEM = re.compile(r"\s*(?:[-*•·–—+>#]|\d{1,3}[.)])\s")
_LABEL_END = (":", ";", ",", "：", "；", "，")
_SENTENCE_END = (".", "。", *_LABEL_END)


def heading_drops(
    paragraphs: Paragraphs,
    keys: Sequence[str],
    drops: dict[int, Drop],
    keep: Keep,
    min_length: int = 50,
) -> dict[int, Drop]:
    """Return ``drops`` with the second copy of a doubled heading added (see the module docstring).

    Example:
        >>> from dedup.paragraphs import split_paragraphs
        >>> from dedup.keys import normalize_paragraphs
        >>> ps = split_paragraphs("Floods close the road\\nFloods close the road | News\\nBody.")
        >>> heading_drops(ps, normalize_paragraphs(ps), {}, "best")
        {1: Drop(duplicate_of=0, reason=<DropReason.NEAR: 'near'>, block=None, similarity=1.0)}
    """
    texts = paragraphs.texts
    found: dict[int, Drop] | None = None
    # positions count the paragraphs kept so far, so that cleaning the output changes nothing
    if drops:
        top = list(islice((n for n in range(len(keys)) if n not in drops), REACH + 2))
    else:  # most articles: nothing dropped before
        top = list(range(min(len(keys), REACH + 2)))
    for p in range(min(HEAD, len(top))):
        i = top[p]
        title = keys[i]
        for q in range(p + 1, min(len(top), p + (REACH if p == 0 else 1) + 1)):
            j = top[q]
            other = keys[j]
            if other != title and not _sited_key(title, other):
                continue
            adjacent = p == 0 and q == 1 and other == title  # one word is enough
            if not _heading_like(texts, top, p, title, 1 if adjacent else 2):
                break
            if texts[top[q - 1]].rstrip().endswith(_LABEL_END):  # a label introduces it
                continue
            sited = _same_heading(texts[i], keys[i], texts[j], keys[j])
            if sited is None or _elsewhere(keys, drops, i, j):
                continue
            if keep == "first" or (keep == "best" and sited != 0):
                loser, winner = j, i
            else:
                loser, winner = i, j
            reason = DropReason.EXACT if keys[i] == keys[j] else DropReason.NEAR
            found = dict(drops if found is None else found)
            add_drop(found, loser, Drop(winner, reason, None, key_similarity(keys, loser, winner)),
                     keys)
            break
        if found is not None:
            break
    if found is None and len(top) >= 3:
        found = _tail_drop(texts, keys, drops, keep, top[0], min_length)
    return drops if found is None else dict(sorted(found.items()))


def _tail_drop(
    texts: Sequence[str],
    keys: Sequence[str],
    drops: dict[int, Drop],
    keep: Keep,
    i: int,
    min_length: int,
) -> dict[int, Drop] | None:
    """``drops`` with one copy of the title ``i`` repeated as the last kept paragraph, if it is."""
    kept = (n for n in range(len(keys) - 1, i, -1) if n not in drops)
    j = next(kept)
    title, other = keys[i], keys[j]
    if other != title and not _sited_key(title, other):
        return None
    before = list(islice(kept, TAIL_REACH))
    if not _heading_like(texts, [i], 0, title) or not _heading_like(texts, [j], 0, other):
        return None
    if texts[before[0]].rstrip().endswith(_LABEL_END):  # a label introduces it
        return None
    if all(text_length(keys[n]) < min_length for n in before):  # a refrain, a list, a poem
        return None
    sited = _same_heading(texts[i], keys[i], texts[j], keys[j])
    if sited is None or _elsewhere(keys, drops, i, j):
        return None
    loser, winner = (j, i) if keep == "first" or (keep == "best" and sited != 0) else (i, j)
    reason = DropReason.EXACT if title == other else DropReason.NEAR
    found = dict(drops)
    add_drop(found, loser, Drop(winner, reason, None, key_similarity(keys, loser, winner)), keys)
    return found


def _heading_like(
    texts: Sequence[str], top: Sequence[int], p: int, key: str, words: int = 2
) -> bool:
    text = texts[top[p]]
    if text.rstrip().endswith(_SENTENCE_END) or _LIST_ITEM.match(text):
        return False
    if p and texts[top[p - 1]].rstrip().endswith(_LABEL_END):  # a label introduces it
        return False
    return word_count(key) >= words


def _elsewhere(keys: Sequence[str], drops: dict[int, Drop], i: int, j: int) -> bool:
    """Whether either key occurs among the kept paragraphs beyond paragraphs ``i`` and ``j``."""
    wanted = {keys[i], keys[j]}
    return sum(1 for n, key in enumerate(keys) if key in wanted and n not in drops) > 2


def _same_heading(first: str, first_key: str, second: str, second_key: str) -> int | None:
    """Whether two paragraphs are one heading: -1 if neither carries a site name, else 0 or 1.

    0 or 1 names the paragraph (``first``, ``second``) that has the site name: its
    key is the other's with a few words added (:func:`_sited_key`), and a
    separator of its raw text cuts those words off.
    """
    if first_key == second_key:
        return -1
    sited = int(len(second_key) > len(first_key))
    long, long_key, short_key = (second, second_key, first_key) if sited else (
        first, first_key, second_key)
    added = len(long_key.split()) - len(short_key.split())
    for mark in _SEPARATOR.finditer(long):
        before, after = long[: mark.start()], long[mark.end() :]
        site = after if long_key.startswith(short_key) else before
        if len(normalize(site).split()) == added:
            return sited
    return None


def _sited_key(first: str, second: str) -> bool:
    """Whether one key is the other with at most ``SITE_WORDS`` words added before or after."""
    if not 0 < abs(len(first) - len(second)) <= _SITE_CHARS + 1:  # no room for " " and a site
        return False
    short, long = (first, second) if len(first) < len(second) else (second, first)
    if long.startswith(short) and long[len(short) : len(short) + 1] == " ":
        rest = long[len(short) + 1 :]
    elif long.endswith(short) and long[-len(short) - 1 : -len(short)] == " ":
        rest = long[: -len(short) - 1]
    else:
        return False
    return len(rest) <= _SITE_CHARS and word_count(rest) <= SITE_WORDS
