"""What a batch run hands to worker processes: analyze a chunk, later render it.

1. :func:`analyze_chunk` decodes a chunk's articles and runs the in-article
   stages on each (:func:`dedup.corpus.decisions.article_facts`, without
   boilerplate). It returns what the main process decides with, pickled
   (:class:`Facts`: sites, the chunk's cross-document candidates as a few
   arrays). With ``hold`` (the one-pass run), the worker keeps the chunk, its
   articles, their paragraphs and what rendering needs (paragraph counts and
   in-article drops) for the render task the main process then sends to the
   same worker (:class:`~dedup.corpus.ordered.Lanes`): the lines travel once
   and are decoded and split once. With boilerplate on (the count pass), the
   facts also hold every paragraph's fingerprint, shape and length and what
   rendering needs, which wait in a spill file for the clean pass, and it
   returns each document's distinct fingerprints for counting.
2. :func:`drop_boilerplate` (the clean pass of a run with boilerplate) takes
   a chunk and its spilled facts, drops its site boilerplate with the site
   counts the main process installed in every worker after counting
   (:func:`install_boilerplate`), keeps the chunk as ``hold`` does, and
   returns the candidates that are not boilerplate.
3. :func:`render_chunk` finishes every article of a chunk it holds with all
   its drops, the in-article ones, the boilerplate it found, and those the
   main process added (cross-document), with
   :class:`dedup.corpus.records.ChunkOutput`, as the Ray engine does. It
   splits an article into paragraphs again only when the analysis did not
   keep them and the article has drops or the report lists them all (the
   same split as the analysis). It returns the output bytes (deflated for
   gzip output), the report lines and the counts.

Every function takes the :class:`WorkerState` and runs the same in a worker
or in the main process, so results never depend on where they ran.
"""

from __future__ import annotations

import gc
import pickle
import signal
import sys
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import orjson

from dedup import kernels
from dedup.config import Config
from dedup.corpus.boilerplate import SiteCounts
from dedup.corpus.crossdoc import CandidateRows, RowsBuilder
from dedup.corpus.decisions import (
    Analysis,
    CorpusDrop,
    analyze_article,
    apply_boilerplate,
    article_facts,
)
from dedup.corpus.options import CorpusOptions
from dedup.corpus.readers import Article, BadInput, Chunk, Fields, parse_chunk
from dedup.corpus.records import ChunkOutput
from dedup.corpus.summary import Summary
from dedup.corpus.writers import Deflated, deflate
from dedup.paragraphs import Paragraph, split_paragraphs
from dedup.report import ReportMode

__all__ = [
    "GC_THRESHOLDS",
    "Analyzed",
    "Facts",
    "RenderTask",
    "Rendered",
    "WorkerState",
    "analyze_chunk",
    "chunk_key",
    "drop_boilerplate",
    "forget_run",
    "install_boilerplate",
    "render_chunk",
    "start_worker",
    "warm_up",
]

Layout = tuple[int, dict[int, CorpusDrop]]  # paragraph count, in-article drops
# an article's fingerprints, shapes and lengths of every paragraph, and in-article drops
Counting = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]
# Python's default (700, 10, 10) runs the collector every 700 new container
# objects; a chunk makes hundreds of thousands, almost none in cycles.
GC_THRESHOLDS = (20_000, 20, 20)


@dataclass(frozen=True, slots=True)
class WorkerState:
    """What a worker is told: the run's corpus options, and the report's mode.

    ``report`` is :data:`dedup.report.ReportMode`, ``None`` without a report.
    """

    options: CorpusOptions
    report: ReportMode | None

    @property
    def fields(self) -> Fields:
        """The JSON fields holding text, id and site."""
        return self.options.fields

    @property
    def config(self) -> Config:
        """The in-article options."""
        return self.options.config

    @property
    def cross_doc(self) -> bool:
        """Whether the analysis collects cross-document candidates."""
        return self.options.cross_doc

    @property
    def boilerplate(self) -> bool:
        """Whether the analysis fingerprints every paragraph (for site boilerplate)."""
        return self.options.boilerplate


@dataclass(frozen=True, slots=True)
class Facts:
    """A chunk's articles as the main process decides on them.

    ``sites`` holds each article's site; ``rows`` the cross-document
    candidates of the chunk (:class:`~dedup.corpus.crossdoc.CandidateRows`,
    whose ``docs`` are the articles' ids): a few arrays, which pickle fast.
    With boilerplate on, ``counting`` holds each article's paragraph
    fingerprints, shapes, lengths and in-article drops (see :meth:`analyses`).
    ``layouts``: the pickled paragraph counts and in-article drops, which
    :func:`drop_boilerplate` keeps for :func:`render_chunk` (empty when the
    worker holds the chunk itself).
    """

    sites: list[str]
    rows: CandidateRows
    counting: list[Counting]
    layouts: bytes

    def analyses(self) -> list[Analysis]:
        """Return what site boilerplate is decided with, per article: no spans, no candidates."""
        return [Analysis((), {}, prints=prints, shapes=shapes, sizes=sizes, dropped=dropped)
                for prints, shapes, sizes, dropped in self.counting]


