"""Interrupted runs: no partial outputs remain, and --resume completes the run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup.cli import main
from tests.corpus_helpers import SYNDICATED, snapshot, story, write_jsonl


def big_corpus(root: Path) -> Path:
    """Small txt files first, then big JSON Lines files that take a while to clean."""
    root.mkdir()
    for number in range(6):
        (root / f"a-{number:02}.txt").write_text("\n".join([*story("a", number), SYNDICATED]))
    for part in range(4):
        records = [
            {"id": f"{part}-{n}",
             "text": "\n".join([*story("big", n % 300, 12), *story("big", n % 300, 12)])}
            for n in range(1000)
        ]
        write_jsonl(root / f"b-{part}.jsonl", records)
    return root


def command(source: Path, out: Path, *extra: str) -> list[str]:
    # One pass (no site boilerplate): outputs appear while the big files are still being
    # cleaned, so the signal lands well before the end (a second pass only renders, quickly).
    return [sys.executable, "-m", "dedup", "batch", str(source), str(out), "--quiet",
            "--cross-doc", *extra]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("interrupt")
    source = big_corpus(root / "in")
    expected = root / "expected"
    assert main(["batch", str(source), str(expected), "--workers", "2", "--quiet",
                 "--cross-doc"]) == 0
    return source, expected


def start_and_stop(source: Path, out: Path, how: signal.Signals, workers: str) -> int:
    process = subprocess.Popen(command(source, out, "--workers", workers),
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (out / "a-05.txt").exists():  # interrupt in the middle of the big files
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(how)
    process.communicate(timeout=30)
    return process.returncode


@pytest.mark.parametrize(("how", "workers"), [(signal.SIGINT, "2"), (signal.SIGTERM, "1")])
def test_interrupted_run_leaves_only_complete_files_and_resumes(
    corpus: tuple[Path, Path], tmp_path: Path, how: signal.Signals, workers: str
) -> None:
    source, expected = corpus
    before = snapshot(source)
    out = tmp_path / "out"
    assert start_and_stop(source, out, how, workers) == 130
    written = snapshot(out)
    reference = snapshot(expected)
    assert written, "the small files were finished before the signal"
    assert len(written) < len(reference), "the run was stopped before the end"
    assert all(reference[name] == digest for name, digest in written.items())  # whole files
    result = subprocess.run(command(source, out, "--workers", workers, "--resume"),
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert snapshot(out) == reference
    assert snapshot(source) == before


def test_killed_run_leftovers_are_removed(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    source, expected = corpus
    out = tmp_path / "out"
    assert start_and_stop(source, out, signal.SIGKILL, "1") == -signal.SIGKILL
    leftovers = [p.name for p in out.rglob(".*dedup-partial")]
    finished = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert all(name.endswith(".dedup-partial") for name in leftovers)
    assert all(not name.startswith(".") for name in finished)
    assert main(["batch", str(source), str(out), "--workers", "1", "--quiet", "--cross-doc",
                 "--resume"]) == 0
    assert snapshot(out) == snapshot(expected)
