"""Faults: SIGKILL at several points, then --resume, gives the uninterrupted run's files and report.

A run is killed outright at a chosen call (in the count pass, in the clean
pass, while an output or the report is being written) by a small wrapper that
sends SIGKILL to its own process: deterministic, and no hook in dedup. Also:
the run record refuses a resume with other options, a crashed run leaves no
report at its final name, report temporaries of killed runs are removed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dedup.cli import ExitCode, main
from dedup.corpus.batch import RunOptions, run_batch
from dedup.corpus.writers import OutputFile
from tests.corpus_helpers import NEWSLETTER, SYNDICATED, snapshot, story, write_jsonl

# Runs `dedup` with ``target`` (module:attribute, or module:Class.method) wrapped so that
# its ``n``-th call kills the process before doing anything.
KILLER = """
import importlib, os, signal, sys
from dedup.cli import main

module, _, name = sys.argv[1].partition(":")
n = int(sys.argv[2])
owner = importlib.import_module(module)
*path, attribute = name.split(".")
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, attribute)
calls = 0

def wrapper(*args, **kwargs):
    global calls
    calls += 1
    if calls == n:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

setattr(owner, attribute, wrapper)
sys.exit(main(sys.argv[3:]))
"""


def fault_corpus(root: Path) -> Path:
    """Several files, two of them several chunks long, one site with boilerplate."""
    root.mkdir()
    for number in range(3):
        (root / f"a-{number}.txt").write_text(
            "\n".join([*story("a", number), NEWSLETTER, SYNDICATED]) + "\n")
    for part in range(2):
        write_jsonl(root / f"b-{part}.jsonl", [
            {"id": f"{part}-{n}", "text": "\n".join([*story("b", n % 200), NEWSLETTER])}
            for n in range(600)  # three chunks
        ])
    write_jsonl(root / "c.jsonl.gz", [{"id": f"c-{n}", "text": "\n".join(story("c", n))}
                                      for n in range(300)])
    return root


MODES = {
    "in-article": [],
    "corpus": ["--cross-doc", "--boilerplate-min-docs", "3"],
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fault_corpus(tmp_path_factory.mktemp("faults") / "in")


@pytest.fixture(scope="module")
def expected(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The uninterrupted run of each mode: its OUT_DIR, and its report beside it."""
    found = {}
    for mode, options in MODES.items():
        root = tmp_path_factory.mktemp(f"expected-{mode}")
        assert main(["batch", str(corpus), str(root / "out"), "--workers", "1", "--quiet",
                     "--report", str(root / "report.jsonl"), *options]) == 0
        found[mode] = root
    return found


def args(corpus: Path, root: Path, mode: str) -> list[str]:
    return ["batch", str(corpus), str(root / "out"), "--workers", "1", "--quiet",
            "--report", str(root / "report.jsonl"), *MODES[mode]]


