"""The Ray engine on a two-node cluster (two raylets started with ``ray start``, one CPU each).

One cluster serves the module. A task's worker process on the second node is
killed mid-run and the output is still byte for byte the local engine's; and
the driver never holds the cross-document graph (edges, labels, drops).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("scipy")

from dedup.cli import main  # noqa: E402
from dedup.corpus.batch import BatchOptions  # noqa: E402
from dedup.dist import clean_dataset  # noqa: E402
from tests.corpus_helpers import (  # noqa: E402
    NEWSLETTER,
    SYNDICATED,
    SYNDICATED_NEAR,
    snapshot,
    story,
    write_jsonl,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from cluster import LocalCluster  # noqa: E402

pytestmark = [
    pytest.mark.ray,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

OPTIONS = ["--cross-doc", "--boilerplate-min-docs", "3", "--workers", "2"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(nodes=2, object_store_mb=150) as started:
        yield started


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


def test_killed_worker_on_the_second_node_gives_the_local_output(
        tmp_path: Path, cluster: LocalCluster) -> None:
    corpus = write_large_corpus(tmp_path / "in")
    assert main(["batch", str(corpus), str(tmp_path / "local"), *OPTIONS,
                 "--report", str(tmp_path / "local.jsonl"), "--quiet"]) == 0
    run = subprocess.Popen(
        [sys.executable, "-m", "dedup", "batch", str(corpus), str(tmp_path / "ray"),
         *OPTIONS, "--report", str(tmp_path / "ray.jsonl"), "--engine", "ray",
         "--address", cluster.address, "--quiet"],
        env=cluster.env, stderr=subprocess.PIPE, text=True)
    killed: list[str] = []
    busy_on: set[int] = set()  # the nodes seen running a task
    while run.poll() is None:
        for node in (0, 1):
            if cluster.busy_workers(node):
                busy_on.add(node)
        if not killed:
            for worker in cluster.busy_workers(1):  # a worker of the node that is not the head
                try:
                    title = " ".join(worker.cmdline())
                    worker.kill()
                    worker.wait(timeout=10)
                except psutil.Error:  # it finished meanwhile: try the next
                    continue
                if run.poll() is None:  # the run was still going when its worker died
                    killed.append(title)
                break
        time.sleep(0.02)
    _, stderr = run.communicate(timeout=300)
    assert killed, "the run ended before a task could be caught running on the second node"
    assert killed[0].startswith("ray::MapBatches(")
    assert busy_on == {0, 1}, f"tasks ran only on node(s) {busy_on}"
    assert run.returncode == 0, stderr[-3000:]
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


DRIVER_READS = {"piece", "data", "records", "report", "summary", "failed", "error", "result",
                "sum(kept)"}
"""What the driver may read from a dataset: each piece's rendered output, any errors, and the
number of paragraphs kept in components (one sum)."""


def test_the_driver_never_holds_the_cross_document_graph(
        tmp_path: Path, cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edges, component labels and drops stay in the cluster: the driver reads only rendered
    pieces and error rows, and every task argument it sends is small, whatever the graph."""
    corpus = write_large_corpus(tmp_path / "in", files=3, articles=200)
    read: set[str] = set()
    sent: list[tuple[str, int]] = []
    dataset = ray.data.Dataset

    def watch_reads(name: str) -> None:
        original = getattr(dataset, name)

        def reading(self: Any, *args: Any, **kwargs: Any) -> Any:
            for item in original(self, *args, **kwargs):
                read.update(item.keys())
                yield item
        monkeypatch.setattr(dataset, name, reading)

    for name in ("iter_rows", "iter_batches"):
        watch_reads(name)
    from ray.data.grouped_data import GroupedData

    for name in ("map_batches", "map_groups"):
        owner = ray.data.Dataset if name == "map_batches" else GroupedData
        original = getattr(owner, name)

        def mapping(self: Any, fn: Any, *args: Any, _original: Any = original,
                    **kwargs: Any) -> Any:
            sent.append((fn.__name__, len(pickle.dumps(kwargs.get("fn_kwargs") or {}))))
            return _original(self, fn, *args, **kwargs)
        monkeypatch.setattr(owner, name, mapping)
    options = BatchOptions(in_dir=corpus, out_dir=tmp_path / "ray", cross_doc=True)
    clean_dataset(options, address=cluster.address, max_task_edges=0)  # the star path too
    monkeypatch.undo()
    assert main(["batch", str(corpus), str(tmp_path / "local"), "--cross-doc", "--quiet"]) == 0
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert read <= DRIVER_READS, f"the driver read {sorted(read - DRIVER_READS)}"
    # 600 articles with about 430 cross-document copies: their labels alone (16 bytes each,
    # plus the paragraphs they link to) and their drops would be well over this
    assert sent
    assert max(size for _, size in sent) < 8_000, sorted(sent, key=lambda s: -s[1])[:3]
