"""The dedup command: in-process through main(argv), plus one subprocess smoke test."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import dedup
from dedup.cli import ExitCode, main

A = "The harbour authority confirmed on Thursday that the northern pier will close for repairs."
B = "Engineers found cracks in three of the concrete supports during a routine inspection."
ARTICLE = f"Pier to close\n{A}\n{B}\nPier to close\n{A}\n{B}\n"
CLEANED = f"Pier to close\n{A}\n{B}\n"


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.encode("utf-8"))
    return path


def feed_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_clean_file(article, capsys):
    assert main(["clean", str(article)]) == ExitCode.OK
    out, err = capsys.readouterr()
    assert out == CLEANED
    assert err == ""


def test_clean_keeps_bytes_of_kept_paragraphs(tmp_path, capsys):
    text = f"“{A}”\r\n\r\n{B}\r\n“{A}”\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    assert main(["clean", str(path)]) == ExitCode.OK
    assert capsys.readouterr().out == dedup.clean(text) == f"“{A}”\r\n\r\n{B}\r\n"


def test_clean_stdin(monkeypatch, capsys):
    feed_stdin(monkeypatch, ARTICLE.encode("utf-8"))
    assert main(["clean", "-"]) == ExitCode.OK
    assert capsys.readouterr().out == CLEANED


def test_clean_options_reach_the_cleaner(tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(f"{A}\n{B}\n{A}", encoding="utf-8")
    assert main(["clean", str(path), "--keep", "last"]) == ExitCode.OK
    assert capsys.readouterr().out == f"{B}\n{A}"
    assert main(["clean", str(path), "--keep", "first", "--candidates", "all_pairs",
                 "--min-length", "10", "--min-similarity", "0.95", "--split", "line"]) == 0
    assert capsys.readouterr().out == f"{A}\n{B}"


def test_report_file(article, tmp_path, capsys):
    report = tmp_path / "report.json"
    assert main(["clean", str(article), "--report", str(report)]) == ExitCode.OK
    assert capsys.readouterr().out == CLEANED
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["counts"]["paragraphs"] == 6
    assert data["counts"]["kept"] == 3
    assert [p["kept"] for p in data["paragraphs"]] == [True] * 3 + [False] * 3


def test_report_to_stderr_keeps_stdout_clean(article, capsys):
    assert main(["clean", str(article), "--report", "-"]) == ExitCode.OK
    out, err = capsys.readouterr()
    assert out == CLEANED
    assert json.loads(err)["counts"]["dropped"] == 3


def test_missing_file(tmp_path, capsys):
    missing = tmp_path / "nope.txt"
    assert main(["clean", str(missing)]) == ExitCode.SOME_FILES_FAILED
    out, err = capsys.readouterr()
    assert out == ""
    assert "nope.txt" in err


def test_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 au lait\n".encode("latin-1"))
    assert main(["clean", str(path)]) == ExitCode.SOME_FILES_FAILED
    err = capsys.readouterr().err
    assert "latin1.txt" in err
    assert "utf-8" in err.lower()


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["--min-similarity", "1.5"], "min_similarity"),
        (["--min-similarity", "0"], "min_similarity"),
        (["--min-length", "-3"], "min_length"),
        (["--keep", "middle"], "keep"),
        (["--candidates", "some"], "candidates"),
        (["--split", "word"], "split"),
        (["--min-length", "ten"], "min-length"),
    ],
)
def test_bad_options_are_usage_errors(article, capsys, argv, name):
    with pytest.raises(SystemExit) as info:
        main(["clean", str(article), *argv])
    assert info.value.code == ExitCode.USAGE
    out, err = capsys.readouterr()
    assert out == ""
    assert name in err


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == ExitCode.USAGE


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert dedup.__version__ in capsys.readouterr().out


def test_python_m_dedup_smoke(article):
    result = subprocess.run(
        [sys.executable, "-m", "dedup", "clean", str(article)],
        capture_output=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode("utf-8") == CLEANED
    piped = subprocess.run(
        [sys.executable, "-m", "dedup", "clean", "-", "--keep", "first"],
        input=ARTICLE.encode("utf-8"), capture_output=True, check=False, timeout=120,
    )
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout.decode("utf-8") == CLEANED
