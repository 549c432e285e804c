"""The two-pass corpus driver: IN_DIR -> (analyze and count) -> decide and render -> OUT_DIR.

Workers analyze each chunk of articles (:func:`dedup.corpus.tasks.analyze_chunk`);
the main process takes the results in corpus order (input path, line) and
makes every decision that depends on other documents
(:func:`dedup.corpus.crossdoc.decide_rows` for cross-document duplicates);
the worker that analyzed a chunk (or, after the count pass, dropped its
boilerplate) then renders it with those decisions, from what it kept
(:func:`dedup.corpus.tasks.render_chunk`: output bytes, compressed for gzip,
report lines, counts), and the main process
writes each output file atomically and the report. :mod:`dedup.corpus.ordered`
runs the two worker stages around the main process's decisions. Before it
forks the workers, the main process builds what the analysis builds on first
use (:func:`dedup.corpus.tasks.warm_up`), and during a run every process
collects garbage less often (:mod:`dedup.corpus.collector`). The run starts
as both engines start (:mod:`dedup.corpus.run`: refusals, the run record,
resume), shows its progress with :mod:`dedup.corpus.progress` and writes its
report with :mod:`dedup.corpus.report_file`; its options are one
:class:`~dedup.corpus.options.RunOptions`.

1. Count (only with site boilerplate on): the main process adds, per site, the
   number of documents holding each paragraph fingerprint to the index. A
   file's counts are added only once the whole file read well. The analyses
   wait in a temporary file (:mod:`dedup.corpus.spill`) for the next pass.
2. Clean: every worker gets the sites' counts once; a worker takes each
   chunk's spilled analysis and drops the site's boilerplate paragraphs
   (:func:`dedup.corpus.tasks.drop_boilerplate`), the main process decides
   cross-document drops against the index for the rest, and the same worker
   renders the chunk.

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

import pickle
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, replace

from rich.console import Console
from rich.progress import TaskID

from dedup.corpus.boilerplate import SiteCounts, site_counts
from dedup.corpus.collector import collecting_less
from dedup.corpus.crossdoc import decide_rows
from dedup.corpus.decisions import CorpusDrop
from dedup.corpus.index import Index, PendingIndex, index_params, open_index, pending_index
from dedup.corpus.options import BatchOptions, RunOptions
from dedup.corpus.ordered import Item, Lanes, ReadFailure, completed, executor, ordered
from dedup.corpus.progress import RunProgress, progress_bar
from dedup.corpus.readers import BadInput, Chunk, Source, find_sources, read_chunks
from dedup.corpus.report_file import ReportFile
from dedup.corpus.run import check_directories, interrupted, start_run
from dedup.corpus.spill import Spill
from dedup.corpus.summary import Summary
from dedup.corpus.tasks import (
    Analyzed,
    Facts,
    Rendered,
    RenderTask,
    WorkerState,
    analyze_chunk,
    chunk_key,
    drop_boilerplate,
    forget_run,
    install_boilerplate,
    render_chunk,
    start_worker,
    warm_up,
)
from dedup.corpus.writers import Deflated, OutputFile, output_path
from dedup.errors import WorkerLost

__all__ = [
    "BatchOptions",
    "RunOptions",
    "Summary",
    "check_directories",
    "progress_bar",
    "run_batch",
    "start_run",
]

WINDOW_PER_WORKER = 4  # chunks in flight per worker


# ------------------------------------------------------------------ main side


def run_batch(
    options: RunOptions, *, console: Console | None = None, progress: bool = False
) -> Summary:
    """Clean a corpus directory into a mirrored tree and return what was done.

    Args:
        options: What to do.
        console: Where progress goes (a stderr console by default).
        progress: Show a progress bar.

    Returns:
        The summary; ``summary.interrupted`` is true after Ctrl-C or SIGTERM,
        ``summary.failures`` lists the bad files, ``summary.ignored`` the
        files not read.

    Raises:
        ConfigError: the directories or options are unusable.
        OutputError: OUT_DIR or the report cannot be written.
        ResumeError: ``resume`` into an OUT_DIR written with other options.
        IndexFormatError: the index was written by an incompatible version.
        WorkerLost: a worker process died (its partial outputs are removed).
    """
    start = start_run(options, find_sources)
    needs_index = options.across_documents or options.index is not None
    index = open_index(options.index) if needs_index else None
    summary = start.summary
    try:
        if index is not None:
            index.check(index_params(options.config))
        with ReportFile(options.report) as report, \
                RunProgress(console, show=progress) as shown, collecting_less():
            state = WorkerState(options.corpus, report=options.report_lines)
            run = _Run(options, state, start.done, {}, shown, summary)
            _run(run, start.sources, index, report)
    except KeyboardInterrupt:
        interrupted(options, summary)
    except BrokenProcessPool as error:
        interrupted(options, summary)
        msg = ("a worker process died (killed by a signal, or out of memory?); the files "
               "finished before are complete: run again with --resume")
        raise WorkerLost(msg) from error
    finally:
        if index is not None:
            index.close()
    summary.seconds = time.perf_counter() - start.started
    return summary


def _run(run: _Run, sources: list[Source], index: Index | None, report: ReportFile) -> None:
    options = run.options
    if options.workers > 1:
        warm_up(options.config)
    with executor(options.workers, start_worker) as pool, closing(Spill()) as spill:
        analyses: Spill | None = None
        try:
            if run.state.boilerplate and index is not None:
                _count(run, pool, sources, index, spill)
                _install(pool, _boilerplate_sets(options, index))
                analyses = spill
            pending = pending_index(index) if index is not None else None
            _clean(run, pool, sources, _Decider(run, pool, analyses, pending), report)
        finally:
            forget_run()  # what the serial executor kept in this process
    run.summary.failures = sorted(run.failed.values(), key=lambda e: (e.path, e.line or 0))


@dataclass(frozen=True, slots=True)
class _Run:
    """What both passes share: options, worker state, kept and failed files, display, summary."""

    options: RunOptions
    state: WorkerState
    done: set[str]
    failed: dict[str, BadInput]
    progress: RunProgress
    summary: Summary

    @property
    def window(self) -> int:
        """Chunks in flight: a few per worker; one when this process does the work."""
        workers = self.options.workers
        return workers * WINDOW_PER_WORKER if workers > 1 else 1


def _boilerplate_sets(options: RunOptions, index: Index) -> dict[str, SiteCounts]:
    """Return each site's counts of the fingerprints in 2+ of its documents, and threshold."""
    sets = {}
    for site in index.sites():
        found = site_counts(index.counts(site, index.frequent(site, 2)), index.site_docs(site),
                            options.boilerplate_min_docs, options.boilerplate_fraction)
        if found is not None:
            sets[site] = found
    return sets