@pytest.mark.parametrize(
    ("mode", "target", "call"),
    [
        pytest.param("corpus", "dedup.corpus.batch:_add_file_counts", 3, id="count-pass"),
        pytest.param("corpus", "dedup.corpus.batch:_Decider.decide", 5, id="clean-pass"),
        pytest.param("corpus", "dedup.corpus.writers:OutputFile.write_bytes", 6,
                     id="writing-output"),
        pytest.param("in-article", "dedup.corpus.writers:OutputFile.write_bytes", 5,
                     id="writing-output-in-article"),
        pytest.param("in-article", "dedup.corpus.report_file:ReportFile.write_lines", 6,
                     id="writing-report"),
        pytest.param("in-article", "dedup.corpus.writers:OutputFile.commit", 4,
                     id="committing"),
    ],
)
def test_sigkill_then_resume_gives_the_uninterrupted_run(
    corpus: Path, expected: dict[str, Path], tmp_path: Path, mode: str, target: str, call: int
) -> None:
    before = snapshot(corpus)
    killed = subprocess.run([sys.executable, "-c", KILLER, target, str(call),
                             *args(corpus, tmp_path, mode)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (tmp_path / "report.jsonl").exists()  # never a partial report at its name
    reference = snapshot(expected[mode] / "out")
    written = {k: v for k, v in snapshot(tmp_path / "out").items() if k in reference}
    assert all(reference[name] == digest for name, digest in written.items())  # whole files
    assert main([*args(corpus, tmp_path, mode), "--resume"]) == 0
    assert snapshot(tmp_path / "out") == reference
    assert (tmp_path / "report.jsonl").read_bytes() == (
        expected[mode] / "report.jsonl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "report.jsonl"]  # no temporaries
    assert snapshot(corpus) == before


@pytest.mark.parametrize(
    ("mode", "target"),
    [
        pytest.param("in-article", "dedup.corpus.batch:analyze_chunk", id="analyzing"),
        pytest.param("corpus", "dedup.corpus.batch:drop_boilerplate", id="dropping-boilerplate"),
    ],
)
def test_a_worker_killed_mid_run_is_one_line_then_resume_gives_the_uninterrupted_run(
    corpus: Path, expected: dict[str, Path], tmp_path: Path, mode: str, target: str
) -> None:
    """SIGKILL in a worker (as an out-of-memory killer would) at its second chunk."""
    two = [*args(corpus, tmp_path, mode)]
    two[two.index("--workers") + 1] = "2"
    broken = subprocess.run([sys.executable, "-c", KILLER, target, "2", *two],
                            capture_output=True, text=True, timeout=120, check=False)
    assert broken.returncode == ExitCode.USAGE, broken.stderr
    assert broken.stderr.endswith("dedup: a worker process died (killed by a signal, or out of "
                                  "memory?); the files finished before are complete: run again "
                                  "with --resume\n"), broken.stderr
    assert "Traceback" not in broken.stderr
    reference = snapshot(expected[mode] / "out")
    written = snapshot(tmp_path / "out")
    assert len(written) < len(reference)  # it stopped before the end
    assert all(reference[name] == digest for name, digest in written.items())  # whole files
    assert main([*two, "--resume"]) == 0
    assert snapshot(tmp_path / "out") == reference
    assert (tmp_path / "report.jsonl").read_bytes() == (
        expected[mode] / "report.jsonl").read_bytes()


def test_resume_with_other_options_is_refused(
    corpus: Path, expected: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["batch", str(corpus), str(out), "--workers", "1", "--quiet",
                 *MODES["corpus"]]) == 0
    (out / "b-1.jsonl").unlink()  # as if the run had been interrupted
    written = snapshot(out)
    capsys.readouterr()
    code = main(["batch", str(corpus), str(out), "--workers", "1", "--quiet", "--resume",
                 "--cross-doc"])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("dedup: --resume: OUT_DIR was written with other options "
                          "(boilerplate_min_docs)")
    assert err.count("\n") == 1
    assert snapshot(out) == written
    # the same options resume, and match the uninterrupted run
    assert main(["batch", str(corpus), str(out), "--workers", "1", "--quiet", "--resume",
                 *MODES["corpus"]]) == 0
    assert snapshot(out) == snapshot(expected["corpus"] / "out")


def test_resume_without_corpus_options_still_writes_the_whole_report(
    corpus: Path, expected: dict[str, Path], tmp_path: Path
) -> None:
    assert main(args(corpus, tmp_path, "in-article")) == 0
    (tmp_path / "out" / "b-0.jsonl").unlink()
    (tmp_path / "report.jsonl").unlink()
    assert main([*args(corpus, tmp_path, "in-article"), "--resume"]) == 0
    assert (tmp_path / "report.jsonl").read_bytes() == (
        expected["in-article"] / "report.jsonl").read_bytes()


def test_a_crashed_run_leaves_no_report_at_its_name(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.jsonl"
    calls = []
    original = OutputFile.commit

    def disk_full(self: OutputFile) -> None:
        calls.append(self.final)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        original(self)

    monkeypatch.setattr(OutputFile, "commit", disk_full)
    with pytest.raises(OSError, match="No space left"):
        run_batch(RunOptions(in_dir=corpus, out_dir=tmp_path / "out", report=report))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no report, no temporary


def test_report_temporaries_of_killed_runs_are_removed(corpus: Path, tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    report = tmp_path / "report.jsonl"
    stale = [tmp_path / f".report.jsonl.{dead}{suffix}.dedup-partial" for suffix in ("", "-3")]
    for path in stale:
        path.write_text("half a report")
    other = tmp_path / ".other.jsonl.1.dedup-partial"  # another file's: not ours to remove
    other.write_text("x")
    assert main(["batch", str(corpus), str(tmp_path / "out"), "--workers", "1", "--quiet",
                 "--report", str(report)]) == 0
    assert not any(path.exists() for path in stale)
    assert other.exists()
    assert report.exists()


def test_a_full_disk_mid_run_is_one_line_and_exit_2(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def disk_full(self: OutputFile, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(OutputFile, "write_bytes", disk_full)
    code = main(["batch", str(corpus), str(tmp_path / "out"), "--workers", "1", "--quiet",
                 "--report", str(tmp_path / "report.jsonl")])
    assert code == ExitCode.USAGE
    assert capsys.readouterr().err == "dedup: [Errno 28] No space left on device\n"
    assert not (tmp_path / "report.jsonl").exists()
    assert not list((tmp_path / "out").rglob(".*.dedup-partial"))
