"""PNG plots of the results (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
from patterns import DUPLICATION


def draw(results: dict, out: Path) -> list[str]:
    written = []
    for name, fn in (
        ("quality.png", _quality),
        ("speed.png", _speed),
        ("gold.png", _gold),
        ("scale.png", _scale),
    ):
        fig = fn(results)
        if fig is None:
            continue
        fig.savefig(out / name, dpi=110, bbox_inches="tight")
        plt.close(fig)
        written.append(name)
    return written


def _quality(results: dict):
    q = results.get("quality")
    if not q:
        return None
    tools = list(q["tools"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5.5), width_ratios=[3, 1])
    width = 0.8 / len(tools)
    for n, name in enumerate(tools):
        pats = q["tools"][name]["patterns"]
        values = [(pats.get(p, {}).get("recall") or 0.0) * 100 for p in DUPLICATION]
        left.bar([i + n * width for i in range(len(DUPLICATION))], values, width, label=name)
    left.set_xticks([i + 0.4 - width / 2 for i in range(len(DUPLICATION))])
    left.set_xticklabels(DUPLICATION, rotation=35, ha="right")
    left.set_ylabel("recall (%)")
    left.set_title("Duplicates found, per pattern")
    left.axhline(98, color="grey", linestyle=":", linewidth=1)
    left.legend(fontsize=8, ncol=8, loc="upper center", bbox_to_anchor=(0.5, -0.3))
    rates = [(q["tools"][t]["headline"]["false_drop_rate"] or 0.0) * 100 for t in tools]
    right.barh(tools, rates, color="tab:red")
    right.axvline(0.1, color="grey", linestyle=":", linewidth=1)
    right.set_xlabel("false-drop rate (%), target <= 0.1%")
    right.set_title("Content lost")
    right.invert_yaxis()
    fig.tight_layout()
    return fig


def _speed(results: dict):
    sp = results.get("speed")
    if not sp:
        return None
    views = list(sp["same_sample"])
    tools = list(sp["same_sample"][views[0]])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(views)
    for n, view in enumerate(views):
        ratios = [sp["same_sample"][view][t]["ratio_to_reference"] for t in tools]
        ax.bar([i + n * width for i in range(len(tools))], ratios, width, label=f"{view} view")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(tools))])
    ax.set_xticklabels(tools)
    ax.set_yscale("log")
    ax.set_ylabel("time / exact-hash time (log, lower is faster)")
    ax.set_title("Time on the same pages, as a ratio to the exact-hash reference")
    ax.legend()
    fig.tight_layout()
    return fig


def _gold(results: dict):
    g = results.get("gold")
    if not g:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for ax, mode in zip(axes, ("page", "site"), strict=True):
        for name, entry in g[mode]["tools"].items():
            t = entry["total"]
            x = (t["repeat_boilerplate_removed"] or 0.0) * 100
            y = (t["gold_kept"] or 0.0) * 100
            ax.scatter(x, y, s=40)
            ax.annotate(name, (x, y), fontsize=8, xytext=(4, 2), textcoords="offset points")
        ax.set_xlabel("repeated boilerplate removed (%)")
        ax.set_title(f"{mode} mode ({g[mode]['units']} {mode}s)")
    axes[0].set_ylabel("gold lines kept (%)")
    fig.tight_layout()
    return fig


def _scale(results: dict):
    sc = results.get("scale")
    if not sc or not (sc.get("batch") or sc.get("clean")):
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    series = [("batch", "dedup batch --cross-doc", "peak_rss_mb", "peak RSS")]
    series.append(("clean", "clean() per page", "peak_memory_mb", "traced peak"))
    for key, label, memory, memory_label in series:
        pts = sc.get(key) or []
        if not pts:
            continue
        mb = [p["megabytes"] for p in pts]
        left.plot(mb, [p["seconds"] for p in pts], "o-", label=label)
        right.plot(mb, [p[memory] for p in pts], "o-", label=f"{label} ({memory_label})")
        for p in pts:
            left.annotate(f"{p['factor']}x", (p["megabytes"], p["seconds"]), fontsize=8)
        if key == "clean":
            ref = [p["reference_seconds"] for p in pts]
            left.plot(mb, ref, "s--", label="exact hash (reference)")
    left.set_xlabel("corpus size (MB)")
    left.set_ylabel("seconds")
    left.set_title("Time")
    left.legend(fontsize=8)
    right.set_xlabel("corpus size (MB)")
    right.set_ylabel("MB")
    right.set_title("Peak memory")
    right.legend(fontsize=8)
    fig.suptitle("The main view enlarged 1x / 4x / 16x (re-sampled pages with perturbation)")
    fig.tight_layout()
    return fig
