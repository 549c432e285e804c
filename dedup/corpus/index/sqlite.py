"""An index in one SQLite file (:class:`SqliteIndex`), shared by the processes of one machine.

Fingerprints and band keys are stored as signed 64-bit integers (SQLite's
``INTEGER``) and returned unsigned. Every ``sqlite3`` error leaves as a
:class:`~dedup.errors.CorpusIndexError` naming the file: a missing folder or a
lock held too long is :class:`~dedup.errors.IndexUnavailable`, a file that is
not a SQLite database, is damaged, or is another program's database is
:class:`~dedup.errors.IndexCorrupt`. Such a foreign database is refused before
anything is written to it.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from dedup.corpus.index.protocol import (
    MAX_KEYS,
    Kept,
    check_max_keys,
    check_params,
    translated,
)
from dedup.errors import CorpusIndexError, IndexCorrupt, IndexUnavailable

__all__ = ["SqliteIndex"]

TIMEOUT = 60.0  # seconds a statement waits for another process's lock
_BATCH = 500  # SQLite parameters per statement
_SIGN = 1 << 63
_WRAP = 1 << 64
_TABLES = ("meta", "docs", "sites", "counts", "exact", "bands", "keys")

T = TypeVar("T")


def _errors(index: SqliteIndex, error: Exception) -> CorpusIndexError | None:
    """The CorpusIndexError for a ``sqlite3`` error of ``index`` (see :func:`translated`)."""
    if isinstance(error, sqlite3.Error):
        return _translate(error, index.path, index.timeout)
    return None


_sqlite_errors = translated(_errors)


class SqliteIndex:
    """An index in one SQLite file (``":memory:"`` for a private in-memory one).

    Several processes on one machine may share the file (WAL mode, a busy
    timeout of ``timeout`` seconds); several opening a new file at once agree
    on one schema.

    Example:
        >>> from dedup.config import Config
        >>> from dedup.corpus.index import index_params
        >>> index = SqliteIndex(":memory:")
        >>> index.check(index_params(Config()))
        >>> index.add_docs(["a", "b", "a"]), index.add_docs(["a"])
        ([True, True, False], [False])
        >>> index.add_counts("example.org", {2**64 - 1: 2}, docs=2)
        >>> index.frequent("example.org", 2) == {2**64 - 1}
        True
        >>> index.counts("example.org", [2**64 - 1, 5])
        {18446744073709551615: 2}
    """

    def __init__(self, path: str | Path, *, max_keys: int = MAX_KEYS,
                 timeout: float = TIMEOUT) -> None:
        check_max_keys(max_keys)
        self.max_keys = max_keys
        self.path = str(path)
        self.timeout = timeout
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise _translate(error, self.path, timeout) from None
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    @_sqlite_errors
    def _open(self) -> None:
        """Switch to WAL and create the schema, retrying while another process does the same.

        Switching a new file to WAL needs the only lock on it; SQLite reports a
        competitor at once ("database is locked") instead of waiting, so this
        retries (with jitter) until ``timeout``.
        """
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            try:
                self._setup()
                return
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay * (0.5 + random.random()))  # jitter, not a secret
            delay = min(delay * 2, 0.25)

    def _setup(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        db.execute("PRAGMA synchronous = NORMAL")  # of this connection: writes nothing
        tables = self._refuse_foreign()  # before the WAL switch, which writes the header
        if self.path != ":memory:":
            (mode,) = db.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
        if tables.issuperset(_TABLES):
            return  # an index already: nothing to write
        with _Transaction(db):
            if not self._refuse_foreign().issuperset(_TABLES):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)

    def _refuse_foreign(self) -> set[str]:
        """Return the file's tables; raise IndexCorrupt if it is another program's database."""
        tables = {str(name) for (name,) in
                  self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "meta" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            msg = (f"the SQLite index {self.path} is another program's database "
                   f"(tables {shown}), not a dedup index: choose a new file")
            raise IndexCorrupt(msg)
        return tables

    @_sqlite_errors
    def check(self, params: str) -> None:  # noqa: D102 - documented in Index
        with _Transaction(self._db):
            row = self._db.execute("SELECT value FROM meta WHERE name = 'params'").fetchone()
            check_params(None if row is None else str(row[0]), params, self.path)
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('params', ?)", (params,))

    @_sqlite_errors
    def add_docs(self, ids: Sequence[str]) -> list[bool]:  # noqa: D102
        new = []
        with _Transaction(self._db):
            for doc in ids:
                cursor = self._db.execute("INSERT OR IGNORE INTO docs(id) VALUES (?)", (doc,))
                new.append(cursor.rowcount == 1)
        return new

    @_sqlite_errors
    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:  # noqa: D102
        with _Transaction(self._db):
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

    @_sqlite_errors
    def site_docs(self, site: str) -> int:  # noqa: D102
        row = self._db.execute("SELECT docs FROM sites WHERE site = ?", (site,)).fetchone()
        return 0 if row is None else int(row[0])

    @_sqlite_errors
    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:  # noqa: D102
        return self._lookup("SELECT fp, docs FROM counts WHERE site = ? AND fp IN ({})",
                            fingerprints, _unsigned_count, site)

    @_sqlite_errors
    def frequent(self, site: str, min_docs: int) -> set[int]:  # noqa: D102
        rows = self._db.execute(
            "SELECT fp FROM counts WHERE site = ? AND docs >= ?", (site, min_docs)
        )
        return {_unsigned(f) for (f,) in rows}

    @_sqlite_errors
    def sites(self) -> list[str]:  # noqa: D102
        return [str(s) for (s,) in self._db.execute("SELECT site FROM sites ORDER BY site")]

    @_sqlite_errors
    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return self._lookup(
            "SELECT exact.fp, docs.id FROM exact JOIN docs ON docs.num = exact.doc "
            "WHERE exact.fp IN ({})",
            fingerprints,
            str,
        )

    @_sqlite_errors
    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:  # noqa: D102
        return self._lookup("SELECT band, fp FROM bands WHERE band IN ({})", bands, _unsigned)

    @_sqlite_errors
    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return self._lookup("SELECT fp, key FROM keys WHERE fp IN ({})", fingerprints, str)

    def _lookup(
        self, query: str, values: Iterable[int], convert: Callable[[object], T], *head: str
    ) -> dict[int, T]:
        """Run ``query`` (its ``{}`` the marks of a batch of values) after ``head`` parameters."""
        found: dict[int, T] = {}
        for batch in _batches(values):
            statement = query.format(",".join("?" * len(batch)))
            rows = self._db.execute(statement, [*head, *map(_signed, batch)])
            found.update((_unsigned(k), convert(v)) for k, v in rows)
        return found

    @_sqlite_errors
    def add_kept(self, kept: Sequence[Kept]) -> None:  # noqa: D102
        if not kept:
            return
        db = self._db
        with _Transaction(db):
            known = self._lookup("SELECT fp, doc FROM exact WHERE fp IN ({})",
                                 (k.fingerprint for k in kept), _unsigned_count)
            new, seen = [], set(known)
            for item in kept:  # the first keeper of each fingerprint no one kept yet
                if item.fingerprint not in seen:
                    seen.add(item.fingerprint)
                    new.append(item)
            if not new:
                return
            docs = list(dict.fromkeys(k.doc for k in new))
            db.executemany("INSERT OR IGNORE INTO docs(id) VALUES (?)", ((doc,) for doc in docs))
            number = {doc: int(num) for doc in docs
                      for (num,) in db.execute("SELECT num FROM docs WHERE id = ?", (doc,))}
            db.executemany("INSERT INTO exact VALUES (?, ?)",
                           ((_signed(k.fingerprint), number[k.doc]) for k in new))
            db.executemany(
                "INSERT OR IGNORE INTO bands VALUES (?, ?)",
                ((_signed(b), _signed(k.fingerprint)) for k in new for b in k.bands),
            )
            if self.max_keys:
                db.executemany("INSERT OR IGNORE INTO keys(fp, key) VALUES (?, ?)",
                               ((_signed(k.fingerprint), k.key) for k in new))
                db.execute(
                    "DELETE FROM keys WHERE seq <= (SELECT max(seq) FROM keys) - ?",
                    (self.max_keys,),
                )

    @_sqlite_errors
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


def _busy(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _translate(error: sqlite3.Error, path: str, timeout: float) -> CorpusIndexError:
    """Return the CorpusIndexError that says what ``error`` means for the index at ``path``."""
    text = str(error)
    lowered = text.lower()
    where = f"the SQLite index {path}"
    if not isinstance(error, sqlite3.OperationalError) and isinstance(error, sqlite3.DatabaseError):
        return IndexCorrupt(f"{where} is damaged or not a SQLite database ({text}): "
                            "restore it from a copy, or choose a new file")
    if "no such table" in lowered or "no such column" in lowered or "has no column" in lowered:
        return IndexCorrupt(f"{where} does not hold dedup's tables ({text}): choose a new file")
    if "unable to open" in lowered:
        file = Path(path)
        if not file.parent.is_dir():
            return IndexUnavailable(f"cannot open {where}: the folder {file.parent} does not "
                                    "exist (create it first)")
        if file.is_dir():
            return IndexUnavailable(f"cannot open {where}: it is a directory, not a file")
        return IndexUnavailable(f"cannot open {where} ({text}): check that its folder is "
                                "writable")
    if _busy(error):
        return IndexUnavailable(f"{where} stayed locked by another process for more than "
                                f"{timeout:g} s")
    return IndexUnavailable(f"{where}: {text}")


def _signed(value: int) -> int:
    return value - _WRAP if value >= _SIGN else value


def _unsigned(value: object) -> int:
    number = value if isinstance(value, int) else int(str(value))
    return number + _WRAP if number < 0 else number


def _unsigned_count(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))


def _batches(values: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in dict.fromkeys(values):
        batch.append(value)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
