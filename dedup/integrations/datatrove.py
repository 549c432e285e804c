"""datatrove: :class:`DedupFormatter`, a pipeline step that cleans each document's text.

By default the step removes duplicate paragraphs inside each document (exact,
near, repeated blocks), as :func:`dedup.clean` does; it is stateless, so any
number of tasks and workers give the same output. With ``index`` (a SQLite
path or a ``redis://`` URL shared by the tasks), ``cross_doc`` or
``boilerplate_min_docs`` it cleans through a :class:`dedup.Deduplicator`
opened in each task: paragraphs an earlier document kept, and site
boilerplate, go too. The site is the host of ``doc.metadata[url_key]`` and the
document id ``doc.id``. That mode streams: which copy of a paragraph survives
follows the order in which tasks reach it.

Stats, per task and merged by the executor: ``paragraphs``, ``dropped``,
``dropped_<reason>`` (``exact``, ``near``, ``repeated_block``, ``boilerplate``,
``cross_doc``) and ``docs_changed``.

Needs the datatrove extra: ``pip install 'dedup-paragraphs[datatrove]'``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.utils.typeshelper import StatHints

from dedup.config import Config
from dedup.corpus.deduplicator import Deduplicator
from dedup.corpus.readers import url_site
from dedup.pipeline import clean, clean_with_report

__all__ = ["DedupFormatter"]


class DedupFormatter(BaseFormatter):  # type: ignore[misc]
    """Remove duplicate paragraphs from every document (see the module docstring).

    Args:
        config: In-article options (:class:`dedup.Config`).
        index: A SQLite path or ``redis://`` URL shared by the tasks (implies
            ``cross_doc`` unless it is set to ``False``).
        cross_doc: Drop paragraphs an earlier document kept.
        boilerplate_min_docs: Drop paragraphs found in this many documents of a site.
        boilerplate_fraction: Or in this fraction of them.
        url_key: The metadata key holding the document's URL (for its site).
    """

    name = "🧹 dedup paragraphs"

    def __init__(
        self,
        config: Config | None = None,
        *,
        index: str | Path | None = None,
        cross_doc: bool | None = None,
        boilerplate_min_docs: int | None = None,
        boilerplate_fraction: float | None = None,
        url_key: str = "url",
    ) -> None:
        super().__init__()
        self.config = config if config is not None else Config()
        self.index = str(index) if index is not None else None
        self.cross_doc = cross_doc if cross_doc is not None else index is not None
        self.boilerplate_min_docs = boilerplate_min_docs
        self.boilerplate_fraction = boilerplate_fraction
        self.url_key = url_key
        if self.corpus:  # fail on bad options now, not in every task
            Deduplicator(None, config=self.config, boilerplate_min_docs=boilerplate_min_docs,
                         boilerplate_fraction=boilerplate_fraction).close()

    @property
    def corpus(self) -> bool:
        """Whether documents are cleaned against each other (not only in themselves)."""
        return (self.cross_doc or self.boilerplate_min_docs is not None
                or self.boilerplate_fraction is not None)

    def format(self, text: str) -> str:
        """Return ``text`` without its duplicate paragraphs (in-article only)."""
        return clean(text, config=self.config)

    def run(self, data: Any, rank: int = 0, world_size: int = 1) -> Iterator[Any]:  # noqa: ANN401
        """Clean each document of ``data`` and count what went."""
        cleaner = None
        if self.corpus:
            cleaner = Deduplicator(self.index, config=self.config, cross_doc=self.cross_doc,
                                   boilerplate_min_docs=self.boilerplate_min_docs,
                                   boilerplate_fraction=self.boilerplate_fraction)
        try:
            for doc in data:
                self.stat_update(StatHints.total)
                with self.track_time():
                    doc.text, paragraphs, dropped = self._clean(cleaner, doc)
                self.stat_update("paragraphs", value=paragraphs)
                self.stat_update("dropped", value=sum(dropped.values()))
                for reason, count in dropped.items():
                    if count:
                        self.stat_update(f"dropped_{reason}", value=count)
                if any(dropped.values()):
                    self.stat_update("docs_changed")
                yield doc
        finally:
            if cleaner is not None:
                cleaner.close()

    def _clean(self, cleaner: Deduplicator | None, doc: Any  # noqa: ANN401
               ) -> tuple[str, int, dict[str, int]]:
        if cleaner is None:
            result = clean_with_report(doc.text, config=self.config)
            counts = result.report.counts()
            reasons = {k: v for k, v in counts.items() if k not in ("paragraphs", "kept",
                                                                    "dropped")}
            return result.text, counts["paragraphs"], reasons
        url = doc.metadata.get(self.url_key)
        site = url_site(url) if isinstance(url, str) else ""
        cleaned = cleaner.clean_with_report(doc.text, site=site, doc=str(doc.id))
        return cleaned.text, len(cleaned.paragraphs), cleaned.dropped
