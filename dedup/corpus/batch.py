"""The two-pass corpus driver: IN_DIR -> (analyze and count) -> decide and render -> OUT_DIR.

Workers analyze each chunk of articles (:func:`dedup.corpus.tasks.analyze_chunk`);
the main process takes the results in corpus order (input path, line) and
makes every decision that depends on other documents; workers then render
each chunk with those decisions (:func:`dedup.corpus.tasks.render_chunk`:
output bytes, compressed for gzip, report lines, counts), and the main process
writes each output file atomically and the report. :mod:`dedup.corpus.ordered`
runs the two worker stages around the main process's decisions. Before it
forks the workers, the main process builds what the analysis builds on first
use (:func:`dedup.corpus.tasks.warm_up`), and during a run every process
collects garbage less often (:data:`dedup.corpus.tasks.GC_THRESHOLDS`).

1. Count (only with site boilerplate on): the main process adds, per site, the
   number of documents holding each paragraph fingerprint to the index. A
   file's counts are added only once the whole file read well. The analyses
   wait in a temporary file (:mod:`dedup.corpus.spill`) for the next pass.
2. Clean: the main process drops the site's boilerplate paragraphs, decides
   cross-document drops against the index, and has the chunk rendered.

Chunks have a fixed size, and every decision that depends on other documents
is made in the main process in corpus order, so the output is the same for
any number of workers. Input files are only read. A bad file is reported with
its path and line and is not written; the others go on. Index additions of a
file are held until the file's last chunk is decided, so a file that turns out
bad before that leaves no trace (records that could not be written back fail
in the analysis; a worker that crashes while rendering, after the decisions,
leaves its file's decisions in the index).
"""

from __future__ import annotations

import gc
import os
import pickle
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from dedup.config import Config
from dedup.corpus.boilerplate import check_boilerplate_options, min_docs_for
from dedup.corpus.decisions import CorpusDrop, apply_boilerplate, decide_cross_doc
from dedup.corpus.index import Index, PendingIndex, index_params, open_index, pending_index
from dedup.corpus.ordered import Item, ReadFailure, completed, executor, ordered
from dedup.corpus.readers import BadInput, Chunk, Fields, Source, find_sources, read_chunks
from dedup.corpus.records import ReportFile, check_report_mode
from dedup.corpus.spill import Spill
from dedup.corpus.summary import Summary, counted_run
from dedup.corpus.tasks import (
    GC_THRESHOLDS,
    Analyzed,
    Facts,
    Rendered,
    RenderTask,
    WorkerState,
    analyze_chunk,
    render_chunk,
    start_worker,
    warm_up,
)
from dedup.corpus.writers import Deflated, OutputFile, output_path
from dedup.errors import ConfigError
from dedup.report import ReportMode

__all__ = [
    "BatchOptions",
    "Summary",
    "check_directories",
    "default_workers",
    "progress_bar",
    "run_batch",
]

WINDOW_PER_WORKER = 4  # chunks in flight per worker


def default_workers() -> int:
    """Return the number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchOptions:
    """Everything ``dedup batch`` does, as data.

    - ``in_dir``, ``out_dir``: the corpus and where its cleaned mirror goes.
    - ``fields``: the JSON fields holding text, id and site.
    - ``config``: the in-article cleaning options.
    - ``workers``: worker processes (1: everything in this process).
    - ``boilerplate_min_docs``, ``boilerplate_fraction``: site boilerplate
      thresholds (both ``None``: off).
    - ``cross_doc``: drop paragraphs an earlier document kept.
    - ``index``: a SQLite path or ``redis://`` URL to read and update
      (``None``: a fresh in-memory index).
    - ``report``: where to write one JSON line per article;
      ``report_mode``: what it lists (:data:`dedup.report.ReportMode`).
    - ``dry_run``: write only the report. ``resume``: keep finished outputs.
    """

    in_dir: Path
    out_dir: Path
    fields: Fields = field(default_factory=Fields)
    config: Config = field(default_factory=Config)
    workers: int = 1
    boilerplate_min_docs: int | None = None
    boilerplate_fraction: float | None = None
    cross_doc: bool = False
    index: str | None = None
    report: Path | None = None
    report_mode: ReportMode = "drops"
    dry_run: bool = False
    resume: bool = False

    @property
    def report_lines(self) -> ReportMode | None:
        """The report's mode, ``None`` when there is no report."""
        return self.report_mode if self.report is not None else None

    @property
    def boilerplate(self) -> bool:
        """Whether site boilerplate removal is on."""
        return self.boilerplate_min_docs is not None or self.boilerplate_fraction is not None


