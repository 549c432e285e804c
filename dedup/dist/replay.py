"""Candidates of some components -> cross-document drops, by the local engine's own rule.

The local engine decides cross-document drops one paragraph after another in
corpus order (:func:`dedup.corpus.decisions.decide_cross_doc`): a candidate is
dropped when an earlier document kept the same fingerprint, or when the first
kept paragraph stored under one of its band keys is confirmed by rapidfuzz.
Whether that first paragraph was kept depends in turn on its own fingerprint
and band keys, so a decision can only depend on paragraphs linked to it by
shared fingerprints or band keys: its connected component. Verified edges
alone would not do (with A~B, B~C and A!~C the answer depends on order), which
is why components are built on every shared key.

:func:`replay` therefore runs ``decide_cross_doc`` itself, on the candidates
of any set of whole components, in corpus order, against a fresh index: the
same code and order as the local engine, restricted to paragraphs that can
affect each other. Within one run the local engine's chunking does not change
its decisions (an earlier chunk's keeper wins over a later one, as the first
keeper does here), as long as its bounded text store
(:data:`dedup.corpus.index.MAX_KEYS` paragraphs) evicts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from dedup.config import Config
from dedup.corpus.decisions import Analysis, CorpusDrop, decide_cross_doc
from dedup.corpus.index import MemoryIndex
from dedup.dist.grouping import article_of

__all__ = ["Candidate", "replay"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One cross-document candidate: node id, document id, paragraph index, fingerprints."""

    node: int
    doc: str
    paragraph: int
    fingerprint: int
    bands: tuple[int, ...]
    key: str


def replay(candidates: Iterable[Candidate], config: Config) -> dict[int, CorpusDrop]:
    """Return the cross-document drops among ``candidates``, by node id.

    ``candidates`` must hold whole components; their order does not matter.

    Example:
        >>> story = "A syndicated paragraph that two different sites published word for word."
        >>> from dedup.corpus.fingerprints import band_keys_of, fingerprint
        >>> bands = band_keys_of([story.lower()], Config())[0]
        >>> rows = [Candidate(node, doc, 0, fingerprint(story.lower()), bands, story.lower())
        ...         for node, doc in [(1 << 20, "b"), (0, "a")]]
        >>> {node: drop.duplicate_doc for node, drop in replay(rows, Config()).items()}
        {1048576: 'a'}
    """
    ordered = sorted(candidates, key=lambda c: c.node)
    articles: list[tuple[str, Analysis]] = []
    nodes: list[dict[int, int]] = []
    for _, members in groupby(ordered, key=lambda c: article_of(c.node)):
        group = list(members)
        analysis = Analysis(
            spans=(),
            drops={},
            candidates=tuple(c.paragraph for c in group),
            fingerprints=tuple(c.fingerprint for c in group),
            bands=tuple(c.bands for c in group),
            keys=tuple(c.key for c in group),
        )
        articles.append((group[0].doc, analysis))
        nodes.append({c.paragraph: c.node for c in group})
    decided = decide_cross_doc(articles, MemoryIndex(max_keys=0), config)
    return {
        node_of[paragraph]: drop
        for node_of, drops in zip(nodes, decided, strict=True)
        for paragraph, drop in drops.items()
    }
