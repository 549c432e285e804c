"""dedup.corpus.crossdoc: decisions over a batch's rows equal the row-by-row definition.

:func:`decide_rows` decides most rows without looking at them one by one; a
dict model here decides every row in order, as ``decide_cross_doc`` defines
it. Both see the same corpora (exact copies, near copies, contained copies,
short paragraphs, a document given twice) split into batches, on every index
backend, and must give the same drops and leave the same index.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.corpus.crossdoc import RowsBuilder, _repeated, decide_rows, rows_of
from dedup.corpus.decisions import (
    Analysis,
    CorpusDrop,
    CorpusReason,
    analyze_article,
    article_facts,
    decide_cross_doc,
)
from dedup.corpus.fingerprints import band_keys_of, reuse_band_keys, signature_rows
from dedup.corpus.index import Index, MemoryIndex, pending_index
from dedup.corpus.index.sqlite import SqliteIndex
from dedup.lengths import text_lengths
from dedup.pipeline import analyze
from dedup.verify import verify_pairs

CONFIG = Config()
BASES = [
    "The harbour council approved the new budget for the docks on Monday evening.",
    "Rain is expected across the northern hills for most of the coming weekend.",
    "A local bakery won the regional prize for its sourdough loaf this spring.",
    "Officials said the bridge would reopen to traffic after three weeks of repairs.",
    "東京都は来年度の予算案を発表し、子育て支援と防災対策を大幅に拡充する方針を示した。",
]
SHORT = ["Share this", "Read more", "東京", "Photo: archive"]
# long enough to be candidates, too few words for band keys: matched exactly only
UNSIGNED = ["https://example.org/news/2026/12/04/the-harbour-council-approves-budget",
            "Antidisestablishmentarianism-and-floccinaucinihilipilification-again"]


def _variant(base: str, kind: int) -> str:
    if kind == 0:
        return base
    if kind == 1:  # a typo: a near copy
        return base[:10] + ("x" if base[10] != "x" else "y") + base[11:]
    if kind == 2:  # cut short: contained in the base
        return base[: len(base) * 3 // 4]
    return base + " More words were added at the end of it."  # holds the base


PARAGRAPH = st.one_of(
    st.tuples(st.integers(0, len(BASES) - 1), st.integers(0, 3)).map(
        lambda t: _variant(BASES[t[0]], t[1])),
    st.sampled_from(SHORT),
    st.sampled_from(UNSIGNED),
    st.integers(0, 99).map(lambda n: f"A paragraph of its own, number {n}, long enough to count."),
)
DOCUMENT = st.tuples(st.sampled_from(["a", "b", "c", "d", "e", "f"]),
                     st.lists(PARAGRAPH, min_size=0, max_size=6))
CORPUS = st.lists(DOCUMENT, min_size=1, max_size=12)


class Model:
    """The definition, row by row: exact owner first, then band owners confirmed by rapidfuzz."""

    def __init__(self) -> None:
        self.exact: dict[int, str] = {}
        self.bands: dict[int, int] = {}
        self.keys: dict[int, str] = {}

    def decide(self, articles: list[tuple[str, Analysis]]) -> list[dict[int, CorpusDrop]]:
        results = []
        for doc, a in articles:
            drops: dict[int, CorpusDrop] = {}
            rows = list(zip(a.candidates, a.fingerprints, a.keys, a.bands, strict=True))
            for i, fp, key, bands in rows:
                owner = self.exact.get(fp)
                if owner is not None:
                    if owner != doc:
                        drops[i] = CorpusDrop(CorpusReason.CROSS_DOC, None, owner, 1.0)
                    continue
                drop = self._near(doc, key, {self.bands[b] for b in bands if b in self.bands})
                if drop is not None:
                    drops[i] = drop
            for i, fp, key, bands in rows:
                if i in drops or fp in self.exact:
                    continue
                self.exact[fp] = doc
                self.keys[fp] = key
                for band in bands:
                    self.bands.setdefault(band, fp)
            results.append(drops)
        return results

    def _near(self, doc: str, key: str, near: set[int]) -> CorpusDrop | None:
        for candidate in sorted(near):
            owner, other = self.exact.get(candidate), self.keys.get(candidate)
            if owner is None or owner == doc or other is None:
                continue
            for match in verify_pairs([key, other], [(0, 1)], CONFIG.min_similarity,
                                      min_contained=CONFIG.min_length):
                if match.kind == "near" or len(key) <= len(other):
                    return CorpusDrop(CorpusReason.CROSS_DOC, None, owner, match.similarity)
        return None


def _index(kind: str) -> Index:
    if kind == "memory":
        return MemoryIndex()
    if kind == "pending":
        return pending_index(MemoryIndex())
    return SqliteIndex(":memory:")


@pytest.mark.parametrize("kind", ["memory", "pending", "sqlite"])
@settings(max_examples=40, deadline=None)
@given(corpus=CORPUS, batch=st.integers(1, 5))
def test_decisions_equal_the_row_by_row_definition(
    kernel_path: str, kind: str, corpus, batch: int
) -> None:
    """Same drops, batch after batch, and the same index afterwards, on every backend."""
    articles = [(doc, analyze_article("\n".join(ps), CONFIG, cross_doc=True))
                for doc, ps in corpus]
    index, model = _index(kind), Model()
    try:
        for start in range(0, len(articles), batch):
            part = articles[start:start + batch]
            assert decide_cross_doc(part, index, CONFIG) == model.decide(part)
            if hasattr(index, "flush"):
                index.flush()
        prints = {f for _, a in articles for f in a.fingerprints}
        assert index.find_exact(prints) == {f: d for f, d in model.exact.items() if f in prints}
        bands = {b for _, a in articles for row in a.bands for b in row}
        assert index.find_bands(bands) == {b: f for b, f in model.bands.items() if b in bands}
        assert index.find_keys(prints) == {f: k for f, k in model.keys.items() if f in prints}
    finally:
        index.close()


@settings(max_examples=60, deadline=None)
@given(corpus=CORPUS)
def test_rows_built_from_signatures_equal_rows_of_analyses(kernel_path: str, corpus) -> None:
    """A worker's rows (band keys from the signatures of a whole chunk) equal the analyses' rows."""
    builder = RowsBuilder(CONFIG.bands)
    articles = []
    for doc, ps in corpus:
        text = "\n".join(ps)
        facts = article_facts(text, CONFIG, cross_doc=True)
        builder.add(doc, facts.candidates, facts.fingerprints, facts.keys, facts.signatures,
                    facts.banded)
        articles.append((doc, analyze_article(text, CONFIG, cross_doc=True)))
    built, expected = builder.build(), rows_of(articles)
    for name in ("doc_of", "paragraphs", "fingerprints", "band_starts", "bands"):
        assert getattr(built, name).tolist() == getattr(expected, name).tolist(), name
    assert (built.docs, built.keys) == (expected.docs, expected.keys)


@settings(max_examples=60, deadline=None)
@given(paragraphs=st.lists(PARAGRAPH, max_size=8), chosen=st.data())
def test_signature_rows_give_the_band_keys_of_the_chosen_keys(
    kernel_path: str, paragraphs: list[str], chosen
) -> None:
    """Reusing analyze()'s signatures gives the band keys signing the chosen keys again gives."""
    found = analyze("\n".join(paragraphs), CONFIG)
    picked = chosen.draw(st.lists(st.integers(0, max(len(found.keys) - 1, 0)), unique=True)
                         if found.keys else st.just([]))
    picked.sort()
    expected = band_keys_of([found.keys[i] for i in picked], CONFIG)
    assert reuse_band_keys(found.keys, picked, found.signed, found.signatures, CONFIG) == expected
    rows, banded = signature_rows(found.keys, picked, found.signed, found.signatures, CONFIG)
    assert banded.tolist() == [bool(b) for b in expected]
    assert rows.shape[0] == sum(map(bool, expected))


