"""The Ray engine: byte for byte the local engine's output, on a local two-CPU Ray."""

from __future__ import annotations

import dataclasses
import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("scipy")
pq = pytest.importorskip("pyarrow.parquet")

from dedup.cli import main  # noqa: E402
from dedup.config import Config  # noqa: E402
from dedup.corpus.batch import BatchOptions, Summary, run_batch  # noqa: E402
from dedup.corpus.readers import Fields  # noqa: E402
from dedup.dist import clean_dataset  # noqa: E402
from dedup.dist.components import (  # noqa: E402
    driver_components,
    gather_labels,
    star_components,
)
from dedup.dist.grouping import node_id  # noqa: E402
from dedup.dist.replay import Candidate, replay  # noqa: E402
from tests.corpus_helpers import (  # noqa: E402
    NEWSLETTER,
    SYNDICATED,
    read_jsonl,
    snapshot,
    story,
    write_corpus,
    write_jsonl,
)

pytestmark = [
    pytest.mark.ray,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

BASE = (
    "The harbour board met on Tuesday evening to discuss the future of the old ferry pier, "
    "which has been closed to the public since the winter storms damaged its wooden deck."
)


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        patch.setenv("RAY_AUTH_MODE", "disabled")  # a private cluster, joined by a subprocess
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        yield
        ray.shutdown()


def _edit(text: str, every: int, offset: int) -> str:
    """Change one letter in every ``every`` words, starting at word ``offset``."""
    words = text.split(" ")
    for i in range(offset, len(words), every):
        words[i] = words[i][:-1] + ("x" if words[i][-1] != "x" else "y")
    return " ".join(words)


def write_full_corpus(root: Path) -> Path:
    """The corpus tests' corpus plus in-article copies, a near-duplicate chain, a bad file."""
    write_corpus(root)
    body = story("inline", 0, sentences=2)
    write_jsonl(root / "inline.jsonl", [
        {"id": "in-0", "text": "\n".join([BASE, *body, BASE, body[0].replace(",", "")])},
        {"id": "in-1", "text": "\n".join([SYNDICATED, NEWSLETTER, *story("inline", 1)])},
        {"id": "vl-0", "text": "A second document that reuses an id.\n" + SYNDICATED},
    ])
    near = _edit(BASE, 7, 1)  # B: near A
    far = _edit(near, 7, 4)  # C: near B, further from A
    write_jsonl(root / "chain.jsonl.gz", [
        {"id": f"ch-{n}", "url": f"https://chain.example/{n}", "text": f"Intro {n}.\n{text}"}
        for n, text in enumerate([far, near, BASE, near, far])
    ])
    (root / "broken.jsonl").write_text('{"text": "fine"}\n{"text": \n')
    return root


def summary_of(summary: Summary) -> dict[str, Any]:
    values = dataclasses.asdict(dataclasses.replace(summary, seconds=0.0, failures=[]))
    values["failures"] = [str(f) for f in summary.failures]
    return values


def both(tmp_path: Path, corpus: Path, **options: Any) -> tuple[Summary, Summary]:
    local = BatchOptions(in_dir=corpus, out_dir=tmp_path / "local",
                         report=tmp_path / "local.jsonl", **options)
    distributed = dataclasses.replace(local, out_dir=tmp_path / "ray",
                                      report=tmp_path / "ray.jsonl")
    return run_batch(local), clean_dataset(distributed, partitions=3)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="in-article"),
        pytest.param({"boilerplate_min_docs": 3, "cross_doc": True}, id="all-modes"),
        pytest.param({"boilerplate_min_docs": 3, "cross_doc": True, "report_mode": "full"},
                     id="full-report"),
        pytest.param({"boilerplate_fraction": 0.5, "cross_doc": True,
                      "config": Config(keep="first", min_length=30)}, id="other-options"),
    ],
)
def test_same_bytes_as_local_engine(tmp_path: Path, options: dict[str, Any]) -> None:
    corpus = write_full_corpus(tmp_path / "in")
    local, distributed = both(tmp_path, corpus, **options)
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert summary_of(distributed) == summary_of(local)
    assert [f.path for f in distributed.failures] == ["broken.jsonl"]
    if options.get("cross_doc"):
        assert local.dropped["cross_doc"] > 0
        assert local.dropped["boilerplate"] > 0
    assert local.dropped["exact"] + local.dropped["near"] + local.dropped["repeated_block"] > 0


