"""Run the whole benchmark: quality with known answers, gold agreement, speed, scale.

    python benchmarks/run.py [--quick] [--data ../shared/data] [--out benchmarks/results]

Writes ``results.md`` (tables), ``results.json`` (every number) and PNG plots to ``--out``.
Nothing written contains article text: only counts, rates, times and domain names.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import alternatives  # noqa: E402
import gold  # noqa: E402
import patterns  # noqa: E402
import quality  # noqa: E402
import speed  # noqa: E402
from data import data_dir, load_bbc, load_mrpc_negatives, load_pages  # noqa: E402

SPEED_TOOLS = ["dedup_best", "exact_hash", "trafilatura", "datasketch", "rensa", "rapidfuzz"]

SETTINGS = {
    "quick": {
        "n_bbc": 25,
        "n_pages": 15,
        "gold_pages": 60,
        "gold_sites": 12,
        "site_pages": 8,
        "corpus_thresholds": [3],
        "speed_pages": 60,
        "speed_rounds": 2,
        "throughput_pages": 200,
        "scale_pages": 60,
        "scale_factors": [1, 4, 16],
    },
    "full": {
        "n_bbc": 400,
        "n_pages": 200,
        "gold_pages": 0,  # 0 = all
        "gold_sites": 0,
        "site_pages": 20,
        "corpus_thresholds": [2, 3, 5],
        "speed_pages": 600,
        "speed_rounds": 3,
        "throughput_pages": 0,
        "scale_pages": 0,
        "scale_factors": [1, 4, 16],
    },
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_quality(root: Path, cfg: dict, seed: int) -> tuple[dict, list]:
    bbc, pages, mrpc = load_bbc(root), load_pages(root), load_mrpc_negatives(root)
    cases = patterns.build_cases(
        bbc, pages, mrpc, n_bbc=cfg["n_bbc"], n_pages=cfg["n_pages"], seed=seed
    )
    log(f"quality: {len(cases)} cases")
    out: dict = {"cases": len(cases), "tools": {}}
    chosen = alternatives.tools()
    if cfg.get("tools"):
        chosen = {name: tool for name, tool in chosen.items() if name in cfg["tools"]}
    for name, tool in chosen.items():
        per_pattern, failures = quality.evaluate(cases, tool)
        out["tools"][name] = {
            "headline": quality.headline(per_pattern, patterns.PATTERNS),
            "noisy": quality.aggregate(per_pattern, patterns.NOISY).summary(),
            "duplication": quality.aggregate(per_pattern, patterns.DUPLICATION).summary(),
            "negative": quality.aggregate(per_pattern, patterns.NEGATIVE).summary(),
            "patterns": {k: v.summary() for k, v in sorted(per_pattern.items())},
            "failing_cases": len(failures),
        }
        log(f"quality: {name} done ({out['tools'][name]['headline']['seconds']} s)")
    return out, pages


def run_gold(pages: list, cfg: dict, seed: int) -> dict:
    out: dict = {}
    for mode, limit in (("page", cfg["gold_pages"]), ("site", cfg["gold_sites"])):
        unit_list = gold.units(pages, mode, limit, cfg["site_pages"], seed)
        out[mode] = {"units": len(unit_list), "tools": {}}
        for name, tool in alternatives.tools().items():
            total, per_domain = gold.evaluate(unit_list, tool)
            entry = {"total": total.summary()}
            if mode == "site":
                entry["per_site"] = per_domain
            out[mode]["tools"][name] = entry
        log(f"gold: {mode} mode, {len(unit_list)} units")
    out["corpus"] = gold.corpus_mode(pages, cfg["corpus_thresholds"])
    log(f"gold: corpus mode, {out['corpus']['main']['sites']} sites")
    return out


def run_speed(root: Path, cfg: dict, seed: int) -> dict:
    out: dict = {"same_sample": {}, "throughput": {}}
    available = alternatives.tools()
    tools = [t for t in SPEED_TOOLS if t in available]
    for view in ("main", "full"):
        results = speed.measure(tools, view, cfg["speed_pages"], seed, root, cfg["speed_rounds"])
        out["same_sample"][view] = {r["tool"]: r for r in results}
        log(f"speed: {view} " + ", ".join(f"{r['tool']} {r['seconds']} s" for r in results))
        (result,) = speed.measure(
            ["dedup_best"], view, cfg["throughput_pages"], seed, root, cfg["speed_rounds"]
        )
        out["throughput"][view] = result
        log(f"throughput: {view} {result['articles']} articles {result['seconds']} s")
    return out


def batch_available() -> bool:
    exe = shutil.which("dedup") or str(Path(sys.executable).with_name("dedup"))
    try:
        done = subprocess.run(
            [exe, "batch", "--help"], capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def run_scale(root: Path, cfg: dict, seed: int) -> dict:
    available = batch_available()
    out: dict = {
        "batch_available": available,
        "method": (
            "the main view enlarged 1x/4x/16x: copy 1 is the sampled pages, every further "
            "copy re-samples pages and perturbs about 10% of their lines (whitespace, quotes, "
            "entities, typos, fragments). `batch`: `dedup batch IN OUT --cross-doc "
            "--workers 1` on one JSON-lines file (corpus mode, wall time and peak RSS of the "
            "process). `clean`: in-process dedup.clean() page by page (no cross-page state)"
        ),
        "batch": [],
        "clean": [],
    }
    for factor in cfg["scale_factors"]:
        if available:
            result = speed.measure_scale(factor, cfg["scale_pages"], seed, root)
            out["batch"].append(result)
            log(f"scale: batch {factor}x {result['articles']} articles {result['seconds']} s")
        (result,) = speed.measure(["dedup_best"], "main", cfg["scale_pages"], seed, root, 1, factor)
        out["clean"].append(result)
        log(f"scale: clean {factor}x {result['articles']} articles {result['seconds']} s")
    return out


def fmt(value: object, digits: int = 3, percent: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{100 * value:.{max(digits - 2, 1)}f}%" if percent else f"{value:.{digits}g}"
    return str(value)


def markdown(results: dict) -> str:
    lines = [
        "# dedup benchmark results",
        "",
        f"Mode: `{results['mode']}`, seed {results['seed']}, run {results['started']} "
        f"({results['runtime_s']:.0f} s) on {results['machine']}. "
        "Generated by `python benchmarks/run.py`; see benchmarks/README.md for the method. "
        "Numbers only: no article text is stored here.",
        "",
    ]
    for name, why in results.get("unavailable_tools", {}).items():
        lines.append(f"Not measured: `{name}` could not be imported ({why}).  ")
    q = results.get("quality")
    sp = results.get("speed")
    if q:
        lines += [
            f"## Quality with known answers ({q['cases']} cases)",
            "",
            "Recall: inserted duplicates found (the copy or its original dropped), not "
            "counting isolated copies of paragraphs under 50 normalized characters, which "
            "dedup keeps by design like any short isolated repeat (a list item, a refrain); "
            "the next column counts them too. False-drop rate: "
            "content paragraphs lost (no complete copy left, or a hard negative / natural "
            "repeat dropped) per content paragraph. Restored: output equals the clean article.",
            "",
            "| tool | recall, noisy patterns | recall noisy, all lengths | recall, all duplication "
            "| false-drop rate | restored, double capture | restored, all cases "
            "| time on full view vs exact hash | dedup speed-up |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        ref = sp["same_sample"]["full"] if sp else {}
        dedup_ratio = ref.get("dedup_best", {}).get("ratio_to_reference")
        for name, entry in q["tools"].items():
            h = entry["headline"]
            speed_name = (
                name
                if name in ref
                else {"dedup_first": "dedup_best", "trafilatura_rep0": "trafilatura"}.get(name)
            )
            ratio = ref.get(speed_name, {}).get("ratio_to_reference") if speed_name else None
            speedup = ratio / dedup_ratio if ratio and dedup_ratio else None
            lines.append(
                f"| {name} | {fmt(h['recall_noisy'], 4, True)} "
                f"| {fmt(h['recall_noisy_all_lengths'], 4, True)} "
                f"| {fmt(h['recall_all'], 4, True)} | {fmt(h['false_drop_rate'], 4, True)} "
                f"| {fmt(h['restored_double_capture'], 4, True)} "
                f"| {fmt(h['restored_all'], 4, True)} "
                f"| {fmt(ratio)}x | {fmt(speedup)}x |"
            )
        lines += [
            "",
            "### Per pattern: recall (every copy, short isolated ones too) "
            "/ false-drop rate / restored",
            "",
            "| pattern | " + " | ".join(q["tools"]) + " |",
            "|---|" + "---|" * len(q["tools"]),
        ]
        for pattern in patterns.PATTERNS:
            cells = []
            for entry in q["tools"].values():
                s = entry["patterns"].get(pattern)
                if not s:
                    cells.append("–")
                    continue
                cells.append(
                    f"{fmt(s['recall'], 4, True)} / {fmt(s['false_drop_rate'], 4, True)} "
                    f"/ {fmt(s['restored'], 4, True)}"
                )
            n = next(iter(q["tools"].values()))["patterns"].get(pattern, {}).get("cases", 0)
            lines.append(f"| {pattern} (n={n}) | " + " | ".join(cells) + " |")
        if "dedup_best" in q["tools"]:
            lines += per_script_markdown(q["tools"]["dedup_best"]["patterns"])
    g = results.get("gold")
    if g:
        lines += [
            "",
            "## Agreement with human gold texts (`full` view)",
            "",
            "Gold kept: distinct gold lines with a copy left (the line, or its text inside a kept "
            "line). Boilerplate removed: non-gold "
            "lines dropped; repeated boilerplate: those whose text appeared earlier in the "
            "same input (all a deduplicator can remove).",
            "",
            "| tool | page: gold kept | page: boilerplate removed | page: repeated boilerplate "
            "removed | site: gold kept | site: boilerplate removed | site: repeated "
            "boilerplate removed |",
            "|---|---|---|---|---|---|---|",
        ]
        for name in g["page"]["tools"]:
            p = g["page"]["tools"][name]["total"]
            s = g["site"]["tools"][name]["total"]
            lines.append(
                f"| {name} | {fmt(p['gold_kept'], 4, True)} "
                f"| {fmt(p['boilerplate_removed'], 4, True)} "
                f"| {fmt(p['repeat_boilerplate_removed'], 4, True)} "
                f"| {fmt(s['gold_kept'], 4, True)} | {fmt(s['boilerplate_removed'], 4, True)} "
                f"| {fmt(s['repeat_boilerplate_removed'], 4, True)} |"
            )
        lines.append(
            f"\n{g['page']['units']} pages; {g['site']['units']} sites (pages of a site "
            "concatenated, in doc_id order). Per-site numbers are in results.json."
        )
    if g and "corpus" in g:
        lines += gold_corpus_markdown(g["corpus"])
    if sp:
        lines += [
            "",
            "## Speed (same pages for every tool, each in a fresh process)",
            "",
            "Ratio: the tool's time over the exact normalized-hash dedup's time on the same "
            "texts in the same process (lower is faster). Peak MB: peak traced by tracemalloc "
            "in one pass (Python and NumPy; not memory allocated inside Rust/C++ extensions).",
            "",
            "| view | tool | articles | MB | seconds | ratio to exact hash | articles/s | MB/s "
            "| p50 ms | p99 ms | peak MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for view, tools in sp["same_sample"].items():
            for name, r in tools.items():
                lines.append(
                    f"| {view} | {name} | {r['articles']} | {r['megabytes']} | {r['seconds']} "
                    f"| {r['ratio_to_reference']} | {r['articles_per_s']} | {r['mb_per_s']} "
                    f"| {r['latency_ms']['p50']} | {r['latency_ms']['p99']} "
                    f"| {r['peak_memory_mb']} |"
                )
        lines += [
            "",
            "### dedup.clean() throughput",
            "",
            "| view | articles | MB | articles/s | MB/s | ratio to exact hash | p50 ms | p90 ms "
            "| p99 ms | max ms | peak MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for view, r in sp["throughput"].items():
            lat = r["latency_ms"]
            lines.append(
                f"| {view} | {r['articles']} | {r['megabytes']} | {r['articles_per_s']} "
                f"| {r['mb_per_s']} | {r['ratio_to_reference']} | {lat['p50']} | {lat['p90']} "
                f"| {lat['p99']} | {lat['max']} | {r['peak_memory_mb']} |"
            )
    sc = results.get("scale")
    if sc:
        lines += [
            "",
            "## Scale",
            "",
            f"Method: {sc['method']}. `dedup batch` available at run time: "
            f"{sc['batch_available']}.",
            "",
            "| mode | factor | articles | MB | seconds | ratio to exact hash | MB/s | peak MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in sc["batch"]:
            lines.append(
                f"| batch --cross-doc | {r['factor']}x | {r['articles']} | {r['megabytes']} "
                f"| {r['seconds']} | {r['ratio_to_reference']} | {r['mb_per_s']} "
                f"| {r['peak_rss_mb']} (RSS) |"
            )
        for r in sc["clean"]:
            lines.append(
                f"| clean() per page | {r['factor']}x | {r['articles']} | {r['megabytes']} "
                f"| {r['seconds']} | {r['ratio_to_reference']} | {r['mb_per_s']} "
                f"| {r['peak_memory_mb']} (traced) |"
            )
    plots = results.get("plots", [])
    if plots:
        lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def per_script_markdown(per_pattern: dict) -> list[str]:
    """dedup_best's recall in scope and false drops per pattern and script of the article."""
    scripts = sorted({name.partition("#")[2] for name in per_pattern if "#" in name})
    lines = [
        "",
        "### dedup (`keep=\"best\"`) per script of the article: recall in scope "
        "/ false drops / content paragraphs",
        "",
        "| pattern | " + " | ".join(scripts) + " |",
        "|---|" + "---|" * len(scripts),
    ]
    for pattern in patterns.PATTERNS:
        cells = []
        for script in scripts:
            s = per_pattern.get(f"{pattern}#{script}")
            cells.append("–" if not s else f"{fmt(s['recall_in_scope'], 4, True)} / "
                         f"{s['false_drops']} / {s['content_paragraphs']}")
        lines.append(f"| {pattern} | " + " | ".join(cells) + " |")
    return lines


