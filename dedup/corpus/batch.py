"""The two-pass corpus driver: IN_DIR -> (count) -> clean -> mirrored OUT_DIR.

1. Count (only with site boilerplate on): workers fingerprint every paragraph
   of every chunk of articles; the main process adds, per site, the number of
   documents holding each fingerprint to the index. A file's counts are added
   only once the whole file read well.
2. Clean: workers run the in-article and boilerplate stages on each chunk
   (:func:`dedup.corpus.decisions.analyze_article`); the main process takes the
   results in corpus order (input path, line), decides cross-document drops
   against the index, writes each output file atomically and the report.

Chunks have a fixed size, and every decision that depends on other documents
is made in the main process in corpus order, so the output is the same for
any number of workers. Input files are only read. A bad file is reported with
its path and line and is not written; the others go on. Index additions of a
file are held until the file is complete, so a bad file leaves no trace.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import orjson
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
from dedup.corpus.decisions import (
    REASONS,
    Analysis,
    CorpusDrop,
    analyze_article,
    decide_cross_doc,
    paragraph_decisions,
)
from dedup.corpus.fingerprints import fingerprints
from dedup.corpus.index import Index, PendingIndex, index_params, open_index
from dedup.corpus.readers import (
    Article,
    BadInput,
    Chunk,
    Fields,
    Source,
    find_sources,
    parse_chunk,
    read_chunks,
)
from dedup.corpus.writers import OutputFile, output_path, remove_partials
from dedup.errors import ConfigError
from dedup.keys import normalize_paragraphs
from dedup.paragraphs import render, split_paragraphs

__all__ = [
    "BatchOptions",
    "Summary",
    "check_directories",
    "default_workers",
    "progress_bar",
    "run_batch",
]

R = TypeVar("R")


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
    - ``report``: where to write one JSON line per article.
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
    dry_run: bool = False
    resume: bool = False

    @property
    def boilerplate(self) -> bool:
        """Whether site boilerplate removal is on."""
        return self.boilerplate_min_docs is not None or self.boilerplate_fraction is not None


@dataclass(slots=True)
class Summary:
    """What a run did: counts in and out, drops by reason, failures, time."""

    files: int = 0
    files_written: int = 0
    files_skipped: int = 0
    articles: int = 0
    paragraphs_in: int = 0
    paragraphs_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    failures: list[BadInput] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    def add(self, part: Summary) -> None:
        """Add the counts of ``part`` (a file's or a piece's) to this summary."""
        self.articles += part.articles
        self.paragraphs_in += part.paragraphs_in
        self.paragraphs_out += part.paragraphs_out
        self.bytes_in += part.bytes_in
        self.bytes_out += part.bytes_out
        for reason, count in part.dropped.items():
            self.dropped[reason] += count

    def line(self) -> str:
        """Return the one-line summary printed at the end of a run.

        Example:
            >>> Summary(files=1, articles=2, paragraphs_in=4, paragraphs_out=3).line()[:60]
            'dedup: 2 articles in 1 files (0 failed, 0 skipped); paragrap'
        """
        reasons = ", ".join(f"{k} {v}" for k, v in self.dropped.items() if v) or "none"
        return (
            f"dedup: {self.articles} articles in {self.files} files "
            f"({len(self.failures)} failed, {self.files_skipped} skipped); "
            f"paragraphs {self.paragraphs_in} -> {self.paragraphs_out}; "
            f"{self.bytes_in / 1e6:.1f} MB -> {self.bytes_out / 1e6:.1f} MB; "
            f"dropped: {reasons}; {self.seconds:.1f} s"
        )


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


# ---------------------------------------------------------------- worker side


@dataclass(frozen=True, slots=True)
class _WorkerState:
    fields: Fields
    config: Config
    boilerplate: dict[str, frozenset[int]]
    cross_doc: bool


_STATE: _WorkerState | None = None  # set once per worker process by _start_worker


def _start_worker(state: _WorkerState) -> None:
    global _STATE
    _STATE = state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _count_in_worker(chunk: Chunk) -> list[tuple[str, str, tuple[int, ...]]] | BadInput:
    if _STATE is None:  # pragma: no cover - the pool always runs _start_worker
        msg = "worker state missing"
        raise RuntimeError(msg)
    return _count_chunk(_STATE, chunk)


def _clean_in_worker(chunk: Chunk) -> list[_Cleaned] | BadInput:
    if _STATE is None:  # pragma: no cover
        msg = "worker state missing"
        raise RuntimeError(msg)
    return _clean_chunk(_STATE, chunk)


def _count_chunk(
    state: _WorkerState, chunk: Chunk
) -> list[tuple[str, str, tuple[int, ...]]] | BadInput:
    """Return each article's id, site and distinct fingerprints."""
    try:
        articles = parse_chunk(chunk, state.fields)
    except BadInput as error:
        return error
    counted = []
    for article in articles:
        keys = normalize_paragraphs(split_paragraphs(article.text, state.config.split))
        counted.append((article.id, article.site, tuple(sorted(set(fingerprints(keys))))))
    return counted


