"""Corpus benchmark: ``dedup batch`` next to ``dolma dedupe`` on the same pages, in one run.

Reads ``pages.jsonl.gz`` (4,934 scraped pages, the ``full`` view: 879k
paragraphs) from ``../shared/data/derived`` (``--data`` for another place);
nothing is copied into the repository. ``dedup batch`` reads the file itself
(through a symlink in a temporary input directory). dolma needs its own
document format (``id``, ``text``, ``source``), so a converted copy is written
to a temporary directory first; that conversion is not timed.

Each tool runs as a subprocess with 2 workers; wall time, MB/s (UTF-8 text of
the ``full`` field) and peak memory (the sum of the resident sets of the
process and its children, polled every 50 ms; the children are listed again
every 250 ms, as listing them scans ``/proc``) are measured the same way for
both, and removed paragraphs are counted by reason. Prints a Markdown table.

    python benchmarks/corpus_bench.py            # pip install dolma psutil
"""

from __future__ import annotations

import argparse
import gzip
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import psutil

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"


@dataclass
class Result:
    tool: str
    mode: str
    seconds: float
    cpu: float
    peak_mb: float
    removed: dict[str, int] = field(default_factory=dict)
    note: str = ""


def measure(command: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Run ``command``; return wall and CPU seconds, peak RSS of the process tree in MB, stderr.

    CPU time (user + system of the process and all its descendants) does not
    depend on what else the machine runs, unlike wall time.
    """
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


def run_dedup(pages: Path, work: Path, workers: int, mode: str, extra: list[str]) -> Result:
    source = work / f"in-{mode}"
    source.mkdir()
    (source / pages.name).symlink_to(pages)
    out = work / f"out-{mode}"
    command = [sys.executable, "-m", "dedup", "batch", str(source), str(out),
               "--text-field", "full", "--id-field", "doc_id", "--workers", str(workers),
               *extra]
    seconds, cpu, peak, stderr = measure(command, ROOT)
    summary = next(line for line in stderr.splitlines() if line.startswith("dedup: "))
    dropped = re.search(r"dropped: (.*?); [\d.]+ s$", summary)
    removed = {}
    if dropped and dropped.group(1) != "none":
        for part in dropped.group(1).split(", "):
            reason, count = part.rsplit(" ", 1)
            removed[reason] = int(count)
    return Result("dedup batch", mode, seconds, cpu, peak, removed)


def run_dolma(pages: Path, work: Path, workers: int) -> Result:
    documents = work / "dolma" / "documents"
    documents.mkdir(parents=True)
    converted = documents / "pages.jsonl.gz"
    with gzip.open(pages) as lines, gzip.open(converted, "wb", compresslevel=1) as out:
        for line in lines:
            record = orjson.loads(line)
            out.write(orjson.dumps({"id": record["doc_id"], "text": record["full"],
                                    "source": record.get("source", "pages")}) + b"\n")
    dolma = shutil.which("dolma") or str(Path(sys.executable).with_name("dolma"))
    command = [
        dolma, "dedupe", "--documents", str(converted), "--dedupe.name", "paragraphs",
        "--dedupe.paragraphs.attribute_name", "duplicate_paragraph_spans",
        "--dedupe.skip_empty", "--bloom_filter.file", str(work / "dolma" / "bloom.bin"),
        "--no-bloom_filter.read_only", "--bloom_filter.estimated_doc_count", "1000000",
        "--bloom_filter.desired_false_positive_rate", "0.0001",
        "--processes", str(workers),
    ]
    seconds, cpu, peak, _ = measure(command, work)
    spans = 0
    for attributes in (work / "dolma" / "attributes").rglob("*.jsonl.gz"):
        with gzip.open(attributes) as lines:
            for line in lines:
                found = orjson.loads(line)["attributes"].get("duplicate_paragraph_spans", [])
                spans += len(found)
    return Result("dolma dedupe", "exact paragraphs, Bloom filter", seconds, cpu, peak,
                  {"exact (cross-document)": spans})


def text_megabytes(pages: Path) -> tuple[float, int]:
    size = 0
    count = 0
    with gzip.open(pages) as lines:
        for line in lines:
            size += len(orjson.loads(line)["full"].encode("utf-8"))
            count += 1
    return size / 1e6, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="directory holding derived/pages.jsonl.gz (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-dolma", action="store_true")
    args = parser.parse_args()
    pages = (args.data / "derived" / "pages.jsonl.gz").resolve()
    if not pages.exists():
        sys.exit(f"{pages} not found: pass --data")
    megabytes, articles = text_megabytes(pages)
    results = []
    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        work = Path(tmp)
        modes = {
            "in-article + boilerplate (5 docs) + cross-doc": [
                "--cross-doc", "--boilerplate-min-docs", "5"],
            "in-article + cross-doc": ["--cross-doc"],
        }
        for mode, extra in modes.items():
            results.append(run_dedup(pages, work, args.workers, mode, extra))
        if not args.skip_dolma:
            results.append(run_dolma(pages, work, args.workers))
    load = psutil.getloadavg()[0]
    print(f"\n{articles} pages, {megabytes:.1f} MB of text (`full`), {args.workers} workers, "
          f"{psutil.cpu_count()} cores, load average {load:.1f} at the end\n")
    print("| tool | mode | wall s | CPU s | MB/s | peak MB | paragraphs removed |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        removed = ", ".join(f"{k} {v:,}" for k, v in r.removed.items())
        total = sum(r.removed.values())
        print(f"| {r.tool} | {r.mode} | {r.seconds:.1f} | {r.cpu:.1f} | "
              f"{megabytes / r.seconds:.1f} | "
              f"{r.peak_mb:.0f} | {total:,} ({removed}) |")
    dolma = next((r for r in results if r.tool == "dolma dedupe"), None)
    if dolma is not None:
        for r in results[:-1]:
            print(f"\n{r.mode}: {r.seconds / dolma.seconds:.1f}x dolma's wall time, "
                  f"{r.cpu / dolma.cpu:.1f}x its CPU time")


if __name__ == "__main__":
    main()