def gold_corpus_markdown(corpus: dict) -> list[str]:
    """The corpus-mode gold tables (gold.py's): dedup batch and the peers, the worst sites."""
    return gold.corpus_markdown(corpus, fmt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples, under 2 minutes")
    parser.add_argument("--data", default=None, help="the shared data (default ../shared/data)")
    parser.add_argument(
        "--out", default=None, help="where results go (results/, or results/quick/ with --quick)"
    )
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--skip", default="", help="comma-separated parts to skip: quality,gold,speed,scale"
    )
    parser.add_argument(
        "--tools", default="", help="comma-separated tools for the quality part (default: all)"
    )
    args = parser.parse_args(argv)
    root = data_dir(args.data)
    mode = "quick" if args.quick else "full"
    cfg = dict(SETTINGS[mode], tools=[t for t in args.tools.split(",") if t])
    skip = set(filter(None, args.skip.split(",")))
    started = time.time()
    results: dict = {
        "mode": mode,
        "seed": args.seed,
        "settings": cfg,
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "machine": f"{platform.machine()}, {platform.python_version()}",
    }
    pages = None
    if "quality" not in skip:
        results["quality"], pages = run_quality(root, cfg, args.seed)
    if "gold" not in skip:
        results["gold"] = run_gold(pages or load_pages(root), cfg, args.seed)
    pages = None
    if "speed" not in skip:
        results["speed"] = run_speed(root, cfg, args.seed)
    if "scale" not in skip:
        results["scale"] = run_scale(root, cfg, args.seed)
    results["unavailable_tools"] = dict(alternatives.UNAVAILABLE)
    results["runtime_s"] = round(time.time() - started, 1)
    out = Path(args.out) if args.out else HERE / "results" / ("quick" if args.quick else "")
    out.mkdir(parents=True, exist_ok=True)
    try:
        import plots

        results["plots"] = plots.draw(results, out)
    except ImportError as error:  # matplotlib missing: tables and JSON still written
        log(f"plots skipped: {error}")
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    log(f"wrote {out / 'results.md'}, results.json and plots in {results['runtime_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
