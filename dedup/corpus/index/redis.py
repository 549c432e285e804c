"""An index on a Redis server (:class:`RedisIndex`), shared by processes and machines.

Every Redis error leaves as a :class:`~dedup.errors.CorpusIndexError` naming
the server with its password masked (:func:`dedup.redact.redact`): a server
that cannot be reached, refuses the password or dies mid-run is
:class:`~dedup.errors.IndexUnavailable`; keys of another kind under the prefix
are :class:`~dedup.errors.IndexCorrupt`.

The ``meta`` hash holds the settings and a token drawn when the index was
created. Every call reads the token back in the same round trip as its work; a
missing or different token means the index was emptied (``FLUSHALL``,
``FLUSHDB``, a restart without persistence) or replaced while in use, and
raises :class:`~dedup.errors.IndexLost` instead of carrying on without what
it had learned.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dedup.corpus.index.protocol import (
    MAX_KEYS,
    Kept,
    check_max_keys,
    check_params,
    translated,
)
from dedup.errors import ConfigError, CorpusIndexError, IndexCorrupt, IndexLost, IndexUnavailable
from dedup.redact import redact

if TYPE_CHECKING:
    import redis

__all__ = ["RedisIndex"]

CONNECT_TIMEOUT = 10.0  # seconds to reach the server
SOCKET_TIMEOUT = 60.0  # seconds one command may take before the server counts as gone



def _errors(index: RedisIndex, error: Exception) -> CorpusIndexError | None:
    """The CorpusIndexError for a Redis error of ``index`` (see :func:`translated`)."""
    if isinstance(error, index._errors):
        return _translate(error, index.location)
    return None


_redis_errors = translated(_errors)


class RedisIndex:
    """An index on a Redis server, shared by every process that opens the same prefix.

    Install the client with ``pip install 'dedup-paragraphs[redis]'``. Keys live
    under ``prefix`` (``dedup:`` by default): a ``meta`` hash (settings and
    token), a ``docs`` set, a ``sites`` hash of document counts, one
    ``counts:<site>`` hash per site, ``exact``, ``bands`` and ``keys`` hashes,
    and a ``key-order`` list that bounds the text store. First writers win
    (``HSETNX``), so concurrent scrapers agree on which document owns a
    paragraph.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = "dedup:",
                 max_keys: int = MAX_KEYS) -> None:
        import redis as redis_client

        check_max_keys(max_keys)
        self.max_keys = max_keys
        self._redis = client
        self._prefix = prefix
        self._errors: type[Exception] = redis_client.RedisError
        self._token: bytes | str | None = None  # read back by every call after check()
        self.location = _describe(client, prefix)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "dedup:", max_keys: int = MAX_KEYS
                 ) -> RedisIndex:
        """Connect to the server at ``url`` (``redis://[:password@]host:port/db``).

        Timeouts (10 s to connect, 60 s per command) apply unless the URL sets
        its own (``?socket_timeout=...``).
        """
        try:
            import redis
        except ImportError:
            msg = (f"a Redis index ({redact(url)}) needs the redis client: "
                   "pip install 'dedup-paragraphs[redis]'")
            raise ConfigError(msg) from None
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT,
                                          socket_timeout=SOCKET_TIMEOUT)
        except ValueError as error:
            msg = f"{redact(url)} is not a Redis URL ({redact(error)})"
            raise ConfigError(msg) from None
        index = cls(client, prefix=prefix, max_keys=max_keys)
        index.location = redact(url) + _prefix_note(prefix)
        return index

    def _key(self, name: str) -> str:
        return self._prefix + name

    def _run(self, pipe: redis.client.Pipeline) -> list[Any]:
        """Execute ``pipe`` with the token read at its end; raise IndexLost if it changed."""
        if self._token is None:
            return list(pipe.execute())
        pipe.hget(self._key("meta"), "token")
        *results, token = pipe.execute()
        if token != self._token:
            msg = (f"the Redis index {self.location} was emptied or replaced while in use "
                   "(FLUSHALL, FLUSHDB, or a restart without persistence): what it held is "
                   "gone, so this run cannot go on; start again with a new index")
            raise IndexLost(msg)
        return results

    def _pipeline(self, *, transaction: bool = False) -> redis.client.Pipeline:
        return self._redis.pipeline(transaction=transaction)

    @_redis_errors
    def check(self, params: str) -> None:  # noqa: D102 - documented in Index
        meta = self._key("meta")
        pipe = self._pipeline(transaction=True)
        pipe.hsetnx(meta, "params", params)
        pipe.hsetnx(meta, "token", secrets.token_hex(16))
        pipe.hget(meta, "params")
        pipe.hget(meta, "token")
        *_, found, token = pipe.execute()
        check_params(None if found is None else _text(found), params, self.location)
        self._token = token

    @_redis_errors
    def add_docs(self, ids: Sequence[str]) -> list[bool]:  # noqa: D102
        pipe = self._pipeline()
        for doc in ids:
            pipe.sadd(self._key("docs"), doc)
        return [bool(added) for added in self._run(pipe)]

    @_redis_errors
    def add_counts(self, site: str, counts: Mapping[int, int], docs: int) -> None:  # noqa: D102
        pipe = self._pipeline(transaction=True)
        table = self._key(f"counts:{site}")
        for fingerprint, count in counts.items():
            pipe.hincrby(table, str(fingerprint), count)
        pipe.hincrby(self._key("sites"), site, docs)
        self._run(pipe)

    @_redis_errors
    def site_docs(self, site: str) -> int:  # noqa: D102
        pipe = self._pipeline()
        pipe.hget(self._key("sites"), site)
        (value,) = self._run(pipe)
        return 0 if value is None else int(value)

    @_redis_errors
    def counts(self, site: str, fingerprints: Iterable[int]) -> dict[int, int]:  # noqa: D102
        return {f: int(v) for f, v in self._hmget(f"counts:{site}", fingerprints).items()}

    @_redis_errors
    def frequent(self, site: str, min_docs: int) -> set[int]:  # noqa: D102
        table = self._key(f"counts:{site}")
        found = {int(f) for f, n in self._redis.hscan_iter(table, count=10_000)
                 if int(n) >= min_docs}
        self._run(self._pipeline())  # the scan took several trips: was the index there all along?
        return found

    @_redis_errors
    def sites(self) -> list[str]:  # noqa: D102
        pipe = self._pipeline()
        pipe.hkeys(self._key("sites"))
        (names,) = self._run(pipe)
        return sorted(_text(s) for s in names)

    def _hmget(self, name: str, values: Iterable[int]) -> dict[int, bytes | str]:
        wanted = list(dict.fromkeys(values))
        pipe = self._pipeline()
        if wanted:
            pipe.hmget(self._key(name), [str(v) for v in wanted])
        results = self._run(pipe)
        if not wanted:
            return {}
        return {v: f for v, f in zip(wanted, results[0], strict=True) if f is not None}

    @_redis_errors
    def find_exact(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return {f: _text(d) for f, d in self._hmget("exact", fingerprints).items()}

    @_redis_errors
    def find_bands(self, bands: Iterable[int]) -> dict[int, int]:  # noqa: D102
        return {b: int(f) for b, f in self._hmget("bands", bands).items()}

    @_redis_errors
    def find_keys(self, fingerprints: Iterable[int]) -> dict[int, str]:  # noqa: D102
        return {f: _text(k) for f, k in self._hmget("keys", fingerprints).items()}

    @_redis_errors
    def add_kept(self, kept: Sequence[Kept]) -> None:  # noqa: D102
        if not kept:
            return
        pipe = self._pipeline()
        for item in kept:
            pipe.hsetnx(self._key("exact"), str(item.fingerprint), item.doc)
        owned = self._run(pipe)
        for item, new in zip(kept, owned, strict=True):
            if not new:
                continue
            for band in item.bands:
                pipe.hsetnx(self._key("bands"), str(band), str(item.fingerprint))
            if self.max_keys:
                pipe.hset(self._key("keys"), str(item.fingerprint), item.key)
                pipe.rpush(self._key("key-order"), str(item.fingerprint))
        if self.max_keys:
            pipe.llen(self._key("key-order"))
        results = self._run(pipe)
        if self.max_keys:
            self._evict_keys(int(results[-1]) - self.max_keys)

    def _evict_keys(self, excess: int) -> None:
        if excess <= 0:
            return
        old = self._redis.lpop(self._key("key-order"), excess) or []
        if old:
            self._redis.hdel(self._key("keys"), *old)

    @_redis_errors
    def close(self) -> None:  # noqa: D102
        self._redis.close()


def _describe(client: redis.Redis, prefix: str) -> str:
    """Name the server of ``client`` for messages: ``redis://host:port/db (prefix 'p:')``."""
    options = client.connection_pool.connection_kwargs
    if "path" in options:
        return f"unix://{options['path']}{_prefix_note(prefix)}"
    host, port = options.get("host", "localhost"), options.get("port", 6379)
    return f"redis://{host}:{port}/{options.get('db', 0)}{_prefix_note(prefix)}"


def _prefix_note(prefix: str) -> str:
    return "" if prefix == "dedup:" else f" (prefix {prefix!r})"


def _translate(error: Exception, location: str) -> CorpusIndexError:
    """Return the CorpusIndexError that says what a Redis ``error`` means for the index."""
    import redis

    text = redact(error)
    if isinstance(error, redis.AuthenticationError | redis.exceptions.NoPermissionError):
        return IndexUnavailable(f"the Redis index {location} refused the credentials ({text}): "
                                "check the password in the URL")
    if isinstance(error, redis.ConnectionError | redis.TimeoutError):
        return IndexUnavailable(f"cannot reach the Redis index {location} ({text}): is the "
                                "server running?")
    if isinstance(error, redis.ResponseError) and "WRONGTYPE" in str(error):
        return IndexCorrupt(f"the Redis index {location} holds keys of another kind under its "
                            f"prefix ({text}): choose another prefix or database")
    return IndexUnavailable(f"the Redis index {location}: {text}")


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
