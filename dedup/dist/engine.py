"""``clean_dataset``: the corpus modes of ``dedup batch`` as Ray Data stages.

IN_DIR -> pieces -> [count -> first documents -> frequent] -> analyze ->
[keys -> edges -> components -> replay] -> render -> mirrored OUT_DIR.

1. The driver lists the sources and reads them into pieces (the local
   engine's chunks, plus Parquet slices of ``CHUNK_LINES`` rows), numbered in
   corpus order, each put in the object store as one block of a Ray dataset.
2. Site boilerplate (optional): ``map_batches`` fingerprints every paragraph
   (exact and shape);
   a partition on document id keeps each id's first document (the local index
   counts a document once); a partition on site counts documents per
   fingerprint and applies :func:`dedup.corpus.boilerplate.min_docs_for`.
3. ``map_batches`` runs :func:`dedup.corpus.decisions.analyze_article` on
   every article (in-article and boilerplate drops, candidates' fingerprints
   and band keys), and the result is kept in the object store.
4. Cross-document duplicates (optional): every candidate emits its
   fingerprint and band keys; a hash partition on ``(slot, key)`` and NumPy
   grouping inside each partition give star edges between paragraphs that
   share a key; connected components run with SciPy in one Ray task when the
   edges fit (``max_task_edges``), else as large-star / small-star Ray tasks;
   the labels are grouped by piece and travel beside each piece's analysis
   (``Dataset.zip``), which sends each component's candidates to one
   partition, where the local engine's sequential rule runs on them in corpus
   order (:func:`dedup.dist.replay.replay`); the drops are grouped by piece
   the same way. Edges, labels and drops never reach the driver.
5. ``map_batches`` renders each piece as the local engine's writer does (in
   the same step as 3 when cross-document duplicates are off); the driver
   writes the files (atomically, in corpus order), the report and the summary.

A file with a bad piece is reported and not written, and counts for nothing,
as in the local engine. The output does not depend on the number of workers
or partitions.
"""

from __future__ import annotations

import heapq
import logging
import pickle
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import ray
import ray.data
from rich.console import Console

from dedup.corpus.boilerplate import SiteCounts
from dedup.corpus.index import MAX_KEYS
from dedup.corpus.options import RunOptions
from dedup.corpus.progress import RunProgress
from dedup.corpus.readers import BadInput, Source
from dedup.corpus.report_file import ReportFile
from dedup.corpus.run import Start, interrupted, start_run
from dedup.corpus.summary import Summary
from dedup.corpus.writers import OutputFile, output_path
from dedup.dist import cross_doc, stages
from dedup.dist.components import label_tables
from dedup.dist.grouping import PIECE_SHIFT
from dedup.dist.pieces import PARQUET, ParquetOutput, find_all_sources, read_pieces
from dedup.dist.session import cluster_cpus, ray_session
from dedup.errors import ConfigError
from dedup.redact import redact

__all__ = ["MAX_TASK_EDGES", "clean_dataset"]

logger = logging.getLogger(__name__)
Flags = npt.NDArray[np.bool_]

MAX_TASK_EDGES = 20_000_000
"""Edges up to which connected components run with SciPy in one Ray task (about 40 bytes per
edge in that worker); above, large-star / small-star Ray tasks."""


@dataclass(frozen=True, slots=True)
class _PieceInfo:
    source: int
    consumed: int
    last: bool


@dataclass(slots=True)
class _Plan:
    """What the driver knows about the corpus once it is read."""

    sources: list[Source]
    pieces: list[_PieceInfo]
    source_of: np.ndarray[Any, np.dtype[np.int64]]
    read_failed: dict[int, BadInput]
    failed: dict[int, BadInput]
    silent: set[int]  # failed in the count pass: no report line, as in the local engine
    schemas: dict[int, Any]
    dataset: Any


