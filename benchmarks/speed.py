"""Speed and memory: every tool on the same pages, each run in its own fresh process.

The machines are shared and noisy, so every figure is also given as a ratio to a reference
measured in the same process right before and after it: the exact normalized-hash dedup
(``alternatives.exact_hash``) over the same texts. Rounds alternate reference and tool and
the fastest round of each is kept.

Peak memory is the peak of memory traced by ``tracemalloc`` during one extra pass over the
20 largest texts (Python objects and NumPy buffers; allocations inside Rust or C++
extensions such as rensa's and rapidfuzz's are not traced), so it counts what the tool
itself allocates per article. The tools of one view run one after another in one fresh
process (datasketch gets one timed round: it is two orders of magnitude slower).

Run as ``python benchmarks/speed.py --worker TOOL[,TOOL] VIEW N SEED DATA ROUNDS FACTOR``
by ``run.py``; the worker prints one JSON list (numbers only).
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRACED = 20  # peak memory is traced over the largest inputs only (tracemalloc is slow)
SLOW = {"datasketch"}  # one timed round


def sample_texts(root: Path, view: str, n: int, seed: int) -> list[str]:
    from data import load_pages

    pages = load_pages(root)
    texts = [p[view] for p in pages if isinstance(p.get(view), str) and p[view].strip()]
    if 0 < n < len(texts):
        texts = random.Random(seed).sample(texts, n)
    return texts


def enlarge(texts: list[str], factor: int, seed: int) -> list[str]:
    """The corpus ``factor`` times over: copy 1 is the corpus, every further copy re-samples
    pages and perturbs about 10% of their lines (whitespace, quotes, entities, typos)."""
    from patterns import NOISE

    rng = random.Random(seed)
    out = list(texts)
    kinds = list(NOISE)
    for _ in range(factor - 1):
        for _ in range(len(texts)):
            lines = rng.choice(texts).split("\n")
            for i in range(len(lines)):
                if lines[i].strip() and rng.random() < 0.1:
                    lines[i] = NOISE[rng.choice(kinds)](lines[i], rng).replace("\n", " ")
            out.append("\n".join(lines))
    return out


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _time_all(fn, texts: list[str]) -> tuple[float, list[float]]:
    latencies = []
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        fn(text)
        latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - start, latencies


def worker(
    tools: list[str], view: str, n: int, seed: int, data: str, rounds: int, factor: int
) -> list[dict]:
    """Time each tool on the same texts; rounds alternate the reference and the tool."""
    sys.path.insert(0, str(HERE))
    from alternatives import as_text as wrap
    from alternatives import exact_hash, text_tools

    texts = sample_texts(Path(data), view, n, seed)
    if factor > 1:
        texts = enlarge(texts, factor, seed)
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    largest = sorted(texts, key=len)[-TRACED:]
    reference = wrap(exact_hash)
    warm = "Caf\u00e9 \u201cwarm-up\u201d line, long enough to be compared by every tool.\n" * 2
    results = []
    for tool in tools:
        fn = text_tools()[tool]
        tool_rounds = 1 if tool in SLOW else rounds
        for text in (warm, texts[0]):  # imports and one-time setup outside the timed rounds
            fn(text)
            reference(text)
        ref_times, tool_times, latencies = [], [], []
        for _ in range(tool_rounds):
            ref_times.append(_time_all(reference, texts)[0])
            seconds, lat = _time_all(fn, texts)
            tool_times.append(seconds)
            if not latencies or seconds <= min(tool_times):
                latencies = lat
        ref_times.append(_time_all(reference, texts)[0])
        traced_peak = None
        if tool not in SLOW:  # tracing makes datasketch's per-object NumPy work crawl
            tracemalloc.start()
            for text in largest:
                fn(text)
            traced_peak = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
            tracemalloc.stop()
        best, ref = min(tool_times), min(ref_times)
        lat_ms = sorted(x * 1000 for x in latencies)

        def pct(q: float, lat_ms: list[float] = lat_ms) -> float:
            return lat_ms[min(len(lat_ms) - 1, int(q * len(lat_ms)))]

        results.append(
            {
                "tool": tool,
                "view": view,
                "factor": factor,
                "articles": len(texts),
                "paragraphs": sum(t.count("\n") + 1 for t in texts),
                "megabytes": round(size, 3),
                "seconds": round(best, 4),
                "reference_seconds": round(ref, 4),
                "ratio_to_reference": round(best / ref, 3),
                "articles_per_s": round(len(texts) / best, 1),
                "mb_per_s": round(size / best, 3),
                "peak_memory_mb": traced_peak,
                "latency_ms": {
                    "p50": round(pct(0.5), 3),
                    "p90": round(pct(0.9), 3),
                    "p99": round(pct(0.99), 3),
                    "max": round(lat_ms[-1], 3),
                    "mean": round(statistics.fmean(lat_ms), 3),
                },
                "rounds": tool_rounds,
            }
        )
    return results


def scale_worker(factor: int, n: int, seed: int, data: str, workers: int) -> dict:
    """Time ``dedup batch --cross-doc`` (corpus mode) over the enlarged ``main`` view.

    The corpus is written as one JSON-lines file to a temporary directory outside the
    repository, which is deleted afterwards. Peak memory is the largest child's peak RSS.
    """
    import shutil
    import tempfile

    sys.path.insert(0, str(HERE))
    from alternatives import as_text, exact_hash

    texts = sample_texts(Path(data), "main", n, seed)
    texts = enlarge(texts, factor, seed)
    reference = as_text(exact_hash)
    ref_seconds = min(_time_all(reference, texts)[0] for _ in range(2))
    exe = Path(sys.executable).with_name("dedup")
    tmp = Path(tempfile.mkdtemp(prefix="dedup-bench-"))
    try:
        (tmp / "in").mkdir()
        with (tmp / "in" / "corpus.jsonl").open("w", encoding="utf-8") as handle:
            for i, text in enumerate(texts):
                handle.write(json.dumps({"id": str(i), "text": text}) + "\n")
        cmd = [str(exe), "batch", str(tmp / "in"), str(tmp / "out"), "--cross-doc", "--quiet"]
        cmd += ["--workers", str(workers)]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            msg = f"dedup batch failed: {done.stderr[-2000:]}"
            raise RuntimeError(msg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    return {
        "tool": "dedup batch --cross-doc",
        "factor": factor,
        "workers": workers,
        "articles": len(texts),
        "paragraphs": sum(t.count("\n") + 1 for t in texts),
        "megabytes": round(size, 3),
        "seconds": round(seconds, 3),
        "reference_seconds": round(ref_seconds, 4),
        "ratio_to_reference": round(seconds / ref_seconds, 2),
        "articles_per_s": round(len(texts) / seconds, 1),
        "mb_per_s": round(size / seconds, 3),
        "peak_rss_mb": round(child_peak, 1),
    }


def measure(
    tools: list[str], view: str, n: int, seed: int, data: Path, rounds: int, factor: int = 1
) -> list[dict]:
    """Run one worker in a fresh interpreter and return its numbers, one dict per tool."""
    cmd = [sys.executable, str(HERE / "speed.py"), "--worker", ",".join(tools), view]
    cmd += [str(n), str(seed), str(data), str(rounds), str(factor)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"speed worker {tools}/{view} failed:\n{done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_scale(factor: int, n: int, seed: int, data: Path, workers: int = 1) -> dict:
    cmd = [sys.executable, str(HERE / "speed.py"), "--scale-worker", str(factor), str(n)]
    cmd += [str(seed), str(data), str(workers)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"scale worker {factor}x failed:\n{done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--scale-worker":
        factor, n, seed, data, workers = sys.argv[2:7]
        print(json.dumps(scale_worker(int(factor), int(n), int(seed), data, int(workers))))
    elif len(sys.argv) == 9 and sys.argv[1] == "--worker":
        tools, view, n, seed, data, rounds, factor = sys.argv[2:9]
        args = (view, int(n), int(seed), data, int(rounds), int(factor))
        result = worker(tools.split(","), *args)
        print(json.dumps(result))
    else:
        print("usage: python benchmarks/speed.py --worker TOOLS VIEW N SEED DATA ROUNDS FACTOR")
        sys.exit(2)
