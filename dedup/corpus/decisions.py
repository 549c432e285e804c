"""Articles -> corpus decisions: in-article duplicates, site boilerplate, cross-document duplicates.

1. :func:`analyze_article` (in a worker) runs the core pipeline on one
   article, drops the paragraphs whose fingerprint is boilerplate on its site,
   and lists the cross-document candidates: kept paragraphs whose normalized
   text has at least ``min_length`` characters, with their fingerprints, band
   keys (from the signatures the core pipeline made) and normalized text.
   When the boilerplate is known only later (``dedup batch`` analyzes while
   it counts), the analysis keeps every paragraph's fingerprint and
   :func:`apply_boilerplate` drops the boilerplate afterwards, to the same
   result.
2. :func:`decide_cross_doc` (in one process, in corpus order) drops a
   candidate whose exact fingerprint an earlier document kept, or whose band
   keys lead to an earlier kept paragraph that rapidfuzz confirms as a near
   duplicate (the same paragraph with noise, or a longer paragraph that holds
   this one: never a longer paragraph because a shorter one was seen). It then
   adds the surviving candidates to the index. A document never duplicates
   itself, so re-running a document is harmless.

Every drop is a :class:`CorpusDrop`; :mod:`dedup.corpus.records` turns drops
into output and report records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from dedup.candidates import band_keys
from dedup.config import Config
from dedup.corpus.boilerplate import SiteCounts
from dedup.corpus.crossdoc import decide_rows, rows_of
from dedup.corpus.drops import REASONS, CorpusDrop, CorpusReason
from dedup.corpus.fingerprints import fingerprints, signature_rows
from dedup.corpus.index import Index
from dedup.corpus.templates import shape_prints, site_drops
from dedup.lengths import long_keys, text_lengths
from dedup.paragraphs import Paragraph, Paragraphs
from dedup.pipeline import analyze
from dedup.signatures import U32

__all__ = [
    "REASONS",
    "Analysis",
    "ArticleFacts",
    "CorpusDrop",
    "CorpusReason",
    "analyze_article",
    "apply_boilerplate",
    "article_facts",
    "decide_cross_doc",
]


@dataclass(frozen=True, slots=True)
class Analysis:
    """One article after the in-article and boilerplate stages.

    ``spans`` are the paragraphs' ``(start, end)``; ``drops`` the dropped ones
    by index; ``candidates`` the paragraph indices open to cross-document
    matching, with their ``fingerprints``, ``bands`` and ``keys`` in the same
    order. ``prints`` holds the fingerprint of every paragraph when asked for
    (for :func:`apply_boilerplate`), else nothing; ``shapes`` and ``sizes``
    then hold each paragraph's shape fingerprint (0: none) and normalized
    length, and ``dropped`` the in-article drops by index.
    """

    spans: tuple[tuple[int, int], ...]
    drops: dict[int, CorpusDrop]
    candidates: tuple[int, ...] = ()
    fingerprints: tuple[int, ...] = ()
    bands: tuple[tuple[int, ...], ...] = ()
    keys: tuple[str, ...] = field(default=(), repr=False)
    prints: tuple[int, ...] = field(default=(), repr=False)
    shapes: tuple[int, ...] = field(default=(), repr=False)
    sizes: tuple[int, ...] = field(default=(), repr=False)
    dropped: tuple[int, ...] = field(default=(), repr=False)

    def counted(self) -> tuple[int, ...]:
        """Return the distinct fingerprints a site counts for this article (exact and shape)."""
        return tuple(sorted({*self.prints, *self.shapes} - {0}))

    def paragraphs(self, text: str) -> list[Paragraph]:
        """Rebuild the article's paragraphs from ``text``."""
        return [Paragraph(i, s, e, text[s:e]) for i, (s, e) in enumerate(self.spans)]


def _spans(paragraphs: Sequence[Paragraph]) -> tuple[tuple[int, int], ...]:
    if isinstance(paragraphs, Paragraphs):  # no Paragraph objects needed
        starts = paragraphs.starts
        return tuple(zip(starts, map(int.__add__, starts, map(len, paragraphs.texts)),
                         strict=True))
    return tuple((p.start, p.end) for p in paragraphs)


