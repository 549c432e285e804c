"""Faults of the persistent index: shared files, missing folders, damaged files, dying servers.

Every one ends in a :class:`~dedup.errors.CorpusIndexError` from the Python API
and, from ``dedup batch``, in one line on stderr and exit code 2; nothing is
half-written, nothing the user pointed at is modified, no password is shown.
"""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

import dedup
from dedup.cli import main
from dedup.config import Config
from dedup.corpus.index import Kept, RedisIndex, SqliteIndex, index_params
from dedup.errors import IndexCorrupt, IndexFormatError, IndexLost, IndexUnavailable
from tests.corpus_helpers import SYNDICATED, SYNDICATED_NEAR, story
from tests.redis_server import RedisServer

PARAMS = index_params(Config())
SECRET = "n0t-f0r-y0ur-3yes"

# ------------------------------------------------------------- SQLite shared


def _share(path: str, worker: int, rounds: int, start: Barrier) -> None:
    """One process of a shared index: open it as the others do, then write every round."""
    start.wait()
    index = SqliteIndex(path)
    index.check(PARAMS)
    for r in range(rounds):
        doc = f"w{worker}-{r}"
        assert index.add_docs([doc, "shared-doc"])[0]
        index.add_counts("shared.example", {2**64 - 1: 1, 2**63 + worker: 1}, 1)
        index.add_kept([Kept(2**63 + 1000 * worker + r, doc, (2**64 - 1 - worker,), doc),
                        Kept(2**63 - 1, doc, (7,), "everyone keeps this")])
    index.close()


@pytest.mark.parametrize("processes", [3])
def test_processes_share_a_new_sqlite_index_and_nothing_is_lost(
    tmp_path: Path, processes: int
) -> None:
    """N processes open one new file at once (20 times over): no error, every write is there."""
    context = multiprocessing.get_context("fork")
    rounds = 5
    for trial in range(20):
        path = str(tmp_path / f"shared-{trial}.sqlite")
        start = context.Barrier(processes)
        workers = [context.Process(target=_share, args=(path, w, rounds, start))
                   for w in range(processes)]
        for process in workers:
            process.start()
        for process in workers:
            process.join(timeout=120)
        assert [p.exitcode for p in workers] == [0] * processes, f"trial {trial}"
        index = SqliteIndex(path)
        index.check(PARAMS)
        assert index.site_docs("shared.example") == processes * rounds
        assert index.counts("shared.example", [2**64 - 1]) == {2**64 - 1: processes * rounds}
        assert index.frequent("shared.example", rounds) == {
            2**64 - 1, *(2**63 + w for w in range(processes))}
        own = {2**63 + 1000 * w + r: f"w{w}-{r}" for w in range(processes) for r in range(rounds)}
        assert index.find_exact(own) == own
        assert index.find_keys(own) == own
        assert index.find_bands(2**64 - 1 - w for w in range(processes)) == {
            2**64 - 1 - w: 2**63 + 1000 * w for w in range(processes)}
        (owner,) = index.find_exact([2**63 - 1]).values()  # one first keeper, whoever won
        assert owner.endswith("-0")
        assert index.add_docs([f"w{w}-{r}" for w in range(processes) for r in range(rounds)]) == [
            False] * processes * rounds
        index.close()


def test_opening_a_new_file_another_process_is_writing(tmp_path: Path) -> None:
    """The WAL switch waits for a writer of the new file as every statement does.

    (SQLite answers "database is locked" at once there, busy timeout or not:
    the race of processes opening one new index, made certain.)
    """
    path = tmp_path / "index.sqlite"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # a rollback-journal writer, as before any WAL switch
    done = threading.Timer(0.3, writer.execute, ["COMMIT"])
    done.start()
    try:
        index = SqliteIndex(path)
        index.check(PARAMS)
        assert index.add_docs(["a"]) == [True]
        index.close()
    finally:
        done.join()
        writer.close()