def check_directories(in_dir: Path, out_dir: Path) -> None:
    """Raise ConfigError unless ``in_dir`` is a directory and ``out_dir`` lies outside it.

    Example:
        >>> check_directories(Path("."), Path("./out"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dedup.errors.ConfigError: OUT_DIR 'out' is inside IN_DIR '.': choose a directory ...
    """
    if not in_dir.is_dir():
        msg = f"IN_DIR {str(in_dir)!r} is not a directory"
        raise ConfigError(msg)
    source, target = in_dir.resolve(), out_dir.resolve()
    if source == target:
        msg = (
            f"OUT_DIR {str(out_dir)!r} is IN_DIR: "
            "choose another directory, inputs are never modified"
        )
        raise ConfigError(msg)
    if target.is_relative_to(source):
        msg = (
            f"OUT_DIR {str(out_dir)!r} is inside IN_DIR {str(in_dir)!r}: "
            "choose a directory outside the input"
        )
        raise ConfigError(msg)
    if source.is_relative_to(target):
        msg = (
            f"IN_DIR {str(in_dir)!r} is inside OUT_DIR {str(out_dir)!r}: "
            "outputs could overwrite inputs"
        )
        raise ConfigError(msg)


# ------------------------------------------------------------------ main side


def run_batch(
    options: BatchOptions, *, console: Console | None = None, progress: bool = False
) -> Summary:
    """Clean a corpus directory into a mirrored tree and return what was done.

    Args:
        options: What to do.
        console: Where progress goes (a stderr console by default).
        progress: Show a progress bar.

    Returns:
        The summary; ``summary.interrupted`` is true after Ctrl-C or SIGTERM,
        ``summary.failures`` lists the bad files.

    Raises:
        ConfigError: the directories or options are unusable.
        IndexFormatError: the index was written by an incompatible version.
    """
    check_directories(options.in_dir, options.out_dir)
    check_boilerplate_options(options.boilerplate_min_docs, options.boilerplate_fraction)
    check_report_mode(options.report_mode)
    console = console or Console(stderr=True)
    bar = progress_bar(console) if progress else None
    with counted_run(options.in_dir, options.out_dir, find_sources,
                     dry_run=options.dry_run) as (summary, sources):
        needs_index = options.cross_doc or options.boilerplate or options.index is not None
        index = open_index(options.index) if needs_index else None
        try:
            if index is not None:
                index.check(index_params(options.config))
            with bar or _NoProgress(), _collecting_less():
                _run(options, sources, index, summary, bar)
        finally:
            if index is not None:
                index.close()
    return summary