class ArticleFacts(NamedTuple):
    """One article's in-article analysis, in the form a batch run's workers ship it.

    ``paragraphs`` (lazy: no objects made until read) and ``drops`` by index;
    ``candidates`` (with cross-document matching on) with their fingerprints,
    keys, and the MinHash ``signatures`` of those ``banded`` (the others get
    no band keys); with ``counting``, every paragraph's fingerprint
    (``prints``), shape fingerprint and length, and the dropped indices.
    """

    paragraphs: Sequence[Paragraph]
    drops: dict[int, CorpusDrop]
    candidates: tuple[int, ...] = ()
    fingerprints: tuple[int, ...] = ()
    keys: tuple[str, ...] = ()
    signatures: U32 | None = None
    banded: npt.NDArray[np.bool_] | None = None
    prints: tuple[int, ...] = ()
    shapes: tuple[int, ...] = ()
    sizes: tuple[int, ...] = ()
    dropped: tuple[int, ...] = ()


def article_facts(
    text: str, config: Config, *, cross_doc: bool = False, counting: bool = False
) -> ArticleFacts:
    """Run the in-article stages on one article; list its cross-document candidates.

    A candidate is a kept paragraph whose normalized text has at least
    ``min_length`` characters (script-aware, :func:`dedup.lengths.text_lengths`).
    With ``counting``, keep every paragraph's fingerprint, shape and length.
    """
    found = analyze(text, config)
    paragraphs, keys, core = found.paragraphs, found.keys, found.drops
    if not paragraphs:
        return ArticleFacts(paragraphs, {})
    drops: dict[int, CorpusDrop] = {
        i: CorpusDrop(d.reason, d.duplicate_of, None, d.similarity, d.block)
        for i, d in sorted(core.items())
    }
    every = tuple(fingerprints(keys)) if counting else ()
    facts = ArticleFacts(paragraphs, drops, prints=every)
    sizes: Sequence[int] = ()
    if counting:
        sizes = tuple(text_lengths(keys))
        facts = facts._replace(shapes=tuple(shape_prints(keys)), sizes=sizes,
                               dropped=tuple(drops))
    if not cross_doc:
        return facts
    long = _long(keys, sizes, config.min_length)
    candidates = tuple([i for i in long if i not in drops] if drops else long)
    signatures, banded = signature_rows(keys, candidates, found.signed, found.signatures, config)
    return facts._replace(
        candidates=candidates,
        fingerprints=tuple(every[i] for i in candidates) if every else tuple(
            fingerprints([keys[i] for i in candidates])),
        keys=tuple(keys[i] for i in candidates),
        signatures=signatures,
        banded=banded,
    )


def _long(keys: Sequence[str], sizes: Sequence[int], shortest: int) -> list[int]:
    """Return the indices of the keys at least ``shortest`` long (``sizes``: their lengths).

    Without ``sizes``: :func:`dedup.lengths.long_keys`.
    """
    if sizes:
        return [i for i, size in enumerate(sizes) if size >= shortest]
    return long_keys(keys, shortest)


def analyze_article(
    text: str,
    config: Config,
    *,
    boilerplate: SiteCounts | None = None,
    cross_doc: bool = False,
    prints: bool = False,
) -> Analysis:
    r"""Run the in-article and boilerplate stages on one article.

    With ``prints``, the analysis keeps every paragraph's fingerprint, shape
    and length, so that boilerplate found later can still be applied
    (:func:`apply_boilerplate`); ``boilerplate`` applies the site's counts now.

    Example:
        >>> from dedup.corpus.fingerprints import fingerprint
        >>> site = SiteCounts({fingerprint("share this"): 4}, 3)
        >>> a = analyze_article("Story.\nShare this\nMore.", Config(), boilerplate=site)
        >>> {i: (d.reason.value, d.boilerplate_rule, d.site_docs) for i, d in a.drops.items()}
        {1: ('boilerplate', 'exact', 4)}
    """
    counting = prints or boilerplate is not None
    facts = article_facts(text, config, cross_doc=cross_doc, counting=counting)
    spans = _spans(facts.paragraphs)
    if not facts.paragraphs:
        return Analysis(spans, {})
    bands: tuple[tuple[int, ...], ...] = ()
    if facts.signatures is not None and facts.banded is not None:
        table = iter(band_keys(facts.signatures, config.bands).tolist())
        bands = tuple(tuple(next(table)) if ok else () for ok in facts.banded.tolist())
    analysis = Analysis(spans, facts.drops, facts.candidates, facts.fingerprints, bands,
                        facts.keys, facts.prints, facts.shapes, facts.sizes, facts.dropped)
    analysis = apply_boilerplate(analysis, boilerplate)
    return analysis if prints else replace(analysis, prints=(), shapes=(), sizes=(), dropped=())