def clean_dataset(
    options: RunOptions,
    *,
    address: str | None = None,
    partitions: int | None = None,
    max_task_edges: int = MAX_TASK_EDGES,
    console: Console | None = None,
    progress: bool = False,
) -> Summary:
    """Clean a corpus directory on Ray into a mirrored tree, exactly as ``run_batch`` does.

    Connects to the Ray cluster at ``address`` (``"auto"``, ``ray://host:port``,
    or ``None``: a running one, else a new local one with ``options.workers``
    CPUs) unless Ray is already initialized, and shuts down what it started.

    Args:
        options: What to do; the same as for the local engine. A persistent
            ``index`` is not supported.
        address: The Ray cluster.
        partitions: Hash partitions of the grouping steps (default: twice the
            cluster's CPUs); results do not depend on it.
        max_task_edges: Above this many candidate edges, connected components
            run as Ray tasks instead of SciPy on the driver.
        console: Where progress goes (a stderr console by default).
        progress: Show a progress bar.

    Returns:
        The same summary as :func:`dedup.corpus.batch.run_batch`.

    Raises:
        ConfigError: the directories or options are unusable.
    """
    if options.index is not None:
        msg = (
            f"index={redact(repr(options.index))}: the Ray engine keeps no persistent index; "
            "drop --index, or use the local engine to read and update one"
        )
        raise ConfigError(msg)
    start = start_run(options, find_all_sources)
    summary = start.summary
    try:
        with ray_session(address, options.workers):
            parts = partitions or max(2, 2 * cluster_cpus())
            with ReportFile(options.report) as report, \
                    RunProgress(console, show=progress) as shown:
                _run(options, start, parts, max_task_edges, shown, report)
    except KeyboardInterrupt:
        interrupted(options, summary)
    summary.seconds = time.perf_counter() - start.started
    return summary


def _udf(function: Callable[..., pa.Table]) -> Any:  # noqa: ANN401
    """Return a batch function as Ray's map functions accept it (their types miss keywords)."""
    return function


def _run(options: RunOptions, start: Start, partitions: int, max_task_edges: int,
         bar: RunProgress, report: ReportFile) -> None:
    sources, summary, done = start.sources, start.summary, start.done
    _stage(bar, "reading")
    plan = _read(sources)
    boilerplate: dict[str, SiteCounts] = {}
    if options.boilerplate:
        _stage(bar, "counting")
        boilerplate = _count(options, plan, partitions)
    if plan.dataset is None:  # no pieces at all: every source failed to read
        plan.failed.update(plan.read_failed)
        if options.boilerplate:
            plan.silent = set(plan.failed)
        _write(options, plan, np.zeros(0, dtype=bool), iter(()), done, summary, bar, report)
        summary.failures = sorted(plan.failed.values(), key=lambda e: (e.path, e.line or 0))
        return
    _stage(bar, "cleaning")
    if not options.cross_doc:  # nothing waits for other documents: clean and render at once
        cleaned = plan.dataset.map_batches(
            _udf(stages.clean_rows), batch_format="numpy", batch_size=1,
            fn_kwargs={"fields": options.fields, "config": options.config,
                       "boilerplate": boilerplate, "options": options},
        ).materialize()
        good = _good(plan, _errors(cleaned, "piece", "error", flag="failed"))
        _stage(bar, "writing")
        _write(options, plan, good, _in_order(cleaned.iter_rows(), good), done, summary, bar,
               report)
        summary.failures = sorted(plan.failed.values(), key=lambda e: (e.path, e.line or 0))
        return
    analyzed = plan.dataset.map_batches(
        _udf(stages.analyze_rows), batch_format="numpy", batch_size=1,
        fn_kwargs={"fields": options.fields, "config": options.config,
                   "boilerplate": boilerplate, "cross_doc": options.cross_doc},
    ).materialize()
    good = _good(plan, _errors(analyzed, "piece", "result", flag="failed"))
    _stage(bar, "cross-document")
    drops = _cross_doc(options, analyzed, good, partitions, max_task_edges)
    _stage(bar, "writing")
    rendered = (analyzed if drops is None else analyzed.zip(drops)).map_batches(
        _udf(stages.render_rows), batch_format="numpy", batch_size=1,
        fn_kwargs={"bad": _bad_ranges(good), "options": options},
    )
    _write(options, plan, good, _in_order(rendered.iter_rows(), good), done, summary, bar,
           report)
    summary.failures = sorted(plan.failed.values(), key=lambda e: (e.path, e.line or 0))


def _good(plan: _Plan, errors: list[tuple[int, BadInput]]) -> Flags:
    """Record the failed files (a bad piece first, then a read error); flag good pieces."""
    for piece, error in errors:
        plan.failed.setdefault(int(plan.source_of[piece]), error)
    for source, error in plan.read_failed.items():
        plan.failed.setdefault(source, error)
    return np.array([int(s) not in plan.failed for s in plan.source_of], dtype=bool)


