"""Throughput of dedup.clean() beside a plain exact normalized-hash dedup, same process.

    python benchmarks/throughput.py [--data ../shared/data] [--view main] [--repeat 3]

The reference splits each article into lines, normalizes all of them with
dedup's own normalization in one batched call (so both sides pay for the same
Unicode work, done the fastest way dedup knows), hashes each key with xxh3_64
and drops non-empty lines whose hash was seen before in the article. It finds
exact repeats only; dedup.clean() also finds near duplicates, teasers and
repeated blocks. The ratio is reference time over
clean() time: 1.0 means as fast as the reference.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import xxhash

import dedup
from dedup.keys import normalize_lines

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


def load(data: Path, view: str) -> list[str]:
    path = data / "derived" / "pages.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        pages = [json.loads(line) for line in handle]
    return [p[view] for p in pages if p.get(view)]


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


def timed(function, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for text in texts:
        function(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--view", default="main", choices=["main", "full", "gold"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = load(args.data, args.view)
    megabytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
    dedup.clean("Grüße — warm up\nGrüße — warm up")  # builds the Unicode tables once
    reference = min(timed(exact_hash_dedup, texts) for _ in range(args.repeat))
    ours = min(timed(dedup.clean, texts) for _ in range(args.repeat))
    print(f"{len(texts)} articles, {megabytes:.1f} MB ({args.view} view), best of {args.repeat}")
    print("| method | seconds | MB/s | articles/s |")
    print("|---|---|---|---|")
    rows = (("exact normalized hash (reference)", reference), ("dedup.clean()", ours))
    for name, seconds in rows:
        rate, speed = megabytes / seconds, len(texts) / seconds
        print(f"| {name} | {seconds:.2f} | {rate:.1f} | {speed:.0f} |")
    print(f"clean() throughput = {reference / ours:.2f}x the reference")


if __name__ == "__main__":
    main()
