"""dedup.corpus.index.kept: numbered paragraphs, their documents, their texts out of the heap."""

from __future__ import annotations

import os
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.corpus.index import kept as kept_module
from dedup.corpus.index.kept import KeptParagraphs

TEXTS = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["\ud800 lone", "naïve 漢字"]))
STEPS = st.lists(st.one_of(
    st.tuples(st.just("append"), st.lists(st.tuples(st.sampled_from("abc"), TEXTS), max_size=6)),
    st.tuples(st.just("forget"), st.lists(st.integers(0, 60), max_size=6)),
    st.tuples(st.just("evict"), st.integers(0, 8)),
), max_size=30)


@settings(max_examples=300)
@given(steps=STEPS, rewrite=st.booleans())
def test_kept_paragraphs_behave_as_an_ordered_dict(steps, rewrite: bool) -> None:
    """Documents and texts by number, eviction oldest first, as a dict in insertion order;
    also when the file is rewritten after every forgetting."""
    with pytest.MonkeyPatch.context() as patch:
        if rewrite:
            patch.setattr(kept_module, "MIN_REWRITE", 0)
        kept = KeptParagraphs()
        docs: list[str] = []
        texts: dict[int, str] = {}
        for action, argument in steps:
            if action == "append":
                first = kept.append([d for d, _ in argument], [t for _, t in argument])
                assert first == len(docs)
                for n, (doc, text) in enumerate(argument):
                    docs.append(doc)
                    if text is not None:
                        texts[first + n] = text
            elif action == "forget":
                numbers = [n for n in argument if n < len(docs)]
                kept.forget_texts(np.array(numbers, dtype=np.int64))
                for n in numbers:
                    texts.pop(n, None)
            else:
                kept.evict(argument)
                while len(texts) > argument:
                    del texts[next(iter(texts))]
            everything = np.arange(len(docs))
            assert kept.docs(everything) == docs
            assert kept.texts(everything) == [texts.get(n) for n in range(len(docs))]
            assert kept.text_count == len(texts)
        kept.close()


def test_texts_live_in_a_file_not_in_the_heap() -> None:
    """5,000 texts of 2 KB: under 1 MB of Python memory; read back whole; file gone at close."""
    kept = KeptParagraphs()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for batch in range(50):
            kept.append(["d"] * 100, [f"{batch} {n} " + "x" * 2000 for n in range(100)])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 1_000_000
    assert kept.texts(np.array([4999]))[0] == "49 99 " + "x" * 2000
    assert kept.file_bytes > 10_000_000
    fd = kept._fd
    assert fd is not None
    kept.close()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_evicted_texts_are_rewritten_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once evicted texts fill over half the file, the file holds only the live ones."""
    monkeypatch.setattr(kept_module, "MIN_REWRITE", 0)
    kept = KeptParagraphs()
    for batch in range(20):
        kept.append(["d"] * 10, [f"{batch}-{n}" + "y" * 100 for n in range(10)])
        kept.evict(25)
    assert kept.text_count == 25
    assert kept.file_bytes < 2 * 25 * 110
    assert kept.texts(np.array([199, 175, 174])) == ["19-9" + "y" * 100, "17-5" + "y" * 100, None]
