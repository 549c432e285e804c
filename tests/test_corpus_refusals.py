"""What `dedup batch` and `dedup clean` refuse or pass over: one line, a meaningful exit code.

Report paths that would overwrite an input or an output, non-regular files
and links out of the corpus, file names that are not UTF-8, unusable output
directories, terminal escapes in articles and file names.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import dedup
from dedup.cli import ExitCode, main
from dedup.errors import BadInput, DedupError
from tests.corpus_helpers import snapshot, story, write_jsonl


def small_corpus(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "a.txt").write_text("\n".join(story("a", 0)) + "\n")
    write_jsonl(root / "feed0.jsonl", [{"id": f"f{n}", "text": "\n".join(story("f", n))}
                                       for n in range(3)])
    return root


def batch(*args: object) -> int:
    return main(["batch", *map(str, args), "--workers", "1", "--quiet"])


# ------------------------------------------------------------------ report paths


@pytest.mark.parametrize(
    ("where", "option"),
    [
        pytest.param("in/feed0.jsonl", "--report", id="report-is-an-input"),
        pytest.param("in/new-report.jsonl", "--report", id="report-inside-in-dir"),
        pytest.param("out/feed0.jsonl", "--report", id="report-is-an-output"),
        pytest.param("out/.dedup-run.json", "--report", id="report-is-the-run-record"),
        pytest.param("seen.sqlite", "--report", id="report-is-the-index"),
        pytest.param("in/site", "--html-report", id="site-inside-in-dir"),
        pytest.param("out", "--html-report", id="site-is-out-dir"),
        pytest.param(".", "--html-report", id="site-contains-both"),
    ],
)
def test_report_that_would_overwrite_an_input_or_output_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, option: str
) -> None:
    source = small_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert batch(source, out) == 0  # a finished run whose outputs must survive too
    before, outputs = snapshot(source), snapshot(out)
    index = ["--index", tmp_path / "seen.sqlite"] if where == "seen.sqlite" else []
    with pytest.raises(SystemExit) as info:
        batch(source, out, option, tmp_path / where, *index)
    assert info.value.code == ExitCode.USAGE
    assert "report" in capsys.readouterr().err
    assert snapshot(source) == before
    assert snapshot(out) == outputs


def test_report_beside_outputs_is_allowed(tmp_path: Path) -> None:
    source = small_corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert batch(source, out, "--report", out / "report.jsonl") == 0
    assert len((out / "report.jsonl").read_text().splitlines()) == 4


def test_output_and_report_never_share_a_temporary_name(tmp_path: Path) -> None:
    from dedup.corpus.writers import OutputFile

    first = OutputFile(tmp_path / "x.jsonl", "jsonl")
    second = OutputFile(tmp_path / "x.jsonl", "jsonl")
    try:
        assert first.temporary != second.temporary
    finally:
        first.discard()
        second.discard()


# ------------------------------------------------------------------ file names


def test_file_name_that_is_not_utf8_is_cleaned_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = small_corpus(tmp_path / "in")
    name = os.fsdecode(b"caf\xe9.txt")
    (source / name).write_text("\n".join([*story("c", 0), story("c", 0)[0]]) + "\n")
    (source / os.fsdecode(b"bad\xff.txt")).write_bytes(b"not \xff utf-8\n")
    out, report, site = tmp_path / "out", tmp_path / "report.jsonl", tmp_path / "site"
    code = batch(source, out, "--report", report, "--html-report", site)
    assert code == ExitCode.SOME_FILES_FAILED  # only the file whose content is bad
    assert (out / name).read_text() == "\n".join(story("c", 0)) + "\n"  # same name, cleaned
    records = [json.loads(line) for line in report.read_text().splitlines()]
    paths = {r["path"] for r in records}
    assert "caf\\xe9.txt" in paths
    assert "bad\\xff.txt" in paths
    assert any(r.get("id") == "caf\\xe9.txt" for r in records)
    assert (site / "index.html").exists()
    assert "bad\\xff.txt:1: invalid UTF-8" in capsys.readouterr().err


# ------------------------------------------------------------------ not regular files, links


def run_subprocess(*args: object, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A run that would hang (a FIFO) must fail the test, not block it forever."""
    return subprocess.run([sys.executable, "-m", "dedup", "batch", *map(str, args),
                           "--workers", "1"],
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_fifo_device_and_outside_links_are_skipped_and_named(tmp_path: Path) -> None:
    source = small_corpus(tmp_path / "in")
    secret = tmp_path / "secret.txt"
    secret.write_text("private key material that must not be copied anywhere\n")
    os.mkfifo(source / "x.txt")
    (source / "zero.txt").symlink_to("/dev/zero")
    (source / "stolen.txt").symlink_to(secret)
    (source / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    (source / "alias.txt").symlink_to(source / "a.txt")  # inside IN_DIR: read
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    done = run_subprocess(source, out, "--report", report)
    assert done.returncode == 0, done.stderr
    assert "x.txt: skipped: not a regular file (a named pipe)" in done.stderr
    assert "zero.txt: skipped: not a regular file (a device)" in done.stderr
    assert "stolen.txt: skipped: a link to a file outside IN_DIR" in done.stderr
    assert "elsewhere: skipped: a link to a directory" in done.stderr
    assert ", 4 not read)" in done.stderr.splitlines()[-1]
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {".dedup-run.json", "a.txt", "alias.txt", "feed0.jsonl"}
    assert "private key" not in report.read_text()


def test_follow_links_reads_links_out_of_the_corpus(tmp_path: Path) -> None:
    source = small_corpus(tmp_path / "in")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").write_text("\n".join(story("b", 0)) + "\n")
    (source / "linked.txt").symlink_to(elsewhere / "b.txt")
    (source / "more").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "loop").symlink_to(elsewhere, target_is_directory=True)  # read once
    os.mkfifo(source / "x.txt")  # never read, even so
    out = tmp_path / "out"
    done = run_subprocess(source, out, "--follow-links")
    assert done.returncode == 0, done.stderr
    assert (out / "linked.txt").read_text() == (elsewhere / "b.txt").read_text()
    assert (out / "more" / "b.txt").exists()
    assert not (out / "more" / "loop").exists()
    assert "x.txt: skipped" in done.stderr


def test_a_file_replaced_by_a_pipe_after_listing_is_not_read(tmp_path: Path) -> None:
    from dedup.corpus.readers import find_sources, read_chunks

    source = small_corpus(tmp_path / "in")
    (source / "late.txt").write_text("x")
    [late] = [s for s in find_sources(source) if s.relative == "late.txt"]
    (source / "late.txt").unlink()
    os.mkfifo(source / "late.txt")

    def hung(number: int, frame: object) -> None:
        msg = "reading blocked on the pipe"
        raise TimeoutError(msg)

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        with pytest.raises(BadInput, match="not a regular file"):
            list(read_chunks(late))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------ environment errors


def test_out_dir_that_is_a_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = small_corpus(tmp_path / "in")
    (tmp_path / "out").write_text("a file")
    assert batch(source, tmp_path / "out") == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "not a directory" in err
    assert "Traceback" not in err


def test_out_dir_under_a_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = small_corpus(tmp_path / "in")
    (tmp_path / "file").write_text("a file")
    assert batch(source, tmp_path / "file" / "out") == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "cannot create" in err


def test_out_dir_not_writable_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = small_corpus(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()

    def refuse(self: Path, data: bytes) -> int:  # what a read-only directory does (even as root)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", refuse)
    assert batch(source, out) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err == f"dedup: OUT_DIR {str(out)!r}: cannot write: Permission denied\n"


def test_report_in_a_missing_folder_for_clean_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("One line.\n")
    assert main(["clean", str(article), "--report", str(tmp_path / "missing" / "x")]) == 2
    out, err = capsys.readouterr()
    assert out == "One line.\n"
    assert err.count("\n") == 1
    assert "cannot write: No such file or directory" in err


# ------------------------------------------------------------------ terminal escapes

HOSTILE = (
    "Visit \x1b]8;;https://evil.example\x07our site\x1b]8;;\x07 today, the offer ends soon.\n"
    "\x1b[2J\x1b[31mThe screen was cleared and this line is red, which it should not be.\n"
    "Visit \x1b]8;;https://evil.example\x07our site\x1b]8;;\x07 today, the offer ends soon.\n"
)


@pytest.mark.parametrize("terminal", [False, True])
def test_diff_shows_control_characters_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    terminal: bool,
) -> None:
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
        # rich keeps a style's first rendering whatever the color system: use the one the
        # other terminal tests use, so that their styles are not rendered in 16 colors
        monkeypatch.setenv("COLORTERM", "truecolor")
    article = tmp_path / "a.txt"
    article.write_text(HOSTILE)
    assert main(["clean", str(article), "--diff", "--min-length", "5"]) == 0
    out = capsys.readouterr().out
    if terminal:
        assert "\x1b[" in out  # rich's own styles still work
    assert "\x1b]8" not in out  # no link from the article
    assert "\x1b[2J" not in out
    assert "\x07" not in out
    assert "\\x1b]8;;https://evil.example\\x07" in out


def test_clean_without_diff_writes_the_text_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(HOSTILE)
    assert main(["clean", str(article), "--min-length", "5"]) == 0
    assert capsys.readouterr().out == "".join(HOSTILE.splitlines(keepends=True)[:2])


def test_file_names_in_messages_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = small_corpus(tmp_path / "in")
    (source / "bad\x1b]0;owned\x07.txt").write_bytes(b"\xff\n")
    assert batch(source, tmp_path / "out") == ExitCode.SOME_FILES_FAILED
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "bad\\x1b]0;owned\\x07.txt:1: invalid UTF-8" in err


# ------------------------------------------------------------------ the error tree


def test_every_error_is_a_dedup_error_and_exported() -> None:
    import dedup.errors

    for name in dedup.errors.__all__:
        error = getattr(dedup.errors, name)
        assert issubclass(error, DedupError)
        assert name in dedup.__all__
        assert getattr(dedup, name) is error
        assert name in (dedup.errors.__doc__ or "")  # drawn in the tree
    assert issubclass(BadInput, DedupError)
    from dedup.corpus.readers import BadInput as ReadersBadInput

    assert ReadersBadInput is BadInput


def test_version_and_help_import_no_corpus_code() -> None:
    code = (
        "import sys\n"
        "from dedup.cli import main\n"
        "for argv in (['--version'], ['--help'], ['batch', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('dedup.corpus', 'dedup.dist')))\n"
        "print(loaded, file=sys.stderr)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert dedup.__version__ in done.stdout


def test_the_corpus_layer_does_not_import_the_cli() -> None:
    code = (
        "import sys\n"
        "import dedup.corpus.batch, dedup.corpus.deduplicator\n"
        "sys.exit(1 if any(m.startswith('dedup.cli') for m in sys.modules) else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, timeout=120)
    assert done.returncode == 0

