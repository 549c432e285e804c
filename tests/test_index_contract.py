"""One contract, every index backend: memory, SQLite and Redis answer the same calls the same way.

Each test runs on every backend (the ``backend`` fixture); Redis is a real
``redis-server`` started for the session, each test under its own key prefix.
Fingerprints and band keys cover the whole unsigned 64-bit range, 2**63 and
above included (SQLite stores them signed).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import dedup
from dedup.config import Config
from dedup.corpus.decisions import analyze_article, decide_cross_doc
from dedup.corpus.index import (
    MAX_KEYS,
    Index,
    Kept,
    MemoryIndex,
    RedisIndex,
    SqliteIndex,
    index_params,
    pending_index,
)
from dedup.errors import IndexFormatError
from tests.corpus_helpers import SYNDICATED, SYNDICATED_NEAR, story
from tests.redis_server import RedisServer

HIGH = 2**64 - 1
EDGES = [0, 1, 2**62, 2**63 - 1, 2**63, 2**63 + 1, 2**64 - 2, HIGH]  # signed/unsigned edges
PARAMS = index_params(Config())
_prefixes = itertools.count()


@dataclass
class Backend:
    """Opens indexes of one kind on one store: ``open()`` again sees what earlier ones wrote."""

    name: str
    open: Callable[..., Index]
    persistent: bool


@pytest.fixture(params=["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    opened: list[Index] = []

    def track(index: Index) -> Index:
        opened.append(index)
        return index

    if request.param == "memory":
        shared: dict[int, MemoryIndex] = {}

        def open_memory(max_keys: int = MAX_KEYS) -> Index:
            return track(shared.setdefault(max_keys, MemoryIndex(max_keys=max_keys)))

        yield Backend("memory", open_memory, persistent=False)
    elif request.param == "sqlite":
        path = tmp_path / "index.sqlite"
        yield Backend("sqlite", lambda max_keys=MAX_KEYS: track(
            SqliteIndex(path, max_keys=max_keys)), persistent=True)
    else:
        import redis

        server: RedisServer = request.getfixturevalue("shared_redis")
        prefix = f"contract{next(_prefixes)}:"
        yield Backend("redis", lambda max_keys=MAX_KEYS: track(RedisIndex(
            redis.Redis.from_url(server.url), prefix=prefix, max_keys=max_keys)),
            persistent=True)
    for index in opened:
        index.close()


def kept(fingerprint: int, doc: str, *bands: int) -> Kept:
    return Kept(fingerprint, doc, bands, f"text of {fingerprint}")


def test_params_guard(backend: Backend) -> None:
    index = backend.open()
    index.check(PARAMS)
    index.check(PARAMS)  # the same settings again: fine
    other = index_params(replace(Config(), num_perm=64, bands=8))
    with pytest.raises(IndexFormatError, match="num_perm=64"):
        index.check(other)
    if backend.persistent:
        with pytest.raises(IndexFormatError, match="num_perm=64"):
            backend.open().check(other)
        backend.open().check(PARAMS)


def test_documents_are_new_once(backend: Backend) -> None:
    index = backend.open()
    assert index.add_docs(["a", "b", "a", "é/ü:1"]) == [True, True, False, True]
    assert index.add_docs(["b", "c"]) == [False, True]
    assert index.add_docs([]) == []
    if backend.persistent:
        assert backend.open().add_docs(["a", "d"]) == [False, True]


def test_counts_accumulate_over_the_whole_range(backend: Backend) -> None:
    index = backend.open()
    index.add_counts("north.example", dict.fromkeys(EDGES, 1), docs=1)
    index.add_counts("north.example", {HIGH: 2, 2**63: 1, 5: 1}, docs=2)
    index.add_counts("south.example", {HIGH: 7}, docs=7)
    assert index.site_docs("north.example") == 3
    assert index.site_docs("south.example") == 7
    assert index.site_docs("nowhere.example") == 0
    expected = {**dict.fromkeys(EDGES, 1), HIGH: 3, 2**63: 2, 5: 1}
    assert index.counts("north.example", [*EDGES, 5, 6, HIGH]) == expected
    assert index.counts("south.example", EDGES) == {HIGH: 7}
    assert index.counts("nowhere.example", EDGES) == {}
    assert index.counts("north.example", []) == {}
    assert index.frequent("north.example", 2) == {HIGH, 2**63}
    assert index.frequent("north.example", 1) == {*EDGES, 5}
    assert index.frequent("nowhere.example", 1) == set()
    assert index.sites() == ["north.example", "south.example"]
    if backend.persistent:
        assert backend.open().counts("north.example", [HIGH]) == {HIGH: 3}


def test_first_keeper_owns_fingerprints_bands_and_texts(backend: Backend) -> None:
    index = backend.open()
    assert index.find_exact(EDGES) == {}
    index.add_kept([kept(f, f"doc-{n}", HIGH - n, 2**63 + n) for n, f in enumerate(EDGES)])
    index.add_kept([kept(HIGH, "later", 3), kept(2**63 + 9, "later", HIGH)])  # HIGH is taken
    assert index.find_exact([*EDGES, 2**63 + 9, 12345]) == {
        **{f: f"doc-{n}" for n, f in enumerate(EDGES)}, 2**63 + 9: "later"}
    assert index.find_bands([HIGH, 2**63, 2**63 + 7, 3, 99]) == {
        HIGH: EDGES[0], 2**63: EDGES[0], 2**63 + 7: HIGH}  # band 3 came with a repeat: ignored
    assert index.find_keys([HIGH, 2**63, 2**63 + 9]) == {
        HIGH: f"text of {HIGH}", 2**63: f"text of {2**63}", 2**63 + 9: f"text of {2**63 + 9}"}
    assert index.find_exact([HIGH, HIGH]) == {HIGH: "doc-7"}  # a repeated query, one answer
    assert index.find_exact([]) == index.find_bands([]) == index.find_keys([]) == {}
    index.add_kept([])
    if backend.persistent:
        assert backend.open().find_bands([2**63 + 7]) == {2**63 + 7: HIGH}


def test_large_batches(backend: Backend) -> None:
    index = backend.open()
    prints = [2**63 + 3 * n for n in range(1300)]  # beyond one SQLite statement's batch
    index.add_kept([kept(f, "big", f ^ 1) for f in prints])
    index.add_counts("big.example", dict.fromkeys(prints, 2), docs=2)
    assert index.find_exact(prints) == dict.fromkeys(prints, "big")
    assert index.find_bands([f ^ 1 for f in prints]) == {f ^ 1: f for f in prints}
    assert index.counts("big.example", prints) == dict.fromkeys(prints, 2)


@pytest.mark.parametrize("max_keys", [0, 2])
def test_text_store_evicts_oldest_first(backend: Backend, max_keys: int) -> None:
    index = backend.open(max_keys)
    prints = [HIGH - n for n in range(5)]
    index.add_kept([kept(f, "d", n) for n, f in enumerate(prints[:3])])
    index.add_kept([kept(prints[0], "again", 50)])  # a repeat adds no text
    index.add_kept([kept(f, "e", 10 + n) for n, f in enumerate(prints[3:])])
    assert index.find_keys(prints) == {f: f"text of {f}" for f in prints[5 - max_keys:]}
    assert index.find_exact(prints) == {**dict.fromkeys(prints[:3], "d"),
                                        **dict.fromkeys(prints[3:], "e")}
    assert index.find_bands(range(60)) == {0: prints[0], 1: prints[1], 2: prints[2],
                                           10: prints[3], 11: prints[4]}


def test_pending_layer(backend: Backend) -> None:
    """A file's additions: seen by reads at once, written by flush, forgotten by discard."""
    base = backend.open()
    base.add_kept([kept(HIGH, "earlier", 1)])
    pending = pending_index(base)
    pending.add_kept([kept(2**63, "file-1", 1, 2), kept(7, "file-1", 3)])
    assert pending.find_exact([HIGH, 2**63, 7]) == {HIGH: "earlier", 2**63: "file-1", 7: "file-1"}
    assert pending.find_bands([1, 2, 3]) == {1: HIGH, 2: 2**63, 3: 7}  # the earlier owner wins
    assert pending.find_keys([2**63]) == {2**63: f"text of {2**63}"}
    pending.discard()
    assert pending.find_exact([2**63, 7]) == base.find_exact([2**63, 7]) == {}
    assert base.find_bands([2, 3]) == {}
    pending.add_kept([kept(2**63 + 1, "file-2", 4)])
    pending.flush()
    assert base.find_exact([2**63 + 1]) == {2**63 + 1: "file-2"}
    assert base.find_bands([4]) == {4: 2**63 + 1}