@contextmanager
def _collecting_less() -> Iterator[None]:
    """Collect garbage less often during a run, as workers do; restore the settings after."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _run(
    options: BatchOptions,
    sources: list[Source],
    index: Index | None,
    summary: Summary,
    bar: Progress | None,
) -> None:
    done = set()
    if options.resume and not options.dry_run:
        done = {s.relative for s in sources if output_path(options.out_dir, s).exists()}
    summary.files_skipped = len(done)
    if not (options.cross_doc or options.boilerplate):
        sources = [s for s in sources if s.relative not in done]  # nothing depends on them
    failed: dict[str, BadInput] = {}
    state = WorkerState(options.fields, options.config, options.cross_doc,
                        options.boilerplate and index is not None, options.report_lines)
    run = _Run(options, state, done, failed)
    if options.workers > 1:
        warm_up(options.config)
    with executor(options.workers, start_worker) as pool, closing(Spill()) as spill:
        boilerplate: dict[str, frozenset[int]] = {}
        analyses: Spill | None = None
        if state.boilerplate and index is not None:
            _count(run, pool, sources, index, spill, bar)
            boilerplate = _boilerplate_sets(options, index)
            analyses = spill
        pending = pending_index(index) if index is not None else None
        with ReportFile(options.report) as report:
            _clean(run, pool, sources, _Decider(run, pool, analyses, boilerplate, pending),
                   report, summary, bar)
    summary.failures = sorted(failed.values(), key=lambda e: (e.path, e.line or 0))


@dataclass(frozen=True, slots=True)
class _Run:
    """What both passes share: the options, the worker state, finished and failed files."""

    options: BatchOptions
    state: WorkerState
    done: set[str]
    failed: dict[str, BadInput]

    @property
    def window(self) -> int:
        """Chunks in flight: a few per worker; one when this process does the work."""
        workers = self.options.workers
        return workers * WINDOW_PER_WORKER if workers > 1 else 1


def _boilerplate_sets(options: BatchOptions, index: Index) -> dict[str, frozenset[int]]:
    sets = {}
    for site in index.sites():
        threshold = min_docs_for(
            index.site_docs(site), options.boilerplate_min_docs, options.boilerplate_fraction
        )
        if threshold is not None:
            sets[site] = frozenset(index.frequent(site, threshold))
    return sets

def _count(
    run: _Run,
    pool: Executor,
    sources: list[Source],
    index: Index,
    spill: Spill,
    bar: Progress | None,
) -> None:
    """Analyze every chunk, keep the analyses in ``spill``, count fingerprints per site."""
    task = _add_task(bar, "counting", sources)
    file_ids: list[str] = []
    file_counts: list[tuple[str, tuple[int, ...]]] = []  # (site, fingerprints), document order

    def analyze(chunk: Chunk) -> Future[Analyzed | BadInput]:
        return pool.submit(analyze_chunk, run.state, chunk)

    for item, result in ordered(_tasks(sources), analyze, _as_is, run.window):
        source = item.source
        if not isinstance(result, Analyzed) or source.relative in run.failed:
            if isinstance(result, BadInput):
                run.failed.setdefault(source.relative, result)
            file_ids, file_counts = [], []
            continue
        if not isinstance(item, Chunk):  # pragma: no cover - failures are BadInput
            continue
        spill.put(item, result.facts)
        for doc, site, prints in result.counts:
            file_ids.append(doc)
            file_counts.append((site, prints))
        _advance(bar, task, item, len(result.counts))
        if item.last:
            _add_file_counts(index, file_ids, file_counts)
            file_ids, file_counts = [], []


def _as_is(item: Item, result: Analyzed | BadInput) -> Future[Analyzed] | BadInput:
    return result if isinstance(result, BadInput) else completed(result)


def _add_file_counts(
    index: Index, ids: list[str], documents: list[tuple[str, tuple[int, ...]]]
) -> None:
    """Count the fingerprints of a file's documents that the index had not seen, per site."""
    counters: dict[str, Counter[int]] = {}
    added: Counter[str] = Counter()
    for new, (site, prints) in zip(index.add_docs(ids), documents, strict=True):
        if new:
            counters.setdefault(site, Counter()).update(prints)
            added[site] += 1
    for site, counter in counters.items():
        index.add_counts(site, counter, added[site])

