"""Deduplicator: clean articles one at a time against everything seen before.

For long-running scrapers. Each :meth:`Deduplicator.clean` call cleans one
article like :func:`dedup.clean`, then, against the index:

- with ``cross_doc`` (the default), drops paragraphs of ``min_length``
  characters or more that an earlier article kept (exact copies, and near
  duplicates that rapidfuzz confirms), and remembers the paragraphs it keeps;
- with ``boilerplate_min_docs`` (or ``boilerplate_fraction``), counts the
  article's paragraphs (exact and by shape) per site and drops its site
  boilerplate by the rules of :mod:`dedup.corpus.templates`, with the counts
  so far, this article included. Streaming cannot go back: the first articles
  that carried a line before it became boilerplate keep it.

The index persists what it learns: pass a SQLite path to remember across
runs, a ``redis://`` URL (or a :class:`~dedup.corpus.index.RedisIndex`) to
share it between processes and machines, or nothing for memory only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from dedup.config import Config
from dedup.corpus.boilerplate import SiteCounts, site_counts
from dedup.corpus.decisions import (
    Analysis,
    CorpusDrop,
    analyze_article,
    apply_boilerplate,
    decide_cross_doc,
)
from dedup.corpus.index import Index, index_params, open_index
from dedup.corpus.options import CorpusOptions
from dedup.corpus.records import paragraph_records
from dedup.errors import InputError
from dedup.paragraphs import render
from dedup.report import ParagraphRecord

__all__ = ["CorpusCleaned", "Deduplicator"]


@dataclass(frozen=True, slots=True)
class CorpusCleaned:
    """The result of :meth:`Deduplicator.clean_with_report`.

    ``paragraphs`` holds one JSON-ready dict per paragraph (as in the
    ``dedup batch --report`` lines), ``dropped`` the reasons of the drops.
    """

    text: str
    doc: str
    paragraphs: tuple[ParagraphRecord, ...]

    @property
    def dropped(self) -> dict[str, int]:
        """Dropped paragraphs by reason."""
        counts: dict[str, int] = {}
        for row in self.paragraphs:
            if not row["kept"]:
                reason = str(row["reason"])
                counts[reason] = counts.get(reason, 0) + 1
        return counts


class Deduplicator:
    r"""Clean articles against a persistent memory of earlier ones.

    Args:
        index: Where to remember: ``None`` (memory), a SQLite file path, a
            ``redis://`` URL, or an open index object.
        config: In-article options (:class:`dedup.Config`).
        cross_doc: Drop paragraphs an earlier article kept.
        boilerplate_min_docs: Drop paragraphs found in at least this many
            articles of the same site (``None``: off; at least 2).
        boilerplate_fraction: Or in at least this fraction of them (and at
            least 3).

    Raises:
        ConfigError: an option is out of range.
        IndexFormatError: the index was written by an incompatible version.
        CorpusIndexError: (here or from any call) the index cannot be opened,
            is damaged, was emptied or stopped answering.

    Example:
        >>> story = "The lighthouse reopened on Saturday after two years of volunteer work."
        >>> with Deduplicator() as dedup:
        ...     first = dedup.clean(f"{story}\nTours at weekends.", site="harbour.example")
        ...     again = dedup.clean(f"Syndicated.\n{story}", site="valley.example")
        >>> first.splitlines()[0] == story, again
        (True, 'Syndicated.')
    """

    options: CorpusOptions
    """The corpus options, one frozen object (``fields`` is unused here)."""

    def __init__(
        self,
        index: Index | str | Path | None = None,
        *,
        config: Config | None = None,
        cross_doc: bool = True,
        boilerplate_min_docs: int | None = None,
        boilerplate_fraction: float | None = None,
    ) -> None:
        self.options = CorpusOptions(
            config=Config() if config is None else config, cross_doc=cross_doc,
            boilerplate_min_docs=boilerplate_min_docs, boilerplate_fraction=boilerplate_fraction,
        )
        owned = index is None or isinstance(index, (str, Path))
        self.index: Index = (
            open_index(index) if index is None or isinstance(index, (str, Path)) else index
        )
        self._owned = owned
        self._calls = 0
        self.index.check(index_params(self.options.config))

    def clean(self, text: str, *, site: str = "", doc: str | None = None) -> str:
        """Return ``text`` cleaned against itself and every earlier article.

        Args:
            text: The article.
            site: Its site (for boilerplate), for example the URL's host.
            doc: A stable id (for example the URL). A document never
                duplicates itself, and is counted once for boilerplate
                however often it is cleaned. Default: a new id per call.
        """
        return self.clean_with_report(text, site=site, doc=doc).text

    def clean_with_report(
        self, text: str, *, site: str = "", doc: str | None = None
    ) -> CorpusCleaned:
        """Clean like :meth:`clean` and explain every decision."""
        if not isinstance(text, str):
            msg = f"text must be str, got {type(text).__name__}: decode bytes first"
            raise InputError(msg)
        self._calls += 1
        doc = doc if doc is not None else f"call-{id(self):x}-{self._calls}"
        counting = self.options.boilerplate
        analysis = analyze_article(text, self.options.config, cross_doc=self.options.cross_doc,
                                   prints=counting)
        if counting:
            analysis = apply_boilerplate(analysis, self._count_boilerplate(analysis, site, doc))
        drops: dict[int, CorpusDrop] = dict(analysis.drops)
        if self.options.cross_doc:
            drops.update(decide_cross_doc([(doc, analysis)], self.index, self.options.config)[0])
        paragraphs = analysis.paragraphs(text)
        cleaned = render(text, paragraphs, [p.index not in drops for p in paragraphs])
        rows = paragraph_records(paragraphs, drops)
        return CorpusCleaned(cleaned, doc, tuple(rows))

    def _count_boilerplate(self, analysis: Analysis, site: str, doc: str) -> SiteCounts | None:
        """Count the article on its site (once per ``doc``); return the site's counts so far."""
        options = self.options
        prints = analysis.counted()
        if self.index.add_docs([doc])[0]:
            self.index.add_counts(site, dict.fromkeys(prints, 1), 1)
        return site_counts(self.index.counts(site, prints), self.index.site_docs(site),
                           options.boilerplate_min_docs, options.boilerplate_fraction)

    def clean_many(self, texts: Sequence[str], *, site: str = "") -> list[str]:
        """Clean several articles of one site in order."""
        return [self.clean(text, site=site) for text in texts]

    def close(self) -> None:
        """Close the index if this object opened it."""
        if self._owned:
            self.index.close()

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
