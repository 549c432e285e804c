"""Report size and run time of ``dedup batch`` without a report, with ``drops`` and ``full``.

Builds the corpus of :mod:`benchmarks.same_output` (the ``full`` view of
``../shared/data/derived/pages.jsonl.gz`` as ``{id, site, text}`` lines, in a
temporary directory: nothing is copied into the repository), then runs
``python -m dedup batch IN OUT --cross-doc --boilerplate-min-docs 3`` with no
report, ``--report-mode drops`` and ``--report-mode full`` (each also to a
``.jsonl.gz`` report), each ``--repeat`` times, and prints the report's size
and the median wall and CPU time (user and system, of the command and its
workers: it does not depend on what else the machine runs) as a Markdown
table.

    python benchmarks/report_modes.py --repeat 3
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from same_output import DEFAULT_DATA, ROOT, build_corpus

MODES: dict[str, tuple[str, list[str]]] = {
    "none (no `--report`)": ("", []),
    "`drops` (default)": ("report.jsonl", ["--report-mode", "drops"]),
    "`drops`, `.jsonl.gz`": ("report.jsonl.gz", ["--report-mode", "drops"]),
    "`full`": ("report.jsonl", ["--report-mode", "full"]),
    "`full`, `.jsonl.gz`": ("report.jsonl.gz", ["--report-mode", "full"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="directory holding derived/pages.jsonl.gz (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    pages = (options.data / "derived" / "pages.jsonl.gz").resolve()
    if not pages.exists():
        sys.exit(f"{pages} not found: pass --data")
    rows = []
    with tempfile.TemporaryDirectory(prefix="report-modes-") as tmp:
        work = Path(tmp)
        corpus = work / "in" / "pages.jsonl.gz"
        count = build_corpus(pages, corpus, None)
        size = corpus.stat().st_size
        text = sum(len(line) for line in _texts(corpus))
        for name, (report_name, extra) in MODES.items():
            times, cpus = [], []
            report = work / (report_name or "none")
            for n in range(options.repeat):
                out = work / f"out-{len(rows)}-{n}"
                command = [sys.executable, "-m", "dedup", "batch", str(corpus.parent), str(out),
                           "--quiet", "--workers", str(options.workers), "--cross-doc",
                           "--boilerplate-min-docs", "3"]
                if extra:
                    command += ["--report", str(report), *extra]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                subprocess.run(command, cwd=ROOT, check=True)
                times.append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                shutil.rmtree(out)
            megabytes = report.stat().st_size / 1e6 if extra else None
            rows.append((name, megabytes, statistics.median(times), statistics.median(cpus)))
            report.unlink(missing_ok=True)
    print(f"\n{count} pages, {text / 1e6:.1f} MB of text ({size / 1e6:.1f} MB gzipped), "
          f"{options.workers} workers, median of {options.repeat}\n")
    print("| `--report-mode` | report size | vs text | wall time | CPU time |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, megabytes, seconds, cpu in rows:
        shown = "–" if megabytes is None else f"{megabytes:.1f} MB"
        ratio = "–" if megabytes is None else f"{megabytes * 1e6 / text:.2f}x"
        print(f"| {name} | {shown} | {ratio} | {seconds:.1f} s | {cpu:.1f} s |")


def _texts(corpus: Path) -> list[bytes]:
    import gzip

    import orjson

    with gzip.open(corpus) as lines:
        return [orjson.loads(line)["text"].encode("utf-8") for line in lines]


if __name__ == "__main__":
    main()
