"""Short teasers: a line cut short with an ellipsis that opens a longer paragraph of the article.

Listings and summary boxes put the start of a paragraph, cut off with an
ellipsis, above or below the full text: "Ministers have agreed a new plan
for…". A teaser of ``min_length`` characters or more is a near duplicate like
any other (:mod:`dedup.verify` matches it against the start of the longer
paragraph). A shorter one never reaches that comparison (short paragraphs
repeated in isolation are protected), so this stage looks for it directly: a
paragraph

- whose raw text ends in an ellipsis (``…``, ``...``, ``⋯``, ``[…]``,
  ``(...)``, ``……``, ``・・・``; see :func:`dedup.decide.ends_in_ellipsis`),
- with at least ``min_words`` words (:func:`dedup.lengths.word_count`) and
  under ``min_length`` characters,
- whose key matches the start of the key of a kept paragraph of at least
  ``min_length`` characters with ``min_similarity`` (numbers and words checked
  as for every match, :func:`dedup.verify.verify_pairs`),

is dropped as a near duplicate of that paragraph, whatever the keep policy: a
short cut-off line never holds content its paragraph lacks. Without the
ellipsis it stays: a headline that opens its lede is not a teaser.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, count
from operator import itemgetter

from rapidfuzz import fuzz

from dedup.config import Config
from dedup.decide import ELLIPSIS_ENDINGS, Drop, add_drop
from dedup.lengths import text_length, text_lengths, word_count
from dedup.paragraphs import Paragraphs
from dedup.report import DropReason
from dedup.verify import verify_pairs

__all__ = ["teaser_drops"]

_LAST = frozenset(ending[-1] for ending in ELLIPSIS_ENDINGS)


def _short_cut_off(paragraphs: Paragraphs, keys: Sequence[str], min_length: int) -> list[int]:
    """The paragraphs with keys under ``min_length`` characters that end in an ellipsis.

    :func:`dedup.decide.ends_in_ellipsis`, on the short paragraphs only (a key's
    :func:`dedup.lengths.text_length` is never below its ``len``), their last
    character tested first, in C loops: most articles have no such paragraph.
    """
    short = list(compress(count(), map(min_length.__gt__, map(len, keys))))
    stripped = list(map(str.rstrip, map(paragraphs.texts.__getitem__, short)))
    maybe = compress(count(), map(_LAST.__contains__, map(itemgetter(-1), stripped)))
    return [short[n] for n in maybe if stripped[n].endswith(ELLIPSIS_ENDINGS)]


def teaser_drops(
    text: str,
    paragraphs: Paragraphs,
    keys: Sequence[str],
    lengths: Sequence[int] | None,
    drops: dict[int, Drop],
    config: Config,
) -> dict[int, Drop]:
    """Return ``drops`` with the short teasers added (see the module docstring).

    ``text`` is the article the ``paragraphs`` come from; ``lengths`` is
    ``text_lengths(keys)`` when the caller has it (else computed if an article
    has a candidate).

    Example:
        >>> from dedup.paragraphs import split_paragraphs
        >>> from dedup.keys import normalize_paragraphs
        >>> text = ("Ministers have agreed a new plan…\\n"
        ...     "Ministers have agreed a new plan for the railways after a long night of talks.")
        >>> ps = split_paragraphs(text)
        >>> teaser_drops(text, ps, normalize_paragraphs(ps), None, {}, Config())
        {0: Drop(duplicate_of=1, reason=<DropReason.NEAR: 'near'>, block=None, similarity=1.0)}
    """
    teasers = [
        i for i in _short_cut_off(paragraphs, keys, config.min_length)
        if i not in drops
        and text_length(keys[i]) < config.min_length and word_count(keys[i]) >= config.min_words
    ]
    if not teasers:
        return drops
    if lengths is None:
        lengths = text_lengths(keys)
    full = [j for j, size in enumerate(lengths) if size >= config.min_length and j not in drops]
    found = dict(drops)
    cutoff = config.min_similarity * 100.0
    for i in teasers:
        key = keys[i]
        for j in full:
            start = keys[j][: len(key)]
            if not fuzz.ratio(key, start, score_cutoff=cutoff):
                continue
            matches = verify_pairs([key, start], [(0, 1)], config.min_similarity)
            if matches:  # the teaser and the full paragraph's start, as verified
                add_drop(found, i, Drop(j, DropReason.NEAR, None, matches[0].similarity), keys)
                break
    return dict(sorted(found.items()))
