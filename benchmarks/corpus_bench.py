"""Corpus benchmark: ``dedup batch --cross-doc`` next to ``dolma dedupe``, alternating, in one run.

    python benchmarks/corpus_bench.py [--data ../shared/data] [--rounds 3] [--workers 2]
        [--boilerplate] [--reference TREE] [--extra OPTIONS]

Reads the ``full`` view of ``derived/pages.jsonl.gz`` (4,934 scraped pages,
879k paragraphs, 48.6 M characters) under ``--data`` (default
``../shared/data`` beside the checkout) and writes it, untimed, to a temporary
directory outside the repository as one ``.jsonl.gz`` of ``{"id", "site",
"text"}`` for ``dedup batch`` and, with the same texts, as dolma documents
(``{"id", "text", "source"}``). One untimed ``dedup batch`` of each source
tree compiles its kernels into their cache (once per install). Then, round
after round, alternating:

- ``dedup batch IN OUT --workers 2 --cross-doc``;
- ``dolma dedupe`` (paragraph mode, a new Bloom filter sized for 1,000,000
  documents at a 1e-4 false-positive rate, ``--processes 2``);
- with ``--boilerplate``, also ``dedup batch ... --boilerplate-min-docs 3``;
- with ``--reference TREE`` (a source tree of dedup, such as ``git archive``
  of the commit a change started from), each dedup command again from that
  tree, for the change's own speed-up in the same conditions.

Each is a new process; wall time, CPU time (user + system of the process tree,
from ``getrusage``), CPU seconds per MB of UTF-8 text and peak memory (the sum
of the resident sets of the process tree, polled every 50 ms) are measured the
same way for both. The ratios are taken within each round (dedup over dolma,
and over the reference) and their median is the headline, so a busy moment of
a shared machine hits both sides of a ratio alike. Writes ``corpus.json`` and ``corpus.md`` to
``--out`` (default ``benchmarks/results``); nothing written holds any text.

dolma 1.2.1 pins ``numpy<2`` and an old ``s3fs``/``aiobotocore``; install it in
a virtual environment of its own when it does not resolve beside dedup, and
pass its executable with ``--dolma``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson
import psutil

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "benchmarks" / "results"
DOLMA_VERSION = "1.2.1"


@dataclass
class Run:
    tool: str
    round: int
    seconds: float
    cpu: float
    peak_mb: float
    removed: dict[str, int] = field(default_factory=dict)


def measure(command: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Run ``command``; return wall and CPU seconds, peak RSS of the process tree in MB, stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    watched = psutil.Process(process.pid)
    peak = 0
    tree: list[psutil.Process] = [watched]
    polls = 0
    while process.poll() is None:
        try:
            if polls % 5 == 0:  # listing the children scans /proc: not at every poll
                tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        polls += 1
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        sys.exit(f"{command[:4]} failed ({process.returncode}):\n{stderr[-2000:]}")
    return seconds, cpu, peak / 1e6, stderr


def removed_counts(stderr: str) -> dict[str, int]:
    """Paragraphs removed by reason, from the summary line of ``dedup batch``."""
    # the last "dedup: " line: a first run may say before it that it compiles its kernels
    summary = [line for line in stderr.splitlines() if line.startswith("dedup: ")][-1]
    dropped = re.search(r"dropped: (.*?); [\d.]+ s$", summary)
    removed: dict[str, int] = {}
    if dropped and dropped.group(1) != "none":
        for part in dropped.group(1).split(", "):
            reason, count = part.rsplit(" ", 1)
            removed[reason] = int(count.replace(",", ""))
    return removed


def write_inputs(pages: Path, work: Path) -> tuple[Path, Path, float, int]:
    """Write the ``full`` view for both tools; return their paths, MB of text, pages."""
    ours = work / "in" / "pages.jsonl.gz"
    theirs = work / "dolma-in" / "documents" / "pages.jsonl.gz"
    ours.parent.mkdir(parents=True)
    theirs.parent.mkdir(parents=True)
    size = count = 0
    with (gzip.open(pages) as lines, gzip.open(ours, "wb", compresslevel=1) as a,
          gzip.open(theirs, "wb", compresslevel=1) as b):
        for line in lines:
            record = orjson.loads(line)
            text = record.get("full")
            if not isinstance(text, str):
                continue
            site = record.get("domain") or record.get("source") or ""
            a.write(orjson.dumps({"id": record["doc_id"], "site": site, "text": text}) + b"\n")
            b.write(orjson.dumps({"id": record["doc_id"], "text": text, "source": site}) + b"\n")
            size += len(text.encode("utf-8", "surrogatepass"))
            count += 1
    return ours.parent, theirs, size / 1e6, count


def run_dedup(source: Path, work: Path, number: int, workers: int, extra: list[str],
              tree: Path | None = None) -> Run:
    """Run ``dedup batch`` of this checkout, or of the source tree ``tree`` (a reference)."""
    out = work / f"out-{number}"
    command = [sys.executable, "-m", "dedup", "batch", str(source), str(out),
               "--site-field", "site", "--workers", str(workers), "--cross-doc", *extra]
    seconds, cpu, peak, stderr = measure(command, tree or ROOT)
    shutil.rmtree(out)
    name = " ".join(["dedup batch --cross-doc", *extra])
    return Run(f"reference {name}" if tree else name, number, seconds, cpu, peak,
               removed_counts(stderr))


def run_dolma(dolma: str, documents: Path, work: Path, number: int, workers: int) -> Run:
    attributes = documents.parent.parent / "attributes"
    shutil.rmtree(attributes, ignore_errors=True)
    bloom = work / f"bloom-{number}.bin"
    command = [
        dolma, "dedupe", "--documents", str(documents), "--dedupe.name", "paragraphs",
        "--dedupe.paragraphs.attribute_name", "duplicate_paragraph_spans",
        "--dedupe.skip_empty", "--bloom_filter.file", str(bloom),
        "--no-bloom_filter.read_only", "--bloom_filter.estimated_doc_count", "1000000",
        "--bloom_filter.desired_false_positive_rate", "0.0001",
        "--processes", str(workers),
    ]
    seconds, cpu, peak, _ = measure(command, work)
    spans = 0
    for found in attributes.rglob("*.jsonl.gz"):
        with gzip.open(found) as lines:
            for line in lines:
                spans += len(orjson.loads(line)["attributes"].get("duplicate_paragraph_spans", []))
    bloom.unlink(missing_ok=True)
    return Run(f"dolma dedupe {DOLMA_VERSION}", number, seconds, cpu, peak,
               {"exact (cross-document)": spans})


def summarize(runs: list[Run], megabytes: float) -> dict[str, object]:
    """Medians per tool, and each dedup mode's ratios to dolma taken within each round."""
    tools: dict[str, dict[str, object]] = {}
    for name in dict.fromkeys(r.tool for r in runs):
        group = [r for r in runs if r.tool == name]
        tools[name] = {
            "wall_s_median": statistics.median(r.seconds for r in group),
            "cpu_s_median": statistics.median(r.cpu for r in group),
            "cpu_s_per_mb": statistics.median(r.cpu for r in group) / megabytes,
            "peak_mb_median": statistics.median(r.peak_mb for r in group),
            "removed": group[0].removed,
        }
    ratios: dict[str, dict[str, object]] = {}
    dolma = f"dolma dedupe {DOLMA_VERSION}"
    for name in tools:
        if name.startswith(("dolma", "reference")):
            continue
        ratios[f"{name} / dolma"] = _ratios(runs, name, dolma)
        if f"reference {name}" in tools:
            ratios[f"{name} / reference"] = _ratios(runs, name, f"reference {name}")
    first = next(iter(ratios.values()))  # the cross-document mode over dolma: the headline
    return {"tools": tools, "ratios": ratios, **first}