@dataclass(frozen=True, slots=True)
class Analyzed:
    """What :func:`analyze_chunk` returns.

    ``counts``: each document's id, site and distinct fingerprints, exact and
    shape (boilerplate on only); ``facts``: the pickled :class:`Facts`.
    """

    counts: tuple[tuple[str, str, tuple[int, ...]], ...]
    facts: bytes


@dataclass(frozen=True, slots=True)
class RenderTask:
    """A chunk to render: which one, each article's extra drops, whether to write it.

    The worker rendering the chunk holds it (:func:`analyze_chunk` with
    ``hold``, or :func:`drop_boilerplate`): ``chunk`` only names it (its lines
    need not travel again).
    """

    chunk: Chunk
    extra: list[dict[int, CorpusDrop]]
    write: bool


# What analyze_chunk(hold=True) and drop_boilerplate leave in this process for render_chunk, by
# chunk: the chunk, its articles, their layouts, their paragraphs (None: split again when
# rendering) and their boilerplate drops (None: none decided here); oldest first.
_Held = tuple[Chunk, list[Article], list[Layout], list[Sequence[Paragraph]] | None,
              list[dict[int, CorpusDrop]] | None]
_HELD: OrderedDict[tuple[str, int], _Held] = OrderedDict()
# The site counts of the run, for drop_boilerplate: installed once per process after counting.
_SITES: dict[str, SiteCounts] = {}


def chunk_key(chunk: Chunk) -> tuple[str, int]:
    """Return what names a chunk in a run: its file and its number there."""
    return chunk.source.relative, chunk.number


def _take_held(chunk: Chunk) -> _Held:
    """Return what this process holds of ``chunk``, forgetting it and every older chunk.

    Chunks are rendered in corpus order, so an older chunk still held was never
    going to be (its file failed).
    """
    key = chunk_key(chunk)
    while _HELD:
        found, held = _HELD.popitem(last=False)
        if found == key:
            return held
    msg = f"{chunk.source.relative}: chunk {chunk.number} is not held by this worker"
    raise RuntimeError(msg)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered chunk: output bytes (``None`` when not written), report lines, counts."""

    data: bytes | Deflated | None
    report: bytes
    summary: Summary


# An article that takes every path of the analysis: repeats, a near duplicate,
# non-ASCII text (whose normalization builds a Unicode class once per process).
_WARM_UP = "\n".join([
    "The council approved the new budget for the harbour on Monday evening.",
    "The council approved the new budget for the harbour on Monday evening!",
    "Le conseil a approuvé le budget du port lundi soir, après un long débat.",
    "Le conseil a approuvé le budget du port lundi soir, après un long débat.",
])


def warm_up(config: Config) -> None:
    """Build what the analysis builds on first use, before workers are forked.

    Forked workers inherit it (the compiled kernels included) instead of each
    building it on its first chunk. The kernels load without SciPy
    (:func:`_without_scipy`).
    """
    with _without_scipy():
        kernels.load()
    analyze_article(_WARM_UP, config, cross_doc=True)


@contextmanager
def _without_scipy() -> Iterator[None]:
    """Make ``import scipy`` fail inside, unless SciPy is imported already.

    Loading Numba's CPU target imports ``scipy.linalg`` to see whether BLAS is
    there for ``np.dot`` in compiled code, which no kernel of dedup calls:
    0.25 s of CPU of this process (Numba's first compiled call 0.68 -> 0.45 s
    CPU, measured). Numba then takes BLAS as missing (its own loop for a
    compiled ``np.dot``); ``import scipy`` works again afterwards, for
    whatever needs it. Only for a process's set-up: another thread importing
    SciPy meanwhile would fail.
    """
    if "scipy" in sys.modules:
        yield
        return
    sys.modules["scipy"] = None  # type: ignore[assignment]  # the import system's "not found"
    try:
        yield
    finally:
        if sys.modules.get("scipy", 0) is None:
            del sys.modules["scipy"]


def start_worker() -> None:
    """Set up a worker process (a pool initializer).

    It leaves Ctrl-C to the main process, and collects garbage less often: it
    never frees what it inherited, and its objects live for one chunk.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def analyze_chunk(state: WorkerState, chunk: Chunk, hold: bool = False) -> Analyzed | BadInput:
    """Decode a chunk and analyze each article (see the module docstring).

    With ``hold``, this process keeps the chunk, its articles, layouts and
    paragraphs for :func:`render_chunk` (then given no layouts), and the
    facts carry no layouts.
    """
    try:
        articles = parse_chunk(chunk, state.fields)
    except BadInput as error:
        return error
    rows = RowsBuilder(state.config.bands)
    sites: list[str] = []
    counting: list[Counting] = []
    layouts: list[Layout] = []
    split: list[Sequence[Paragraph]] = []
    counts: list[tuple[str, str, tuple[int, ...]]] = []
    for article in articles:
        _check_writable(article)
        facts = article_facts(article.text, state.config, cross_doc=state.cross_doc,
                              counting=state.boilerplate)
        layouts.append((len(facts.paragraphs), facts.drops))
        split.append(facts.paragraphs)
        sites.append(article.site)
        rows.add(article.id, facts.candidates, facts.fingerprints, facts.keys, facts.signatures,
                 facts.banded)
        if state.boilerplate:
            counting.append((facts.prints, facts.shapes, facts.sizes, facts.dropped))
            counted = Analysis((), {}, prints=facts.prints, shapes=facts.shapes).counted()
            counts.append((article.id, article.site, counted))
    if hold:
        _HELD[chunk_key(chunk)] = (chunk, articles, layouts, split, None)
    chunk_facts = Facts(sites, rows.build(), counting,
                        b"" if hold else pickle.dumps(layouts, pickle.HIGHEST_PROTOCOL))
    return Analyzed(tuple(counts), pickle.dumps(chunk_facts, pickle.HIGHEST_PROTOCOL))


