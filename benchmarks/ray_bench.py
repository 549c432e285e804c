"""Local ``dedup batch`` against ``dedup batch --engine ray`` on clusters of 1, 2 and 4 nodes.

Each cluster is started on this machine with ``ray start`` (a head, then
``ray start --address`` for every further node, one CPU each; see
``benchmarks/cluster.py``) before its runs and stopped after them, so the
times are those of a job submitted to a standing cluster: the driver's own
start-up and the new worker processes of the job are counted, the cluster's
start is not. The local engine runs with ``--workers 2``. Every output file
and the report of every run are checked byte-identical to the local engine's.
Reads the corpus where it is (a symlink in a temporary directory), never
copies it into the repository. Writes ``ray.json`` and ``ray.md`` to
``--out`` (default ``benchmarks/results``).

    python benchmarks/ray_bench.py                      # ../shared/data/derived/pages.jsonl.gz
    python benchmarks/ray_bench.py --nodes 1 2 4 --data PATH.jsonl.gz --text-field full

On a machine with fewer cores than nodes the nodes share them: four one-CPU
nodes on two cores measure the engine's overhead, not its scaling.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import ENV, LocalCluster

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "derived" / "pages.jsonl.gz"
DEFAULT_OUT = ROOT / "benchmarks" / "results"
MODES = {
    "in-article": [],
    "cross-doc": ["--cross-doc"],
    "all modes": ["--boilerplate-min-docs", "5", "--cross-doc"],
}


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(in_dir: Path, out_dir: Path, args: list[str]) -> tuple[float, str]:
    command = [sys.executable, "-m", "dedup", "batch", str(in_dir), str(out_dir),
               "--follow-links", *args]  # the corpus is a link to where it lies
    env = {**os.environ, **ENV}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    summary = [line for line in done.stderr.splitlines() if line.startswith("dedup: ")]
    return seconds, summary[-1] if summary else ""


def megabytes_in(summary: str) -> float:
    found = re.search(r"; ([\d.]+) MB -> ", summary)
    return float(found.group(1)) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="a corpus file (.jsonl, .jsonl.gz) or directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--text-field", default="full")
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=["cross-doc"])
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N records of a .jsonl/.jsonl.gz file (written to a "
                             "temporary file)")
    parser.add_argument("--start-timeout", type=float, default=180.0,
                        help="seconds for the nodes of a cluster to join (default: %(default)s)")
    args = parser.parse_args()
    data = args.data.resolve()
    if not data.exists():
        sys.exit(f"{data} not found: pass --data")
    rows: list[dict[str, object]] = []
    starts: list[dict[str, object]] = []
    signal.signal(signal.SIGTERM, _stop)  # stop the cluster on the way out, never leave it
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = psutil.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="dedup-ray-bench-") as tmp:
        work = Path(tmp)
        corpus = data
        if data.is_file():
            corpus = work / "in"
            corpus.mkdir()
            if args.limit is None:
                (corpus / data.name).symlink_to(data)
            else:
                first_records(data, corpus / data.name, args.limit)
        common = ["--text-field", args.text_field]
        local: dict[str, dict[str, str]] = {}
        for mode in args.modes:
            out = work / f"local-{mode}"
            extra = [*common, *MODES[mode], "--workers", "2", "--report", f"{out}.jsonl"]
            seconds, summary = run(corpus, out, extra)
            local[mode] = {**digest(out), "report": digest_file(Path(f"{out}.jsonl"))}
            rows.append({"mode": mode, "engine": "local, --workers 2", "nodes": 0,
                         "seconds": seconds, "mb": megabytes_in(summary), "summary": summary,
                         "same": True})
            print(rows[-1], flush=True)
        for nodes in args.nodes:
            try:
                cluster = LocalCluster(nodes=nodes, timeout=args.start_timeout).__enter__()
            except RuntimeError as error:  # a loaded machine: record it, go on with the rest
                print(f"{nodes} nodes: {error}", flush=True)
                for mode in args.modes:
                    rows.append({"mode": mode, "engine": f"ray, {nodes} node(s) x 1 CPU",
                                 "nodes": nodes, "seconds": float("nan"), "mb": float("nan"),
                                 "summary": f"the cluster did not start: {error}",
                                 "same": None})
                continue
            with cluster:
                starts.append({"nodes": nodes, "seconds": cluster.seconds,
                               "restarts": cluster.restarts})
                print(starts[-1], flush=True)
                for mode in args.modes:
                    out = work / f"ray-{nodes}-{mode}"
                    extra = [*common, *MODES[mode], "--workers", str(nodes), "--engine", "ray",
                             "--address", cluster.address, "--report", f"{out}.jsonl"]
                    seconds, summary = run(corpus, out, extra)
                    same = {**digest(out), "report": digest_file(Path(f"{out}.jsonl"))}
                    rows.append({"mode": mode, "engine": f"ray, {nodes} node(s) x 1 CPU",
                                 "nodes": nodes, "seconds": seconds,
                                 "mb": megabytes_in(summary), "summary": summary,
                                 "same": same == local[mode]})
                    print(rows[-1], flush=True)
    result = {"started": started, "load_before": load_before,
              "load_after": psutil.getloadavg()[0],
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                         f"{platform.python_version()}",
              "corpus": data.name, "limit": args.limit, "text_field": args.text_field,
              "cluster_starts": starts, "arguments": arguments(args), "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ray.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    (args.out / "ray.md").write_text(table)
    print(table)


def arguments(args: argparse.Namespace) -> str:
    """The options of this run that shape the table (not where the data or results lie)."""
    shown = [f"--text-field {args.text_field}", "--nodes " + " ".join(map(str, args.nodes)),
             "--modes " + " ".join(f"'{m}'" if " " in m else m for m in args.modes)]
    if args.limit is not None:
        shown.append(f"--limit {args.limit}")
    return " ".join(shown)


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def first_records(source: Path, target: Path, limit: int) -> None:
    """Write the first ``limit`` lines of a JSON Lines file (gzip or plain) to ``target``."""
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rb") as lines, opener(target, "wb") as out:
        for number, line in enumerate(lines):
            if number >= limit:
                break
            out.write(line)


def digest_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def markdown(result: dict[str, object]) -> str:
    rows: list[dict[str, object]] = result["rows"]  # type: ignore[assignment]
    starts = {int(s["nodes"]): s for s in result["cluster_starts"]}  # type: ignore[attr-defined]
    limit = f", first {result['limit']:,} records" if result.get("limit") else ""
    lines = [
        f"Run {result['started']} on {result['machine']}, load average "
        f"{result['load_before']:.1f} before and {result['load_after']:.1f} after: "
        f"`{result['corpus']}`{limit}, text field `{result['text_field']}`. Generated by "
        f"`python benchmarks/ray_bench.py {result['arguments']}`.",
        "",
        "| mode | engine | cluster start (s) | wall time (s) | text MB/s | vs 1 node | vs local "
        "| output and report identical to local |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        seconds = float(row["seconds"])  # type: ignore[arg-type]
        speed = float(row["mb"]) / seconds  # type: ignore[arg-type]
        mode_rows = [r for r in rows if r["mode"] == row["mode"]]
        local = next(float(r["seconds"]) for r in mode_rows if r["nodes"] == 0)  # type: ignore[arg-type]
        one = next((float(r["seconds"]) for r in mode_rows if r["nodes"] == 1),  # type: ignore[arg-type]
                   float("nan"))
        start = starts.get(int(row["nodes"]))  # type: ignore[call-overload]
        start_text = f"{float(start['seconds']):.1f}" if start else "–"  # type: ignore[arg-type]
        same = {True: "yes", False: "NO", None: "(did not start)"}[row["same"]]  # type: ignore[index]
        vs_one = f"{one / seconds:.2f}x" if row["nodes"] else "–"
        lines.append(f"| {row['mode']} | {row['engine']} | {start_text} | {seconds:.1f} | "
                     f"{speed:.2f} | {vs_one} | {local / seconds:.2f}x | {same} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
