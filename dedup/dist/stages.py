"""The batch functions that Ray Data runs: each maps a batch of rows to an Arrow table.

Every function here calls the local engine's stage functions
(:func:`~dedup.corpus.decisions.analyze_article`,
:func:`~dedup.corpus.fingerprints.fingerprints`,
:func:`~dedup.corpus.boilerplate.min_docs_for`, and
:class:`~dedup.corpus.records.ChunkOutput` for the output, counts and report
lines) on plain values; none re-implements a decision. Rows carry Python
objects as pickles in binary columns.

- :func:`count_rows`: pieces -> one row per document with its distinct
  fingerprints, partitioned by document id.
- :func:`first_documents`: rows of one id partition -> per-site counts of
  each id's first document in corpus order (the local index counts a document
  once), partitioned by site.
- :func:`frequent_rows`: rows of one site partition -> the site's fingerprints
  found in 2+ documents with their counts, and the site's threshold (the local
  threshold function), from which the driver builds each site's
  :class:`~dedup.corpus.boilerplate.SiteCounts`.
- :func:`analyze_rows`: pieces -> the analysis of each article.
- The cross-document stages are in :mod:`dedup.dist.cross_doc`.
- :func:`render_rows`: analyses and their drops -> output bytes (Parquet:
  records), report lines and counts of each piece, in the local engine's
  formats.
- :func:`clean_rows`: pieces -> the same, in one step, when no decision
  depends on other documents' cleaning (no cross-document duplicates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dedup.config import Config
from dedup.corpus.boilerplate import SiteCounts, min_docs_for
from dedup.corpus.decisions import Analysis, CorpusDrop, analyze_article
from dedup.corpus.fingerprints import fingerprints
from dedup.corpus.options import RunOptions
from dedup.corpus.readers import Article, BadInput, Chunk, Fields
from dedup.corpus.records import ChunkOutput
from dedup.corpus.templates import shape_prints
from dedup.dist.grouping import PIECE_SHIFT, partition_of_text
from dedup.dist.pieces import ParquetChunk, parse_piece
from dedup.dist.rows import Batch, dump, good_results, load, table, with_side
from dedup.keys import normalize_paragraphs
from dedup.paragraphs import split_paragraphs

__all__ = [
    "analyze_rows",
    "clean_rows",
    "count_rows",
    "first_documents",
    "frequent_rows",
    "render_rows",
]

I64 = npt.NDArray[np.int64]
Results = list[tuple[Article, Analysis]]
Candidates = tuple[str, tuple[int, ...], tuple[int, ...], tuple[tuple[int, ...], ...],
                   tuple[str, ...]]  # an article's id, candidates, fingerprints, bands, keys

COUNT_SCHEMA = pa.schema([
    ("order", pa.int64()), ("id", pa.string()), ("site", pa.string()), ("fps", pa.binary()),
    ("part", pa.int64()), ("error", pa.binary()),
])
SITE_SCHEMA = pa.schema([
    ("site", pa.string()), ("fp", pa.uint64()), ("count", pa.int64()), ("doc", pa.bool_()),
    ("part", pa.int64()),
])
FREQUENT_SCHEMA = pa.schema([("site", pa.string()), ("fp", pa.uint64()), ("count", pa.int64()),
                             ("threshold", pa.int64())])
ANALYSIS_SCHEMA = pa.schema([("piece", pa.int64()), ("result", pa.binary()),
                             ("candidates", pa.binary()), ("failed", pa.bool_())])
RENDER_SCHEMA = pa.schema([("piece", pa.int64()), ("data", pa.binary()),
                           ("records", pa.binary()), ("report", pa.binary()),
                           ("summary", pa.binary())])
CLEAN_SCHEMA = pa.schema([*RENDER_SCHEMA, ("failed", pa.bool_()), ("error", pa.binary())])


def _chunk_error(chunk: Chunk | ParquetChunk, error: Exception) -> BadInput:
    if isinstance(error, BadInput):
        return error
    line = chunk.first_line if chunk.source.format != "text" else None
    return BadInput(chunk.source.relative, line, f"cannot clean: {error!r}")


# ------------------------------------------------------------- site boilerplate


def count_rows(batch: Batch, *, fields: Fields, config: Config, partitions: int) -> pa.Table:
    """Return one row per article of a batch of pieces: its distinct fingerprints (count pass).

    A piece that does not parse gives one row with its error instead.
    """
    columns: dict[str, list[Any]] = {name: [] for name in COUNT_SCHEMA.names}
    for piece, payload in zip(batch["piece"], batch["payload"], strict=True):
        chunk = load(payload)
        base = int(piece) << PIECE_SHIFT
        try:
            articles = parse_piece(chunk, fields)
        except Exception as error:  # reported per file, like the local engine
            rows = [(base, "", "", b"", dump(_chunk_error(chunk, error)))]
        else:
            rows = []
            for number, article in enumerate(articles):
                keys = normalize_paragraphs(split_paragraphs(article.text, config.split))
                counted = {*fingerprints(keys), *shape_prints(keys)} - {0}
                prints = np.array(sorted(counted), dtype=np.uint64)
                rows.append((base | number, article.id, article.site, prints.tobytes(), b""))
        for order, doc_id, site, prints_bytes, failure in rows:
            columns["order"].append(order)
            columns["id"].append(doc_id)
            columns["site"].append(site)
            columns["fps"].append(prints_bytes)
            columns["part"].append(partition_of_text(doc_id, partitions))
            columns["error"].append(failure)
    return table(COUNT_SCHEMA, columns)


def first_documents(batch: Batch, *, failed: frozenset[int], sources: I64,
                    partitions: int) -> pa.Table:
    """Count, per site, the first document of each id of one id partition (good files only).

    Returns rows ``(site, fp, count)`` (documents holding ``fp``) and ``(site,
    docs)`` rows with ``doc`` set, partitioned by site.
    """
    order = np.asarray(batch["order"], dtype=np.int64)
    error = np.array([len(e) > 0 for e in batch["error"]], dtype=bool)
    source_of = sources[order >> PIECE_SHIFT]
    bad = np.fromiter(failed, dtype=np.int64, count=len(failed))
    good = np.flatnonzero(~error & ~np.isin(source_of, bad))
    columns: dict[str, list[Any]] = {name: [] for name in SITE_SCHEMA.names}
    if len(good) == 0:
        return table(SITE_SCHEMA, columns)
    ids = np.asarray(batch["id"], dtype=object)[good].astype(str)
    _, codes = np.unique(ids, return_inverse=True)
    first = np.full(int(codes.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, order[good])
    counted = good[order[good] == first[codes]]
    site_names, site_codes = np.unique(
        np.asarray(batch["site"], dtype=object)[counted].astype(str), return_inverse=True)
    prints = [np.frombuffer(bytes(batch["fps"][i]), dtype=np.uint64) for i in counted]
    fps = np.concatenate([np.zeros(0, dtype=np.uint64), *prints])
    owners = np.repeat(site_codes, [len(p) for p in prints])
    for code, docs in enumerate(np.bincount(site_codes).tolist()):
        _site_row(columns, str(site_names[code]), 0, docs, True, partitions)
    if len(fps):
        order_fp = np.lexsort((fps, owners))
        fps, owners = fps[order_fp], owners[order_fp]
        starts = np.flatnonzero(np.concatenate(
            ([True], (owners[1:] != owners[:-1]) | (fps[1:] != fps[:-1]))))
        counts = np.diff(np.append(starts, len(fps)))
        for code, fp, count in zip(owners[starts].tolist(), fps[starts].tolist(),
                                   counts.tolist(), strict=True):
            _site_row(columns, str(site_names[code]), fp, count, False, partitions)
    return table(SITE_SCHEMA, columns)


def _site_row(columns: dict[str, list[Any]], site: str, fp: int, count: int, doc: bool,
              partitions: int) -> None:
    columns["site"].append(site)
    columns["fp"].append(fp)
    columns["count"].append(count)
    columns["doc"].append(doc)
    columns["part"].append(partition_of_text(site, partitions))


def frequent_rows(batch: Batch, *, min_docs: int | None, fraction: float | None) -> pa.Table:
    """Return the fingerprints in 2+ documents of the sites of one site partition.

    Sums the partial counts; each row carries the fingerprint's count and the
    threshold :func:`~dedup.corpus.boilerplate.min_docs_for` gives for the
    site's number of documents (sites without one give no rows).
    """
    sites = np.asarray(batch["site"], dtype=object).astype(str)
    empty = table(FREQUENT_SCHEMA, {"site": [], "fp": [], "count": [], "threshold": []})
    if len(sites) == 0:
        return empty
    names, codes = np.unique(sites, return_inverse=True)
    doc = np.asarray(batch["doc"], dtype=bool)
    count = np.asarray(batch["count"], dtype=np.int64)
    site_docs = np.bincount(codes[doc], weights=count[doc], minlength=len(names))
    codes, fps, count = codes[~doc], np.asarray(batch["fp"], dtype=np.uint64)[~doc], count[~doc]
    if len(fps) == 0:
        return empty
    order = np.lexsort((fps, codes))
    codes, fps, count = codes[order], fps[order], count[order]
    starts = np.flatnonzero(np.concatenate(([True], (codes[1:] != codes[:-1])
                                            | (fps[1:] != fps[:-1]))))
    totals = np.add.reduceat(count, starts)
    never = np.iinfo(np.int64).max
    thresholds = np.array([min_docs_for(int(n), min_docs, fraction) or never
                           for n in site_docs], dtype=np.int64)
    group_codes = codes[starts]
    frequent = (totals >= 2) & (thresholds[group_codes] != never)
    return table(FREQUENT_SCHEMA, {"site": names[group_codes[frequent]].tolist(),
                                    "fp": fps[starts][frequent].tolist(),
                                    "count": totals[frequent].tolist(),
                                    "threshold": thresholds[group_codes[frequent]].tolist()})


# --------------------------------------------------------------------- cleaning


def analyze_rows(batch: Batch, *, fields: Fields, config: Config,
                 boilerplate: Mapping[str, SiteCounts], cross_doc: bool) -> pa.Table:
    """Run the in-article and boilerplate stages on every article of a batch of pieces."""
    columns: dict[str, list[Any]] = {name: [] for name in ANALYSIS_SCHEMA.names}
    for piece, payload in zip(batch["piece"], batch["payload"], strict=True):
        result = _analyze_piece(load(payload), fields, config, boilerplate, cross_doc)
        columns["piece"].append(int(piece))
        columns["result"].append(dump(result))
        columns["failed"].append(isinstance(result, BadInput))
        candidates: list[Candidates] = []
        if cross_doc and not isinstance(result, BadInput):
            candidates = [(article.id, analysis.candidates, analysis.fingerprints,
                           analysis.bands, analysis.keys) for article, analysis in result]
        columns["candidates"].append(dump(candidates))
    return table(ANALYSIS_SCHEMA, columns)


def clean_rows(batch: Batch, *, fields: Fields, config: Config,
               boilerplate: Mapping[str, SiteCounts], options: RunOptions) -> pa.Table:
    """Analyze and render each piece in one step (runs without cross-document duplicates)."""
    columns: dict[str, list[Any]] = {name: [] for name in CLEAN_SCHEMA.names}
    for piece, payload in zip(batch["piece"], batch["payload"], strict=True):
        result = _analyze_piece(load(payload), fields, config, boilerplate, cross_doc=False)
        failed = isinstance(result, BadInput)
        columns["failed"].append(failed)
        columns["error"].append(dump(result) if failed else b"")
        _render_piece(columns, int(piece), [] if failed else cast(Results, result), {}, options)
    return table(CLEAN_SCHEMA, columns)


def _analyze_piece(chunk: Chunk | ParquetChunk, fields: Fields, config: Config,
                   boilerplate: Mapping[str, SiteCounts], cross_doc: bool,
                   ) -> Results | BadInput:
    try:
        return [
            (article, analyze_article(article.text, config,
                                      boilerplate=boilerplate.get(article.site),
                                      cross_doc=cross_doc))
            for article in parse_piece(chunk, fields)
        ]
    except Exception as error:  # reported per file, like the local engine
        return _chunk_error(chunk, error)


def render_rows(batch: Batch, *, bad: I64, options: RunOptions) -> pa.Table:
    """Render each piece's cleaned output, report lines and counts, as the local writer does.

    With cross-document duplicates, each row carries its piece's drops beside
    it (columns ``at`` and ``side``, from :func:`replay_rows`).
    """
    columns: dict[str, list[Any]] = {name: [] for name in RENDER_SCHEMA.names}
    if "side" not in batch:
        for piece, results in good_results(batch, bad):
            _render_piece(columns, piece, results, {}, options)
        return table(RENDER_SCHEMA, columns)
    for piece, results, side in with_side(batch, bad, "result"):
        drops: dict[int, dict[int, CorpusDrop]] = {}
        for part in side:  # an article's candidates may lie in several components
            for article, found in part.items():
                drops.setdefault(article, {}).update(found)
        _render_piece(columns, piece, results,
                      {a: dict(sorted(d.items())) for a, d in drops.items()}, options)
    return table(RENDER_SCHEMA, columns)


def _render_piece(columns: dict[str, list[Any]], piece: int, results: Results,
                  drops: Mapping[int, Mapping[int, CorpusDrop]], options: RunOptions) -> None:
    """Render one piece; ``drops``: its cross-document drops by article number in the piece."""
    output = ChunkOutput(options.fields, options.report_lines, rows=True)
    for number, (article, analysis) in enumerate(results):
        extra = drops.get(number, {})
        all_drops = {**analysis.drops, **extra}
        output.add(article, len(analysis.spans), analysis.paragraphs(article.text), all_drops)
    columns["piece"].append(piece)
    columns["data"].append(output.data)
    columns["records"].append(dump(output.records) if output.records else b"")
    columns["report"].append(output.report_lines)
    columns["summary"].append(dump(output.summary))