def _check_writable(article: Article) -> None:
    """Fail now, not after the decisions, on a record that JSON cannot write back.

    Only nested values can fail (orjson reads deeper nesting than it writes),
    and a cleaned text field cannot fail where the original did not.
    """
    record = article.record
    if record is None or _is_row(article):
        return
    if any(isinstance(v, (dict, list)) for v in record.values()):
        orjson.dumps(record)


def _is_row(article: Article) -> bool:
    """Whether the article is a Parquet row (written back as a row, not as JSON)."""
    return article.path.endswith(".parquet")


def install_boilerplate(sites: bytes) -> None:
    """Keep the run's site counts (a pickled ``dict[str, SiteCounts]``) for drop_boilerplate.

    Every worker keeps the whole table (the fingerprints in 2+ documents of
    each site, as dicts: the fastest to look up), one copy per worker
    where the main process used to keep one (on the corpus benchmark's input:
    65k fingerprints of 2,663 sites, 0.9 MB pickled).
    """
    _SITES.clear()
    _SITES.update(pickle.loads(sites))


def forget_run() -> None:
    """Forget what this process keeps for a run: the site counts and the chunks it holds."""
    _SITES.clear()
    _HELD.clear()


def drop_boilerplate(state: WorkerState, chunk: Chunk, facts: bytes) -> Analyzed | BadInput:
    """Drop the site boilerplate of a chunk analyzed by the count pass, and hold it.

    ``facts`` are the pickled :class:`Facts` of :func:`analyze_chunk` for
    ``chunk``; the site counts are those of :func:`install_boilerplate`. This
    process keeps the chunk, its articles, layouts and boilerplate drops for
    :func:`render_chunk` (as ``hold`` does), and returns the pickled
    :class:`Facts` the main process decides with: the cross-document
    candidates that are not boilerplate.
    """
    try:
        articles = parse_chunk(chunk, state.fields)
    except BadInput as error:
        return error
    found: Facts = pickle.loads(facts)
    drops = [apply_boilerplate(analysis, _SITES.get(site)).drops
             for site, analysis in zip(found.sites, found.analyses(), strict=True)]
    _HELD[chunk_key(chunk)] = (chunk, articles, pickle.loads(found.layouts), None, drops)
    decided = Facts(found.sites, found.rows.without(drops), [], b"")
    return Analyzed((), pickle.dumps(decided, pickle.HIGHEST_PROTOCOL))


def render_chunk(state: WorkerState, task: RenderTask) -> Rendered:
    """Render a chunk's articles with all their drops (see the module docstring)."""
    chunk, articles, layouts, split, boilerplate = _take_held(task.chunk)
    extras = task.extra
    if boilerplate is not None:  # no cross-document drop is boilerplate
        extras = [{**site, **found} if found else site
                  for site, found in zip(boilerplate, extras, strict=True)]
    output = ChunkOutput(state.fields, state.report)
    for n, (article, (count, drops), extra) in enumerate(zip(articles, layouts, extras,
                                                             strict=True)):
        drops = {**drops, **extra} if extra else drops
        paragraphs: Sequence[Paragraph] = ()
        if output.needs_paragraphs(drops):
            paragraphs = split[n] if split is not None else split_paragraphs(
                article.text, state.config.split)
            if len(paragraphs) != count:  # pragma: no cover - the analysis split the same text
                msg = f"{article.path}:{article.line}: split differently when rendering"
                raise RuntimeError(msg)
        output.add(article, count, paragraphs, drops)
    data: bytes | Deflated | None = None
    if task.write:
        data = _encode(chunk, output, state.fields)
    return Rendered(data, output.report_lines, output.summary)


def _encode(chunk: Chunk, output: ChunkOutput, fields: Fields) -> bytes | Deflated:
    """Return what the main process writes for a chunk: deflated (gzip), rows (Parquet), bytes."""
    if chunk.source.format == "jsonl.gz":
        return deflate(output.data)
    if chunk.source.format == "parquet":
        from dedup.corpus import parquet

        return parquet.cleaned(chunk, output.texts, fields)
    return output.data
