"""Chunks through two stages on a process pool, decided and delivered in corpus order.

:func:`ordered` starts the first stage of up to ``window`` chunks ahead (in
worker processes), hands each first-stage result to ``then`` in chunk order
(in this process: where the decisions that depend on earlier chunks are made;
``then`` may start a second stage), and yields every chunk with its final
result in chunk order. A chunk whose file could not be read, or whose stage
raised, comes out with a :class:`~dedup.corpus.readers.BadInput`.

:func:`executor` gives the pool: worker processes, each with its own queue
(:class:`Lanes`, so that both stages of a chunk can run in the same worker),
or for one worker a serial executor that runs each task at once in this
process, so both take the same path through the code. Workers never outlive
the run: on Ctrl-C or SIGTERM they are stopped at once (their results would
be thrown away; they write nothing), and each ends itself when the main
process dies, even by SIGKILL
(``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread that sees the parent
change everywhere).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from dedup.corpus.readers import BadInput, Chunk, Source
from dedup.interrupts import interrupted

__all__ = ["Lanes", "ReadFailure", "SerialExecutor", "completed", "executor", "ordered"]

A = TypeVar("A")
B = TypeVar("B")
P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """A file that could not be read (any further), in place of its next chunk."""

    source: Source
    error: BadInput


Item = Chunk | ReadFailure


class SerialExecutor(Executor):
    """Runs every task at once, in this process (one worker)."""

    def submit(self, fn: Callable[P, A], /, *args: P.args, **kwargs: P.kwargs) -> Future[A]:
        """Run ``fn`` now; its result or exception is in the returned future."""
        future: Future[A] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # reported like a worker's failure
            if interrupted(error):  # a Ctrl-C a C extension reported as another error
                raise KeyboardInterrupt from error
            future.set_exception(error)
        return future


def completed(value: A) -> Future[A]:
    """Return a future that already holds ``value``."""
    future: Future[A] = Future()
    future.set_result(value)
    return future


class Lanes:
    """The worker processes of a run, each with its own queue of tasks: one lane per worker.

    The stages of a chunk run on the lane the chunk was given
    (:meth:`lane`), so its first stage may leave in that worker what its
    second stage needs, instead of sending it through the main process.
    """

    def __init__(self, executors: list[Executor]) -> None:
        self.executors = executors
        self._next = 0

    def __len__(self) -> int:
        return len(self.executors)

    def lane(self, number: int) -> Executor:
        """Return lane ``number`` (modulo the number of lanes)."""
        return self.executors[number % len(self.executors)]

    def next_lane(self) -> int:
        """Return the number of the lane for the next chunk: each in turn."""
        number = self._next
        self._next += 1
        return number

    def submit(self, fn: Callable[P, A], /, *args: P.args, **kwargs: P.kwargs) -> Future[A]:
        """Run ``fn`` on the next lane."""
        return self.lane(self.next_lane()).submit(fn, *args, **kwargs)


@contextmanager
def executor(workers: int, initializer: Callable[[], None]) -> Iterator[Lanes]:
    """Yield ``workers`` worker processes as :class:`Lanes` (one :class:`SerialExecutor` for one).

    ``initializer`` runs in each worker (making it ignore SIGINT: Ctrl-C is the
    main process's to handle). On any exception, Ctrl-C and SIGTERM included,
    the queued tasks are dropped and the workers stopped at once.
    """
    if workers <= 1:
        yield Lanes([SerialExecutor()])
        return
    pools: list[ProcessPoolExecutor] = []
    try:
        for _ in range(workers):
            pools.append(ProcessPoolExecutor(1, initializer=_start_worker,
                                             initargs=(initializer, os.getpid())))
        yield Lanes(list(pools))
    except BaseException:
        _stop(pools)
        raise
    for pool in pools:
        pool.shutdown()


def _stop(pools: list[ProcessPoolExecutor]) -> None:
    """Drop the queued tasks and end the workers now, instead of waiting for their tasks."""
    # CPython keeps the worker processes there; the executor has no public way
    # to end them before Python 3.14 (terminate_workers).
    workers = [process for pool in pools
               for process in (getattr(pool, "_processes", None) or {}).values()]
    for pool in pools:
        calls = getattr(pool, "_call_queue", None)
        if calls is not None:  # a task being fed to a stopped worker must not hold up the exit
            calls.cancel_join_thread()
        pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
    deadline = time.monotonic() + _STOP_WAIT
    for process in workers:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(_STOP_WAIT)
    for pool in pools:  # let each pool's manager thread finish closing its wake-up pipe: at
        # exit CPython's hook wakes every pool still listed, and writing to a pipe that a
        # broken pool's thread is closing prints "Bad file descriptor" (CPython < 3.12)
        thread = getattr(pool, "_executor_manager_thread", None)
        if thread is not None:
            thread.join(_STOP_WAIT)


_STOP_WAIT = 1.0  # seconds a worker gets to end after SIGTERM before SIGKILL
_WATCH_EVERY = 0.5  # seconds between a worker's looks at its parent
_PR_SET_PDEATHSIG = 1


def _start_worker(initializer: Callable[[], None], parent: int) -> None:
    """Set a worker up to die with its parent (``parent``), then run ``initializer``."""
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="dedup-parent-watch",
                     daemon=True).start()
    initializer()


def _watch(parent: int) -> None:
    """End this worker as soon as its parent is gone (it is then adopted by another)."""
    while os.getppid() == parent:
        time.sleep(_WATCH_EVERY)
    os._exit(1)


def ordered(
    items: Iterable[Item],
    first: Callable[[Chunk], Future[A]],
    then: Callable[[Item, A | BadInput], Future[B] | BadInput | None],
    window: int,
) -> Iterator[tuple[Item, B | BadInput | None]]:
    """Yield each item with its final result, in item order (see the module docstring).

    Example:
        >>> from pathlib import Path
        >>> pool = SerialExecutor()
        >>> source = Source(Path("a.jsonl"), "a.jsonl", "jsonl", 0)
        >>> chunks = [Chunk(source, n, n + 1, (b"x",), 0, n == 1) for n in range(2)]
        >>> double = lambda chunk: pool.submit(lambda: 2 * chunk.number)
        >>> plus_one = lambda item, result: pool.submit(lambda: result + 1)
        >>> [result for _, result in ordered(chunks, double, plus_one, window=1)]
        [1, 3]
    """
    started: deque[tuple[Item, Future[A] | None]] = deque()
    finishing: deque[tuple[Item, Future[B] | BadInput | None]] = deque()
    for item in items:
        started.append((item, None if isinstance(item, ReadFailure) else first(item)))
        while len(started) + len(finishing) >= window:
            yield from _advance(started, finishing, then)
    while started or finishing:
        yield from _advance(started, finishing, then)


def _advance(
    started: deque[tuple[Item, Future[A] | None]],
    finishing: deque[tuple[Item, Future[B] | BadInput | None]],
    then: Callable[[Item, A | BadInput], Future[B] | BadInput | None],
) -> Iterator[tuple[Item, B | BadInput | None]]:
    """Take the oldest started item on, or yield the oldest finished one: whichever is ready."""
    while True:
        if started and _ready(started[0][1]):
            item, future = started.popleft()
            result: A | BadInput = _result(item, future)
            finishing.append((item, then(item, result)))
            return
        if finishing and _ready(finishing[0][1]):
            item, outcome = finishing.popleft()
            if isinstance(outcome, Future):
                rendered: B | BadInput = _result(item, outcome)
                yield item, rendered
            else:
                yield item, outcome
            return
        heads: list[object] = [queue[0][1] for queue in (started, finishing) if queue]
        futures: list[Future[Any]] = [f for f in heads if isinstance(f, Future)]
        wait(futures, return_when=FIRST_COMPLETED)


def _ready(outcome: object) -> bool:
    return not isinstance(outcome, Future) or outcome.done()


def _result(item: Item, future: Future[A] | None) -> A | BadInput:
    """Return the item's result, or the BadInput that explains why there is none."""
    if isinstance(item, ReadFailure) or future is None:
        return item.error if isinstance(item, ReadFailure) else _lost(item)
    try:
        return future.result()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as error:  # a worker crashed on this chunk: report it, go on
        if interrupted(error):
            raise KeyboardInterrupt from error
        line = item.first_line if item.source.format != "text" else None
        return BadInput(item.source.relative, line, f"cannot clean: {error!r}")


def _lost(chunk: Chunk) -> BadInput:  # pragma: no cover - every chunk gets a future
    return BadInput(chunk.source.relative, chunk.first_line, "not processed")
