"""LLM-data formats in the local engine: gzip and zstd JSON lines, Parquet; ignored files.

Each compressed or Parquet file must be cleaned exactly as the same records in a
plain ``.jsonl`` file, and written back under its own name, in its own format.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from dedup.cli import main
from dedup.corpus import parquet
from dedup.corpus.batch import BatchOptions, run_batch
from dedup.corpus.readers import Fields, Source, read_chunks
from tests.corpus_helpers import SYNDICATED, read_jsonl, snapshot, story, write_corpus, write_jsonl

SHARE = "Share this story with a friend who likes the coast."


def records(prefix: str, count: int) -> list[dict[str, object]]:
    """Articles with an in-article copy, a line shared by all (boilerplate), a syndicated one."""
    found = []
    for n in range(count):
        body = story(prefix, n, sentences=2)
        found.append({"id": f"{prefix}-{n}", "url": f"https://{prefix}.example/{n}",
                      "meta": {"n": n, "tags": ["a", "b"]},
                      "text": "\n".join([body[0], SHARE, body[1], body[0],
                                         *([SYNDICATED] if n % 3 == 0 else [])])})
    return found


def jsonl_bytes(rows: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def unzstd(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


def write_formats(root: Path, rows: dict[str, list[dict[str, object]]]) -> None:
    """The same records as .json.gz, .jsonl.zst, .json.zst and .parquet."""
    root.mkdir(parents=True)
    (root / "a.json.gz").write_bytes(gzip.compress(jsonl_bytes(rows["a"])))
    (root / "b.jsonl.zst").write_bytes(zstd(jsonl_bytes(rows["b"])))
    (root / "c.json.zst").write_bytes(zstd(jsonl_bytes(rows["c"])))
    pq.write_table(pa.Table.from_pylist(rows["d"]), root / "d.parquet", row_group_size=100)


def write_twin(root: Path, rows: dict[str, list[dict[str, object]]]) -> None:
    """The same records as plain JSON lines, in the same corpus order."""
    for name in "abcd":
        write_jsonl(root / f"{name}.jsonl", rows[name])


ROWS = {"a": records("alpha", 5), "b": records("beta", 4), "c": records("gamma", 3),
        "d": records("delta", 600)}  # 600 rows: three chunks of 256


def decoded(path: Path) -> list[dict[str, object]]:
    if path.name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    data = path.read_bytes()
    data = gzip.decompress(data) if path.name.endswith(".gz") else unzstd(data)
    return [json.loads(line) for line in data.splitlines()]


@pytest.mark.parametrize("options", [{}, {"boilerplate_min_docs": 3, "cross_doc": True}],
                         ids=["in-article", "all-modes"])
@pytest.mark.parametrize("workers", [1, 2])
def test_each_format_is_cleaned_as_plain_json_lines(tmp_path, options, workers):
    write_formats(tmp_path / "in", ROWS)
    write_twin(tmp_path / "twin", ROWS)
    run = {"workers": workers, "report": None, **options}
    got = run_batch(BatchOptions(in_dir=tmp_path / "in", out_dir=tmp_path / "out", **run))
    want = run_batch(BatchOptions(in_dir=tmp_path / "twin", out_dir=tmp_path / "ref", **run))
    assert not got.failures
    assert got.files == got.files_written == 4
    assert got.articles == want.articles == 612
    assert got.dropped == want.dropped
    assert got.dropped["exact"] >= 612
    names = {"a.json.gz": "a", "b.jsonl.zst": "b", "c.json.zst": "c", "d.parquet": "d"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".dedup-run.json",
                                                                    *sorted(names)]
    for name, twin in names.items():
        assert decoded(tmp_path / "out" / name) == read_jsonl(tmp_path / "ref" / f"{twin}.jsonl")
    assert (tmp_path / "out" / "a.json.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (tmp_path / "out" / "b.jsonl.zst").read_bytes()[:4] == b"\x28\xb5\x2f\xfd"


def test_parquet_keeps_schema_metadata_and_types_and_streams_row_batches(tmp_path):
    line = "of the story, long enough to count as a paragraph on its own."
    rows = [{"id": n, "text": f"Line {n} {line}\n" * 2,
             "score": n / 7, "when": pa.scalar(1_700_000_000 + n, pa.timestamp("s")).as_py(),
             "raw": bytes([n % 256])} for n in range(300)]
    schema = pa.schema([("id", pa.int64()), ("text", pa.large_string()), ("score", pa.float32()),
                        ("when", pa.timestamp("s", tz="UTC")), ("raw", pa.binary())],
                       metadata={b"origin": b"test"})
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), source, row_group_size=50)
    chunks = list(read_chunks(Source(source, "rows.parquet", "parquet", source.stat().st_size)))
    assert [c.first_line for c in chunks] == [1, 257]
    assert [c.last for c in chunks] == [False, True]
    summary = run_batch(BatchOptions(in_dir=tmp_path / "in", out_dir=tmp_path / "out",
                                     fields=Fields(id="id"), workers=1))
    assert summary.dropped["exact"] == 300
    assert not summary.failures
    out = pq.ParquetFile(tmp_path / "out" / "rows.parquet")
    assert out.schema_arrow == pq.read_schema(source)
    assert out.schema_arrow.metadata == pq.read_schema(source).metadata
    assert out.metadata.num_row_groups == 2
    table = out.read()
    assert table.column("text").to_pylist() == [r["text"].split("\n")[0] + "\n" for r in rows]
    assert table.drop(["text"]).equals(pq.read_table(source).drop(["text"]))


def test_empty_parquet_file_is_written_back_with_its_schema(tmp_path):
    (tmp_path / "in").mkdir()
    schema = pa.schema([("text", pa.string()), ("url", pa.string())])
    pq.write_table(schema.empty_table(), tmp_path / "in" / "empty.parquet")
    summary = run_batch(BatchOptions(in_dir=tmp_path / "in", out_dir=tmp_path / "out"))
    assert summary.files_written == 1
    assert summary.articles == 0
    assert pq.read_table(tmp_path / "out" / "empty.parquet").schema == schema


@pytest.mark.parametrize("name", ["bad.jsonl.zst", "bad.parquet", "bad.json.gz"])
def test_corrupt_file_fails_alone(tmp_path, capsys, name):
    write_corpus(tmp_path / "in")
    (tmp_path / "in" / name).write_bytes(b"\x28\xb5\x2f\xfd not really compressed data" * 3)
    code = main(["batch", str(tmp_path / "in"), str(tmp_path / "out"), "--quiet",
                 "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"dedup: {name}: cannot read" in err
    assert not (tmp_path / "out" / name).exists()
    assert (tmp_path / "out" / "valley.jsonl").exists()


def test_bad_row_names_its_row(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    pq.write_table(pa.table({"text": ["fine", None, "fine"]}), tmp_path / "in" / "r.parquet")
    assert main(["batch", str(tmp_path / "in"), str(tmp_path / "out"), "--quiet"]) == 1
    assert "dedup: r.parquet:2: text field 'text' is missing" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "module", "extra", "what"),
                         [("a.jsonl.zst", "zstandard", "zstd", "zstd"),
                          ("a.parquet", "pyarrow", "parquet", "Parquet")])
def test_missing_extra_is_named(tmp_path, capsys, monkeypatch, name, module, extra, what):
    write_formats(tmp_path / "made", ROWS)
    (tmp_path / "in").mkdir()
    source = "b.jsonl.zst" if extra == "zstd" else "d.parquet"
    (tmp_path / "in" / name).write_bytes((tmp_path / "made" / source).read_bytes())
    (tmp_path / "in" / "ok.jsonl").write_text('{"text": "fine"}\n')
    for loaded in [m for m in sys.modules if m == module or m.startswith(f"{module}.")]:
        monkeypatch.setitem(sys.modules, loaded, None)
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, f"{module}.parquet", None)
    code = main(["batch", str(tmp_path / "in"), str(tmp_path / "out"), "--quiet",
                 "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 1
    hint = f"pip install 'dedup-paragraphs[{extra}]'"
    assert f"dedup: {name}: a {what} file needs the {extra} extra: {hint}" in err
    assert (tmp_path / "out" / "ok.jsonl").exists()


def test_ignored_files_are_named_and_counted(tmp_path, capsys):
    write_corpus(tmp_path / "in")
    (tmp_path / "in" / "notes.csv").write_text("a,b\n")
    (tmp_path / "in" / "harbour" / "page.html").write_text("<p>x</p>")
    (tmp_path / "in" / ".hidden").write_text("x")
    code = main(["batch", str(tmp_path / "in"), str(tmp_path / "out"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 0
    assert "dedup: ignored harbour/page.html: not a corpus file" in err
    assert "dedup: ignored notes.csv: not a corpus file" in err
    assert ".hidden" not in err
    assert "(0 failed, 0 skipped, 2 ignored)" in err


def test_a_directory_of_nothing_readable_is_not_a_success(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pages.csv").write_text("a,b\n")
    code = main(["batch", str(tmp_path / "in"), str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "dedup: ignored pages.csv: not a corpus file" in err
    assert "no corpus files" in err


@pytest.mark.parametrize("name", ["shard.jsonl", "shard.json.gz", "shard.parquet", "."])
def test_clean_on_a_corpus_says_use_batch(tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    if name != ".":
        (tmp_path / name).write_bytes(b'{"text": "x"}\n')
    assert main(["clean", name]) == 2
    err = capsys.readouterr().err
    assert "dedup clean takes one article: use dedup batch . OUT_DIR" in err


def test_parquet_chunks_parse_back_to_the_same_articles(tmp_path):
    rows = records("eps", 3)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "x.parquet")
    source = Source(tmp_path / "x.parquet", "x.parquet", "parquet", 1)
    (chunk,) = read_chunks(source)
    articles = parquet.parse_chunk(chunk, Fields())
    assert [a.id for a in articles] == ["eps-0", "eps-1", "eps-2"]
    assert [a.site for a in articles] == ["eps.example"] * 3
    assert [a.line for a in articles] == [1, 2, 3]
    assert snapshot(tmp_path)  # the input is left as it was