class _Decider:
    """The main process's step between the stages: corpus decisions, then rendering.

    Takes each chunk's :class:`~dedup.corpus.tasks.Analyzed` (from a worker, or
    from the spill of the count pass) in corpus order, drops boilerplate and
    cross-document duplicates, and submits the chunk for rendering.
    """

    def __init__(
        self,
        run: _Run,
        pool: Executor,
        analyses: Spill | None,
        boilerplate: dict[str, frozenset[int]],
        index: PendingIndex | None,
    ) -> None:
        self.run = run
        self.pool = pool
        self.analyses = analyses
        self.boilerplate = boilerplate
        self.index = index

    def analyze(self, chunk: Chunk) -> Future[Analyzed | BadInput]:
        """Start (or, after the count pass, look up) the analysis of ``chunk``."""
        if self.analyses is None:
            return self.pool.submit(analyze_chunk, self.run.state, chunk)
        facts = self.analyses.take(chunk)
        return completed(facts if isinstance(facts, BadInput) else Analyzed((), facts))

    def decide(
        self, item: Item, result: Analyzed | BadInput
    ) -> Future[Rendered] | BadInput | None:
        """Decide a chunk's corpus drops and start rendering it (``None``: its file failed)."""
        source = item.source
        failed = self.run.failed
        if source.relative in failed:
            if isinstance(item, Chunk) and item.last and self.index is not None:
                self.index.discard()  # the file failed while rendering: forget its decisions
            return None
        if isinstance(result, BadInput):  # (always so for a ReadFailure)
            failed[source.relative] = result
            if self.index is not None:
                self.index.discard()
            return result
        if not isinstance(item, Chunk):  # pragma: no cover - see above
            return None
        facts: Facts = pickle.loads(result.facts)
        extra = self._corpus_drops(facts)
        if item.last and self.index is not None:
            self.index.flush()
        write = not self.run.options.dry_run and source.relative not in self.run.done
        return self.pool.submit(render_chunk, self.run.state,
                                RenderTask(item, facts.layouts, extra, write))

    def _corpus_drops(self, facts: Facts) -> list[dict[int, CorpusDrop]]:
        """Return each article's boilerplate and cross-document drops."""
        analyses = [(doc, apply_boilerplate(analysis, self.boilerplate.get(site, frozenset())))
                    for doc, site, analysis in facts.analyses()]
        if not self.run.options.cross_doc or self.index is None:
            return [analysis.drops for _, analysis in analyses]
        cross = decide_cross_doc(analyses, self.index, self.run.options.config)
        return [{**analysis.drops, **drops} if drops else analysis.drops
                for (_, analysis), drops in zip(analyses, cross, strict=True)]


def _clean(
    run: _Run,
    pool: Executor,
    sources: list[Source],
    decider: _Decider,
    report: ReportFile,
    summary: Summary,
    bar: Progress | None,
) -> None:
    """Decide and render every chunk of the files that did not fail, and write them."""
    todo = [s for s in sources if s.relative not in run.failed]
    task = _add_task(bar, "cleaning", todo)
    output: OutputFile | None = None
    lines: list[bytes] = []
    file_summary = Summary()
    try:
        for item, outcome in ordered(_tasks(todo), decider.analyze, decider.decide, run.window):
            source = item.source
            if isinstance(outcome, BadInput):
                if run.failed.setdefault(source.relative, outcome) is outcome:  # first failure
                    if output is not None:
                        output.discard()
                    output, lines, file_summary = None, [], Summary()
                    report.write_error(outcome)
                continue
            if outcome is None or source.relative in run.failed or not isinstance(item, Chunk):
                continue
            if output is None and outcome.data is not None:
                output = OutputFile(output_path(run.options.out_dir, source), source.format)
            _write(output, outcome.data)
            lines.append(outcome.report)
            file_summary.add(outcome.summary)
            _advance(bar, task, item, outcome.summary.articles)
            if item.last:
                if output is not None:
                    output.commit()
                    summary.files_written += 1
                report.write_lines(lines)
                summary.add(file_summary)
                output, lines, file_summary = None, [], Summary()
    finally:
        if output is not None:
            output.discard()


def _write(output: OutputFile | None, data: bytes | Deflated | None) -> None:
    if output is None or data is None:
        return
    if isinstance(data, Deflated):
        output.write_deflated(data)
    else:
        output.write_bytes(data)


def _tasks(sources: Iterable[Source]) -> Iterator[Chunk | ReadFailure]:
    for source in sources:
        try:
            yield from read_chunks(source)
        except BadInput as error:
            yield ReadFailure(source, error)


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        return None


def progress_bar(console: Console) -> Progress:
    """The progress bar of a batch run: articles, MB, rate and time left."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[articles]} articles"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _add_task(bar: Progress | None, description: str, sources: list[Source]) -> TaskID | None:
    if bar is None:
        return None
    return bar.add_task(description, total=sum(s.size for s in sources), articles=0,
                        done_bytes={})


def _advance(bar: Progress | None, task: TaskID | None, chunk: Chunk, articles: int) -> None:
    if bar is None or task is None:
        return
    state = bar.tasks[[t.id for t in bar.tasks].index(task)]
    done: dict[str, int] = state.fields["done_bytes"]
    step = chunk.consumed - done.get(chunk.source.relative, 0)
    done[chunk.source.relative] = chunk.consumed
    bar.update(task, advance=step, articles=state.fields["articles"] + articles)
