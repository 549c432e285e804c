"""Start-up time: ``dedup clean`` on a small file against ``import numpy, rapidfuzz``.

    python benchmarks/startup.py [--rounds 15]

Each round starts, in turn, ``python -c "import numpy, rapidfuzz"`` (the floor
any dedup process pays), ``python -c "import dedup"`` and ``python -m dedup
clean`` on a small article, each a fresh process; the table gives the median
wall time of each and its ratio to the floor, measured in the same run so that
a loaded machine shifts both. The compiled kernels are loaded from the cache by
processes that need them, so the run first makes sure the cache exists.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTICLE = "\n".join([
    "The council approved the new budget for the harbour on Monday evening.",
    "Councillors debated the plan for three hours before the vote.",
    "The council approved the new budget for the harbour on Monday evening.",
    "Read more: the harbour plan explained.",
])


def _commands(article: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "import numpy, rapidfuzz": [python, "-c", "import numpy, rapidfuzz"],
        "import dedup": [python, "-c", "import dedup"],
        "dedup clean (small file)": [python, "-m", "dedup", "clean", str(article)],
        "dedup clean, DEDUP_JIT=1": [python, "-c", "import os, sys; os.environ['DEDUP_JIT'] = '1'; "
                                     "from dedup.cli import main; sys.exit(main(sys.argv[1:]))",
                                     "clean", str(article)],
    }


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="runs of each command")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp, "article.txt")
        article.write_text(ARTICLE + "\n", encoding="utf-8")
        commands = _commands(article)
        subprocess.run([sys.executable, "-c", "from dedup import kernels\n"
                        "with kernels.use('compiled'):\n    kernels.load()"], check=True)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                times[name].append(_time(command))
    floor = statistics.median(times["import numpy, rapidfuzz"])
    print(f"| command ({args.rounds} rounds, median) | seconds | x import numpy, rapidfuzz |")
    print("|---|---:|---:|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| `{name}` | {median:.3f} | {median / floor:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