def _ratios(runs: list[Run], name: str, other: str) -> dict[str, object]:
    """``name``'s wall and CPU time over the tool ``other``'s, within each round."""
    theirs = {r.round: r for r in runs if r.tool == other}
    pairs = [(r, theirs[r.round]) for r in runs if r.tool == name and r.round in theirs]
    wall = [a.seconds / b.seconds for a, b in pairs]
    cpu = [a.cpu / b.cpu for a, b in pairs]
    return {"wall_ratio_per_round": wall, "cpu_ratio_per_round": cpu,
            "wall_ratio_median": statistics.median(wall),
            "cpu_ratio_median": statistics.median(cpu)}


def markdown(result: dict[str, object]) -> str:
    summary: dict[str, object] = result["summary"]  # type: ignore[assignment]
    tools: dict[str, dict[str, object]] = summary["tools"]  # type: ignore[assignment]
    lines = [
        "# Corpus benchmark: dedup batch --cross-doc and dolma dedupe",
        "",
        f"Run {result['started']} on {result['machine']}: {result['pages']:,} pages, "
        f"{result['megabytes']:.1f} MB of text (`full` view), {result['workers']} processes "
        f"each, {result['rounds']} alternating rounds, load average {result['load_before']:.1f} "
        f"before and {result['load_after']:.1f} after (a shared machine: compare the ratios, "
        "each taken within one round). Generated by `python benchmarks/corpus_bench.py`.",
        "",
        "| tool | wall s (median) | CPU s (median) | CPU s per MB | peak MB | paragraphs removed |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, t in tools.items():
        removed: dict[str, int] = t["removed"]  # type: ignore[assignment]
        detail = ", ".join(f"{k} {v:,}" for k, v in removed.items())
        lines.append(f"| {name} | {t['wall_s_median']:.2f} | {t['cpu_s_median']:.2f} | "
                     f"{t['cpu_s_per_mb']:.3f} | {t['peak_mb_median']:.0f} | "
                     f"{sum(removed.values()):,} ({detail}) |")
    ratios: dict[str, dict[str, object]] = summary["ratios"]  # type: ignore[assignment]
    lines.append("")
    for name, found in ratios.items():
        wall: list[float] = found["wall_ratio_per_round"]  # type: ignore[assignment]
        cpu: list[float] = found["cpu_ratio_per_round"]  # type: ignore[assignment]
        lines.append(
            f"`{name}`, median of the rounds: **{found['wall_ratio_median']:.2f}x the "
            f"wall time** (rounds: {', '.join(f'{x:.2f}' for x in wall)}), "
            f"**{found['cpu_ratio_median']:.2f}x the CPU time** "
            f"(rounds: {', '.join(f'{x:.2f}' for x in cpu)}).")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="directory holding derived/pages.jsonl.gz (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dolma", default=shutil.which("dolma")
                        or str(Path(sys.executable).with_name("dolma")),
                        help="the dolma executable (default: %(default)s)")
    parser.add_argument("--extra", default="",
                        help="more options for dedup batch, e.g. '--boilerplate-min-docs 5'")
    parser.add_argument("--reference", type=Path, default=None,
                        help="a source tree of dedup to compare with (e.g. `git archive` of "
                             "main): run it beside this checkout each round, same options")
    parser.add_argument("--boilerplate", action="store_true",
                        help="also run dedup batch with '--boilerplate-min-docs 3' each round, "
                             "its ratios to the same round's dolma run beside the others")
    args = parser.parse_args()
    pages = (args.data / "derived" / "pages.jsonl.gz").resolve()
    if not pages.exists():
        sys.exit(f"{pages} not found: pass --data")
    if not Path(args.dolma).exists():
        sys.exit(f"dolma not found at {args.dolma}: pip install dolma=={DOLMA_VERSION}, --dolma")
    runs: list[Run] = []
    load_before = psutil.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        work = Path(tmp)
        source, documents, megabytes, count = write_inputs(pages, work)
        # untimed: each tree compiles its kernels into its cache once, as an install would
        for tree in [None, args.reference] if args.reference else [None]:
            run_dedup(source, work, -1, args.workers, args.extra.split(), tree)
        for number in range(args.rounds):
            modes = [args.extra.split()]
            if args.boilerplate:
                modes.append([*args.extra.split(), "--boilerplate-min-docs", "3"])
            trees: list[Path | None] = [None, args.reference] if args.reference else [None]
            order: list[tuple[list[str], Path | None] | None] = [
                (mode, tree) for mode in modes for tree in trees]
            order.append(None)  # dolma
            if number % 2:  # alternate who goes first
                order.reverse()
            for side in order:
                if side is not None:
                    runs.append(run_dedup(source, work, number, args.workers, *side))
                else:
                    runs.append(run_dolma(args.dolma, documents, work, number, args.workers))
                last = runs[-1]
                print(f"round {number}: {last.tool}: {last.seconds:.2f} s wall, "
                      f"{last.cpu:.2f} s CPU, {last.peak_mb:.0f} MB", flush=True)
    result = {
        "started": started,
        "machine": f"{platform.machine()}, {psutil.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}",
        "pages": count, "megabytes": megabytes, "workers": args.workers, "rounds": args.rounds,
        "dedup_options": ["--cross-doc", *args.extra.split()],
        "boilerplate_mode": args.boilerplate,
        "reference": args.reference.name if args.reference else None,
        "load_before": load_before, "load_after": psutil.getloadavg()[0],
        "runs": [asdict(r) for r in runs],
        "summary": summarize(runs, megabytes),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "corpus.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    (args.out / "corpus.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