@given(corpus=CORPUS)
@settings(max_examples=40, deadline=None)
def test_candidates_are_the_long_kept_paragraphs(kernel_path: str, corpus) -> None:
    """Weighing only the keys shorter in characters finds the same long paragraphs."""
    for _, ps in corpus:
        found = analyze("\n".join(ps), CONFIG)
        facts = article_facts("\n".join(ps), CONFIG, cross_doc=True)
        lengths = text_lengths(found.keys)
        assert list(facts.candidates) == [i for i, n in enumerate(lengths)
                                          if n >= CONFIG.min_length and i not in found.drops]


def test_rows_without_dropped_paragraphs(kernel_path: str) -> None:
    """Removing paragraphs (boilerplate) keeps the other rows and their band keys in order."""
    texts = [BASES[0] + "\n" + BASES[1], BASES[2] + "\n" + BASES[3]]
    rows = rows_of([(str(n), analyze_article(t, CONFIG, cross_doc=True))
                    for n, t in enumerate(texts)])
    left = rows.without([{1: CorpusDrop(CorpusReason.BOILERPLATE)}, {}])
    assert left.paragraphs.tolist() == [0, 0, 1]
    assert left.doc_of.tolist() == [0, 1, 1]
    assert left.keys == [rows.keys[0], rows.keys[2], rows.keys[3]]
    width = CONFIG.bands
    assert left.bands.tolist() == rows.bands[np.r_[0:width, 2 * width:4 * width]].tolist()
    assert rows.without([{}, {}]) is rows
    assert decide_rows(left, MemoryIndex(), CONFIG) == [{}, {}]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 7, 2**63, 2**64 - 1, 12345678901234567890]), max_size=40))
def test_repeated_values_are_those_held_twice(kernel_path: str, values: list[int]) -> None:
    """Which values occur more than once: from first places (compiled) or a sort (NumPy)."""
    flags = _repeated(np.array(values, dtype=np.uint64))
    assert flags.tolist() == [values.count(v) > 1 for v in values]