@dataclass(frozen=True, slots=True)
class _Cleaned:
    """One article as a worker returns it.

    Where it is from, its analysis, and its output bytes as written when no
    cross-document drop changes it.
    """

    path: str
    line: int
    id: str
    site: str
    analysis: Analysis
    output: bytes
    bytes_in: int
    bytes_out: int


def _clean_chunk(state: _WorkerState, chunk: Chunk) -> list[_Cleaned] | BadInput:
    try:
        articles = parse_chunk(chunk, state.fields)
    except BadInput as error:
        return error
    cleaned = []
    for article in articles:
        analysis = analyze_article(
            article.text,
            state.config,
            boilerplate=state.boilerplate.get(article.site, frozenset()),
            cross_doc=state.cross_doc,
        )
        text, output = _render(article, analysis, {}, state.fields)
        cleaned.append(_Cleaned(article.path, article.line, article.id, article.site, analysis,
                                output, _utf8_size(article.text), _utf8_size(text)))
    return cleaned


def _render(
    article: Article, analysis: Analysis, extra: dict[int, CorpusDrop], fields: Fields
) -> tuple[str, bytes]:
    """Return the cleaned text and the bytes written for it (a text file or a JSON line)."""
    drops = analysis.drops if not extra else {**analysis.drops, **extra}
    if drops:
        paragraphs = analysis.paragraphs(article.text)
        text = render(article.text, paragraphs, [p.index not in drops for p in paragraphs])
    else:
        text = article.text
    if article.record is None:
        return text, text.encode("utf-8", "surrogatepass")
    record = dict(article.record)
    record[fields.text] = text
    return text, orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


# ------------------------------------------------------------------ main side


