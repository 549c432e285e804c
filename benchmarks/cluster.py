"""A Ray cluster of several nodes on this machine, each a raylet started with ``ray start``.

Used by ``benchmarks/ray_bench.py`` and by the Ray cluster tests
(``tests/test_dist_cluster.py``). Each node is a ``ray start --block`` process
(the head with ``--head``, the others with ``--address``) with its own CPUs,
object store, ports and temporary directory. :meth:`LocalCluster.stop` ends
only the processes this object started, by their ids, never ``ray stop``
(which would stop every Ray on the machine).

    with LocalCluster(nodes=2) as cluster:
        subprocess.run(["dedup", "batch", "in", "out", "--engine", "ray",
                        "--address", cluster.address])

Why each node has its own temporary directory: ``ray start`` names a node's
sockets (``plasma_store``, ``raylet``) and log files by taking the first name
``prefix.N`` that does not exist yet in the session directory, without
creating it. Nodes started at the same time in one directory take the same
names; the later raylets cannot bind their socket, and their ``ray start``
exits with "The current node timed out during startup" (seen in the logs of
a four-node start: three raylets writing ``raylet.1.out``, one
``plasma_store.1`` socket). ``ray.cluster_utils.Cluster`` starts its nodes
one after another in one process, so it never races; it gives every node
other than the head random ports (``node_manager_port=0``, worker ports
``0``, the dashboard agent's port ``None``), as done here. The nodes here start
in parallel, so a cluster of four joins in about the time of one node; a
node whose ``ray start`` still fails is started again (``attempts``), and the
error names the log of the node that failed.
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
# Prints the number of alive nodes whenever it changes, until it reaches the wanted number.
WATCH = """
import sys, time, ray
ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
seen = -1
while True:
    alive = sum(n["Alive"] for n in ray.nodes())
    if alive != seen:
        print(alive, flush=True)
        seen = alive
    if alive >= int(sys.argv[2]):
        break
    time.sleep(0.1)
"""
PORTS = ("node-manager-port", "object-manager-port", "dashboard-agent-listen-port",
         "dashboard-agent-grpc-port", "metrics-export-port", "runtime-env-agent-port")


def _free_ports(count: int) -> list[int]:
    """Return ``count`` distinct ports that are free now (held open together while chosen)."""
    probes = []
    try:
        for _ in range(count):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            probes.append(probe)
        return [int(p.getsockname()[1]) for p in probes]
    finally:
        for probe in probes:
            probe.close()


class _Node:
    """One ``ray start --block`` process and its log."""

    def __init__(self, number: int, command: list[str], env: dict[str, str], log: Path) -> None:
        self.number, self.command, self.env, self.log = number, command, env, log
        self.starts = 0
        self.offset = 0  # where the log of the current attempt begins
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.starts += 1
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def failed(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def started(self) -> bool:
        """Whether this attempt's ``ray start`` said so (and still runs)."""
        if self.process is None or self.failed():
            return False
        with self.log.open("rb") as log:
            log.seek(self.offset)
            return b"Ray runtime started." in log.read()

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-800:]
        except OSError:
            return ""


