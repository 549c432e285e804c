"""The Ray engine reads and writes the local engine's formats, byte for byte as it does."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("scipy")

from dedup.corpus.batch import BatchOptions, run_batch  # noqa: E402
from dedup.dist import clean_dataset  # noqa: E402
from tests.corpus_helpers import snapshot, write_corpus  # noqa: E402
from tests.test_corpus_formats import ROWS, write_formats  # noqa: E402

pytestmark = [
    pytest.mark.ray,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        patch.setenv("RAY_AUTH_MODE", "disabled")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        yield
        ray.shutdown()


@pytest.mark.parametrize("options", [{}, {"boilerplate_min_docs": 3, "cross_doc": True}],
                         ids=["in-article", "all-modes"])
def test_new_formats_same_bytes_as_local(tmp_path: Path, options: dict[str, Any]) -> None:
    corpus = write_corpus(tmp_path / "in")
    write_formats(corpus / "shards", ROWS)
    (corpus / "shards" / "broken.json.zst").write_bytes(b"\x28\xb5\x2f\xfd broken")
    (corpus / "notes.csv").write_text("a,b\n")
    local = BatchOptions(in_dir=corpus, out_dir=tmp_path / "local",
                         report=tmp_path / "local.jsonl", **options)
    distributed = dataclasses.replace(local, out_dir=tmp_path / "ray",
                                      report=tmp_path / "ray.jsonl")
    one, other = run_batch(local), clean_dataset(distributed, partitions=3)
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert "shards/d.parquet" in snapshot(tmp_path / "ray")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert [f.path for f in other.failures] == [f.path for f in one.failures] == [
        "shards/broken.json.zst"]
    assert other.ignored == one.ignored == ["notes.csv"]
    assert other.articles == one.articles
    assert other.dropped == one.dropped
