"""The Ray engine on a two-node cluster (two raylets started with ``ray start``), with a task's
worker process killed mid-run: the output is still byte for byte the local engine's."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytest.importorskip("ray")
pytest.importorskip("scipy")

from dedup.cli import main
from tests.corpus_helpers import (
    NEWSLETTER,
    SYNDICATED,
    SYNDICATED_NEAR,
    snapshot,
    story,
    write_jsonl,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from cluster import LocalCluster

pytestmark = [pytest.mark.ray, pytest.mark.slow]

OPTIONS = ["--cross-doc", "--boilerplate-min-docs", "3", "--workers", "2"]


def write_large_corpus(root: Path, files: int = 6, articles: int = 300) -> Path:
    """Enough pieces (256 lines each) that tasks run for a while: site boilerplate, syndicated
    exact and near copies across files, and unique stories."""
    for number in range(files):
        records = []
        for article in range(articles):
            name = f"f{number}-{article}"
            body = story(f"site{number % 3}", number * articles + article, sentences=12)
            extra = [SYNDICATED] if article % 7 == 0 else []
            extra += [SYNDICATED_NEAR] if article % 11 == 0 else []
            records.append({"id": name, "url": f"https://site{number % 3}.example/{article}",
                            "text": "\n".join([f"Headline {name}", *body, *extra, NEWSLETTER])})
        write_jsonl(root / f"part-{number}.jsonl", records)
    return root


def test_killed_worker_on_two_nodes_gives_the_local_output(tmp_path: Path) -> None:
    corpus = write_large_corpus(tmp_path / "in")
    assert main(["batch", str(corpus), str(tmp_path / "local"), *OPTIONS,
                 "--report", str(tmp_path / "local.jsonl"), "--quiet"]) == 0
    with LocalCluster(nodes=2) as cluster:
        run = subprocess.Popen(
            [sys.executable, "-m", "dedup", "batch", str(corpus), str(tmp_path / "ray"),
             *OPTIONS, "--report", str(tmp_path / "ray.jsonl"), "--engine", "ray",
             "--address", cluster.address, "--quiet"],
            env=cluster.env, stderr=subprocess.PIPE, text=True)
        killed = ""
        while run.poll() is None and not killed:
            for worker in cluster.busy_workers():
                try:
                    killed = " ".join(worker.cmdline())
                    worker.kill()
                    break
                except psutil.Error:  # it finished meanwhile: try the next
                    killed = ""
            time.sleep(0.02)
        _, stderr = run.communicate(timeout=300)
    assert killed, "the run ended before any task could be caught running"
    assert run.returncode == 0, stderr[-3000:]
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