def test_gzip_report_as_local(tmp_path: Path) -> None:
    import gzip

    corpus = write_full_corpus(tmp_path / "in")
    local = BatchOptions(in_dir=corpus, out_dir=tmp_path / "local", cross_doc=True,
                         report=tmp_path / "local.jsonl.gz")
    run_batch(local)
    clean_dataset(dataclasses.replace(local, out_dir=tmp_path / "ray",
                                      report=tmp_path / "ray.jsonl.gz"), partitions=2)
    plain = dataclasses.replace(local, out_dir=tmp_path / "plain", report=tmp_path / "p.jsonl")
    run_batch(plain)
    expected = (tmp_path / "p.jsonl").read_bytes()
    assert gzip.decompress((tmp_path / "local.jsonl.gz").read_bytes()) == expected
    assert (tmp_path / "ray.jsonl.gz").read_bytes() == (tmp_path / "local.jsonl.gz").read_bytes()


def test_partitions_and_driver_limit_do_not_change_results(tmp_path: Path) -> None:
    corpus = write_full_corpus(tmp_path / "in")
    options = BatchOptions(in_dir=corpus, out_dir=tmp_path / "one", cross_doc=True,
                           boilerplate_min_docs=3)
    clean_dataset(options, partitions=1)
    # max_task_edges=0 forces large-star / small-star on Ray tasks
    clean_dataset(dataclasses.replace(options, out_dir=tmp_path / "many"), partitions=5,
                  max_task_edges=0)
    run_batch(dataclasses.replace(options, out_dir=tmp_path / "local"))
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "local")
    assert snapshot(tmp_path / "many") == snapshot(tmp_path / "local")


@pytest.mark.parametrize("mode", ["dry_run", "resume"])
def test_dry_run_and_resume_as_local(tmp_path: Path, mode: str) -> None:
    corpus = write_full_corpus(tmp_path / "in")
    for out in ("local", "ray"):  # a finished output from an earlier run
        (tmp_path / out / "harbour").mkdir(parents=True)
        (tmp_path / out / "harbour" / "story-1.txt").write_text("left as it was")
    local, distributed = both(tmp_path, corpus, cross_doc=True, **{mode: True})
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert summary_of(distributed) == summary_of(local)


def test_parquet_in_and_out(tmp_path: Path) -> None:
    import pyarrow as pa

    corpus = write_corpus(tmp_path / "in")
    records = read_jsonl(corpus / "valley.jsonl")
    (corpus / "valley.jsonl").unlink()
    pq.write_table(pa.Table.from_pylist(records), corpus / "valley.parquet")
    twin = write_corpus(tmp_path / "twin")  # the same corpus with the JSON Lines file
    many = [{"id": f"m-{n}", "text": f"Item {n}.\n{SYNDICATED}\nItem {n}."} for n in range(600)]
    pq.write_table(pa.Table.from_pylist(many), corpus / "many.parquet", row_group_size=100)
    write_jsonl(twin / "many.jsonl", many)  # 600 rows: three pieces
    options = {"cross_doc": True, "boilerplate_min_docs": 3}
    clean_dataset(BatchOptions(in_dir=corpus, out_dir=tmp_path / "ray", **options))
    run_batch(BatchOptions(in_dir=twin, out_dir=tmp_path / "local", **options))
    table = pq.read_table(tmp_path / "ray" / "valley.parquet")
    assert table.schema == pq.read_schema(corpus / "valley.parquet")
    assert table.to_pylist() == read_jsonl(tmp_path / "local" / "valley.jsonl")
    assert table.to_pylist() != records  # something was dropped
    assert pq.read_table(tmp_path / "ray" / "many.parquet").to_pylist() == read_jsonl(
        tmp_path / "local" / "many.jsonl")
    assert snapshot(tmp_path / "ray" / "zz") == snapshot(tmp_path / "local" / "zz")


def test_components_must_follow_shared_keys_not_only_verified_pairs() -> None:
    # Q, P, R in corpus order; all share band key 1, P and R are near duplicates, Q is not.
    # Locally, band 1 belongs to Q (the first kept), so R is compared with Q only and kept.
    # Replaying just the verified pair {P, R} would make P the owner and drop R.
    text = "the ferry pier stays closed after the winter storms damaged its wooden deck again"
    rows = [
        Candidate(node_id(0, 0, 0), "q", 0, 1, (1,), "an unrelated paragraph " * 4),
        Candidate(node_id(0, 1, 0), "p", 0, 2, (1, 7), text),
        Candidate(node_id(0, 2, 0), "r", 0, 3, (1,), text.replace("winter", "wintr")),
    ]
    assert replay(rows, Config()) == {}
    assert set(replay(rows[1:], Config())) == {rows[2].node}


