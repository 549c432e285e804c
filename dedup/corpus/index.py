"""The corpus index: what earlier articles held, as fingerprints and band keys.

The index remembers, across calls and runs:

- documents seen (their ids, so a re-run never counts a document twice),
- per site, how many documents were seen and in how many of them each exact
  fingerprint occurred (for site boilerplate),
- for every kept paragraph of ``min_length`` characters or more: its exact
  fingerprint and the id of the first document that kept it, and its LSH band
  keys (for cross-document duplicates),
- a bounded store of the normalized text of the most recently kept paragraphs
  (``max_keys`` of them, oldest evicted first), so that a near-duplicate
  candidate can be verified with rapidfuzz. A candidate whose text was
  evicted is not verified and therefore not dropped.

Three backends share the :class:`Index` protocol: :class:`MemoryIndex` (a
process's dicts), :class:`SqliteIndex` (one file, the embedded default) and
:class:`RedisIndex` (a server shared by several processes or machines). Every
method works on a batch, so one article or one chunk of articles costs a few
round trips; a :class:`MemoryIndex` also lends its band table to the caller
(:class:`LiveBands`), which saves copying it batch by batch. The format is
versioned: opening an index written with another format version, or with other
fingerprint settings, raises :class:`~dedup.errors.IndexFormatError`.

:class:`PendingIndex` holds a file's additions until the file is complete
(:func:`pending_index` picks one that writes through a memory index and can
undo).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar, runtime_checkable

import numpy as np

from dedup.config import Config
from dedup.corpus.bands import U64, BandOwners
from dedup.errors import ConfigError, IndexFormatError

if TYPE_CHECKING:
    import redis

__all__ = [
    "FORMAT_VERSION",
    "Index",
    "Kept",
    "LiveBands",
    "MemoryIndex",
    "RedisIndex",
    "SqliteIndex",
    "index_params",
    "open_index",
    "pending_index",
]

FORMAT_VERSION = 1
MAX_KEYS = 1_000_000
_BATCH = 500  # SQLite parameters per statement
_SIGN = 1 << 63
_WRAP = 1 << 64

T = TypeVar("T")


class Kept(NamedTuple):
    """A kept paragraph to remember: fingerprint, document id, band keys, normalized text.

    A named tuple: a chunk of articles makes thousands, cheaper than dataclasses.
    """

    fingerprint: int
    doc: str
    bands: tuple[int, ...]
    key: str


def index_params(config: Config) -> str:
    """Return the settings an index's fingerprints depend on, as stored in the index.

    Example:
        >>> index_params(Config(shingle_size=2, num_perm=32, bands=8, seed=1))
        'format=1 shingle_size=2 num_perm=32 bands=8 seed=1'
    """
    return (
        f"format={FORMAT_VERSION} shingle_size={config.shingle_size} "
        f"num_perm={config.num_perm} bands={config.bands} seed={config.seed}"
    )


class Index(Protocol):
    """What the corpus cleaner needs from an index (all methods take batches)."""

    def check(self, params: str) -> None:
        """Record ``params`` in a new index; raise IndexFormatError if it holds others."""

    def add_docs(self, ids: Sequence[str]) -> list[bool]:
        """Remember documents; return for each whether it was new."""

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:
        """Add document counts of fingerprints and ``docs`` documents to ``site``."""

    def site_docs(self, site: str) -> int:
        """Return how many documents of ``site`` were counted."""

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:
        """Return the document count of each known fingerprint of ``site``."""

    def frequent(self, site: str, min_docs: int) -> set[int]:
        """Return the fingerprints of ``site`` found in at least ``min_docs`` documents."""

    def sites(self) -> list[str]:
        """Return every site with counts, sorted."""

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:
        """Return the first keeping document of each known fingerprint."""

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:
        """Return the fingerprint first stored under each known band key."""

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:
        """Return the stored normalized text of each fingerprint still in the store."""

    def add_kept(self, kept: Sequence[Kept]) -> None:
        """Remember kept paragraphs; the first document to keep a paragraph stays its owner."""

    def close(self) -> None:
        """Release the connection or file."""


@runtime_checkable
class LiveBands(Protocol):
    """An index whose band table lives in this process (:class:`MemoryIndex` and its pending layer).

    A caller may read the table directly instead of through ``find_bands``,
    and claim the bands of the paragraphs it keeps there itself
    (:meth:`~dedup.corpus.bands.BandOwners.claim`, in order), then hand those
    paragraphs to :meth:`add_claimed` instead of ``add_kept``: the same index
    afterwards, with one band lookup or insertion fewer per band.
    """

    def band_owners(self) -> BandOwners:
        """Return the live table: band key -> fingerprint of the first keeper."""

    def add_claimed(self, kept: Sequence[Kept]) -> None:
        """Remember kept paragraphs whose bands the caller claimed in :meth:`band_owners`."""


def open_index(spec: str | Path | None, *, max_keys: int = MAX_KEYS) -> Index:
    """Open an index: ``None`` in memory, a ``redis://`` URL on Redis, else a SQLite file.

    Example:
        >>> type(open_index(None)).__name__, type(open_index(":memory:")).__name__
        ('MemoryIndex', 'SqliteIndex')
    """
    if spec is None:
        return MemoryIndex(max_keys=max_keys)
    text = str(spec)
    if text.startswith(("redis://", "rediss://", "unix://")):
        return RedisIndex.from_url(text, max_keys=max_keys)
    return SqliteIndex(spec, max_keys=max_keys)


def _check_max_keys(max_keys: int) -> None:
    if isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 0:
        msg = f"max_keys={max_keys!r} must be an integer >= 0"
        raise ConfigError(msg)


def _mismatch(found: str | None, params: str) -> None:
    if found is not None and found != params:
        msg = (
            f"the index was written with {found!r}, this dedup uses {params!r}: "
            "use a new index file, or the settings it was built with"
        )
        raise IndexFormatError(msg)


class MemoryIndex:
    """An index held in this process's memory, lost when it ends.

    Example:
        >>> index = MemoryIndex()
        >>> index.add_kept([Kept(7, "doc-1", (11, 12), "some key")])
        >>> index.find_exact([7, 8]), index.find_bands([12]), index.find_keys([7])
        ({7: 'doc-1'}, {12: 7}, {7: 'some key'})
    """

    def __init__(self, *, max_keys: int = MAX_KEYS) -> None:
        _check_max_keys(max_keys)
        self.max_keys = max_keys
        self._params: str | None = None
        self._docs: set[str] = set()
        self._site_docs: dict[str, int] = {}
        self._counts: dict[str, dict[int, int]] = {}
        self._exact: dict[int, str] = {}
        self._bands = BandOwners()
        self._keys: dict[int, str] = {}

    def check(self, params: str) -> None:  # noqa: D102 - documented in Index
        _mismatch(self._params, params)
        self._params = params

    def add_docs(self, ids: Sequence[str]) -> list[bool]:  # noqa: D102
        new = []
        for doc in ids:
            new.append(doc not in self._docs)
            self._docs.add(doc)
        return new

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:  # noqa: D102
        table = self._counts.setdefault(site, {})
        if table:
            for fingerprint, count in counts.items():
                table[fingerprint] = table.get(fingerprint, 0) + count
        else:  # the site's first counts: nothing to add to
            table.update(counts)
        self._site_docs[site] = self._site_docs.get(site, 0) + docs

    def site_docs(self, site: str) -> int:  # noqa: D102
        return self._site_docs.get(site, 0)

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:  # noqa: D102
        table = self._counts.get(site, {})
        return {f: table[f] for f in fingerprints if f in table}

    def frequent(self, site: str, min_docs: int) -> set[int]:  # noqa: D102
        return {f for f, n in self._counts.get(site, {}).items() if n >= min_docs}

    def sites(self) -> list[str]:  # noqa: D102
        return sorted(self._counts)

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return {f: self._exact[f] for f in fingerprints if f in self._exact}

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:  # noqa: D102
        wanted = np.fromiter(bands, np.uint64)
        found, owners = self._bands.find(wanted)
        return dict(zip(wanted[found].tolist(), owners[found].tolist(), strict=True))

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return {f: self._keys[f] for f in fingerprints if f in self._keys}

    def add_kept(self, kept: Sequence[Kept]) -> None:  # noqa: D102
        self.insert(kept, keys=self.max_keys > 0)
        self.evict(self.max_keys)

    def band_owners(self) -> BandOwners:  # noqa: D102 - documented in LiveBands
        return self._bands

    def add_claimed(self, kept: Sequence[Kept]) -> None:  # noqa: D102 - see LiveBands
        self.insert(kept, keys=self.max_keys > 0, bands=False)
        self.evict(self.max_keys)

    def insert(self, kept: Sequence[Kept], *, keys: bool, bands: bool = True) -> list[Kept]:
        """Add paragraphs no earlier one kept, with their text if ``keys``; return them.

        ``bands=False``: their band keys were claimed in :meth:`band_owners` already.
        """
        exact, texts = self._exact, self._keys
        added = []
        for item in kept:
            fingerprint, doc, _, key = item
            if fingerprint in exact:
                continue
            exact[fingerprint] = doc
            if keys:
                texts[fingerprint] = key
            added.append(item)
        if bands:
            self._bands.claim(*_band_rows(added))
        return added

    def evict(self, max_keys: int) -> None:
        """Forget the oldest texts beyond ``max_keys``."""
        while len(self._keys) > max_keys:
            del self._keys[next(iter(self._keys))]

    def remove(self, kept: Sequence[Kept], *, texts_only: bool = False) -> None:
        """Forget paragraphs that :meth:`insert` added (or only their texts)."""
        prints = np.fromiter((item.fingerprint for item in kept), np.uint64, len(kept))
        self.remove_rows(prints, None if texts_only else _band_rows(kept))

    def remove_rows(self, fingerprints: U64, bands: tuple[U64, U64] | None) -> None:
        """Forget the texts of these paragraphs and, given their band rows, the paragraphs."""
        for fingerprint in fingerprints.tolist():
            self._keys.pop(fingerprint, None)
            if bands is not None:
                del self._exact[fingerprint]
        if bands is not None:
            self._bands.release(*bands)

    def close(self) -> None:  # noqa: D102
        return


def _band_rows(kept: Sequence[Kept]) -> tuple[U64, U64]:
    """Return the band keys of ``kept`` and, beside each, its paragraph's fingerprint."""
    keys = np.fromiter(chain.from_iterable(k.bands for k in kept), np.uint64)
    owners = np.fromiter(chain.from_iterable(repeat(k.fingerprint, len(k.bands)) for k in kept),
                         np.uint64, keys.shape[0])
    return keys, owners


