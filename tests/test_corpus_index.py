"""The persistent index: SQLite and Redis remember across runs; formats are checked."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import dedup
from dedup import kernels
from dedup.cli import main
from dedup.config import Config
from dedup.corpus import bands as bands_module
from dedup.corpus.index import (
    ClaimedRows,
    Kept,
    LiveBands,
    MemoryIndex,
    PendingIndex,
    SqliteIndex,
    index_params,
    pending_index,
)
from dedup.corpus.index import pending as pending_module
from dedup.errors import IndexFormatError
from tests.corpus_helpers import SYNDICATED, story
from tests.redis_server import RedisServer

SITE = "harbour.example"
FOOTER = "Share this article"


def article(number: int, *extra: str) -> str:
    return "\n".join([*story("site", number), *extra, FOOTER])


def check_persistence(spec: str | Path) -> None:
    """First run keeps a paragraph; a second run with a new Deduplicator drops its copy."""
    with dedup.Deduplicator(spec) as first:
        assert SYNDICATED in first.clean(article(1, SYNDICATED), site=SITE, doc="a1")
    with dedup.Deduplicator(spec) as second:
        result = second.clean_with_report(article(2, SYNDICATED), site="other", doc="b1")
        assert SYNDICATED not in result.text
        assert result.dropped == {"cross_doc": 1}
        assert [r["duplicate_doc"] for r in result.paragraphs if not r["kept"]] == ["a1"]
        # a document never duplicates itself: cleaning a1 again keeps everything
        assert SYNDICATED in second.clean(article(1, SYNDICATED), site=SITE, doc="a1")


def test_sqlite_index_persists_across_runs(tmp_path: Path) -> None:
    check_persistence(tmp_path / "index.sqlite")


def test_memory_index_forgets_between_instances() -> None:
    with dedup.Deduplicator() as first:
        first.clean(article(1, SYNDICATED))
    with dedup.Deduplicator() as second:
        assert SYNDICATED in second.clean(article(2, SYNDICATED))


def test_same_instance_remembers_across_calls() -> None:
    with dedup.Deduplicator(cross_doc=True) as cleaner:
        cleaner.clean(article(1, SYNDICATED))
        assert SYNDICATED not in cleaner.clean(article(2, SYNDICATED))


def test_streaming_boilerplate() -> None:
    with dedup.Deduplicator(cross_doc=False, boilerplate_min_docs=3) as cleaner:
        outputs = [cleaner.clean(article(n), site=SITE) for n in range(4)]
        other_site = cleaner.clean(article(9), site="elsewhere.example")
    assert [FOOTER in text for text in outputs] == [True, True, False, False]
    assert FOOTER in other_site


def test_format_mismatch_raises(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    dedup.Deduplicator(path).close()
    with pytest.raises(IndexFormatError, match="num_perm"):
        dedup.Deduplicator(path, config=replace(Config(), num_perm=64, bands=8))
    index = SqliteIndex(path)
    index._db.execute("UPDATE meta SET value = 'format=0'")  # an older dedup wrote it
    with pytest.raises(IndexFormatError, match="format=0"):
        index.check(index_params(Config()))


def test_cli_index_read_and_updated_across_runs(tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    for run, name in enumerate(["first", "second"]):
        source = tmp_path / f"in-{name}"
        source.mkdir()
        (source / f"{name}.txt").write_text(article(run, SYNDICATED))
        code = main(["batch", str(source), str(tmp_path / f"out-{name}"), "--workers", "1",
                     "--quiet", "--cross-doc", "--index", str(index)])
        assert code == 0
    assert SYNDICATED in (tmp_path / "out-first" / "first.txt").read_text()
    assert SYNDICATED not in (tmp_path / "out-second" / "second.txt").read_text()
    # re-running the first corpus against the same index changes nothing
    again = tmp_path / "out-again"
    assert main(["batch", str(tmp_path / "in-first"), str(again), "--workers", "1", "--quiet",
                 "--cross-doc", "--index", str(index)]) == 0
    assert SYNDICATED in (again / "first.txt").read_text()


@pytest.mark.parametrize("max_keys", [0, 3, 5])
def test_memory_pending_layer_sees_what_a_separate_layer_sees(
    monkeypatch: pytest.MonkeyPatch, max_keys: int
) -> None:
    """Writing through with undo gives the reads of a layer flushed at the end of a file."""
    monkeypatch.setattr(pending_module, "MAX_KEYS", 5)  # a file keeps more texts than this
    rng = random.Random(max_keys)
    layered = PendingIndex(MemoryIndex(max_keys=max_keys))
    direct = pending_index(MemoryIndex(max_keys=max_keys))
    assert type(direct) is not PendingIndex
    for step in range(300):
        action = rng.choice(["add", "add", "add", "flush", "discard"])
        if action == "add":
            kept = [Kept(n, f"d{step}", (rng.randrange(40), rng.randrange(40)), f"key {n}")
                    for n in rng.sample(range(60), 3)]
            new = [k for k in kept if not layered.find_exact([k.fingerprint])]
            layered.add_kept(new)
            direct.add_kept(new)
        else:
            getattr(layered, action)()
            getattr(direct, action)()
        everything = range(60)
        assert direct.find_exact(everything) == layered.find_exact(everything)
        assert direct.find_bands(range(40)) == layered.find_bands(range(40))
        assert direct.find_keys(everything) == layered.find_keys(everything)


@pytest.mark.parametrize("hot", [8, 1 << 19])
def test_memory_index_with_frozen_runs_answers_as_sqlite(
    monkeypatch: pytest.MonkeyPatch, compiled_kernels: object, hot: int
) -> None:
    """Band keys and fingerprints frozen into sorted runs (a table of 8 slots), texts evicted
    from the file and files undone: the same answers as SQLite, step by step."""
    monkeypatch.setattr(bands_module, "HOT_CAPACITY", hot)
    monkeypatch.setattr(pending_module, "MAX_KEYS", 7)
    rng = random.Random(hot)
    with kernels.use("compiled"):
        memory = pending_index(MemoryIndex(max_keys=6))
        sqlite = PendingIndex(SqliteIndex(":memory:", max_keys=6))
        for step in range(400):
            action = rng.choice(["add", "add", "add", "add", "flush", "discard"])
            if action == "add":
                kept = [Kept(n, f"d{step}", tuple(rng.sample(range(90), 3)), f"key {n} é")
                        for n in rng.sample(range(120), 4)]
                new = [k for k in kept if not sqlite.find_exact([k.fingerprint])]
                memory.add_kept(new)
                sqlite.add_kept(new)
            else:
                getattr(memory, action)()
                getattr(sqlite, action)()
            assert memory.find_exact(range(120)) == sqlite.find_exact(range(120))
            assert memory.find_bands(range(90)) == sqlite.find_bands(range(90))
            assert memory.find_keys(range(120)) == sqlite.find_keys(range(120))
        memory.close()
        sqlite.close()


@pytest.mark.parametrize("path", ["numpy", "compiled"])
def test_claimed_rows_remembered_and_undone_as_kept_tuples(
    monkeypatch: pytest.MonkeyPatch, compiled_kernels: object, path: str
) -> None:
    """Rows handed over as arrays (some known already, some repeated, which are left out):
    the answers of the same paragraphs added as Kept tuples, after flushes and discards."""
    monkeypatch.setattr(bands_module, "HOT_CAPACITY", 8)  # band keys frozen into runs too
    rng = random.Random(path)
    with kernels.use(path):  # type: ignore[arg-type]
        direct = pending_index(MemoryIndex(max_keys=6))
        model = PendingIndex(MemoryIndex(max_keys=6))
        assert isinstance(direct, LiveBands)
        for step in range(300):
            action = rng.choice(["add", "add", "add", "flush", "discard"])
            if action != "add":
                getattr(direct, action)()
                getattr(model, action)()
            else:
                _add_rows(direct, model, rng, step)
            assert direct.find_exact(range(50)) == model.find_exact(range(50))
            assert direct.find_bands(range(70)) == model.find_bands(range(70))
            assert direct.find_keys(range(50)) == model.find_keys(range(50))
        direct.close()
        model.close()


def _add_rows(direct: PendingIndex, model: PendingIndex, rng: random.Random, step: int) -> None:
    """Add random rows to ``direct`` as ClaimedRows, their new paragraphs to ``model`` as Kept."""
    docs = [f"d{step}", f"d{step}", f"e{step}"]
    prints = [rng.randrange(50) for _ in range(5)]
    doc_of = sorted(rng.randrange(3) for _ in prints)
    counts = [f % 3 for f in prints]  # a paragraph's band keys follow from its text
    bands = [(f * 7 + j * 11) % 70 for f, c in zip(prints, counts, strict=True) for j in range(c)]
    rows = ClaimedRows(np.array(prints, dtype=np.uint64), docs,
                       np.array(doc_of, dtype=np.int64), [f"key {f} é" for f in prints],
                       np.array(counts, dtype=np.int64), np.array(bands, dtype=np.uint64))
    ends = np.cumsum(counts).tolist()
    kept = [Kept(f, docs[d], tuple(bands[e - c:e]), f"key {f} é")
            for f, d, c, e in zip(prints, doc_of, counts, ends, strict=True)]
    new = [k for n, k in enumerate(kept) if k.fingerprint not in prints[:n]
           and not model.find_exact([k.fingerprint])]
    assert isinstance(direct, LiveBands)
    direct.band_owners().claim(  # the caller claims the bands of the new ones only
        np.array([b for k in new for b in k.bands], dtype=np.uint64),
        np.array([k.fingerprint for k in new for _ in k.bands], dtype=np.uint64))
    direct.add_claimed(rows)
    model.add_kept(new)


def test_only_memory_lends_its_band_table() -> None:
    """MemoryIndex lends its band table to decide_cross_doc; SQLite answers batched queries."""
    assert isinstance(MemoryIndex(), LiveBands)
    assert isinstance(pending_index(MemoryIndex()), LiveBands)
    assert not isinstance(SqliteIndex(":memory:"), LiveBands)


# ----------------------------------------------------------------------- Redis


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.mark.redis
def test_redis_index_persists_across_runs(redis_url: str) -> None:
    check_persistence(redis_url)


@pytest.mark.redis
def test_redis_shared_by_two_cleaners_and_the_cli(redis_url: str, tmp_path: Path) -> None:
    with dedup.Deduplicator(redis_url, boilerplate_min_docs=2) as one, \
            dedup.Deduplicator(redis_url, boilerplate_min_docs=2) as two:
        one.clean(article(1, SYNDICATED), site=SITE, doc="x1")
        assert SYNDICATED not in two.clean(article(2, SYNDICATED), site=SITE, doc="x2")
        assert FOOTER not in two.clean(article(3), site=SITE, doc="x3")  # counted by both
    source = tmp_path / "in"
    source.mkdir()
    (source / "late.txt").write_text(article(4, SYNDICATED))
    out = tmp_path / "out"
    assert main(["batch", str(source), str(out), "--workers", "1", "--quiet", "--cross-doc",
                 "--index", redis_url]) == 0
    assert SYNDICATED not in (out / "late.txt").read_text()


@pytest.mark.redis
def test_redis_format_mismatch(redis_url: str) -> None:
    dedup.Deduplicator(redis_url).close()
    with pytest.raises(IndexFormatError):
        dedup.Deduplicator(redis_url, config=replace(Config(), seed=7))


def test_memory_pending_layer_does_not_hold_a_files_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond MAX_KEYS, a long file's evicted texts are freed, not kept alive for undoing."""
    import tracemalloc

    monkeypatch.setattr(pending_module, "MAX_KEYS", 100)
    pending = pending_index(MemoryIndex(max_keys=100))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for batch in range(50):  # 5,000 paragraphs of one file, 2 KB of text each
            pending.add_kept([Kept(batch * 100 + n, "d", (batch * 100 + n,),
                                   f"{batch} {n} " + "x" * 2000) for n in range(100)])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 2_000_000  # the 100 newest texts and the undo rows, not 10 MB of texts
    assert len(pending.find_keys(range(5000))) == 100
    pending.discard()
    assert pending.find_exact(range(5000)) == {}
