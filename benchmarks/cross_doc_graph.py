"""The Ray engine's cross-document graph, measured at 1x and 16x of the corpus, for the 1 TB plan.

    python benchmarks/cross_doc_graph.py [--data ../shared/data] [--factors 1 16]

Runs what the Ray engine's cross-document step computes, in this process and
without Ray: every article of the ``full`` view (enlarged as in
``benchmarks/index_memory.py``: copies with new ids, repeated site furniture,
5% syndicated exact, 5% near, 90% new text) is analysed with the engine's own
:func:`~dedup.corpus.decisions.analyze_article` (2 processes); every candidate
emits its fingerprint and band keys (the key rows that the engine shuffles);
:func:`~dedup.dist.grouping.group_edges` makes the star edges and
:func:`~dedup.dist.components.driver_components` the components. Reports key
rows, edges, linked paragraphs (the labels the driver gathers, 16 bytes each),
the largest component (replayed in one task) and the driver's bytes, per
factor and per candidate, so the figures can be carried to a larger corpus.
Writes ``cross_doc_graph.json`` and ``.md`` to ``--out``.

``--driver`` instead runs the Ray engine itself (``clean_dataset`` on a local
Ray of 2 CPUs, cross-document mode, the ``full`` view) and measures what its
driver holds and sends: the size of every task argument (``fn_kwargs``,
pickled) and how many tasks receive it, the bytes of every dataset column the
driver reads, and the driver's peak memory. Run it with ``PYTHONPATH`` set to
another checkout to measure that code; writes ``ray_driver.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from index_memory import copies, load, ranked_words

from dedup.config import Config
from dedup.corpus.decisions import analyze_article
from dedup.dist import engine
from dedup.dist.components import driver_components
from dedup.dist.grouping import group_edges

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "benchmarks" / "results"
LABEL_BYTES = 16  # node and label, int64 each
EDGE_BYTES = 40  # driver peak per edge with SciPy (the engine's docstring)


def keys_of(texts: list[str]) -> tuple[int, list[int], list[int]]:
    """Candidates of these articles, and their key rows as (slot, key) lists."""
    config = Config()
    slots: list[int] = []
    keys: list[int] = []
    counts: list[int] = []
    for text in texts:
        found = analyze_article(text, config, cross_doc=True)
        for fp, bands in zip(found.fingerprints, found.bands, strict=True):
            slots.append(1)
            keys.append(fp)
            slots.extend([0] * len(bands))
            keys.extend(bands)
            counts.append(1 + len(bands))
    return len(counts), slots, keys + counts  # counts ride at the end: rows per candidate


def measure(texts: list[str]) -> dict[str, float]:
    batches = [texts[i:i + 256] for i in range(0, len(texts), 256)]
    slot_parts, key_parts, node_parts = [], [], []
    node = 0
    with ProcessPoolExecutor(2) as pool:
        for candidates, slots, tail in pool.map(keys_of, batches):
            keys, counts = tail[:len(slots)], tail[len(slots):]
            slot_parts.append(np.array(slots, dtype=np.int64))
            key_parts.append(np.array(keys, dtype=np.uint64))
            node_parts.append(np.repeat(np.arange(node, node + candidates, dtype=np.int64),
                                        counts))
            node += candidates
    slots = np.concatenate(slot_parts)
    keys = np.concatenate(key_parts)
    nodes = np.concatenate(node_parts)
    a, b = group_edges(slots, keys, nodes)
    linked, labels = driver_components(a, b)
    sizes = np.unique(labels, return_counts=True)[1] if len(labels) else np.zeros(1, np.int64)
    return {
        "articles": len(texts), "candidates": node, "key_rows": len(keys),
        "edges": len(a), "linked_paragraphs": len(linked),
        "components": len(sizes), "largest_component": int(sizes.max()),
        "driver_label_mb": len(linked) * LABEL_BYTES / 1e6,
        "driver_edge_mb": len(a) * EDGE_BYTES / 1e6,
        "key_shuffle_mb": len(keys) * 32 / 1e6,  # slot, key, node, part: 8 bytes each
    }


def enlarged(pages: list[tuple[str, str, str]], factor: int) -> list[str]:
    ranked = ranked_words(pages) if factor > 1 else []
    return [text for copy in range(factor) for _, _, text in copies(pages, ranked, copy)]


def driver_cost(data: Path, out: Path) -> dict[str, object]:
    """Run the Ray engine on the ``full`` view; return what its driver read and sent."""
    import gzip
    import pickle
    import resource
    import tempfile

    import orjson
    import ray
    import ray.data
    from ray.data.grouped_data import GroupedData

    import dedup
    from dedup.corpus.batch import BatchOptions
    from dedup.dist import clean_dataset

    sent: list[dict[str, object]] = []
    read: dict[str, int] = {}
    originals = {}

    def mapping(owner: type, name: str) -> None:
        original = getattr(owner, name)
        originals[owner, name] = original

        def wrapped(self: object, fn: object, *args: object, **kwargs: object) -> object:
            arguments = kwargs.get("fn_kwargs") or {}
            sizes = {k: len(pickle.dumps(v)) for k, v in arguments.items()}  # type: ignore[union-attr]
            sent.append({"function": getattr(fn, "__name__", "?"), "bytes": sizes})
            return original(self, fn, *args, **kwargs)
        setattr(owner, name, wrapped)

    def reading(name: str) -> None:
        original = getattr(ray.data.Dataset, name)
        originals[ray.data.Dataset, name] = original

        def wrapped(self: object, *args: object, **kwargs: object) -> object:
            for item in original(self, *args, **kwargs):
                for column, value in item.items():
                    size = getattr(value, "nbytes", None)
                    if size is None:
                        size = len(value) if isinstance(value, bytes) else 8
                    read[column] = read.get(column, 0) + int(size)
                yield item
        setattr(ray.data.Dataset, name, wrapped)

    mapping(ray.data.Dataset, "map_batches")
    mapping(GroupedData, "map_groups")
    reading("iter_rows")
    reading("iter_batches")
    with tempfile.TemporaryDirectory(prefix="dedup-driver-") as tmp:
        corpus = Path(tmp) / "in"
        corpus.mkdir()
        with gzip.open(data / "derived" / "pages.jsonl.gz") as lines, \
                (corpus / "pages.jsonl").open("wb") as target:
            for line in lines:
                record = orjson.loads(line)
                if isinstance(record.get("full"), str):
                    target.write(orjson.dumps({"id": record["doc_id"], "text": record["full"]})
                                 + b"\n")
        pieces = -(-sum(1 for _ in (corpus / "pages.jsonl").open("rb")) // 256)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        clean_dataset(BatchOptions(in_dir=corpus, out_dir=Path(tmp) / "out", cross_doc=True))
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ray.shutdown()
    for (owner, name), original in originals.items():
        setattr(owner, name, original)
    result = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "code": str(Path(dedup.__file__).resolve().parents[1].name), "pieces": pieces,
              "seconds": seconds, "driver_peak_mb_before": before, "driver_peak_mb": peak,
              "fn_kwargs": sent, "driver_read_bytes": read}
    out.mkdir(parents=True, exist_ok=True)
    (out / "ray_driver.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--driver", action="store_true",
                        help="measure the Ray engine's driver instead (see above)")
    args = parser.parse_args()
    if args.driver:
        print(json.dumps(driver_cost(args.data, args.out), indent=2))
        return
    pages = load(args.data)
    runs = {}
    for factor in args.factors:
        started = time.perf_counter()
        runs[str(factor)] = {**measure(enlarged(pages, factor)),
                             "seconds": time.perf_counter() - started}
        print(factor, runs[str(factor)], flush=True)
    result = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "max_task_edges": getattr(engine, "MAX_TASK_EDGES", None), "runs": runs}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cross_doc_graph.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [f"Run {result['started']}; generated by `python benchmarks/cross_doc_graph.py`.",
             "", "| factor | articles | candidates | key rows | edges | linked paragraphs | "
             "largest component | driver labels MB | key shuffle MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for factor, r in runs.items():
        lines.append(f"| {factor}x | {r['articles']:,} | {r['candidates']:,} | "
                     f"{r['key_rows']:,} | {r['edges']:,} | {r['linked_paragraphs']:,} | "
                     f"{r['largest_component']:,} | {r['driver_label_mb']:.0f} | "
                     f"{r['key_shuffle_mb']:.0f} |")
    table = "\n".join(lines) + "\n"
    (args.out / "cross_doc_graph.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
