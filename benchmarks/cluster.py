"""A Ray cluster of several nodes on this machine, each a raylet started with ``ray start``.

Used by ``benchmarks/ray_bench.py`` and by the killed-worker test
(``tests/test_dist_cluster.py``). Each node is a ``ray start --block`` process
(the head with ``--head``, the others with ``--address``) with its own CPUs and
object store; all share one temporary directory of their own. :meth:`stop`
ends only the processes this object started, by their ids, never ``ray stop``
(which would stop every Ray on the machine).

    with LocalCluster(nodes=2) as cluster:
        subprocess.run(["dedup", "batch", "in", "out", "--engine", "ray",
                        "--address", cluster.address])
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psutil

ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}  # private, local cluster
WAIT = """
import sys, time, ray
ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
deadline = time.monotonic() + float(sys.argv[3])
while sum(n["Alive"] for n in ray.nodes()) < int(sys.argv[2]):
    if time.monotonic() > deadline:
        sys.exit("the nodes did not join in time")
    time.sleep(0.2)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalCluster:
    """``nodes`` raylets of ``cpus`` CPUs each on this machine; the first is the head."""

    def __init__(self, nodes: int, *, cpus: int = 1, object_store_mb: int = 400,
                 timeout: float = 300.0) -> None:
        self.nodes, self.cpus, self.object_store_mb, self.timeout = (
            nodes, cpus, object_store_mb, timeout)
        self.env = {**os.environ, **ENV}
        self.address = ""
        self._processes: list[subprocess.Popen[bytes]] = []
        self._temp: Path | None = None

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def _node(self, *options: str) -> None:
        assert self._temp is not None
        command = [sys.executable, "-m", "ray.scripts.scripts", "start", "--block",
                   f"--num-cpus={self.cpus}", f"--temp-dir={self._temp}",
                   f"--object-store-memory={self.object_store_mb * 1024 * 1024}",
                   "--node-ip-address=127.0.0.1", "--disable-usage-stats", *options]
        self._processes.append(subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))

    def start(self) -> str:
        """Start the head, then the other nodes; return the address once all have joined."""
        self._temp = Path(tempfile.mkdtemp(prefix="ray-"))  # short: Ray's socket paths
        port = _free_port()
        self.address = f"127.0.0.1:{port}"
        self._node("--head", f"--port={port}", "--include-dashboard=false")
        for _ in range(self.nodes - 1):
            self._node(f"--address={self.address}")
        done = subprocess.run([sys.executable, "-c", WAIT, self.address, str(self.nodes),
                               str(self.timeout)], env=self.env, check=False,
                              capture_output=True, text=True, timeout=self.timeout + 60)
        if done.returncode != 0:
            self.stop()
            msg = f"the local Ray cluster did not start: {done.stderr[-1500:]}"
            raise RuntimeError(msg)
        return self.address

    def processes(self) -> list[psutil.Process]:
        """Every live process of this cluster (the ``ray start`` processes and descendants)."""
        found = []
        for started in self._processes:
            try:
                top = psutil.Process(started.pid)
                found += [top, *top.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return found

    def busy_workers(self) -> list[psutil.Process]:
        """Worker processes running a Ray Data map task now (Ray titles a worker by what it
        runs: ``ray::MapBatches(analyze_rows)``, ``ray::IDLE``, an actor's class name)."""
        busy = []
        for process in self.processes():
            try:
                title = " ".join(process.cmdline())
            except psutil.Error:
                continue
            if title.startswith("ray::MapBatches("):
                busy.append(process)
        return busy

    def stop(self) -> None:
        """End this cluster's processes, by id: SIGTERM to each node, then SIGKILL to what is
        left after a grace period; remove its temporary directory."""
        everything = self.processes()
        for started in self._processes:
            if started.poll() is None:
                started.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for started in self._processes:
            try:
                started.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                started.kill()
                started.wait()
        _gone, alive = psutil.wait_procs(everything, timeout=5)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()
        self._processes = []
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None