@dataclass(frozen=True, slots=True)
class _ReadFailure:
    source: Source
    error: BadInput


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
    started = time.perf_counter()
    summary = Summary()
    sources = find_sources(options.in_dir)
    summary.files = len(sources)
    if not options.dry_run:
        remove_partials(options.out_dir)
    needs_index = options.cross_doc or options.boilerplate or options.index is not None
    index = open_index(options.index) if needs_index else None
    console = console or Console(stderr=True)
    bar = progress_bar(console) if progress else None
    try:
        if index is not None:
            index.check(index_params(options.config))
        with bar or _NoProgress():
            _run(options, sources, index, summary, bar)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if index is not None:
            index.close()
    summary.seconds = time.perf_counter() - started
    return summary


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
    boilerplate: dict[str, frozenset[int]] = {}
    if options.boilerplate and index is not None:
        _count(options, sources, index, failed, bar)
        boilerplate = _boilerplate_sets(options, index)
    state = _WorkerState(options.fields, options.config, boilerplate, options.cross_doc)
    pending = PendingIndex(index) if index is not None else None
    with _ReportFile(options.report) as report:
        _clean(options, sources, state, pending, done, failed, report, summary, bar)
    summary.failures = sorted(failed.values(), key=lambda e: (e.path, e.line or 0))


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
    options: BatchOptions,
    sources: list[Source],
    index: Index,
    failed: dict[str, BadInput],
    bar: Progress | None,
) -> None:
    state = _WorkerState(options.fields, options.config, {}, cross_doc=False)
    task = _add_task(bar, "counting", sources)
    file_ids: list[str] = []
    file_counts: list[tuple[str, tuple[int, ...]]] = []  # (site, fingerprints), document order
    for item, result in _ordered(_tasks(sources), state, _count_chunk, _count_in_worker,
                                 options.workers):
        source = item.source
        if isinstance(result, BadInput) or source.relative in failed:
            if isinstance(result, BadInput):
                failed.setdefault(source.relative, result)
            file_ids, file_counts = [], []
            continue
        for doc, site, prints in result:
            file_ids.append(doc)
            file_counts.append((site, prints))
        if isinstance(item, Chunk):
            _advance(bar, task, item, len(result))
            if item.last:
                _add_file_counts(index, file_ids, file_counts)
                file_ids, file_counts = [], []


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


def _clean(
    options: BatchOptions,
    sources: list[Source],
    state: _WorkerState,
    index: PendingIndex | None,
    done: set[str],
    failed: dict[str, BadInput],
    report: _ReportFile,
    summary: Summary,
    bar: Progress | None,
) -> None:
    todo = [s for s in sources if s.relative not in failed]
    task = _add_task(bar, "cleaning", todo)
    output: OutputFile | None = None
    lines: list[bytes] = []
    file_summary = Summary()
    try:
        for item, result in _ordered(_tasks(todo), state, _clean_chunk, _clean_in_worker,
                                     options.workers):
            source = item.source
            if source.relative in failed:
                continue
            if isinstance(result, BadInput):
                failed[source.relative] = result
                if output is not None:
                    output.discard()
                output, lines, file_summary = None, [], Summary()
                if index is not None:
                    index.discard()
                report.write_error(result)
                continue
            if not isinstance(item, Chunk):  # pragma: no cover - failures are BadInput
                continue
            write = not options.dry_run and source.relative not in done
            if output is None and write:
                output = OutputFile(output_path(options.out_dir, source), source.format)
            _write_chunk(options, item, result, index, output, lines, file_summary)
            _advance(bar, task, item, len(result))
            if item.last:
                if output is not None:
                    output.commit()
                    summary.files_written += 1
                if index is not None:
                    index.flush()
                report.write_lines(lines)
                summary.add(file_summary)
                output, lines, file_summary = None, [], Summary()
    finally:
        if output is not None:
            output.discard()


def _write_chunk(
    options: BatchOptions,
    chunk: Chunk,
    results: list[_Cleaned],
    index: Index | None,
    output: OutputFile | None,
    lines: list[bytes],
    summary: Summary,
) -> None:
    cross: list[dict[int, CorpusDrop]]
    if options.cross_doc and index is not None:
        cross = decide_cross_doc([(c.id, c.analysis) for c in results], index, options.config)
    else:
        cross = [{} for _ in results]
    for done, extra in zip(results, cross, strict=True):
        data, bytes_out = done.output, done.bytes_out
        article = None
        if extra or options.report is not None:  # the worker's output needs redoing
            article = _reread(chunk, done, options.fields)
        if extra and article is not None:
            text, data = _render(article, done.analysis, extra, options.fields)
            bytes_out = _utf8_size(text)
        if output is not None:
            output.write_bytes(data)
        drops = {**done.analysis.drops, **extra}
        count = len(done.analysis.spans)
        summary.articles += 1
        summary.paragraphs_in += count
        summary.paragraphs_out += count - len(drops)
        summary.bytes_in += done.bytes_in
        summary.bytes_out += bytes_out
        for drop in drops.values():
            summary.dropped[drop.reason.value] += 1
        if article is not None and options.report is not None:
            counts = {"paragraphs": count, "kept": count - len(drops), "dropped": len(drops)}
            for reason in REASONS:
                counts[reason] = sum(d.reason.value == reason for d in drops.values())
            lines.append(orjson.dumps(
                {"path": done.path, "line": done.line, "id": done.id, "site": done.site,
                 "counts": counts,
                 "paragraphs": paragraph_decisions(done.analysis.paragraphs(article.text),
                                                   drops)},
                option=orjson.OPT_APPEND_NEWLINE,
            ))


