"""Same output before and after a change: ``dedup batch`` of two source trees, file by file.

Builds a corpus from ``../shared/data/derived/pages.jsonl.gz`` (``--data``
for another place): one ``.jsonl.gz`` of ``{id, site, text}`` records, the
``full`` view (raw pages: 879k paragraphs), optionally only the first
``--limit`` pages. Then runs ``python -m dedup batch`` on it with the source
tree given by ``--reference`` (for example ``git archive main | tar -x -C
REF``) and with this repository, the same options for both
(``--cross-doc --boilerplate-min-docs 3 --report`` by default), and compares
the sha256 of every output file and of the report. Nothing is copied into the
repository: the corpus lives in a temporary directory.

    python benchmarks/same_output.py --reference REF
    python benchmarks/same_output.py --reference REF --engine ray --limit 800
    python benchmarks/same_output.py --reference REF --after-args=--report-mode=full \
        --changed-keys mode,counts.bytes_in,counts.bytes_out,boilerplate_rule,site_docs

Differences in the report are listed by article and paragraph key, so an
intended change (a new key, a value computed differently) can be told from
an accident. Exit code 0 when everything is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_ARGS = "--cross-doc --boilerplate-min-docs 3"


def build_corpus(pages: Path, target: Path, limit: int | None) -> int:
    """Write the ``full`` view of ``pages`` as ``{id, site, text}`` lines; return the count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with gzip.open(pages) as lines, target.open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as out:
        for line in lines:
            if limit is not None and count >= limit:
                break
            record = orjson.loads(line)
            out.write(orjson.dumps({"id": record["doc_id"], "site": record["domain"] or "",
                                    "text": record["full"] or ""}) + b"\n")
            count += 1
    return count


def run(tree: Path, corpus: Path, out: Path, report: Path, engine: str, workers: int,
        args: list[str]) -> float:
    """Run ``dedup batch`` from the source tree ``tree``; return its wall time."""
    command = [sys.executable, "-m", "dedup", "batch", str(corpus), str(out), "--quiet",
               "--workers", str(workers), "--engine", engine, "--report", str(report), *args]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{tree}: {shlex.join(command)} failed ({done.returncode}):\n"
                 f"{done.stderr.decode(errors='replace')[-2000:]}")
    return seconds


def digests(root: Path) -> dict[str, str]:
    """Return the sha256 of every file under ``root``, by relative path."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def without_keys(report: Path, keys: set[str]) -> str:
    """Return the sha256 of a report with the named keys left out of every record.

    A name is a record key (``mode``), ``counts.NAME`` or a paragraph key.
    """
    digest = hashlib.sha256()
    counts = {k.split(".", 1)[1] for k in keys if k.startswith("counts.")}
    with report.open("rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            for key in keys & set(record):
                del record[key]
            for key in counts & set(record.get("counts", {})):
                del record["counts"][key]
            for p in record.get("paragraphs", []):
                for key in keys & set(p):
                    del p[key]
            digest.update(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
    return digest.hexdigest()


def report_differences(before: Path, after: Path) -> Counter[str]:
    """Count what differs between two reports: records, then paragraph keys by name."""
    found: Counter[str] = Counter()
    with before.open("rb") as a, after.open("rb") as b:
        for left, right in zip(a, b, strict=False):
            if left == right:
                continue
            old, new = orjson.loads(left), orjson.loads(right)
            found["records"] += 1
            for key in sorted(set(old) | set(new)):
                if key != "paragraphs" and old.get(key) != new.get(key):
                    found[f"record key {key!r}"] += 1
            for p, q in zip(old.get("paragraphs", []), new.get("paragraphs", []), strict=False):
                for key in sorted(set(p) | set(q)):
                    before_value, after_value = p.get(key, "<missing>"), q.get(key, "<missing>")
                    if before_value != after_value:
                        found[f"paragraph key {key!r}"] += 1
                        if key != "similarity" or found[f"paragraph key {key!r}"] > 3:
                            continue
                        found[f"  e.g. {q['reason']} similarity {before_value} -> "
                              f"{after_value}"] += 1
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, required=True,
                        help="the source tree to compare with (a checkout of main)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="directory holding derived/pages.jsonl.gz (default: %(default)s)")
    parser.add_argument("--engine", choices=("local", "ray"), default="local")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--args", default=DEFAULT_ARGS,
                        help="options of both runs (default: %(default)s)")
    parser.add_argument("--after-args", default="",
                        help="options of this tree's run only (a new flag)")
    parser.add_argument("--changed-keys", default="",
                        help="comma-separated report keys this tree adds or computes "
                             "differently (record keys, counts.NAME, paragraph keys): also "
                             "compare the reports without them")
    options = parser.parse_args()
    pages = (options.data / "derived" / "pages.jsonl.gz").resolve()
    if not pages.exists():
        sys.exit(f"{pages} not found: pass --data")
    common = shlex.split(options.args)
    with tempfile.TemporaryDirectory(prefix="same-output-") as tmp:
        work = Path(tmp)
        count = build_corpus(pages, work / "in" / "pages.jsonl.gz", options.limit)
        trees = {"before": options.reference.resolve(), "after": ROOT}
        results = {}
        for name, tree in trees.items():
            extra = common + (shlex.split(options.after_args) if name == "after" else [])
            seconds = run(tree, work / "in", work / name, work / f"{name}.jsonl",
                          options.engine, options.workers, extra)
            files = digests(work / name)
            files["<report>"] = hashlib.sha256((work / f"{name}.jsonl").read_bytes()).hexdigest()
            if options.changed_keys:
                files["<report without changed keys>"] = without_keys(
                    work / f"{name}.jsonl", set(options.changed_keys.split(",")))
            results[name] = files
            size = (work / f"{name}.jsonl").stat().st_size
            print(f"{name}: {seconds:.1f} s, report {size / 1e6:.1f} MB, "
                  f"{len(digests(work / name))} output files")
        before, after = results["before"], results["after"]
        same = before == after
        if options.changed_keys:  # what must not change: outputs, and the report's old keys
            same = all(before[k] == after[k] for k in before if k != "<report>")
        for path in sorted(set(before) | set(after)):
            mark = "same" if before.get(path) == after.get(path) else "DIFFERENT"
            print(f"{mark:9} {after.get(path, '-')[:16]} {path}")
        if before.get("<report>") != after.get("<report>"):
            for what, n in report_differences(work / "before.jsonl",
                                              work / "after.jsonl").most_common():
                print(f"  report: {n} {what}")
    print(f"{count} pages, engine {options.engine}: "
          + ("identical" if same else "outputs differ")
          + (f" (apart from the report keys {options.changed_keys})"
             if options.changed_keys else ""))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