class LocalCluster:
    """``nodes`` raylets of ``cpus`` CPUs each on this machine; the first is the head.

    Args:
        nodes: How many nodes, the head included.
        cpus: CPUs of each node.
        object_store_mb: Object store of each node.
        timeout: Seconds for all nodes to join.
        attempts: How many times a node whose ``ray start`` exits is started.
    """

    def __init__(self, nodes: int, *, cpus: int = 1, object_store_mb: int = 200,
                 timeout: float = 180.0, attempts: int = 3) -> None:
        self.nodes, self.cpus, self.object_store_mb = nodes, cpus, object_store_mb
        self.timeout, self.attempts = timeout, attempts
        self.env = {**os.environ, **ENV}
        self.address = ""
        self.seconds = float("nan")  # how long the last start took
        self.restarts = 0  # nodes started again by the last start
        self._nodes: list[_Node] = []
        self._temp: Path | None = None

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def _node(self, number: int, *options: str) -> _Node:
        assert self._temp is not None
        home = self._temp / f"n{number}"  # short: Ray's socket paths have a length limit
        home.mkdir()
        ports = dict(zip(PORTS, _free_ports(len(PORTS)), strict=True))
        command = [sys.executable, "-m", "ray.scripts.scripts", "start", "--block",
                   f"--num-cpus={self.cpus}", "--num-gpus=0", f"--temp-dir={home}",
                   f"--object-store-memory={self.object_store_mb * 1024 * 1024}",
                   "--node-ip-address=127.0.0.1", "--disable-usage-stats",
                   *(f"--{name}={port}" for name, port in ports.items()),
                   "--min-worker-port=0", "--max-worker-port=0", *options]
        node = _Node(number, command, self.env, self._temp / f"n{number}.log")
        self._nodes.append(node)
        node.start()
        return node

    def start(self) -> str:
        """Start the head, then the other nodes at once; return the address once all are alive.

        A node is up when its ``ray start`` prints "Ray runtime started." (it
        waits for its raylet to register); the cluster is up when ``ray.nodes()``
        lists every node alive, checked by a driver of its own started as soon
        as the head is up, so its connection overlaps the other nodes' start.

        Raises:
            RuntimeError: the nodes did not all join within ``timeout``.
        """
        began = time.monotonic()
        deadline = began + self.timeout
        self._temp = Path(tempfile.mkdtemp(prefix="ray-"))
        (port,) = _free_ports(1)
        self.address = f"127.0.0.1:{port}"
        try:
            self._node(0, "--head", f"--port={port}", "--include-dashboard=false",
                       "--include-log-monitor=false")
            self._wait_started(deadline)
            watcher = subprocess.Popen(
                [sys.executable, "-c", WATCH, self.address, str(self.nodes)], env=self.env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                for number in range(1, self.nodes):
                    self._node(number, f"--address={self.address}", "--include-log-monitor=false")
                self._wait_started(deadline)
                out, err = watcher.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                watcher.kill()
                out, err = watcher.communicate()
            if watcher.returncode != 0 or not out.split() or int(out.split()[-1]) < self.nodes:
                seen = out.split()[-1] if out.split() else "no"
                msg = (f"{seen} of {self.nodes} Ray nodes alive in ray.nodes() after "
                       f"{time.monotonic() - began:.0f} s: {err[-500:]} {self._logs()}")
                raise RuntimeError(msg)
        except BaseException:
            self.stop()
            raise
        self.seconds = time.monotonic() - began
        return self.address

    def _wait_started(self, deadline: float) -> None:
        """Wait until every node's ``ray start`` said it started; start failed ones again."""
        while not all(node.started() for node in self._nodes):
            if time.monotonic() > deadline:
                msg = f"Ray nodes not started after {self.timeout:.0f} s: {self._logs()}"
                raise RuntimeError(msg)
            for node in self._nodes:
                if node.failed():
                    if node.starts >= self.attempts:
                        msg = (f"Ray node {node.number} failed {node.starts} times; "
                               f"its log ends: {node.tail()}")
                        raise RuntimeError(msg)
                    self.restarts += 1
                    node.start()
            time.sleep(0.1)

    def _logs(self) -> str:
        return "; ".join(f"node {n.number}: {n.tail()[-300:]!r}" for n in self._nodes
                         if not n.started())

    def processes(self) -> list[psutil.Process]:
        """Every live process of this cluster (the ``ray start`` processes and descendants)."""
        found = []
        for node in self._nodes:
            if node.process is None:
                continue
            try:
                top = psutil.Process(node.process.pid)
                found += [top, *top.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return found

    def node_processes(self, number: int) -> list[psutil.Process]:
        """The live processes of node ``number`` (0: the head)."""
        node = self._nodes[number]
        if node.process is None:
            return []
        try:
            top = psutil.Process(node.process.pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def busy_workers(self, number: int | None = None) -> list[psutil.Process]:
        """Worker processes running a Ray Data map task now, of one node or of all.

        Ray titles a worker by what it runs: ``ray::MapBatches(analyze_rows)``,
        ``ray::IDLE``, an actor's class name.
        """
        busy = []
        for process in self.processes() if number is None else self.node_processes(number):
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
        started = [n.process for n in self._nodes if n.process is not None]
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5  # then SIGKILL: a private, local cluster
        for process in started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _gone, alive = psutil.wait_procs(everything, timeout=5)
        for leftover in alive:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        self._nodes = []
        if self._temp is not None:
            for _ in range(20):  # a process on its way out may still write a log line
                shutil.rmtree(self._temp, ignore_errors=True)
                if not self._temp.exists():
                    break
                time.sleep(0.5)
            self._temp = None


if __name__ == "__main__":  # python benchmarks/cluster.py [NODES]: time a start and a stop
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    with LocalCluster(nodes=wanted) as cluster:
        print(f"{wanted} nodes alive in {cluster.seconds:.1f} s "
              f"({cluster.restarts} restarted) at {cluster.address}")