# ------------------------------------------------------- SQLite: what is refused


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match=r"folder .*missing does not exist"):
        SqliteIndex(tmp_path / "missing" / "index.sqlite")
    with pytest.raises(IndexUnavailable, match="is a directory"):
        dedup.Deduplicator(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my notes, not an index\n" * 200)
    before = path.read_bytes()
    with pytest.raises(IndexCorrupt, match="damaged or not a SQLite database"):
        dedup.Deduplicator(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_another_programs_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE docs (title TEXT)")
        db.execute("INSERT INTO docs VALUES ('mine')")
    db.close()
    before = path.read_bytes()
    with pytest.raises(IndexCorrupt, match=r"another program's database \(tables docs\)"):
        SqliteIndex(path)
    assert path.read_bytes() == before


def _damaged_index(tmp_path: Path) -> Path:
    """An index whose pages after the first (the schema) are overwritten."""
    path = tmp_path / "index.sqlite"
    with dedup.Deduplicator(path) as cleaner:
        for n in range(60):
            cleaner.clean("\n".join(story("damaged", n, sentences=8)), doc=f"d{n}")
    data = bytearray(path.read_bytes())
    assert len(data) > 5 * 4096
    assert not Path(f"{path}-wal").exists()
    data[4096:] = bytes(range(256)) * ((len(data) - 4096) // 256) + bytes(len(data) % 256)
    path.write_bytes(bytes(data))
    return path


def test_damaged_index(tmp_path: Path) -> None:
    path = _damaged_index(tmp_path)
    with pytest.raises(IndexCorrupt, match="damaged"):
        dedup.Deduplicator(path)


def test_lock_held_too_long(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    SqliteIndex(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        index = SqliteIndex(path, timeout=0.2)
        with pytest.raises(IndexUnavailable, match=r"locked by another process for more than 0\.2"):
            index.add_docs(["a"])
        index.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ---------------------------------------------------------------- Redis


def _article(number: int) -> str:
    extra = [SYNDICATED] if number % 3 == 1 else [SYNDICATED_NEAR] if number % 3 == 2 else []
    return "\n".join([*story("fault", number), *extra, "Share this article"])


@pytest.mark.redis
def test_redis_killed_or_wiped_between_calls(redis_server: RedisServer) -> None:
    cleaner = dedup.Deduplicator(redis_server.url)
    assert SYNDICATED in cleaner.clean(_article(1), doc="a")
    with redis_server.client() as client:
        client.flushall()
    with pytest.raises(IndexLost, match="emptied or replaced while in use"):
        cleaner.clean(_article(4), doc="b")  # would keep SYNDICATED, an earlier copy forgotten
    cleaner.close()

    cleaner = dedup.Deduplicator(redis_server.url)  # a new index now
    cleaner.clean(_article(1), doc="a")
    redis_server.kill()
    with pytest.raises(IndexUnavailable, match=r"cannot reach the Redis index redis://127\.0\.0\.1"):
        cleaner.clean(_article(4), doc="b")
    redis_server.start()  # restarted without persistence: empty
    with pytest.raises(IndexLost):
        cleaner.clean(_article(4), doc="b")
    cleaner.close()


@pytest.mark.redis
def test_redis_stalled(redis_server: RedisServer) -> None:
    """A server that stops answering counts as gone after the command timeout."""
    index = RedisIndex.from_url(redis_server.url + "?socket_timeout=0.3")
    index.check(PARAMS)
    with redis_server.client() as client:
        client.execute_command("CLIENT", "PAUSE", "5000", "ALL")
        started = time.monotonic()
        with pytest.raises(IndexUnavailable, match="cannot reach the Redis index"):
            index.add_docs(["a"])
        assert time.monotonic() - started < 4.5
        client.execute_command("CLIENT", "UNPAUSE")
    index.close()


@pytest.mark.redis
def test_redis_key_of_another_kind(redis_server: RedisServer) -> None:
    with redis_server.client() as client:
        client.set("dedup:docs", "a string, not a set")
    with dedup.Deduplicator(redis_server.url, boilerplate_min_docs=2) as cleaner, \
            pytest.raises(IndexCorrupt, match="keys of another kind"):
        cleaner.clean("One line.\nAnother line.")


@pytest.mark.redis
def test_no_password_in_messages(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis", password=SECRET).start()
    try:
        url = server.url
        dedup.Deduplicator(url).close()
        errors: list[BaseException] = []
        for attempt in (
            lambda: dedup.Deduplicator(url, config=Config(seed=9)),  # format guard
            lambda: dedup.Deduplicator(url.replace(SECRET, SECRET + "x")),  # wrong password
            lambda: RedisIndex.from_url(url + "?socket_timeout=nope"),  # a bad option
        ):
            with pytest.raises(dedup.DedupError) as caught:
                attempt()
            errors.append(caught.value)
        server.kill()
        with pytest.raises(IndexUnavailable) as caught:
            dedup.Deduplicator(url)
        errors.append(caught.value)
    finally:
        server.stop()
    assert [type(e) for e in errors] == [IndexFormatError, IndexUnavailable, dedup.ConfigError,
                                         IndexUnavailable]
    for error in errors:
        assert SECRET not in str(error)
        assert error.__cause__ is None  # no driver error (with the URL) chained to it
        assert error.__context__ is None or error.__suppress_context__
        assert "127.0.0.1" in str(error)


# ----------------------------------------------- the command: one line, exit 2


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dedup", "batch", *args],
                          capture_output=True, text=True, timeout=300, check=False)


def _one_line(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    """Exit 2 and a single ``dedup: ...`` line on stderr that matches ``pattern``."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dedup: "), lines
    assert re.search(pattern, lines[0]), lines[0]


def _corpus(root: Path, files: int) -> Path:
    root.mkdir()
    for number in range(files):
        (root / f"a{number:03}.txt").write_text(_article(number) + "\n")
    return root


def test_cli_index_in_a_missing_folder(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 2)
    result = _batch(str(corpus), str(tmp_path / "out"), "--cross-doc",
                    "--index", str(tmp_path / "nowhere" / "index.sqlite"))
    _one_line(result, r"folder .*nowhere does not exist")


def test_cli_damaged_or_foreign_index(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 2)
    damaged = _damaged_index(tmp_path)
    before = damaged.read_bytes()
    _one_line(_batch(str(corpus), str(tmp_path / "out"), "--cross-doc", "--index", str(damaged)),
              "is damaged or not a SQLite database")
    assert damaged.read_bytes() == before
    notes = tmp_path / "notes.md"
    notes.write_text("# not an index\n" * 300)
    _one_line(_batch(str(corpus), str(tmp_path / "out"), "--index", str(notes)),
              "not a SQLite database")
    assert notes.read_text() == "# not an index\n" * 300
    assert not list((tmp_path / "out").glob("**/*.txt"))


@pytest.mark.redis
def test_cli_redis_unreachable_or_refusing_the_password(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 2)
    server = RedisServer(tmp_path / "redis", password=SECRET)  # not started yet
    result = _batch(str(corpus), str(tmp_path / "out"), "--cross-doc", "--index", server.url)
    _one_line(result, rf"cannot reach the Redis index redis://:\*\*\*@127.0.0.1:{server.port}/0")
    server.start()
    try:
        dedup.Deduplicator(server.url, config=Config(seed=9)).close()
        result = _batch(str(corpus), str(tmp_path / "out"), "--cross-doc", "--index", server.url)
        _one_line(result, r"redis://:\*\*\*@127.0.0.1.* was written with .*seed=9.*this dedup "
                          "uses .*seed=1")
        assert SECRET not in result.stderr + result.stdout
        wrong = server.url.replace(SECRET, "guess")
        result = _batch(str(corpus), str(tmp_path / "out"), "--cross-doc", "--index", wrong)
        _one_line(result, "refused the credentials")
        assert "guess" not in result.stderr + result.stdout
    finally:
        server.stop()


def _interrupted_run(
    corpus: Path, out: Path, url: str, fault: Callable[[], None]
) -> subprocess.CompletedProcess[str]:
    """Start ``dedup batch`` on Redis, cause ``fault`` once its first output exists."""
    command = [sys.executable, "-m", "dedup", "batch", str(corpus), str(out), "--workers", "1",
               "--cross-doc", "--boilerplate-min-docs", "3", "--index", url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("*.txt")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.002)
    fault()
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _reference(corpus: Path, out: Path) -> dict[str, bytes]:
    """The outputs of the same run on a fresh in-memory index."""
    assert main(["batch", str(corpus), str(out), "--workers", "1", "--quiet", "--cross-doc",
                 "--boilerplate-min-docs", "3"]) == 0
    return {p.name: p.read_bytes() for p in out.iterdir()}


def _check_outputs(out: Path, reference: dict[str, bytes]) -> None:
    """Fewer files than a whole run, each complete and as in it; no partial file left."""
    names = sorted(p.name for p in out.iterdir() if p.name != ".dedup-run.json")  # run record
    assert all(name.endswith(".txt") for name in names), names  # no .dedup-partial file
    assert 0 < len(names) < len(reference)
    for name in names:
        assert (out / name).read_bytes() == reference[name], name


@pytest.mark.redis
def test_cli_redis_killed_mid_run(tmp_path: Path, redis_server: RedisServer) -> None:
    corpus = _corpus(tmp_path / "in", 300)
    reference = _reference(corpus, tmp_path / "reference")
    result = _interrupted_run(corpus, tmp_path / "out", redis_server.url, redis_server.kill)
    _one_line(result, "cannot reach the Redis index redis://127.0.0.1")
    _check_outputs(tmp_path / "out", reference)


@pytest.mark.redis
def test_cli_redis_wiped_mid_run(tmp_path: Path, redis_server: RedisServer) -> None:
    corpus = _corpus(tmp_path / "in", 300)
    reference = _reference(corpus, tmp_path / "reference")

    def flush() -> None:
        with redis_server.client() as client:
            client.flushall()

    result = _interrupted_run(corpus, tmp_path / "out", redis_server.url, flush)
    _one_line(result, "emptied or replaced while in use")
    _check_outputs(tmp_path / "out", reference)


def test_ray_engine_refusal_masks_the_password(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from dedup.corpus.batch import BatchOptions
    from dedup.dist import clean_dataset

    corpus = _corpus(tmp_path / "in", 1)
    options = BatchOptions(in_dir=corpus, out_dir=tmp_path / "out", cross_doc=True,
                           index=f"redis://app:{SECRET}@cache.example:6379/0")
    with pytest.raises(dedup.ConfigError, match=r"redis://app:\*\*\*@cache\.example") as caught:
        clean_dataset(options)
    assert SECRET not in str(caught.value)