def _articles() -> list[tuple[str, str, str]]:
    """(site, doc, text): shared footers, a syndicated paragraph and its near copy, repeats."""
    articles = []
    for n in range(12):
        site = ["harbour.example", "valley.example"][n % 2]
        body = story(site, n)
        extra = [SYNDICATED] if n % 4 == 1 else [SYNDICATED_NEAR] if n % 4 == 3 else []
        text = "\n".join([*body, *extra, f"Share this article from {site}",
                          story("shared", n % 3)[0]])
        articles.append((site, f"https://{site}/{n % 10}", text))  # two ids come back
    return articles


def test_deduplicator_with_boilerplate_and_cross_doc(backend: Backend) -> None:
    """The streaming cleaner gives the same text and reports on every backend."""
    def run(index: Index) -> list[tuple[str, tuple[dict[str, object], ...]]]:
        with dedup.Deduplicator(index, boilerplate_min_docs=3) as cleaner:
            results = [cleaner.clean_with_report(text, site=site, doc=doc)
                       for site, doc, text in _articles()]
        return [(r.text, r.paragraphs) for r in results]

    expected = run(MemoryIndex())
    assert run(backend.open()) == expected
    reasons = {row["reason"] for _, rows in expected for row in rows if not row["kept"]}
    assert reasons == {"boilerplate", "cross_doc"}  # both corpus rules took part


def test_cross_doc_decisions_in_batches(backend: Backend) -> None:
    """decide_cross_doc over chunks of articles decides as against a memory index."""
    config = Config()
    batches = [[(doc, analyze_article(text, config, cross_doc=True))
                for _, doc, text in _articles()[start:start + 4]] for start in (0, 4, 8)]
    memory, index = MemoryIndex(), backend.open()
    for batch in batches:
        assert decide_cross_doc(batch, index, config) == decide_cross_doc(batch, memory, config)
    everything = [f for batch in batches for _, a in batch for f in a.fingerprints]
    assert index.find_exact(everything) == memory.find_exact(everything)
    bands = [b for batch in batches for _, a in batch for bs in a.bands for b in bs]
    assert index.find_bands(bands) == memory.find_bands(bands)
    assert index.find_keys(everything) == memory.find_keys(everything)
