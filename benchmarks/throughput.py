"""Throughput and per-article latency of dedup.clean() beside plain exact dedup, same process.

    python benchmarks/throughput.py [--data ../shared/data] [--view main] [--rounds 3]
        [--base TREE]

Two references, both exact-repeat finders only (dedup.clean() also finds near
duplicates, teasers and repeated blocks):

- ``plain exact dedup``: what a user writes in Python: for each line,
  ``" ".join(line.casefold().split())``, ``xxh3_64`` of it, drop non-empty
  lines whose hash was seen before in the article. The issue's reference.
- ``exact dedup, dedup's normalization``: the same, but the keys come from
  dedup's own normalization in one batched call (entities, NFKC, punctuation,
  the compiled fold), so both sides pay for the same Unicode work.

With ``--base TREE`` (a source tree of dedup, say ``git worktree add TREE
1d590a0``), a child process imports ``dedup`` from ``TREE`` and times its
``clean()`` the same way, one round between each of this process's rounds,
so the ratio of today's ``clean()`` to that one comes from the same run.

Every round times each method on every article (each article timed alone with
``perf_counter``), alternating which method goes first; an article's time is
its fastest round, the total is the fastest round's total. The ratio is
reference time over clean() time: 1.0 means as fast as the reference. Writes
``throughput.json`` and ``throughput.md`` to ``--out`` (default
``benchmarks/results``), numbers only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil
import xxhash

import dedup
from dedup.keys import normalize_lines

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"
DEFAULT_OUT = HERE / "results"


def load(data: Path, view: str) -> list[str]:
    path = data / "derived" / "pages.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        pages = [json.loads(line) for line in handle]
    return [p[view] for p in pages if p.get(view)]


def plain_exact_dedup(text: str) -> str:
    seen: set[int] = set()
    kept = []
    digest = xxhash.xxh3_64_intdigest
    for line in text.split("\n"):
        key = " ".join(line.casefold().split())
        if key:
            value = digest(key.encode("utf-8", "surrogatepass"))
            if value in seen:
                continue
            seen.add(value)
        kept.append(line)
    return "\n".join(kept)


def exact_hash_dedup(text: str) -> str:
    seen: set[int] = set()
    kept = []
    for line, key in zip(text.split("\n"), normalize_lines(text), strict=True):
        digest = xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass"))
        if key and digest in seen:
            continue
        seen.add(digest)
        kept.append(line)
    return "\n".join(kept)


METHODS: dict[str, Callable[[str], str]] = {
    "plain exact dedup (reference)": plain_exact_dedup,
    "exact dedup, dedup's normalization": exact_hash_dedup,
    "dedup.clean()": dedup.clean,
}


def timed(function: Callable[[str], str], texts: list[str]) -> np.ndarray:
    times = np.empty(len(texts))
    clock = time.perf_counter
    for number, text in enumerate(texts):
        start = clock()
        function(text)
        times[number] = clock() - start
    return times


class Base:
    """``dedup.clean()`` of another source tree, timed in a child process round by round."""

    name = "dedup.clean() of --base"

    def __init__(self, tree: Path, data: Path, view: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
        command = [sys.executable, str(Path(__file__).resolve()), "--worker",
                   "--data", str(data.resolve()), "--view", view]
        self.child = subprocess.Popen(command, env=env, cwd=tree.resolve(), text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        source = Path(str(self._read()["dedup"]))
        if not source.is_relative_to(tree.resolve()):
            msg = f"--base: the child imported dedup from elsewhere ({source.name})"
            raise SystemExit(msg)
        found = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
                               capture_output=True, text=True, check=False)
        self.commit = found.stdout.strip() or "unknown commit"

    def _read(self) -> dict[str, object]:
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        if not line:
            msg = "the --base child process ended early"
            raise SystemExit(msg)
        answer: dict[str, object] = json.loads(line)
        return answer

    def round(self) -> np.ndarray:
        assert self.child.stdin is not None
        self.child.stdin.write("round\n")
        self.child.stdin.flush()
        return np.array(self._read()["times"])

    def close(self) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()
        self.child.wait()


def worker(texts: list[str]) -> None:
    """The --base child: say where dedup comes from, then time clean() once per line read."""
    dedup.clean("Grüße — warm up\nGrüße — warm up")
    print(json.dumps({"dedup": str(Path(dedup.__file__).resolve().parent)}), flush=True)
    for _ in sys.stdin:
        print(json.dumps({"times": timed(dedup.clean, texts).tolist()}), flush=True)


def measure(texts: list[str], rounds: int, base: Base | None = None) -> dict[str, dict[str, float]]:
    names = list(METHODS)
    best: dict[str, np.ndarray] = {}
    totals: dict[str, float] = {}

    def record(name: str, times: np.ndarray) -> None:
        best[name] = times if name not in best else np.minimum(best[name], times)
        totals[name] = min(totals.get(name, float("inf")), float(times.sum()))

    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            record(name, timed(METHODS[name], texts))
        if base is not None:
            record(base.name, base.round())
    megabytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    return {
        name: {
            "seconds": totals[name],
            "mb_per_s": megabytes / totals[name],
            "articles_per_s": len(texts) / totals[name],
            "p50_ms": float(np.percentile(best[name], 50)) * 1e3,
            "p99_ms": float(np.percentile(best[name], 99)) * 1e3,
            "max_ms": float(best[name].max()) * 1e3,
        }
        for name in best
    }


def markdown(result: dict[str, object]) -> str:
    rows: dict[str, dict[str, float]] = result["methods"]  # type: ignore[assignment]
    lines = [
        f"Run {result['started']} on {result['machine']}, load average "
        f"{result['load_before']:.1f} before: {result['articles']:,} articles, "
        f"{result['megabytes']:.1f} MB (`{result['view']}` view), fastest of "
        f"{result['rounds']} alternating rounds. Generated by `python benchmarks/throughput.py`.",
        "",
        "| method | seconds | MB/s | articles/s | p50 ms/article | p99 ms/article |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['seconds']:.2f} | {r['mb_per_s']:.1f} | "
                     f"{r['articles_per_s']:.0f} | {r['p50_ms']:.3f} | {r['p99_ms']:.2f} |")
    lines += ["", f"clean() throughput = **{result['ratio_plain']:.2f}x** the plain exact dedup "
              f"(p50 {result['p50_ratio_plain']:.2f}x, p99 {result['p99_ratio_plain']:.2f}x), "
              f"{result['ratio_normalized']:.2f}x the exact dedup with dedup's normalization.", ""]
    if "ratio_base" in result:
        lines[-1:-1] = [f"Against `--base` ({result['base']}): clean() takes "
                        f"**{result['ratio_base']:.2f}x** its time in total, "
                        f"{result['p50_ratio_base']:.2f}x at p50 and "
                        f"{result['p99_ratio_base']:.2f}x at p99 (below 1: faster).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--view", default="main", choices=["main", "full", "gold"])
    parser.add_argument("--rounds", "--repeat", type=int, default=3)
    parser.add_argument("--base", type=Path, help="a dedup source tree to compare clean() with")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    texts = load(args.data, args.view)
    if args.worker:
        worker(texts)
        return
    megabytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    load_before = psutil.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    dedup.clean("Grüße — warm up\nGrüße — warm up")  # builds the Unicode tables once
    base = None if args.base is None else Base(args.base, args.data, args.view)
    try:
        methods = measure(texts, args.rounds, base)
    finally:
        if base is not None:
            base.close()
    plain, normalized = methods["plain exact dedup (reference)"], \
        methods["exact dedup, dedup's normalization"]
    ours = methods["dedup.clean()"]
    result = {
        "started": started,
        "machine": f"{platform.machine()}, {psutil.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}",
        "load_before": load_before, "load_after": psutil.getloadavg()[0],
        "view": args.view, "articles": len(texts), "megabytes": megabytes,
        "rounds": args.rounds, "methods": methods,
        "ratio_plain": plain["seconds"] / ours["seconds"],
        "p50_ratio_plain": plain["p50_ms"] / ours["p50_ms"],
        "p99_ratio_plain": plain["p99_ms"] / ours["p99_ms"],
        "ratio_normalized": normalized["seconds"] / ours["seconds"],
    }
    if base is not None:
        theirs = methods[base.name]
        result |= {"base": base.commit,
                   "ratio_base": ours["seconds"] / theirs["seconds"],
                   "p50_ratio_base": ours["p50_ms"] / theirs["p50_ms"],
                   "p99_ratio_base": ours["p99_ms"] / theirs["p99_ms"]}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"throughput-{args.view}" if args.view != "main" else "throughput"
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    (args.out / f"{stem}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
