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
from enum import Enum
from functools import lru_cache
from itertools import chain
from typing import NamedTuple, cast

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.corpus.bands import U64, BandOwners
from dedup.corpus.boilerplate import SiteCounts
from dedup.corpus.fingerprints import fingerprints, reuse_band_keys
from dedup.corpus.index import Index, Kept, LiveBands
from dedup.corpus.templates import shape_prints, site_drops
from dedup.lengths import text_lengths
from dedup.paragraphs import Paragraph, Paragraphs
from dedup.pipeline import analyze
from dedup.report import DropReason
from dedup.verify import verify_pairs

__all__ = [
    "Analysis",
    "CorpusDrop",
    "CorpusReason",
    "analyze_article",
    "apply_boilerplate",
    "decide_cross_doc",
]


class CorpusReason(str, Enum):  # noqa: UP042 - like dedup.DropReason
    """Why a paragraph was dropped for reasons beyond its own article."""

    BOILERPLATE = "boilerplate"
    """Site boilerplate (:mod:`dedup.corpus.templates`: exact, template or neighbours rule)."""
    CROSS_DOC = "cross_doc"
    """An exact or near duplicate of a paragraph an earlier document kept."""


REASONS: tuple[str, ...] = (*(r.value for r in DropReason), *(r.value for r in CorpusReason))


class CorpusDrop(NamedTuple):
    """One dropped paragraph: the reason, the kept copy (index or document), similarity.

    ``boilerplate_rule`` and ``site_docs`` explain a boilerplate drop (the
    keys of the same name in :class:`dedup.report.ParagraphRecord`). A named
    tuple: cheap to make and to pickle between processes, by the hundred
    thousand on a corpus.
    """

    reason: DropReason | CorpusReason
    duplicate_of: int | None = None
    duplicate_doc: str | None = None
    similarity: float | None = None
    block: int | None = None
    boilerplate_rule: str | None = None
    site_docs: int | None = None


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
    found = analyze(text, config)
    paragraphs, keys, core = found.paragraphs, found.keys, found.drops
    spans = _spans(paragraphs)
    if not paragraphs:
        return Analysis(spans, {})
    drops: dict[int, CorpusDrop] = {
        i: CorpusDrop(d.reason, d.duplicate_of, None, d.similarity, d.block)
        for i, d in sorted(core.items())
    }
    counting = prints or boilerplate is not None
    every = tuple(fingerprints(keys)) if counting else ()
    sizes = tuple(text_lengths(keys)) if counting or cross_doc else ()
    analysis = Analysis(spans, drops, prints=every)
    if counting:
        analysis = replace(analysis, shapes=tuple(shape_prints(keys)), sizes=sizes,
                           dropped=tuple(drops))
    if cross_doc:
        shortest = config.min_length
        long = [i for i, size in enumerate(sizes) if size >= shortest]
        candidates = tuple([i for i in long if i not in drops] if drops else long)
        analysis = replace(
            analysis,
            candidates=candidates,
            fingerprints=tuple(every[i] for i in candidates) if every else tuple(
                fingerprints([keys[i] for i in candidates])),
            bands=tuple(reuse_band_keys(keys, candidates, found.signed, found.signatures,
                                        config)),
            keys=tuple(keys[i] for i in candidates),
        )
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
    exact = index.find_exact({f for _, a in articles for f in a.fingerprints})
    stored_keys: dict[int, str] = {}
    # band key -> fingerprint of the first paragraph kept under it: the index's, then this
    # batch's; an index in this process lends its own table (LiveBands), others a copy
    live = isinstance(index, LiveBands)
    every = np.fromiter(chain.from_iterable(chain.from_iterable(a.bands for _, a in articles)),
                        np.uint64)
    if live:
        owners = cast(LiveBands, index).band_owners()
    else:
        found = index.find_bands(set(every.tolist()))
        owners = BandOwners()
        owners.claim(np.fromiter(found, np.uint64, len(found)),
                     np.fromiter(found.values(), np.uint64, len(found)))
        earlier = set(found.values())
        exact.update(index.find_exact(earlier - exact.keys()))
        stored_keys = index.find_keys(earlier)
    results: list[dict[int, CorpusDrop]] = []
    kept: list[Kept] = []
    start = 0
    for doc, analysis in articles:
        sizes = np.fromiter(map(len, analysis.bands), np.int64, len(analysis.bands))
        keys = every[start:start + int(sizes.sum())]
        start += keys.shape[0]
        near_by_row = _near_owners(owners, keys, sizes)
        drops: dict[int, CorpusDrop] = {}
        rows = list(zip(analysis.candidates, analysis.fingerprints, analysis.keys, strict=True))
        for row, (i, fp, key) in enumerate(rows):
            owner = exact.get(fp)
            if owner is not None:
                if owner != doc:
                    drops[i] = CorpusDrop(CorpusReason.CROSS_DOC, None, owner, 1.0)
                continue
            near = near_by_row.get(row)
            if near:
                if live:  # fetch what the copy would have brought along
                    _fetch(index, near, exact, stored_keys)
                drop = _near(key, near, doc, exact, stored_keys, config)
                if drop is not None:
                    drops[i] = drop
        claiming = np.zeros(len(rows), dtype=np.bool_)
        for row, (i, fp, key) in enumerate(rows):
            if i in drops or fp in exact:
                continue
            exact[fp] = doc
            stored_keys[fp] = key
            claiming[row] = True
            kept.append(Kept(fp, doc, analysis.bands[row], key))
        if claiming.any():  # in order: a band key goes to the first paragraph holding it
            prints = np.array(analysis.fingerprints, dtype=np.uint64)[claiming]
            owners.claim(keys[np.repeat(claiming, sizes)], np.repeat(prints, sizes[claiming]))
        results.append(drops)
    if live:
        cast(LiveBands, index).add_claimed(kept)
    else:
        index.add_kept(kept)
    return results


def _near_owners(
    owners: BandOwners, keys: U64, sizes: npt.NDArray[np.int64]
) -> dict[int, set[int]]:
    """Return the owners of each row's band keys, for the rows where any has one."""
    found, owner = owners.find(keys)
    if not found.any():
        return {}
    rows = np.repeat(np.arange(sizes.shape[0]), sizes)[found]
    near: dict[int, set[int]] = {}
    for row, fp in zip(rows.tolist(), owner[found].tolist(), strict=True):
        near.setdefault(row, set()).add(fp)
    return near


def _fetch(
    index: Index, found: set[int], exact: dict[int, str], stored_keys: dict[int, str]
) -> None:
    """Look up the owners and texts of earlier keepers not fetched yet."""
    owners = {f for f in found if f not in exact}
    if owners:
        exact.update(index.find_exact(owners))
    texts = {f for f in found if f not in stored_keys}
    if texts:
        stored_keys.update(index.find_keys(texts))


def _near(
    key: str,
    found: set[int],
    doc: str,
    exact: dict[int, str],
    stored_keys: dict[int, str],
    config: Config,
) -> CorpusDrop | None:
    """Return the drop of ``key`` if an earlier paragraph among ``found`` is a near duplicate."""
    for candidate in sorted(found):
        owner = exact.get(candidate)
        other = stored_keys.get(candidate)
        if owner is None or owner == doc or other is None:
            continue
        for match in verify_pairs(
            [key, other], [(0, 1)], config.min_similarity, min_contained=config.min_length
        ):
            # a longer paragraph is never dropped because a shorter one it holds was seen
            if match.kind == "near" or len(key) <= len(other):
                return CorpusDrop(CorpusReason.CROSS_DOC, None, owner, match.similarity)
    return None