def _bad_ranges(good: Flags) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Return the runs of pieces that are not good, as sorted ``[start, stop)`` rows."""
    steps = np.diff(np.concatenate(([0], (~good).astype(np.int8), [0])))
    starts, stops = np.flatnonzero(steps == 1), np.flatnonzero(steps == -1)
    return np.stack([starts, stops], axis=1).astype(np.int64).reshape(-1, 2)


def _read(sources: list[Source]) -> _Plan:
    """Read every source into pieces, each put in the object store as it is read.

    The driver keeps only references and per-piece bookkeeping, never the
    whole corpus; every piece is one block, so tasks are as fine as the pieces.
    """
    blocks: list[Any] = []
    pieces: list[_PieceInfo] = []
    failed: dict[int, BadInput] = {}
    schemas: dict[int, Any] = {}
    for number, source in enumerate(sources):
        try:
            for chunk in read_pieces(source):
                if source.format == PARQUET:
                    schemas.setdefault(number, chunk.table.schema)  # type: ignore[union-attr]
                payload = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
                block = pa.table({"piece": pa.array([len(pieces)], pa.int64()),
                                  "payload": pa.array([payload], pa.binary())})
                blocks.append(ray.put(block))
                pieces.append(_PieceInfo(number, chunk.consumed, chunk.last))
        except BadInput as error:
            failed[number] = error
    dataset = ray.data.from_arrow_refs(blocks) if blocks else None
    source_of = np.array([p.source for p in pieces], dtype=np.int64)
    return _Plan(sources, pieces, source_of, failed, {}, set(), schemas, dataset)


def _errors(dataset: ray.data.Dataset, order: str, column: str, *, flag: str | None = None
            ) -> list[tuple[int, BadInput]]:
    """Return ``(order, error)`` for the failed rows (``flag`` set, else a non-empty column)."""
    failed = dataset.map_batches(_udf(_failed_rows), batch_format="pyarrow",
                                 fn_kwargs={"order": order, "column": column, "flag": flag})
    found = []
    for batch in failed.iter_batches(batch_format="numpy"):
        for number, value in zip(batch[order], batch[column], strict=True):
            found.append((int(number), pickle.loads(bytes(value))))
    return sorted(found, key=lambda pair: pair[0])


def _failed_rows(table: pa.Table, *, order: str, column: str, flag: str | None) -> pa.Table:
    import pyarrow.compute as pc

    mask = table[flag] if flag is not None else pc.greater(pc.binary_length(table[column]), 0)
    return table.select([order, column]).filter(mask)


def _count(options: RunOptions, plan: _Plan, partitions: int) -> dict[str, SiteCounts]:
    if plan.dataset is None:
        return {}
    rows = plan.dataset.map_batches(
        _udf(stages.count_rows), batch_format="numpy", batch_size=1,
        fn_kwargs={"fields": options.fields, "config": options.config, "partitions": partitions},
    ).materialize()
    for order, error in _errors(rows, "order", "error"):
        plan.failed.setdefault(int(plan.source_of[order >> PIECE_SHIFT]), error)
    for source, error in plan.read_failed.items():  # a bad line comes before a read error
        plan.failed.setdefault(source, error)
    plan.silent = set(plan.failed)  # failed in the count pass: not cleaned, not reported
    frequent = (
        rows.groupby("part", num_partitions=partitions)
        .map_groups(_udf(stages.first_documents), batch_format="numpy",
                    fn_kwargs={"failed": frozenset(plan.failed), "sources": plan.source_of,
                               "partitions": partitions})
        .groupby("part", num_partitions=partitions)
        .map_groups(_udf(stages.frequent_rows), batch_format="numpy",
                    fn_kwargs={"min_docs": options.boilerplate_min_docs,
                               "fraction": options.boilerplate_fraction})
    )
    counts: dict[str, dict[int, int]] = {}
    thresholds: dict[str, int] = {}
    for batch in frequent.iter_batches(batch_format="numpy"):
        for site, fp, count, threshold in zip(batch["site"], batch["fp"], batch["count"],
                                              batch["threshold"], strict=True):
            counts.setdefault(str(site), {})[int(fp)] = int(count)
            thresholds[str(site)] = int(threshold)
    return {site: SiteCounts(found, thresholds[site]) for site, found in counts.items()}


def _cross_doc(options: RunOptions, analyzed: ray.data.Dataset, good: Flags, partitions: int,
               max_task_edges: int) -> ray.data.Dataset | None:
    """Return each piece's cross-document drops as a side row per piece (None: no edges).

    Edges, labels and drops stay in the object store: the driver holds object
    references and counts, never a list sized by the graph.
    """
    edges = (
        analyzed.map_batches(_udf(cross_doc.key_rows), batch_format="numpy", batch_size=1,
                             fn_kwargs={"bad": _bad_ranges(good), "partitions": partitions})
        .groupby("part", num_partitions=partitions)
        .map_groups(_udf(cross_doc.edge_rows), batch_format="numpy")
        .materialize()
    )
    count = edges.count()
    if count == 0:
        return None
    if count > max_task_edges:
        logger.info("%d candidate edges: connected components on Ray tasks", count)
    tables = label_tables(edges.to_arrow_refs(), partitions, max_task_edges, count)
    labels = ray.data.from_arrow_refs(tables).map_batches(
        _udf(cross_doc.label_rows), batch_format="numpy", batch_size=None)
    pieces = len(good)
    drops = _per_piece(
        analyzed.zip(_per_piece(labels, pieces, partitions))
        .map_batches(_udf(cross_doc.component_rows), batch_format="numpy", batch_size=1,
                     fn_kwargs={"bad": _bad_ranges(good), "partitions": partitions})
        .groupby("part", num_partitions=partitions)
        .map_groups(_udf(cross_doc.replay_rows), batch_format="numpy",
                    fn_kwargs={"config": options.config}),
        pieces, partitions)
    total: Any = drops.sum("kept")
    kept = int(total or 0)
    if kept > MAX_KEYS:
        logger.warning(
            "%d cross-document paragraphs kept in components: beyond the local index's text "
            "store (%d), the local engine would forget the oldest and may keep more",
            kept, MAX_KEYS)
    return drops


def _per_piece(rows: ray.data.Dataset, pieces: int, partitions: int) -> ray.data.Dataset:
    """Return one side row per piece number ``0 .. pieces - 1``, in order (rows: side rows).

    Every piece gets a row (empty if ``rows`` has none for it), so the result
    zips with the analyses row for row; the pieces' order is checked where the
    two meet (``stages._with_side``).
    """
    stubs = ray.data.range(pieces).map_batches(_udf(cross_doc.stub_rows), batch_format="numpy")
    grouped: ray.data.Dataset = (
        rows.union(stubs)
        .groupby("at", num_partitions=partitions)
        .map_groups(_udf(cross_doc.merge_side), batch_format="numpy")
        .materialize()
    )
    return grouped


def _in_order(rows: Iterator[dict[str, Any]], good: Flags) -> Iterator[dict[str, Any]]:
    """Yield the rendered rows of good pieces by piece number, whatever order they arrive in."""
    expected = iter(np.flatnonzero(good).tolist())
    waiting: list[tuple[int, int, dict[str, Any]]] = []
    want = next(expected, None)
    for arrival, row in enumerate(rows):
        if not good[int(row["piece"])]:
            continue
        heapq.heappush(waiting, (int(row["piece"]), arrival, row))
        while waiting and want is not None and waiting[0][0] == want:
            yield heapq.heappop(waiting)[2]
            want = next(expected, None)
    while waiting:
        yield heapq.heappop(waiting)[2]


def _write(options: RunOptions, plan: _Plan, good: Flags, rendered: Iterator[dict[str, Any]],
           done: set[str], summary: Summary, bar: RunProgress, report: ReportFile) -> None:
    by_source: dict[int, list[int]] = {}
    for number, info in enumerate(plan.pieces):
        by_source.setdefault(info.source, []).append(number)
    task = bar.task("writing", plan.sources)
    output: OutputFile | ParquetOutput | None = None
    try:
        for number, source in enumerate(plan.sources):
            if number in plan.failed:
                if number not in plan.silent:
                    report.write_error(plan.failed[number])
                continue
            write = not options.dry_run and source.relative not in done
            final = output_path(options.out_dir, source)
            if write and source.format == PARQUET:
                output = ParquetOutput(final, plan.schemas[number])
            elif write:
                output = OutputFile(final, source.format)
            lines: list[bytes] = []
            file_summary = Summary()
            for piece in by_source.get(number, []):
                row = next(rendered)
                if int(row["piece"]) != piece:  # pragma: no cover - _in_order guarantees it
                    msg = f"piece {row['piece']} arrived where {piece} was expected"
                    raise RuntimeError(msg)
                if isinstance(output, ParquetOutput) and len(row["records"]):
                    output.write_records(pickle.loads(bytes(row["records"])))
                elif isinstance(output, OutputFile):
                    output.write_bytes(bytes(row["data"]))
                lines.append(bytes(row["report"]))
                part: Summary = pickle.loads(bytes(row["summary"]))
                file_summary.add(part)
                bar.advance(task, source.relative, plan.pieces[piece].consumed,
                            articles=part.articles)
            if output is not None:
                output.commit()
                output = None
                summary.files_written += 1
            report.write_lines(lines)
            summary.add(file_summary)
    finally:
        if output is not None:
            output.discard()


def _stage(bar: RunProgress, name: str) -> None:
    logger.info("stage: %s", name)
    bar.stage(name)