class SqliteIndex:
    """An index in one SQLite file (``":memory:"`` for a private in-memory one).

    Several processes on one machine may share the file (WAL mode, a busy
    timeout). Fingerprints are stored as signed 64-bit integers.

    Example:
        >>> index = SqliteIndex(":memory:")
        >>> index.check(index_params(Config()))
        >>> index.add_docs(["a", "b", "a"]), index.add_docs(["a"])
        ([True, True, False], [False])
        >>> index.add_counts("example.org", {2**64 - 1: 2}, docs=2)
        >>> index.frequent("example.org", 2) == {2**64 - 1}
        True
    """

    def __init__(self, path: str | Path, *, max_keys: int = MAX_KEYS) -> None:
        _check_max_keys(max_keys)
        self.max_keys = max_keys
        self._db = sqlite3.connect(str(path), timeout=60.0, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 60000")
        if str(path) != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def check(self, params: str) -> None:  # noqa: D102 - documented in Index
        with self._transaction():
            row = self._db.execute("SELECT value FROM meta WHERE name = 'params'").fetchone()
            _mismatch(None if row is None else str(row[0]), params)
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('params', ?)", (params,))

    def add_docs(self, ids: Sequence[str]) -> list[bool]:  # noqa: D102
        new = []
        with self._transaction():
            for doc in ids:
                cursor = self._db.execute("INSERT OR IGNORE INTO docs(id) VALUES (?)", (doc,))
                new.append(cursor.rowcount == 1)
        return new

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:  # noqa: D102
        with self._transaction():
            self._db.executemany(
                "INSERT INTO counts VALUES (?, ?, ?) "
                "ON CONFLICT(site, fp) DO UPDATE SET docs = docs + excluded.docs",
                ((site, _signed(f), n) for f, n in counts.items()),
            )
            self._db.execute(
                "INSERT INTO sites VALUES (?, ?) "
                "ON CONFLICT(site) DO UPDATE SET docs = docs + excluded.docs",
                (site, docs),
            )

    def site_docs(self, site: str) -> int:  # noqa: D102
        row = self._db.execute("SELECT docs FROM sites WHERE site = ?", (site,)).fetchone()
        return 0 if row is None else int(row[0])

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:  # noqa: D102
        found: dict[int, int] = {}
        for batch in _batches(fingerprints):
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT fp, docs FROM counts WHERE site = ? AND fp IN ({marks})",
                (site, *batch),
            )
            found.update((_unsigned(f), int(n)) for f, n in rows)
        return found

    def frequent(self, site: str, min_docs: int) -> set[int]:  # noqa: D102
        rows = self._db.execute(
            "SELECT fp FROM counts WHERE site = ? AND docs >= ?", (site, min_docs)
        )
        return {_unsigned(f) for (f,) in rows}

    def sites(self) -> list[str]:  # noqa: D102
        return [str(s) for (s,) in self._db.execute("SELECT site FROM sites ORDER BY site")]

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return self._lookup(
            "SELECT exact.fp, docs.id FROM exact JOIN docs ON docs.num = exact.doc "
            "WHERE exact.fp IN ({})",
            fingerprints,
            str,
        )

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:  # noqa: D102
        return self._lookup("SELECT band, fp FROM bands WHERE band IN ({})", bands, _unsigned)

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return self._lookup("SELECT fp, key FROM keys WHERE fp IN ({})", fingerprints, str)

    def _lookup(
        self, query: str, values: Iterable[int], convert: Callable[[object], T]
    ) -> dict[int, T]:
        found: dict[int, T] = {}
        for batch in _batches(values):
            statement = query.format(",".join("?" * len(batch)))
            rows = self._db.execute(statement, [_signed(v) for v in batch])
            found.update((_unsigned(k), convert(v)) for k, v in rows)
        return found

    def add_kept(self, kept: Sequence[Kept]) -> None:  # noqa: D102
        if not kept:
            return
        db = self._db
        with self._transaction():
            db.executemany("INSERT OR IGNORE INTO docs(id) VALUES (?)",
                           ((doc,) for doc in dict.fromkeys(k.doc for k in kept)))
            number = {
                doc: int(num)
                for doc in dict.fromkeys(k.doc for k in kept)
                for (num,) in db.execute("SELECT num FROM docs WHERE id = ?", (doc,))
            }
            db.executemany(
                "INSERT OR IGNORE INTO exact VALUES (?, ?)",
                ((_signed(k.fingerprint), number[k.doc]) for k in kept),
            )
            db.executemany(
                "INSERT OR IGNORE INTO bands VALUES (?, ?)",
                ((_signed(b), _signed(k.fingerprint)) for k in kept for b in k.bands),
            )
            if self.max_keys:
                db.executemany(
                    "INSERT OR IGNORE INTO keys(fp, key) VALUES (?, ?)",
                    ((_signed(k.fingerprint), k.key) for k in kept),
                )
                db.execute(
                    "DELETE FROM keys WHERE seq <= (SELECT max(seq) FROM keys) - ?",
                    (self.max_keys,),
                )

    def close(self) -> None:  # noqa: D102
        self._db.close()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS sites (site TEXT PRIMARY KEY, docs INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
    site TEXT NOT NULL, fp INTEGER NOT NULL, docs INTEGER NOT NULL, PRIMARY KEY (site, fp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exact (fp INTEGER PRIMARY KEY, doc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands (band INTEGER PRIMARY KEY, fp INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS keys (seq INTEGER PRIMARY KEY, fp INTEGER NOT NULL UNIQUE,
                                 key TEXT NOT NULL);
"""


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an error)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")


def _signed(value: int) -> int:
    return value - _WRAP if value >= _SIGN else value


def _unsigned(value: object) -> int:
    number = value if isinstance(value, int) else int(str(value))
    return number + _WRAP if number < 0 else number


def _batches(values: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in dict.fromkeys(values):
        batch.append(value)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class RedisIndex:
    """An index on a Redis server, shared by every process that opens the same prefix.

    Install the client with ``pip install dedup[redis]``. Keys live under
    ``prefix`` (``dedup:`` by default): a ``meta`` hash, a ``docs`` set, a
    ``sites`` hash of document counts, one ``counts:<site>`` hash per site,
    ``exact``, ``bands`` and ``keys`` hashes, and a ``key-order`` list that
    bounds the text store. First writers win (``HSETNX``), so concurrent
    scrapers agree on which document owns a paragraph.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "dedup:",
                 max_keys: int = MAX_KEYS) -> None:
        _check_max_keys(max_keys)
        self.max_keys = max_keys
        self._redis = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "dedup:", max_keys: int = MAX_KEYS
                 ) -> RedisIndex:
        """Connect to the server at ``url`` (``redis://host:port/db``)."""
        try:
            import redis
        except ImportError:
            msg = f"a Redis index ({url!r}) needs the redis client: pip install 'dedup[redis]'"
            raise ConfigError(msg) from None
        return cls(redis.Redis.from_url(url), prefix=prefix, max_keys=max_keys)

    def _key(self, name: str) -> str:
        return self._prefix + name

    def check(self, params: str) -> None:  # noqa: D102 - documented in Index
        meta = self._key("meta")
        self._redis.hsetnx(meta, "params", params)
        found = self._redis.hget(meta, "params")
        _mismatch(None if found is None else _text(found), params)

    def add_docs(self, ids: Sequence[str]) -> list[bool]:  # noqa: D102
        pipe = self._redis.pipeline(transaction=False)
        for doc in ids:
            pipe.sadd(self._key("docs"), doc)
        return [bool(added) for added in pipe.execute()]

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:  # noqa: D102
        pipe = self._redis.pipeline(transaction=True)
        table = self._key(f"counts:{site}")
        for fingerprint, count in counts.items():
            pipe.hincrby(table, str(fingerprint), count)
        pipe.hincrby(self._key("sites"), site, docs)
        pipe.execute()

    def site_docs(self, site: str) -> int:  # noqa: D102
        value = self._redis.hget(self._key("sites"), site)
        return 0 if value is None else int(value)

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:  # noqa: D102
        wanted = list(dict.fromkeys(fingerprints))
        if not wanted:
            return {}
        values = self._redis.hmget(self._key(f"counts:{site}"), [str(f) for f in wanted])
        return {f: int(v) for f, v in zip(wanted, values, strict=True) if v is not None}

    def frequent(self, site: str, min_docs: int) -> set[int]:  # noqa: D102
        table = self._key(f"counts:{site}")
        return {int(f) for f, n in self._redis.hscan_iter(table, count=10_000)
                if int(n) >= min_docs}

    def sites(self) -> list[str]:  # noqa: D102
        return sorted(_text(s) for s in self._redis.hkeys(self._key("sites")))

    def _hmget(self, name: str, values: Iterable[int]) -> dict[int, bytes | str]:
        wanted = list(dict.fromkeys(values))
        if not wanted:
            return {}
        found = self._redis.hmget(self._key(name), [str(v) for v in wanted])
        return {v: f for v, f in zip(wanted, found, strict=True) if f is not None}

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return {f: _text(d) for f, d in self._hmget("exact", fingerprints).items()}

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:  # noqa: D102
        return {b: int(f) for b, f in self._hmget("bands", bands).items()}

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return {f: _text(k) for f, k in self._hmget("keys", fingerprints).items()}

    def add_kept(self, kept: Sequence[Kept]) -> None:  # noqa: D102
        if not kept:
            return
        pipe = self._redis.pipeline(transaction=False)
        for item in kept:
            pipe.hsetnx(self._key("exact"), str(item.fingerprint), item.doc)
        owned = pipe.execute()
        for item, new in zip(kept, owned, strict=True):
            if not new:
                continue
            for band in item.bands:
                pipe.hsetnx(self._key("bands"), str(band), str(item.fingerprint))
            if self.max_keys:
                pipe.hset(self._key("keys"), str(item.fingerprint), item.key)
                pipe.rpush(self._key("key-order"), str(item.fingerprint))
        pipe.execute()
        if self.max_keys:
            self._evict_keys()

    def _evict_keys(self) -> None:
        excess = int(self._redis.llen(self._key("key-order"))) - self.max_keys
        if excess <= 0:
            return
        old = self._redis.lpop(self._key("key-order"), excess) or []
        if old:
            self._redis.hdel(self._key("keys"), *old)

    def close(self) -> None:  # noqa: D102
        self._redis.close()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class PendingIndex:
    """Holds a file's additions until the file is complete, on top of another index.

    Reads see the pending additions first, then ``base``. :meth:`flush` writes
    them to ``base``; :meth:`discard` forgets them, so a file that turns out to
    be bad leaves nothing in the index.
    """

    def __init__(self, base: Index) -> None:
        self.base = base
        self._pending = MemoryIndex(max_keys=MAX_KEYS)
        self._kept: list[Kept] = []

    def check(self, params: str) -> None:
        self.base.check(params)

    def add_docs(self, ids: Sequence[str]) -> list[bool]:
        return self.base.add_docs(ids)

    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:
        self.base.add_counts(site, counts, docs)

    def site_docs(self, site: str) -> int:
        return self.base.site_docs(site)

    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:
        return self.base.counts(site, fingerprints)

    def frequent(self, site: str, min_docs: int) -> set[int]:
        return self.base.frequent(site, min_docs)

    def sites(self) -> list[str]:
        return self.base.sites()

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:
        wanted = list(fingerprints)
        found = self.base.find_exact(wanted)
        found.update(self._pending.find_exact(wanted))
        return found

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:
        wanted = list(bands)
        found = self._pending.find_bands(wanted)
        found.update(self.base.find_bands(wanted))  # the earlier owner wins
        return found

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:
        wanted = list(fingerprints)
        found = self.base.find_keys(wanted)
        found.update(self._pending.find_keys(wanted))
        return found

    def add_kept(self, kept: Sequence[Kept]) -> None:
        self._pending.add_kept(kept)
        self._kept.extend(kept)

    def flush(self) -> None:
        """Write the pending additions to the base index."""
        self.base.add_kept(self._kept)
        self.discard()

    def discard(self) -> None:
        """Forget the pending additions."""
        self._pending = MemoryIndex(max_keys=MAX_KEYS)
        self._kept = []

    def close(self) -> None:
        self.base.close()


class _MemoryPending(PendingIndex):
    """A :class:`PendingIndex` over a :class:`MemoryIndex` that writes through and can undo.

    Additions go straight into the base (which reads see, as they would see a
    pending layer); :meth:`discard` removes them, :meth:`flush` evicts the
    base's oldest texts. A file's own texts beyond ``MAX_KEYS`` are evicted at
    once, as the pending layer's own store would; the result is the same as
    holding the additions apart and adding them at :meth:`flush` (which costs
    a second insertion of every band key).
    """

    def __init__(self, base: MemoryIndex) -> None:
        self.base = base
        self.memory = base
        self._clear()

    def _clear(self) -> None:
        # what undoing needs, and no more: fingerprints and band rows, not the Kept tuples
        # (whose texts would stay alive for the whole file, beyond MAX_KEYS)
        self._prints: list[U64] = []
        self._rows: list[tuple[U64, U64]] = []
        self._added = 0
        self._evicted = 0  # the file's own oldest texts evicted so far
        self._cursor = (0, 0)  # where they end: batch, offset

    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:
        return self.memory.find_exact(fingerprints)

    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:
        return self.memory.find_bands(bands)

    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:
        return self.memory.find_keys(fingerprints)

    def add_kept(self, kept: Sequence[Kept]) -> None:
        self._add(kept, bands=True)

    def band_owners(self) -> BandOwners:
        return self.memory.band_owners()

    def add_claimed(self, kept: Sequence[Kept]) -> None:
        self._add(kept, bands=False)

    def _add(self, kept: Sequence[Kept], *, bands: bool) -> None:
        added = self.memory.insert(kept, keys=True, bands=bands)
        if not added:
            return
        self._prints.append(np.fromiter((k.fingerprint for k in added), np.uint64, len(added)))
        self._rows.append(_band_rows(added))
        self._added += len(added)
        over = self._added - self._evicted - MAX_KEYS
        while over > 0:
            batch, offset = self._cursor
            prints = self._prints[batch]
            take = min(over, len(prints) - offset)
            self.memory.remove_rows(prints[offset:offset + take], None)
            self._evicted += take
            over -= take
            self._cursor = (batch, offset + take) if offset + take < len(prints) else (batch + 1, 0)

    def flush(self) -> None:
        self.memory.evict(self.memory.max_keys)
        self._clear()

    def discard(self) -> None:
        for prints, rows in zip(self._prints, self._rows, strict=True):
            self.memory.remove_rows(prints, rows)
        self._clear()


def pending_index(base: Index) -> PendingIndex:
    """Return a :class:`PendingIndex` over ``base`` (one that writes through for memory).

    Example:
        >>> memory = MemoryIndex()
        >>> pending = pending_index(memory)
        >>> pending.add_kept([Kept(7, "doc-1", (11,), "some key")])
        >>> pending.find_exact([7])
        {7: 'doc-1'}
        >>> pending.discard()
        >>> pending.find_exact([7]), memory.find_bands([11])
        ({}, {})
    """
    if isinstance(base, MemoryIndex) and base.max_keys <= MAX_KEYS:
        return _MemoryPending(base)
    return PendingIndex(base)
