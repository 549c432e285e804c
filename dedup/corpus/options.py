"""The options of a corpus run, as one frozen, validated object.

:class:`CorpusOptions` holds what decides the cleaned text of an article in a
corpus (the JSON fields, the in-article :class:`~dedup.config.Config`, site
boilerplate, cross-document duplicates); :class:`~dedup.Deduplicator` holds
one. :class:`RunOptions` adds where a ``dedup batch`` run reads and writes and
how it runs; the local engine (:func:`dedup.corpus.batch.run_batch`) and the
Ray engine (:func:`dedup.dist.clean_dataset`) take it. Both check their values
when they are made (:class:`~dedup.errors.ConfigError`); what they find on
disk is checked when a run starts (:mod:`dedup.corpus.run`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from dedup.config import Config
from dedup.corpus.boilerplate import check_boilerplate_options
from dedup.corpus.readers import Fields
from dedup.corpus.records import check_report_mode
from dedup.errors import ConfigError
from dedup.report import ReportMode

__all__ = ["BatchOptions", "CorpusOptions", "RunOptions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CorpusOptions:
    """What decides the output of every article of a corpus.

    - ``fields``: the JSON fields holding text, id and site.
    - ``config``: the in-article cleaning options.
    - ``cross_doc``: drop paragraphs an earlier document kept.
    - ``boilerplate_min_docs``, ``boilerplate_fraction``: site boilerplate
      thresholds (both ``None``: off).

    Raises:
        ConfigError: a boilerplate threshold is out of range.
    """

    fields: Fields = field(default_factory=Fields)
    config: Config = field(default_factory=Config)
    cross_doc: bool = False
    boilerplate_min_docs: int | None = None
    boilerplate_fraction: float | None = None

    def __post_init__(self) -> None:
        check_boilerplate_options(self.boilerplate_min_docs, self.boilerplate_fraction)

    @property
    def boilerplate(self) -> bool:
        """Whether site boilerplate removal is on."""
        return self.boilerplate_min_docs is not None or self.boilerplate_fraction is not None

    @property
    def across_documents(self) -> bool:
        """Whether an article's output depends on other articles."""
        return self.cross_doc or self.boilerplate

    def recorded(self) -> dict[str, object]:
        """Return these options as JSON-ready data (what a run records beside its outputs).

        Example:
            >>> CorpusOptions(cross_doc=True).recorded()["cross_doc"]
            True
        """
        return {
            "fields": dataclasses.asdict(self.fields),
            "config": dataclasses.asdict(self.config),
            "cross_doc": self.cross_doc,
            "boilerplate_min_docs": self.boilerplate_min_docs,
            "boilerplate_fraction": self.boilerplate_fraction,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions(CorpusOptions):
    """Everything ``dedup batch`` does, as data: the :class:`CorpusOptions` and the run's.

    - ``in_dir``, ``out_dir``: the corpus and where its cleaned mirror goes.
    - ``workers``: worker processes (1: everything in this process).
    - ``index``: a SQLite path or ``redis://`` URL to read and update
      (``None``: a fresh in-memory index).
    - ``report``: where to write one JSON line per article;
      ``report_mode``: what it lists (:data:`dedup.report.ReportMode`:
      ``"drops"``, the removed paragraphs and the kept copies they name, or
      ``"full"``, every paragraph).
    - ``dry_run``: write only the report. ``resume``: keep finished outputs.
    - ``follow_links``: also read links to files outside ``in_dir``, and
      links to directories.

    Raises:
        ConfigError: an option is out of range, or options contradict each other.
    """

    in_dir: Path
    out_dir: Path
    workers: int = 1
    index: str | None = None
    report: Path | None = None
    report_mode: ReportMode = "drops"
    dry_run: bool = False
    resume: bool = False
    follow_links: bool = False

    def __post_init__(self) -> None:
        CorpusOptions.__post_init__(self)
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) \
                or self.workers < 1:
            msg = f"workers={self.workers!r} must be an int of at least 1"
            raise ConfigError(msg)
        check_report_mode(self.report_mode)
        if self.dry_run and self.resume:
            msg = "dry_run writes no files, so there is nothing to resume"
            raise ConfigError(msg)

    @property
    def report_lines(self) -> ReportMode | None:
        """The report's mode, ``None`` when there is no report."""
        return self.report_mode if self.report is not None else None

    @property
    def corpus(self) -> CorpusOptions:
        """The options that decide the output (without the run's)."""
        return CorpusOptions(fields=self.fields, config=self.config, cross_doc=self.cross_doc,
                             boilerplate_min_docs=self.boilerplate_min_docs,
                             boilerplate_fraction=self.boilerplate_fraction)


BatchOptions = RunOptions
"""The former name of :class:`RunOptions`, kept for existing code."""
