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

Site boilerplate the way ``dedup batch`` finds it (uniform: counted over the
whole corpus first, so the first documents of a site lose the line too) is
datatrove's multi-stage pattern, two executors with a folder between them:
:class:`DedupBoilerplateCounter` counts, in each task, the documents of each
site that hold each paragraph and writes ``<rank>.json`` into a folder; then
``DedupFormatter(boilerplate_counts=folder, boilerplate_min_docs=N)`` merges
every task's counts once per task and drops the paragraphs found in at least
N documents of their site (``boilerplate_fraction`` as in ``dedup batch``).

Stats, per task and merged by the executor: ``paragraphs``, ``dropped``,
``dropped_<reason>`` (``exact``, ``near``, ``repeated_block``, ``boilerplate``,
``cross_doc``) and ``docs_changed``.

Needs the datatrove extra: ``pip install 'dedup-paragraphs[datatrove]'``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from datatrove.io import get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.formatters.base import BaseFormatter
from datatrove.utils.typeshelper import StatHints

from dedup.config import Config
from dedup.corpus.boilerplate import SiteCounts, check_boilerplate_options, site_counts
from dedup.corpus.decisions import analyze_article
from dedup.corpus.deduplicator import Deduplicator
from dedup.corpus.fingerprints import fingerprints
from dedup.corpus.readers import url_site
from dedup.corpus.templates import shape_prints
from dedup.errors import ConfigError
from dedup.keys import normalize_paragraphs
from dedup.paragraphs import render, split_paragraphs
from dedup.pipeline import clean, clean_with_report

__all__ = ["DedupBoilerplateCounter", "DedupFormatter"]


def _site(doc: Any, url_key: str) -> str:  # noqa: ANN401 - a datatrove Document
    url = doc.metadata.get(url_key)
    return url_site(url) if isinstance(url, str) else ""


class DedupBoilerplateCounter(PipelineStep):  # type: ignore[misc]
    """First stage of uniform boilerplate removal: per site, documents holding each paragraph.

    Documents pass through unchanged. At the end of its task the step writes
    ``<rank>.json`` into ``output_folder`` (any datatrove folder: a path, or
    ``s3://...``): ``{site: [documents, {fingerprint: documents}]}``.

    Args:
        output_folder: Where the counts go (read by ``DedupFormatter(boilerplate_counts=...)``).
        config: The ``split`` option must match the second stage's.
        url_key: The metadata key holding the document's URL (for its site).
    """

    name = "🧮 dedup boilerplate counts"
    type = "📊 - STATS"

    def __init__(self, output_folder: Any, config: Config | None = None,  # noqa: ANN401
                 url_key: str = "url") -> None:
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.config = config if config is not None else Config()
        self.url_key = url_key

    def run(self, data: Any, rank: int = 0, world_size: int = 1) -> Iterator[Any]:  # noqa: ANN401
        """Count each document's distinct paragraphs under its site; yield the document."""
        sites: dict[str, tuple[list[int], Counter[int]]] = {}
        for doc in data:
            with self.track_time():
                keys = normalize_paragraphs(split_paragraphs(doc.text, self.config.split))
                docs, counts = sites.setdefault(_site(doc, self.url_key), ([0], Counter()))
                docs[0] += 1
                counts.update({*fingerprints(keys), *shape_prints(keys)} - {0})
            self.stat_update(StatHints.total)
            yield doc
        payload = {site: [docs[0], {str(fp): n for fp, n in counts.items()}]
                   for site, (docs, counts) in sites.items()}
        with self.output_folder.open(f"{rank:05d}.json", "wb") as handle:
            handle.write(orjson.dumps(payload))


def _frequent(folder: Any, min_docs: int | None, fraction: float | None  # noqa: ANN401
              ) -> dict[str, SiteCounts]:
    """Merge every task's counts and return each site's counts and threshold."""
    folder = get_datafolder(folder)
    docs: Counter[str] = Counter()
    counts: dict[str, Counter[int]] = {}
    for path in sorted(folder.list_files(glob_pattern="*.json")):
        with folder.open(path, "rb") as handle:
            for site, (site_docs, prints) in orjson.loads(handle.read()).items():
                docs[site] += site_docs
                counts.setdefault(site, Counter()).update({int(k): v for k, v in prints.items()})
    frequent = {}
    for site, prints in counts.items():
        found = site_counts(prints, docs[site], min_docs, fraction)
        if found is not None:
            frequent[site] = found
    return frequent


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
        boilerplate_counts: The folder a :class:`DedupBoilerplateCounter` stage
            wrote: boilerplate is then decided from the whole corpus's counts.
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
        boilerplate_counts: Any = None,  # noqa: ANN401 - a datatrove DataFolderLike
    ) -> None:
        super().__init__()
        self.boilerplate_counts = boilerplate_counts
        if boilerplate_counts is not None:
            check_boilerplate_options(boilerplate_min_docs, boilerplate_fraction)
            if boilerplate_min_docs is None and boilerplate_fraction is None:
                msg = "boilerplate_counts needs boilerplate_min_docs or boilerplate_fraction"
                raise ConfigError(msg)
            if index is not None or cross_doc:
                msg = "boilerplate_counts is the uniform two-stage mode: without index, cross_doc"
                raise ConfigError(msg)
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
        """Whether documents are cleaned through a Deduplicator (streaming corpus modes)."""
        streaming = (self.cross_doc or self.boilerplate_min_docs is not None
                     or self.boilerplate_fraction is not None)
        return self.boilerplate_counts is None and streaming

    def format(self, text: str) -> str:
        """Return ``text`` without its duplicate paragraphs (in-article only)."""
        return clean(text, config=self.config)

    def run(self, data: Any, rank: int = 0, world_size: int = 1) -> Iterator[Any]:  # noqa: ANN401
        """Clean each document of ``data`` and count what went."""
        cleaner = None
        frequent: dict[str, SiteCounts] | None = None
        if self.boilerplate_counts is not None:
            frequent = _frequent(self.boilerplate_counts, self.boilerplate_min_docs,
                                 self.boilerplate_fraction)
        if self.corpus:
            cleaner = Deduplicator(self.index, config=self.config, cross_doc=self.cross_doc,
                                   boilerplate_min_docs=self.boilerplate_min_docs,
                                   boilerplate_fraction=self.boilerplate_fraction)
        try:
            for doc in data:
                self.stat_update(StatHints.total)
                with self.track_time():
                    doc.text, paragraphs, dropped = (
                        self._clean(cleaner, doc) if frequent is None
                        else self._clean_uniform(frequent, doc))
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
        cleaned = cleaner.clean_with_report(doc.text, site=_site(doc, self.url_key),
                                            doc=str(doc.id))
        return cleaned.text, len(cleaned.paragraphs), cleaned.dropped

    def _clean_uniform(self, frequent: dict[str, SiteCounts], doc: Any  # noqa: ANN401
                       ) -> tuple[str, int, dict[str, int]]:
        text = doc.text
        boilerplate = frequent.get(_site(doc, self.url_key))
        analysis = analyze_article(text, self.config, boilerplate=boilerplate)
        paragraphs = analysis.paragraphs(text)
        drops = analysis.drops
        cleaned = render(text, paragraphs, [p.index not in drops for p in paragraphs])
        return cleaned, len(paragraphs), dict(Counter(d.reason.value for d in drops.values()))