def apply_boilerplate(analysis: Analysis, boilerplate: SiteCounts | None) -> Analysis:
    r"""Drop the site boilerplate of an analysis made with ``prints`` (by :mod:`.templates`).

    A boilerplate drop replaces an in-article one, and the paragraph is no
    longer a cross-document candidate. Each drop names its rule and the
    documents of the site holding the paragraph (or its shape).

    Example:
        >>> from dedup.corpus.fingerprints import fingerprint
        >>> a = analyze_article("Story.\nShare this", Config(), prints=True)
        >>> drop = apply_boilerplate(a, SiteCounts({fingerprint("share this"): 3}, 3)).drops[1]
        >>> drop.reason.value, drop.boilerplate_rule, drop.site_docs
        ('boilerplate', 'exact', 3)
    """
    if boilerplate is None or not boilerplate.counts:
        return analysis
    found = site_drops(analysis.prints, analysis.shapes, analysis.sizes, boilerplate.counts,
                       boilerplate.threshold, frozenset(analysis.dropped))
    if not found:
        return analysis
    drops = {**analysis.drops, **{i: _boilerplate_drop(*why) for i, why in found.items()}}
    drops = dict(sorted(drops.items())) if analysis.drops else drops
    kept = [n for n, i in enumerate(analysis.candidates) if i not in drops]
    return replace(
        analysis,
        drops=drops,
        candidates=tuple(analysis.candidates[n] for n in kept),
        fingerprints=tuple(analysis.fingerprints[n] for n in kept),
        bands=tuple(analysis.bands[n] for n in kept),
        keys=tuple(analysis.keys[n] for n in kept),
    )


@lru_cache(maxsize=4096)
def _boilerplate_drop(rule: str, docs: int) -> CorpusDrop:
    """One drop per rule and count, shared (a named tuple: immutable; pickled once per chunk)."""
    return CorpusDrop(CorpusReason.BOILERPLATE, boilerplate_rule=rule, site_docs=docs)


def decide_cross_doc(
    articles: Sequence[tuple[str, Analysis]], index: Index, config: Config
) -> list[dict[int, CorpusDrop]]:
    r"""Decide cross-document drops for documents in corpus order, and remember their keepers.

    ``articles`` are ``(document id, analysis)`` pairs; the index is queried
    once for the whole batch, so a chunk of articles costs a few round trips.
    An index held in this process (:class:`~dedup.corpus.index.LiveBands`)
    lends its band table instead: its owners are read and the keepers' bands
    claimed in place, with the same result.

    Returns:
        The cross-document drops of each article, by paragraph index.

    Example:
        >>> from dedup.corpus.index import MemoryIndex
        >>> story = "A syndicated paragraph that two different sites published word for word."
        >>> config = Config()
        >>> first = analyze_article(f"{story}\nOnly here.", config, cross_doc=True)
        >>> second = analyze_article(f"Elsewhere.\n{story}", config, cross_doc=True)
        >>> drops = decide_cross_doc([("a", first), ("b", second)], MemoryIndex(), config)
        >>> drops[0], drops[1][1].duplicate_doc
        ({}, 'a')
    """
    return decide_rows(rows_of(articles), index, config)