def test_star_components_equal_scipy() -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(0, 400, 300, dtype=np.int64) * 1_000_003
    b = rng.integers(0, 400, 300, dtype=np.int64) * 1_000_003
    a = np.concatenate([a, np.arange(50, 60, dtype=np.int64), [7, 8]])  # a path; self-loops
    b = np.concatenate([b, np.arange(51, 61, dtype=np.int64), [7, 8]])
    parts = [ray.put((a[i::3], b[i::3])) for i in range(3)]
    nodes, labels = gather_labels(star_components(parts, partitions=4))
    expected_nodes, expected_labels = driver_components(a, b)
    assert 7 not in nodes.tolist()
    assert nodes.tolist() == expected_nodes.tolist()
    assert labels.tolist() == expected_labels.tolist()


def test_cli_engine_ray(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path / "in")
    args = ["batch", str(corpus), "--cross-doc", "--boilerplate-min-docs", "3"]
    assert main([*args[:2], str(tmp_path / "local"), *args[2:], "--workers", "1"]) == 0
    local_line = capsys.readouterr().err.splitlines()[-1]
    assert main([*args[:2], str(tmp_path / "ray"), *args[2:], "--engine", "ray"]) == 0
    ray_line = capsys.readouterr().err.splitlines()[-1]
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert ray_line.rsplit(";", 1)[0] == local_line.rsplit(";", 1)[0]
    gz = gzip.decompress((tmp_path / "ray" / "zz" / "north.jsonl.gz").read_bytes())
    assert [json.loads(line)["id"] for line in gz.splitlines()] == ["nw-0", "nw-1", "nw-2"]


def test_subprocess_joins_running_cluster(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    address = ray.get_runtime_context().gcs_address
    command = [sys.executable, "-m", "dedup", "batch", str(corpus), str(tmp_path / "ray"),
               "--cross-doc", "--engine", "ray", "--address", address]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1].startswith("dedup: 11 articles in 7 files")
    run_batch(BatchOptions(in_dir=corpus, out_dir=tmp_path / "local", cross_doc=True))
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")


def test_persistent_index_is_refused(tmp_path: Path) -> None:
    from dedup.errors import ConfigError

    corpus = write_corpus(tmp_path / "in")
    options = BatchOptions(in_dir=corpus, out_dir=tmp_path / "out", index="x.sqlite",
                           fields=Fields(), cross_doc=True)
    with pytest.raises(ConfigError, match="no persistent index"):
        clean_dataset(options)


def test_site_boilerplate_rules_as_local(tmp_path: Path) -> None:
    """Own headlines, templates and neighbours: the Ray count stage decides as the local one."""
    from tests.site_pages import FOOTER, site_records

    corpus = tmp_path / "in"
    records = site_records(6)
    records[1]["text"] = records[1]["text"].replace(FOOTER[0], f"{FOOTER[0]}\nTickets on sale")
    records[2]["text"] = records[2]["text"].replace(FOOTER[0], f"{FOOTER[0]}\nTickets on sale")
    write_jsonl(corpus / "a.jsonl", records[:3])
    write_jsonl(corpus / "b.jsonl", records[3:])
    local, distributed = both(tmp_path, corpus, boilerplate_min_docs=3,
                              fields=Fields(site="site"), report_mode="full")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert snapshot(tmp_path / "ray") == snapshot(tmp_path / "local")
    assert summary_of(distributed) == summary_of(local)
    rules = {p["boilerplate_rule"] for r in read_jsonl(tmp_path / "local.jsonl")
             for p in r["paragraphs"]}
    assert rules == {None, "exact", "template", "neighbours"}


def test_bad_piece_ranges_flag_the_same_pieces() -> None:
    """Tasks receive the failed files' ranges of pieces instead of a flag per piece."""
    from dedup.dist.engine import _bad_ranges
    from dedup.dist.rows import good_piece

    rng = np.random.default_rng(5)
    for size in [0, 1, 2, 7, 50]:
        for _ in range(20):
            good = rng.random(size) < 0.7
            bad = _bad_ranges(good)
            assert [good_piece(piece, bad) for piece in range(size)] == good.tolist()
            assert len(bad) <= (size + 1) // 2
