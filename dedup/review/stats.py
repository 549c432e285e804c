"""Article records -> the running totals the overview shows.

:class:`SiteStats` adds up one :class:`~dedup.review.articles.Article` at a
time: articles, paragraphs and bytes removed, by reason and per site, a
histogram of the removed share per article, the articles with the largest
share removed, and how many documents each removed paragraph (after case
folding and whitespace collapsing) was removed from, pruned past
``max_tracked`` distinct paragraphs so memory stays bounded.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

from dedup.review.articles import Article

__all__ = ["BINS", "SiteRow", "SiteStats"]

BINS = 11  # 0 %, then (0, 10] %, (10, 20] %, ... (90, 100] %


@dataclass(slots=True)
class SiteRow:
    """The totals of one site."""

    articles: int = 0
    paragraphs: int = 0
    removed: int = 0
    size: int = 0
    removed_size: int = 0


@dataclass(slots=True)
class SiteStats:
    """Running totals over the records (everything the overview shows)."""

    max_tracked: int
    articles: int = 0
    partial: int = 0  # articles of a drops-only report: not every paragraph listed
    with_removals: int = 0
    paragraphs: int = 0
    removed: int = 0
    size: int = 0
    removed_size: int = 0
    reason_paragraphs: Counter[str] = field(default_factory=Counter)
    reason_size: Counter[str] = field(default_factory=Counter)
    sites: dict[str, SiteRow] = field(default_factory=dict)
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)
    repeats: Counter[str] = field(default_factory=Counter)
    samples: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    pruned: bool = False
    top: list[tuple[float, int, str, str]] = field(default_factory=list)

    def add(self, article: Article, href: str) -> None:
        """Count one article, whose page is ``href``."""
        removed = article.removed
        self.articles += 1
        self.partial += not article.complete
        self.with_removals += bool(removed)
        self.paragraphs += article.paragraph_count
        self.removed += len(removed)
        size, removed_size = article.size, article.removed_size
        self.size += size
        self.removed_size += removed_size
        site = self.sites.setdefault(article.site, SiteRow())
        site.articles += 1
        site.paragraphs += article.paragraph_count
        site.removed += len(removed)
        site.size += size
        site.removed_size += removed_size
        share = article.removed_share
        self.histogram[_bin(share)] += 1
        seen: set[str] = set()
        for p in removed:
            reason = p.reason or "removed"
            self.reason_paragraphs[reason] += 1
            self.reason_size[reason] += p.size
            key = " ".join(p.text.casefold().split())[:300]
            if key and key not in seen:
                seen.add(key)
                self.repeats[key] += 1
                if key not in self.samples:
                    self.samples[key] = (p.text[:300], reason, f"{href}#p{p.index}")
        if len(self.repeats) > self.max_tracked:
            self._prune()
        if removed:
            item = (share, -self.articles, article.title, href)
            if len(self.top) < 20:
                heapq.heappush(self.top, item)
            else:
                heapq.heappushpop(self.top, item)

    def _prune(self) -> None:
        keep = dict(self.repeats.most_common(self.max_tracked // 2))
        self.repeats = Counter(keep)
        self.samples = {key: self.samples[key] for key in keep}
        self.pruned = True


def _bin(share: float) -> int:
    if share <= 0:
        return 0
    return min(BINS - 1, 1 + int((share * 100 - 1e-9) // 10))
