"""Bad inputs: each is reported with its path and line, the others are still written."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from dedup.cli import main
from dedup.corpus import batch, tasks
from dedup.corpus.readers import BadInput, Chunk, Source
from dedup.corpus.spill import Spill
from tests.corpus_helpers import read_jsonl, snapshot, story, write_jsonl


def good_files(root: Path) -> None:
    (root / "good.txt").write_text("\n".join(story("good", 1)) + "\n")
    write_jsonl(root / "good.jsonl", [{"text": "\n".join(story("good", 2)), "id": "g"}])


BAD: dict[str, tuple[str, bytes, str]] = {
    "invalid_utf8": ("bad.txt", b"First line\nsecond \xff\xfe line\n",
                     "bad.txt:2: invalid UTF-8"),
    "binary": ("bad.md", b"PK\x03\x04\x00\x00binary", "bad.md:1: binary data"),
    "malformed_json": ("bad.jsonl", b'{"text": "ok"}\n{"text": "broken\n',
                       "bad.jsonl:2: malformed JSON"),
    "missing_field": ("bad.jsonl", b'{"text": "ok"}\n\n{"body": "x"}\n',
                      "bad.jsonl:3: text field 'text' is missing"),
    "not_a_string": ("bad.jsonl", b'{"text": 42}\n', "bad.jsonl:1: text field 'text' is a int"),
    "not_an_object": ("bad.jsonl", b"[1, 2]\n", "bad.jsonl:1: a JSON line must be an object"),
    "invalid_utf8_line": ("bad.jsonl", b'{"text": "a"}\n{"text": "\xff"}\n',
                          "bad.jsonl:2: invalid UTF-8"),
    "corrupt_gzip": ("bad.jsonl.gz", b"\x1f\x8b\x08\x00garbage-not-deflate",
                     "bad.jsonl.gz: cannot read"),
    "truncated_gzip": ("bad.jsonl.gz", gzip.compress(b'{"text": "a"}\n' * 50)[:30],
                       "bad.jsonl.gz: cannot read"),
}


CASES = [(case, 1) for case in sorted(BAD)] + [  # a pool run per kind of failure is enough
    ("binary", 2), ("malformed_json", 2), ("corrupt_gzip", 2)]


@pytest.mark.parametrize(("case", "workers"), CASES)
def test_bad_file_reported_others_written(
    case: str, workers: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, data, message = BAD[case]
    source = tmp_path / "in"
    source.mkdir()
    good_files(source)
    (source / name).write_bytes(data)
    before = snapshot(source)
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    code = main(["batch", str(source), str(out), "--workers", str(workers), "--quiet",
                 "--cross-doc", "--report", str(report)])
    assert code == 1
    err = capsys.readouterr().err
    assert message in err
    assert snapshot(source) == before  # inputs untouched
    assert (out / "good.txt").read_text() == (source / "good.txt").read_text()
    assert read_jsonl(out / "good.jsonl")[0]["id"] == "g"
    assert not (out / name).exists()  # the bad file is not written, not even in part
    assert [p.name for p in out.rglob(".*") if p.is_file()] == [".dedup-run.json"]  # no partial
    assert f'"path":"{name}"' in report.read_text()


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in"
    source.mkdir()
    good_files(source)
    (source / "gone.txt").symlink_to(tmp_path / "missing.txt")  # unreadable even for root
    locked = source / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    before = snapshot(source)
    try:
        code = main(["batch", str(source), str(tmp_path / "out"), "--workers", "1", "--quiet"])
    finally:
        locked.chmod(0o644)
    assert code == 1
    err = capsys.readouterr().err
    assert "gone.txt: cannot read: No such file or directory" in err
    if os.geteuid() != 0:  # root reads anything
        assert "locked.txt: cannot read: Permission denied" in err
    assert (tmp_path / "out" / "good.txt").exists()
    assert snapshot(source) == before


def test_bad_line_after_good_chunks_leaves_no_trace(tmp_path: Path) -> None:
    """A file that fails late adds nothing to the cross-document index."""
    source = tmp_path / "in"
    source.mkdir()
    shared = story("shared", 1)[0]
    lines = [f'{{"text": "{shared}"}}'] + ['{"text": "filler"}'] * 600 + ["{oops"]
    (source / "a.jsonl").write_text("\n".join(lines) + "\n")
    (source / "b.txt").write_text(f"Intro.\n{shared}\n")
    out = tmp_path / "out"
    assert main(["batch", str(source), str(out), "--workers", "1", "--quiet",
                 "--cross-doc"]) == 1
    assert shared in (out / "b.txt").read_text()
    assert not (out / "a.jsonl").exists()


def test_record_that_cannot_be_written_back_fails_before_the_decisions(tmp_path: Path) -> None:
    """orjson reads deeper nesting than it writes: the file fails in the analysis, no trace."""
    source = tmp_path / "in"
    source.mkdir()
    shared = story("shared", 1)[0]
    deep = "[" * 300 + "]" * 300
    (source / "a.jsonl").write_text(f'{{"text": "{shared}", "meta": {deep}}}\n')
    (source / "b.txt").write_text(f"Intro.\n{shared}\n")
    out = tmp_path / "out"
    assert main(["batch", str(source), str(out), "--workers", "1", "--quiet",
                 "--cross-doc"]) == 1
    assert shared in (out / "b.txt").read_text()  # a.jsonl kept nothing in the index
    assert not (out / "a.jsonl").exists()


def _render_or_fail(state: tasks.WorkerState, task: tasks.RenderTask) -> tasks.Rendered:
    if task.chunk.source.relative == "b.jsonl":
        msg = "disk on fire"
        raise OSError(msg)
    return tasks.render_chunk(state, task)


BOILERPLATE = ["--boilerplate-min-docs", "3"]


@pytest.mark.parametrize("boilerplate", [[], BOILERPLATE], ids=["one-pass", "boilerplate"])
@pytest.mark.parametrize("workers", [1, 2])
def test_chunk_that_fails_to_render_fails_its_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, boilerplate: list[str]
) -> None:
    """A worker that fails after the decisions: its file is reported and not written."""
    monkeypatch.setattr(batch, "render_chunk", _render_or_fail)
    source = tmp_path / "in"
    source.mkdir()
    good_files(source)
    write_jsonl(source / "b.jsonl", [{"text": "\n".join(story("b", n)), "id": f"b{n}"}
                                     for n in range(600)])  # several chunks
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    code = main(["batch", str(source), str(out), "--workers", str(workers), "--quiet",
                 "--cross-doc", *boilerplate, "--report", str(report)])
    assert code == 1
    assert not (out / "b.jsonl").exists()
    assert (out / "good.txt").exists()
    assert (out / "good.jsonl").exists()
    errors = [line for line in report.read_text().splitlines() if '"error"' in line]
    assert len(errors) == 1
    assert "disk on fire" in errors[0]


def _drop_boilerplate_or_fail(state: tasks.WorkerState, chunk: Chunk,
                              facts: bytes) -> tasks.Analyzed | BadInput:
    if chunk.source.relative == "a.jsonl" and chunk.number == 1:
        msg = "memory on fire"
        raise MemoryError(msg)
    return tasks.drop_boilerplate(state, chunk, facts)


@pytest.mark.parametrize("workers", [1, 2])
def test_chunk_failing_in_the_clean_pass_discards_its_file_and_its_decisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A file whose second chunk fails while its boilerplate is dropped leaves no trace.

    Its first chunk was decided (its paragraph entered the pending index) and
    is discarded with the file: the later file keeps the paragraph they share,
    and boilerplate is still dropped from the files that did not fail.
    """
    monkeypatch.setattr(batch, "drop_boilerplate", _drop_boilerplate_or_fail)
    source = tmp_path / "in"
    source.mkdir()
    shared = story("shared", 1)[0]
    notice = "Subscribe to the Mill Gazette for a weekly digest."
    write_jsonl(source / "a.jsonl", [{"text": shared if n == 0 else "\n".join(story("a", n)),
                                      "id": f"a{n}"} for n in range(600)])  # three chunks
    write_jsonl(source / "b.jsonl", [
        {"text": "\n".join([*story("b", n), notice, *([shared] if n == 0 else [])]),
         "id": f"b{n}", "site": "mill"} for n in range(4)])
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    code = main(["batch", str(source), str(out), "--workers", str(workers), "--quiet",
                 "--cross-doc", *BOILERPLATE, "--report", str(report)])
    assert code == 1
    assert not (out / "a.jsonl").exists()
    texts = [record["text"] for record in read_jsonl(out / "b.jsonl")]
    assert shared in texts[0]  # a.jsonl's decisions were discarded with it
    assert not any(notice in text for text in texts)  # the site's boilerplate went
    errors = [line for line in report.read_text().splitlines() if '"error"' in line]
    assert len(errors) == 1
    assert "memory on fire" in errors[0]


def test_spilled_analysis_of_a_changed_file_is_refused() -> None:
    source = Source(Path("a.jsonl"), "a.jsonl", "jsonl", 0)
    spill = Spill()
    spill.put(Chunk(source, 0, 1, (b"{}", b"{}"), 4, True), b"analysis")
    changed = spill.take(Chunk(source, 0, 1, (b"{}",), 2, True))
    spill.close()
    assert isinstance(changed, BadInput)
    assert "changed" in changed.message
