"""Bad inputs: each is reported with its path and line, the others are still written."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from dedup.cli import main
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
    assert not [p for p in out.rglob(".*") if p.is_file()]
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
