"""dedup.integrations.datatrove.DedupFormatter in a real datatrove LocalPipelineExecutor run."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

import dedup
from dedup.cli import main
from dedup.integrations.datatrove import DedupBoilerplateCounter, DedupFormatter
from tests.corpus_helpers import NEWSLETTER, SYNDICATED, story

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def documents() -> list[dict[str, object]]:
    docs = []
    for n in range(12):
        body = story("dt", n)
        teaser = body[0][: len(body[0]) * 2 // 3] + "…"
        docs.append({"id": f"doc-{n}", "metadata": {"url": f"https://www.site{n % 2}.example/{n}"},
                     "text": "\n".join([teaser, *body, NEWSLETTER, body[1],
                                         *([SYNDICATED] if n % 3 == 0 else [])])})
    return docs


def write_shards(root: Path, docs: list[dict[str, object]], shards: int) -> None:
    root.mkdir(parents=True)
    for shard in range(shards):
        lines = "".join(json.dumps(d) + "\n" for d in docs[shard::shards])
        (root / f"{shard:05d}.jsonl.gz").write_bytes(gzip.compress(lines.encode()))


def read_output(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.glob("*.jsonl.gz")):
        for line in gzip.decompress(path.read_bytes()).splitlines():
            record = json.loads(line)
            found[record["id"]] = record["text"]
    return found


def run(tmp_path: Path, step: DedupFormatter, tasks: int, name: str) -> tuple[dict, dict]:
    executor = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp_path / "in")), step, JsonlWriter(str(tmp_path / name))],
        tasks=tasks, workers=1, logging_dir=str(tmp_path / f"logs-{name}"),
    )
    executor.run()
    stats = json.loads((tmp_path / f"logs-{name}" / "stats.json").read_text())
    (ours,) = [s for s in stats if s["name"].endswith(DedupFormatter.name)]
    totals = {k: v if isinstance(v, int) else v["total"] for k, v in ours["stats"].items()}
    return read_output(tmp_path / name), totals


@pytest.mark.parametrize("tasks", [1, 3])
def test_in_article_cleaning_with_stats_per_reason(tmp_path, tasks):
    docs = documents()
    write_shards(tmp_path / "in", docs, shards=3)
    out, stats = run(tmp_path, DedupFormatter(), tasks, "out")
    assert out == {d["id"]: dedup.clean(d["text"]) for d in docs}
    assert stats["total"] == 12
    assert stats["dropped_near"] == 12  # the teaser
    assert stats["dropped_exact"] == 12  # the repeated body paragraph
    assert stats["dropped"] == 24
    assert stats["docs_changed"] == 12
    assert "dropped_cross_doc" not in stats


@pytest.mark.parametrize("index", [None, "seen.sqlite"])
def test_corpus_modes_in_one_task(tmp_path, index):
    docs = documents()
    write_shards(tmp_path / "in", docs, shards=1)
    path = None if index is None else tmp_path / index
    step = DedupFormatter(index=path, cross_doc=True, boilerplate_min_docs=3)
    out, stats = run(tmp_path, step, 1, "out")
    first, *rest = [out[f"doc-{n}"] for n in range(12)]
    assert SYNDICATED in first
    assert NEWSLETTER in first
    assert all(SYNDICATED not in text and NEWSLETTER not in text for text in rest)
    # the newsletter line goes as a cross-document copy until it becomes boilerplate at the
    # third document of each site (documents 4 and 5); the syndicated paragraph in 3, 6 and 9
    assert stats["dropped_cross_doc"] == 3 + 3
    assert stats["dropped_boilerplate"] == 12 - 4

def test_cross_doc_through_a_shared_index_across_tasks_and_runs(tmp_path):
    docs = documents()
    write_shards(tmp_path / "in", docs, shards=3)
    step = DedupFormatter(index=tmp_path / "seen.sqlite")
    out, stats = run(tmp_path, step, 3, "out")
    assert sum(SYNDICATED in text for text in out.values()) == 1  # one task kept it first
    assert sum(NEWSLETTER in text for text in out.values()) == 1
    assert stats["dropped_cross_doc"] == 3 + 11
    again, _ = run(tmp_path, DedupFormatter(index=tmp_path / "seen.sqlite"), 3, "again")
    assert again == out  # the index remembers who kept what; a document never duplicates itself


def test_bad_options_fail_when_the_pipeline_is_built():
    with pytest.raises(dedup.ConfigError):
        DedupFormatter(boilerplate_min_docs=1)


def test_two_stage_boilerplate_equals_dedup_batch(tmp_path):
    docs = documents()
    write_shards(tmp_path / "in", docs, shards=3)
    counts = tmp_path / "counts"
    count = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp_path / "in")), DedupBoilerplateCounter(str(counts))],
        tasks=3, workers=1, logging_dir=str(tmp_path / "logs-count"),
    )
    step = DedupFormatter(boilerplate_counts=str(counts), boilerplate_min_docs=3)
    clean = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp_path / "in")), step, JsonlWriter(str(tmp_path / "out"))],
        tasks=3, workers=1, logging_dir=str(tmp_path / "logs-clean"), depends=count,
    )
    clean.run()
    assert sorted(p.name for p in counts.iterdir()) == ["00000.json", "00001.json", "00002.json"]
    out = read_output(tmp_path / "out")
    # the same corpus through dedup batch (two passes, uniform): the same texts
    (tmp_path / "twin").mkdir()
    (tmp_path / "twin" / "docs.jsonl").write_text("".join(
        json.dumps({"id": d["id"], "url": d["metadata"]["url"], "text": d["text"]}) + "\n"
        for d in docs))
    assert main(["batch", str(tmp_path / "twin"), str(tmp_path / "ref"), "--quiet",
                 "--workers", "1", "--boilerplate-min-docs", "3"]) == 0
    lines = (tmp_path / "ref" / "docs.jsonl").read_text().splitlines()
    ref = {r["id"]: r["text"] for r in map(json.loads, lines)}
    assert out == ref
    assert all(NEWSLETTER not in text for text in out.values())  # every page, the first ones too
    stats = json.loads((tmp_path / "logs-clean" / "stats.json").read_text())
    (ours,) = [s for s in stats if s["name"].endswith(DedupFormatter.name)]
    totals = {k: v if isinstance(v, int) else v["total"] for k, v in ours["stats"].items()}
    assert totals["dropped_boilerplate"] == 12
    assert "dropped_cross_doc" not in totals


def test_two_stage_mode_refuses_streaming_options(tmp_path):
    with pytest.raises(dedup.ConfigError, match="boilerplate_min_docs"):
        DedupFormatter(boilerplate_counts=str(tmp_path))
    with pytest.raises(dedup.ConfigError, match="two-stage"):
        DedupFormatter(boilerplate_counts=str(tmp_path), boilerplate_min_docs=3, cross_doc=True)
