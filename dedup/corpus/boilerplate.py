"""Per-site document counts -> site boilerplate: paragraphs too common on one site.

The threshold: a paragraph is frequent on a site when it occurs in at least
``min_docs`` of the site's documents, or in at least ``fraction`` of them
(never fewer than ``FRACTION_FLOOR`` documents). A document counts once however
often it repeats the paragraph, so a line repeated inside one article only is
never boilerplate: only the core rules apply to it.

Each document is counted by two keys per paragraph: its exact fingerprint and,
when the paragraph holds numbers or date words, its *shape* (:func:`shape_of`:
digit runs, month and day names, am/pm and time zones folded), so that
"Last updated: Monday, 14 March 2005" and "Last updated: Friday, 2 June 2006"
count as one line. :func:`site_drops` then decides, paragraph by paragraph and
by where each stands in its page (:mod:`dedup.corpus.templates`), which
frequent paragraphs go.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from dedup.errors import ConfigError

__all__ = ["FRACTION_FLOOR", "SiteCounts", "check_boilerplate_options", "min_docs_for",
           "site_counts"]

FRACTION_FLOOR = 3


def check_boilerplate_options(min_docs: int | None, fraction: float | None) -> None:
    """Raise ConfigError for a ``min_docs`` below 2 or a ``fraction`` outside (0, 1].

    Example:
        >>> check_boilerplate_options(1, None)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: boilerplate_min_docs=1 must be at least 2: a paragraph ...
    """
    if min_docs is not None and (
        isinstance(min_docs, bool) or not isinstance(min_docs, int) or min_docs < 2
    ):
        msg = (
            f"boilerplate_min_docs={min_docs!r} must be at least 2: "
            "a paragraph found in one document only is never boilerplate"
        )
        raise ConfigError(msg)
    if fraction is not None and not 0.0 < fraction <= 1.0:
        msg = f"boilerplate_fraction={fraction!r} must be between 0 and 1"
        raise ConfigError(msg)


def min_docs_for(site_docs: int, min_docs: int | None, fraction: float | None) -> int | None:
    """Return how many documents of a site make a paragraph boilerplate (``None``: off).

    Example:
        >>> min_docs_for(100, 5, None), min_docs_for(100, None, 0.5), min_docs_for(4, None, 0.5)
        (5, 50, 3)
        >>> min_docs_for(100, 20, 0.1), min_docs_for(100, None, None)
        (10, None)
    """
    thresholds = []
    if min_docs is not None:
        thresholds.append(min_docs)
    if fraction is not None:
        thresholds.append(max(FRACTION_FLOOR, math.ceil(fraction * site_docs)))
    return min(thresholds) if thresholds else None


@dataclass(frozen=True, slots=True)
class SiteCounts:
    """What a site's pages are cleaned with: documents per fingerprint, and the threshold.

    ``counts`` holds the exact and shape fingerprints found in 2+ documents of
    the site; ``threshold`` the documents that make one boilerplate
    (:func:`min_docs_for`).
    """

    counts: Mapping[int, int]
    threshold: int


def site_counts(counts: Mapping[int, int], site_docs: int, min_docs: int | None,
                fraction: float | None) -> SiteCounts | None:
    """Return the site's :class:`SiteCounts` (``None``: boilerplate off).

    Example:
        >>> site_counts({7: 4, 8: 1}, 10, 3, None)
        SiteCounts(counts={7: 4}, threshold=3)
    """
    threshold = min_docs_for(site_docs, min_docs, fraction)
    if threshold is None:
        return None
    return SiteCounts({f: n for f, n in counts.items() if n >= 2}, threshold)
