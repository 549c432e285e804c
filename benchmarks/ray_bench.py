"""Local ``dedup batch`` against ``dedup batch --engine ray`` on the same corpus and options.

Runs both engines as the command line does (a new process each, so Ray's
start-up is counted), then checks that every output file is byte-identical.
Reads the corpus where it is (a symlink in a temporary directory), never
copies it into the repository. Prints a Markdown table.

    python benchmarks/ray_bench.py                      # ../shared/data/derived/pages.jsonl.gz
    python benchmarks/ray_bench.py --workers 2 --data PATH.jsonl.gz --text-field full
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "derived" / "pages.jsonl.gz"
MODES = {
    "in-article": [],
    "all modes": ["--boilerplate-min-docs", "5", "--cross-doc"],
}


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(in_dir: Path, out_dir: Path, args: list[str]) -> tuple[float, str]:
    command = [sys.executable, "-m", "dedup", "batch", str(in_dir), str(out_dir), *args]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    summary = [line for line in done.stderr.splitlines() if line.startswith("dedup: ")]
    return seconds, summary[-1] if summary else ""


HEAD = """
import sys, ray
ray.init(num_cpus=int(sys.argv[1]), include_dashboard=False, log_to_driver=False)
print(ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
ray.shutdown()
"""


def start_cluster(workers: int) -> tuple[subprocess.Popen[str], str]:
    """Start a Ray head in a child process; return it and its address.

    Token authentication is off for this private, local head (Ray 2.5x turns it
    on by default; a real cluster hands its drivers the token instead).
    """
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
    head = subprocess.Popen([sys.executable, "-c", HEAD, str(workers)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    address = head.stdout.readline().strip() if head.stdout else ""
    if not address:
        head.kill()
        sys.exit("could not start a Ray head")
    return head, address


def stop_cluster(head: subprocess.Popen[str]) -> None:
    if head.stdin:
        head.stdin.close()
    try:
        head.wait(timeout=60)
    except subprocess.TimeoutExpired:
        head.kill()


def megabytes_in(summary: str) -> float:
    found = re.search(r"; ([\d.]+) MB -> ", summary)
    return float(found.group(1)) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="a corpus file (.jsonl, .jsonl.gz) or directory")
    parser.add_argument("--text-field", default="full")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--no-cluster", action="store_true",
                        help="skip the runs on an already running Ray (--address)")
    args = parser.parse_args()
    data = args.data.resolve()
    if not data.exists():
        sys.exit(f"{data} not found: pass --data")
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="dedup-ray-bench-") as tmp:
        work = Path(tmp)
        corpus = data
        if data.is_file():
            corpus = work / "in"
            corpus.mkdir()
            (corpus / data.name).symlink_to(data)
        common = ["--text-field", args.text_field, "--workers", str(args.workers)]
        engines = {"local": [], "ray (starts Ray)": ["--engine", "ray"]}
        head = None
        if not args.no_cluster:
            head, address = start_cluster(args.workers)
            engines["ray (running Ray, --address)"] = ["--engine", "ray", "--address", address]
        try:
            for mode in args.modes:
                outputs = {}
                for number, (engine, extra) in enumerate(engines.items()):
                    out = work / f"{number}-{mode.replace(' ', '-')}"
                    seconds, summary = run(corpus, out, [*common, *MODES[mode], *extra])
                    outputs[engine] = digest(out)
                    rows.append({"mode": mode, "engine": engine, "seconds": seconds,
                                 "mb": megabytes_in(summary), "summary": summary,
                                 "same": outputs[engine] == outputs["local"]})
        finally:
            if head is not None:
                stop_cluster(head)
    print(f"Corpus: `{data.name}` ({data.stat().st_size / 1e6:.1f} MB on disk), "
          f"text field `{args.text_field}`, {args.workers} workers, {os.cpu_count()} CPUs\n")
    print("| mode | engine | wall time (s) | text MB/s | identical to local |")
    print("|---|---|---:|---:|---|")
    for row in rows:
        seconds = float(row["seconds"])  # type: ignore[arg-type]
        speed = float(row["mb"]) / seconds  # type: ignore[arg-type]
        same = "yes" if row["same"] else "NO"
        print(f"| {row['mode']} | {row['engine']} | {seconds:.1f} | {speed:.2f} | {same} |")
    print()
    for row in rows:
        print(f"- {row['mode']}, {row['engine']}: `{row['summary']}`")


if __name__ == "__main__":
    main()