def _install(pool: Lanes, sets: dict[str, SiteCounts]) -> None:
    """Give every worker the sites' counts, once, before the clean pass."""
    data = pickle.dumps(sets, pickle.HIGHEST_PROTOCOL)
    for done in [pool.lane(n).submit(install_boilerplate, data) for n in range(len(pool))]:
        done.result()


def _count(
    run: _Run,
    pool: Lanes,
    sources: list[Source],
    index: Index,
    spill: Spill,
) -> None:
    """Analyze every chunk, keep the analyses in ``spill``, count fingerprints per site."""
    task = run.progress.task("counting", sources)
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
        _advance(run, task, item, len(result.counts))
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

    Each chunk gets a lane (:class:`~dedup.corpus.ordered.Lanes`), whose worker
    analyzes it (one pass) or, after the count pass, takes its spilled analysis
    and drops its site boilerplate (:func:`~dedup.corpus.tasks.drop_boilerplate`);
    either way the worker keeps the chunk. This process takes each chunk's
    candidates (:class:`~dedup.corpus.tasks.Analyzed`) in corpus order,
    decides its cross-document drops, and has the same worker render it.
    """

    def __init__(
        self,
        run: _Run,
        pool: Lanes,
        analyses: Spill | None,
        index: PendingIndex | None,
    ) -> None:
        self.run = run
        self.pool = pool
        self.analyses = analyses
        self.index = index
        self.lanes: dict[tuple[str, int], int] = {}  # the lane of each chunk held there

    def analyze(self, chunk: Chunk) -> Future[Analyzed | BadInput]:
        """Start the analysis of ``chunk`` (after the count pass: its boilerplate) on a lane."""
        spilled = None if self.analyses is None else self.analyses.take(chunk)
        if isinstance(spilled, BadInput):
            return completed(spilled)
        lane = self.pool.next_lane()
        self.lanes[chunk_key(chunk)] = lane
        if spilled is None:
            return self.pool.lane(lane).submit(analyze_chunk, self.run.state, chunk, True)
        return self.pool.lane(lane).submit(drop_boilerplate, self.run.state, chunk, spilled)

    def decide(
        self, item: Item, result: Analyzed | BadInput
    ) -> Future[Rendered] | BadInput | None:
        """Decide a chunk's corpus drops and start rendering it (``None``: its file failed)."""
        source = item.source
        failed = self.run.failed
        lane = self.lanes.pop(chunk_key(item), None) if isinstance(item, Chunk) else None
        if source.relative in failed:
            if isinstance(item, Chunk) and item.last and self.index is not None:
                self.index.discard()  # the file failed while rendering: forget its decisions
            return None
        if isinstance(result, BadInput):  # (always so for a ReadFailure)
            failed[source.relative] = result
            if self.index is not None:
                self.index.discard()
            return result
        if not isinstance(item, Chunk) or lane is None:  # pragma: no cover - see above
            return None
        facts: Facts = pickle.loads(result.facts)
        extra = self._cross_doc_drops(facts)
        if item.last and self.index is not None:
            self.index.flush()
        write = not self.run.options.dry_run and source.relative not in self.run.done
        # the worker holds the chunk: name it, without its lines
        return self.pool.lane(lane).submit(render_chunk, self.run.state,
                                           RenderTask(replace(item, lines=()), extra, write))

    def _cross_doc_drops(self, facts: Facts) -> list[dict[int, CorpusDrop]]:
        """Return each article's cross-document drops (the worker adds its boilerplate)."""
        if not self.run.options.cross_doc or self.index is None:
            return [{} for _ in facts.rows.docs]
        return decide_rows(facts.rows, self.index, self.run.options.config)


def _clean(
    run: _Run,
    pool: Lanes,
    sources: list[Source],
    decider: _Decider,
    report: ReportFile,
) -> None:
    """Decide and render every chunk of the files that did not fail, and write them."""
    todo = [s for s in sources if s.relative not in run.failed]
    task = run.progress.task("cleaning", todo)
    summary = run.summary
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
            _advance(run, task, item, outcome.summary.articles)
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


def _advance(run: _Run, task: TaskID | None, chunk: Chunk, articles: int) -> None:
    run.progress.advance(task, chunk.source.relative, chunk.consumed, articles=articles)
