"""Memory of the cross-document index: bytes per indexed paragraph, from 1x to 16x of the corpus.

    python benchmarks/index_memory.py [--data ../shared/data] [--factors 1 4 16] [--workers 2]

The corpus is the ``full`` view of ``derived/pages.jsonl.gz`` (4,934 pages).
Copy 0 is the corpus itself; every further copy ``k`` is what a larger crawl of
the same sites looks like, written to a temporary directory outside the
repository (never into it) as ``part-KK.jsonl.gz``:

- every page again, with a new id (``ID~k``) and the same site;
- lines under 50 characters (menus, bylines, "Share": what a site repeats on
  every page) unchanged;
- of the longer lines, 5% unchanged and 5% with one letter changed (the same
  story syndicated or crawled again: cross-document exact and near
  duplicates), and 90% new text: every word replaced by another of about the
  same corpus frequency (a per-copy shuffle of the vocabulary within blocks of
  16 frequency ranks), so the new paragraphs have the corpus's word statistics
  but are neither exact nor near duplicates of anything.

The ``Fx`` input is the directory of copies ``0 .. F-1``. Each factor runs
``dedup batch IN OUT --cross-doc --workers N`` in a new process (outputs in the
temporary directory, no report); a small wrapper records, when the index
closes, the bytes each part of the in-memory index holds
(``MemoryIndex.nbytes()``: its arrays, and the document ids), the size of its
texts' temporary file, and the peak resident memory of the main process (which
holds the index: its ``VmHWM``, which an ``exec`` resets, unlike ``ru_maxrss``), of its
largest worker, and of the whole run (main process + workers,
sampled every 50 ms from ``/proc``). Bytes per indexed paragraph are the
growth of the index (and of the main process's peak) from the smallest to the
largest factor divided by the growth in indexed paragraphs. Writes
``index_memory.json`` and ``index_memory.md`` to ``--out`` (default
``benchmarks/results``) after each factor from the second on.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson
import psutil

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "benchmarks" / "results"
SHORT = 50  # lines shorter than this repeat unchanged (site furniture)
BLOCK = 16  # words are shuffled within blocks of this many frequency ranks


def load(data: Path) -> list[tuple[str, str, str]]:
    pages = []
    with gzip.open(data / "derived" / "pages.jsonl.gz") as lines:
        for line in lines:
            record = orjson.loads(line)
            if isinstance(record.get("full"), str):
                pages.append((record["doc_id"], record.get("domain") or "", record["full"]))
    return pages


def ranked_words(pages: list[tuple[str, str, str]]) -> list[str]:
    counts = Counter(word for _, _, text in pages for word in text.split())
    return [word for word, _ in counts.most_common()]


def vocabulary_shuffle(ranked: list[str], copy: int) -> dict[str, str]:
    """Map each word to another of about the same frequency, differently for each copy."""
    rng = random.Random(copy)
    mapping = {}
    for start in range(0, len(ranked), BLOCK):
        block = ranked[start:start + BLOCK]
        shuffled = block[:]
        rng.shuffle(shuffled)
        mapping.update(zip(block, shuffled, strict=True))
    return mapping


def one_letter_changed(line: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(line) if c.isalpha()]
    if not spots:
        return line
    at = rng.choice(spots)
    return line[:at] + ("e" if line[at] != "e" else "a") + line[at + 1:]


def write_lines(text: str, mapping: dict[str, str], rng: random.Random) -> str:
    """Copy ``text`` as a further crawl would hold it (see the module docstring)."""
    get = mapping.__getitem__
    lines = []
    for line in text.split("\n"):
        if len(line) >= SHORT:
            draw = rng.random()
            if draw >= 0.1:
                line = " ".join(map(get, line.split()))
            elif draw >= 0.05:
                line = one_letter_changed(line, rng)
        lines.append(line)
    return "\n".join(lines)


def copies(pages: list[tuple[str, str, str]], ranked: list[str], copy: int
           ) -> list[tuple[str, str, str]]:
    """Copy ``copy`` of the corpus: (id, site, text) of every page; copy 0 is the corpus."""
    if copy == 0:
        return pages
    rng = random.Random(1000 + copy)
    mapping = vocabulary_shuffle(ranked, copy)
    return [(f"{doc}~{copy}", site, write_lines(text, mapping, rng))
            for doc, site, text in pages]


def write_copy(pages: list[tuple[str, str, str]], ranked: list[str], copy: int,
               path: Path) -> None:
    with gzip.open(path, "wb", compresslevel=1) as out:
        for doc, site, text in copies(pages, ranked, copy):
            out.write(orjson.dumps({"id": doc, "site": site, "text": text}) + b"\n")


CHILD = r"""
import json, os, sys, threading, time
from dedup.corpus import index as module