def _reread(chunk: Chunk, done: _Cleaned, fields: Fields) -> Article:
    """Decode one article of a chunk again (it decoded well in the worker)."""
    for article in parse_chunk(_one_line(chunk, done.line), fields):
        return article
    msg = f"{done.path}:{done.line} vanished"  # pragma: no cover - the worker parsed it
    raise RuntimeError(msg)


def _one_line(chunk: Chunk, line: int) -> Chunk:
    if chunk.source.format == "text":
        return chunk
    return Chunk(chunk.source, chunk.number, line, (chunk.lines[line - chunk.first_line],),
                 chunk.consumed, chunk.last)


def _tasks(sources: Iterable[Source]) -> Iterator[Chunk | _ReadFailure]:
    for source in sources:
        try:
            yield from read_chunks(source)
        except BadInput as error:
            yield _ReadFailure(source, error)


def _ordered(
    items: Iterator[Chunk | _ReadFailure],
    state: _WorkerState,
    run_here: Callable[[_WorkerState, Chunk], R],
    run_in_worker: Callable[[Chunk], R],
    workers: int,
) -> Iterator[tuple[Chunk | _ReadFailure, R | BadInput]]:
    """Yield every item with its result, in item order, computing up to a window ahead."""
    settle: Callable[[Chunk | _ReadFailure, Future[R] | None], R | BadInput] = _settle
    if workers <= 1:
        for item in items:
            yield item, item.error if isinstance(item, _ReadFailure) else run_here(state, item)
        return
    window = workers * 4
    queue: deque[tuple[Chunk | _ReadFailure, Future[R] | None]] = deque()
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(state,))
    try:
        for item in items:
            future = None if isinstance(item, _ReadFailure) else pool.submit(run_in_worker, item)
            queue.append((item, future))
            while len(queue) >= window:
                done, running = queue.popleft()
                yield done, settle(done, running)
        while queue:
            done, running = queue.popleft()
            yield done, settle(done, running)
    except BaseException:
        # Ctrl-C or SIGTERM: drop the queued chunks; the workers (which ignore
        # SIGINT) finish the chunk at hand and exit.
        for _, future in queue:
            if future is not None:
                future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


def _settle(item: Chunk | _ReadFailure, future: Future[R] | None) -> R | BadInput:
    """Return the item's result, or the BadInput that explains why there is none."""
    if isinstance(item, _ReadFailure):
        return item.error
    if future is None:  # pragma: no cover - only read failures have no future
        return BadInput(item.source.relative, None, "not processed")
    try:
        return future.result()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as error:  # a worker crashed on this chunk: report it, go on
        line = item.first_line if item.source.format != "text" else None
        return BadInput(item.source.relative, line, f"cannot clean: {error!r}")


class _ReportFile:
    """The ``--report`` file, written to a temporary name and renamed at the end."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._output: OutputFile | None = None

    def __enter__(self) -> _ReportFile:
        if self.path is not None:
            self._output = OutputFile(self.path, "jsonl")
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self._output is not None:
            self._output.commit()  # a partial report of an interrupted run is still useful

    def write_lines(self, lines: list[bytes]) -> None:
        if self._output is not None:
            for line in lines:
                self._output.write_bytes(line)

    def write_error(self, error: BadInput) -> None:
        if self._output is not None:
            self._output.write_record({"path": error.path, "line": error.line,
                                       "error": error.message})


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