peaks = {"run_rss_mb": 0.0, "worker_peak_mb": 0.0}

def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0

def hwm_mb(pid):  # VmHWM: this process image's peak resident set (reset by exec, unlike ru_maxrss)
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

def children():
    found = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                found += handle.read().split()
        except OSError:
            pass
    return found

def poll():  # the run's resident memory, sampled: main process + its worker processes
    while True:
        workers = children()
        total = rss_mb("self") + sum(rss_mb(child) for child in workers)
        peaks["run_rss_mb"] = max(peaks["run_rss_mb"], total)
        peaks["worker_peak_mb"] = max([peaks["worker_peak_mb"], *map(hwm_mb, workers)])
        time.sleep(0.05)

threading.Thread(target=poll, daemon=True).start()

def deep(container):
    size = sys.getsizeof(container)
    items = container.items() if isinstance(container, dict) else ((k, None) for k in container)
    for key, value in items:
        size += sys.getsizeof(key) + (0 if value is None else sys.getsizeof(value))
    return size

def layout(self):  # sizes and bytes; an index of dicts (dedup before 2026-12-04) measured as such
    if hasattr(self, "nbytes"):
        return self.sizes, self.nbytes()
    sizes = {"paragraphs": len(self._exact), "band_keys": len(self._bands),
             "texts": len(self._keys), "text_file_bytes": 0}
    exact = deep(self._exact) - sum(sys.getsizeof(v) for v in self._exact.values())
    return sizes, {"exact (fingerprint -> document)": exact, "texts": deep(self._keys),
                   "band owners": self._bands.nbytes}

def measure(self):
    sizes, parts = layout(self)
    stats = {
        **sizes,
        "bytes": parts,
        "main_peak_mb": hwm_mb("self"),
        **peaks,
    }
    with open(sys.argv[1], "w") as handle:
        json.dump(stats, handle)

close = module.MemoryIndex.close
def closing(self):
    measure(self)
    return close(self)
module.MemoryIndex.close = closing
from dedup.cli import main
sys.exit(main(sys.argv[2:]))
"""


def run(inputs: Path, out: Path, stats: Path, workers: int, source: Path | None
        ) -> dict[str, object]:
    command = [sys.executable, "-c", CHILD, str(stats), "batch", str(inputs), str(out),
               "--site-field", "site", "--cross-doc", "--workers", str(workers), "--quiet",
               "--follow-links"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(source)) if source else None
    subprocess.run(command, check=True, cwd=ROOT if source is None else source, env=env)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found: dict[str, object] = json.loads(stats.read_text())
    found["seconds"] = seconds
    found["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return found


def markdown(result: dict[str, object]) -> str:
    runs: dict[str, dict[str, object]] = result["runs"]  # type: ignore[assignment]
    parts = list(next(iter(runs.values()))["bytes"])  # type: ignore[call-overload]
    lines = [
        f"Run {result['started']} on {result['machine']}, `dedup batch --cross-doc --workers "
        f"{result['workers']}` on the `full` view enlarged as described in "
        "`benchmarks/index_memory.py`. Generated by `python benchmarks/index_memory.py "
        f"--factors {' '.join(runs)} --workers {result['workers']}`.",
        "",
        "| factor | MB of text | indexed paragraphs | band keys | index MB | "
        + " | ".join(f"{p} MB" for p in parts)
        + " | texts file MB | main process peak MB | largest worker peak MB | whole run peak MB "
        "| wall s |",
        "|---:|---:|---:|---:|---:|" + "---:|" * len(parts) + "---:|---:|---:|---:|---:|",
    ]
    for factor, r in runs.items():
        sizes: dict[str, int] = r["bytes"]  # type: ignore[assignment]
        lines.append(
            f"| {factor}x | {r['megabytes']:.0f} | {r['paragraphs']:,} | "
            f"{r['band_keys']:,} | {sum(sizes.values()) / 1e6:.0f} | "
            + " | ".join(f"{sizes[p] / 1e6:.0f}" for p in parts)
            + f" | {r['text_file_bytes'] / 1e6:.0f} | {r['main_peak_mb']:.0f} | "
            f"{r['worker_peak_mb']:.0f} | {r['run_rss_mb']:.0f} | {r['seconds']:.0f} |")
    growth: dict[str, float] = result["growth"]  # type: ignore[assignment]
    lines += [
        "",
        f"From {growth['from']}x to {growth['to']}x: **{growth['index_bytes_per_paragraph']:.0f} "
        "bytes of index per indexed paragraph** ("
        + ", ".join(f"{p} {growth['parts'][p]:.0f}" for p in parts)  # type: ignore[index]
        + f"); the main process's peak grew {growth['peak_bytes_per_paragraph']:.0f} bytes per "
        f"indexed paragraph. Peak of the main process at {growth['to']}x: "
        f"**{growth['main_peak_ratio']:.2f}x** the {growth['from']}x run; of the whole run "
        f"(main process + workers, sampled every 50 ms): {growth['run_peak_ratio']:.2f}x.",
        "",
        "Peaks are resident memory: the main process's `VmHWM` (`ru_maxrss` would carry over "
        "the benchmark's own peak through `exec`), and the largest sum of the "
        "resident sets of the main process and its workers (pages the workers share with the "
        "main process since the fork are counted in each). The texts of indexed paragraphs are "
        "in an unnamed temporary file read with `pread` (no memory map): its pages are the "
        "kernel's page cache, not any process's memory; the table gives its size.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parts", type=Path,
                        help="keep the enlarged copies in this directory (outside the "
                        "repository) and reuse the ones already there")
    parser.add_argument("--source", type=Path,
                        help="run the dedup of this source tree (a reference, e.g. `git archive` "
                        "of an older commit) instead of this repository's")
    args = parser.parse_args()
    if not (args.data / "derived" / "pages.jsonl.gz").exists():
        sys.exit(f"no derived/pages.jsonl.gz under {args.data}: pass --data")
    pages = load(args.data)
    megabytes = sum(len(t.encode("utf-8", "surrogatepass")) for _, _, t in pages) / 1e6
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    runs: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="index-memory-") as tmp:
        work = Path(tmp)
        parts = args.parts.resolve() if args.parts else work / "parts"
        parts.mkdir(parents=True, exist_ok=True)
        ranked = ranked_words(pages)
        for copy in range(max(args.factors)):
            path = parts / f"part-{copy:02d}.jsonl.gz"
            if not path.exists():
                write_copy(pages, ranked, copy, path.with_suffix(".tmp"))
                path.with_suffix(".tmp").rename(path)
        for factor in sorted(args.factors):
            inputs = work / f"in-{factor}"
            inputs.mkdir()
            for copy in range(factor):
                name = f"part-{copy:02d}.jsonl.gz"
                (inputs / name).symlink_to(parts / name)
            found = run(inputs, work / f"out-{factor}", work / f"stats-{factor}.json",
                        args.workers, args.source)
            found["megabytes"] = megabytes * factor
            runs[str(factor)] = found
            print(f"{factor}x: {found}", flush=True)
            if len(runs) > 1:
                write_results(args, runs, started)


def write_results(args: argparse.Namespace, runs: dict[str, dict[str, object]],
                  started: str) -> None:
    """Write the results of the runs so far (growth from the smallest to the largest)."""
    factors = [int(f) for f in runs]
    low, high = runs[str(min(factors))], runs[str(max(factors))]
    added = float(high["paragraphs"]) - float(low["paragraphs"])  # type: ignore[arg-type]
    low_bytes: dict[str, int] = low["bytes"]  # type: ignore[assignment]
    high_bytes: dict[str, int] = high["bytes"]  # type: ignore[assignment]
    main_low, main_high = float(low["main_peak_mb"]), float(high["main_peak_mb"])  # type: ignore[arg-type]
    run_low, run_high = float(low["run_rss_mb"]), float(high["run_rss_mb"])  # type: ignore[arg-type]
    growth = {
        "from": min(factors), "to": max(factors),
        "index_bytes_per_paragraph": (sum(high_bytes.values()) - sum(low_bytes.values())) / added,
        "parts": {p: (high_bytes[p] - low_bytes[p]) / added for p in low_bytes},
        "peak_bytes_per_paragraph": (main_high - main_low) * 1024 * 1024 / added,
        "main_peak_ratio": main_high / main_low,
        "run_peak_ratio": run_high / run_low,
    }
    result = {
        "started": started,
        "machine": f"{platform.machine()}, {psutil.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}",
        "workers": args.workers, "runs": runs, "growth": growth,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "index_memory.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    (args.out / "index_memory.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
