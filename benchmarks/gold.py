"""Agreement with the human gold texts: the ``full`` view (every visible block) cleaned by
each tool, scored against the ``gold`` view of the same pages.

A ``full`` line is *gold* when its normalized text (casefolded words) equals a gold
paragraph, or, being 20+ characters, occurs inside the gold text. Everything else is
*boilerplate* (navigation, footers, related links, comments...). Per tool:

- ``gold_kept``: share of distinct gold lines with a copy left in the output: the line
  itself, or (20+ characters) its normalized text inside a kept line (a copy with more
  text around it).
- ``boilerplate_removed``: share of boilerplate lines dropped.
- ``repeat_boilerplate_removed``: the same among boilerplate lines whose text already
  appeared earlier in the input, the only boilerplate a deduplicator can see.

Two modes: ``page`` cleans each page alone; ``site`` cleans the pages of one site (up to
``max_pages``) concatenated in one input, which shows site-level boilerplate (the same
menu on every page). Results hold counts, rates and domain names only.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from alternatives import Tool
from data import lines_of

_WORD = re.compile(r"\w+")


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def label_lines(lines: Sequence[str], gold: str) -> tuple[list[str], list[bool]]:
    gold_keys = [_key(p) for p in gold.splitlines() if p.strip()]
    gold_set = set(gold_keys)
    joined = " ".join(gold_keys)
    keys = [_key(line) for line in lines]
    labels = [bool(k) and (k in gold_set or (len(k) >= 20 and k in joined)) for k in keys]
    return keys, labels


class Counts:
    def __init__(self) -> None:
        self.gold = 0
        self.gold_kept = 0
        self.boiler = 0
        self.boiler_removed = 0
        self.repeat = 0
        self.repeat_removed = 0
        self.seconds = 0.0

    def add_unit(self, keys: Sequence[str], labels: Sequence[bool], kept: Sequence[bool]) -> None:
        gold_any: dict[str, bool] = defaultdict(bool)
        seen: set[str] = set()
        kept_text = "\n".join(k for k, keep in zip(keys, kept, strict=True) if keep)
        for key, is_gold, keep in zip(keys, labels, kept, strict=True):
            if is_gold:
                # kept: this line, or its text inside a kept line (a copy with more around it)
                gold_any[key] |= keep or (len(key) >= 20 and key in kept_text)
            else:
                self.boiler += 1
                self.boiler_removed += not keep
                if key in seen:
                    self.repeat += 1
                    self.repeat_removed += not keep
            seen.add(key)
        self.gold += len(gold_any)
        self.gold_kept += sum(gold_any.values())

    def summary(self) -> dict[str, float | int | None]:
        def rate(a: int, b: int) -> float | None:
            return round(a / b, 5) if b else None

        return {
            "gold_lines": self.gold,
            "gold_kept": rate(self.gold_kept, self.gold),
            "boilerplate_lines": self.boiler,
            "boilerplate_removed": rate(self.boiler_removed, self.boiler),
            "repeat_boilerplate_lines": self.repeat,
            "repeat_boilerplate_removed": rate(self.repeat_removed, self.repeat),
            "seconds": round(self.seconds, 3),
        }


def units(
    pages: Sequence[dict[str, object]], mode: str, limit: int, max_pages: int, seed: int
) -> list[tuple[str, list[str], list[str], list[bool]]]:
    """(domain, lines, keys, gold labels) per unit: a page, or a site's pages together."""
    usable = [
        p
        for p in pages
        if isinstance(p.get("gold"), str) and isinstance(p.get("full"), str) and p["full"]
    ]
    rng = random.Random(seed)
    out = []
    if mode == "page":
        chosen = rng.sample(usable, min(limit, len(usable))) if limit else usable
        for p in chosen:
            lines = lines_of(str(p["full"]))
            keys, labels = label_lines(lines, str(p["gold"]))
            out.append((str(p["domain"]), lines, keys, labels))
        return out
    by_site: dict[str, list[dict[str, object]]] = defaultdict(list)
    for p in usable:
        if p.get("domain"):
            by_site[str(p["domain"])].append(p)
    sites = sorted(d for d, ps in by_site.items() if len(ps) >= 2)
    if limit:
        sites = sorted(rng.sample(sites, min(limit, len(sites))))
    for domain in sites:
        group = sorted(by_site[domain], key=lambda p: str(p["doc_id"]))[:max_pages]
        lines, keys, labels = [], [], []
        for p in group:
            page_lines = lines_of(str(p["full"]))
            k, lab = label_lines(page_lines, str(p["gold"]))
            lines += page_lines
            keys += k
            labels += lab
        out.append((domain, lines, keys, labels))
    return out


def evaluate(
    unit_list: Sequence[tuple[str, list[str], list[str], list[bool]]], tool: Tool
) -> tuple[Counts, dict[str, dict[str, float | int | None]]]:
    total = Counts()
    per_domain: dict[str, Counts] = defaultdict(Counts)
    for domain, lines, keys, labels in unit_list:
        start = time.perf_counter()
        kept = tool(lines)
        elapsed = time.perf_counter() - start
        total.add_unit(keys, labels, kept)
        per_domain[domain].add_unit(keys, labels, kept)
        total.seconds += elapsed
        per_domain[domain].seconds += elapsed
    return total, {d: c.summary() for d, c in per_domain.items()}


# ------------------------------------------------------------------ corpus mode: dedup batch


def collection(source: str) -> str:
    """The collection a page's ``source`` belongs to: ``msv-big5-05`` -> ``msv``.

    The sets of one collection were crawled together; the same domain in two
    collections was captured years apart, with another template.
    """
    return source.split("-")[0]


GROUPINGS = ("collection", "domain")
"""How pages make sites: ``collection`` (default, the issue's 141 sites of 5+ pages) groups by
collection and domain; ``domain`` (the first construction: 150 sites) by domain alone."""


def site_groups(
    pages: Sequence[dict[str, object]], min_pages: int, max_pages: int | None = None,
    grouping: str = "collection",
) -> dict[str, list[dict[str, object]]]:
    """The sites with ``min_pages`` to ``max_pages`` pages that have gold texts, in doc_id order.

    A site is named ``collection/domain`` (``grouping="collection"``) or ``domain``.
    """
    by_site: dict[str, list[dict[str, object]]] = defaultdict(list)
    for p in pages:
        if isinstance(p.get("gold"), str) and isinstance(p.get("full"), str) and p["full"] \
                and p.get("domain"):
            name = str(p["domain"])
            if grouping == "collection":
                name = f"{collection(str(p['source']))}/{name}"
            by_site[name].append(p)
    return {
        site: sorted(group, key=lambda p: (str(p["doc_id"]), str(p["source"])))
        for site, group in sorted(by_site.items())
        if len(group) >= min_pages and (max_pages is None or len(group) <= max_pages)
    }


def page_id(page: dict[str, object]) -> str:
    return f"{page['source']}/{page['doc_id']}"


def write_site_corpus(groups: dict[str, list[dict[str, object]]], path: Path) -> None:
    """One JSON line per page: ``id``, ``site`` (its site name) and ``text`` (the ``full`` view)."""
    with path.open("w", encoding="utf-8") as out:
        for site, group in groups.items():
            for p in group:
                out.write(json.dumps({"id": page_id(p), "site": site, "text": p["full"]}) + "\n")


def batch_flags(
    groups: dict[str, list[dict[str, object]]], options: Sequence[str], work: Path
) -> tuple[dict[str, list[bool]], float]:
    """Run ``dedup batch`` on the sites' pages; keep flags per page id and the wall time."""
    source = work / "in"
    source.mkdir(parents=True, exist_ok=True)
    write_site_corpus(groups, source / "pages.jsonl")
    report = work / "report.jsonl"
    command = [sys.executable, "-m", "dedup", "batch", str(source), str(work / "out"),
               "--dry-run", "--quiet", "--report", str(report), "--report-mode", "full",
               *options]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    flags = {}
    with report.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            flags[record["id"]] = [bool(p["kept"]) for p in record["paragraphs"]]
    return flags, seconds


def score_pages(
    groups: dict[str, list[dict[str, object]]], flags: dict[str, list[bool]]
) -> tuple[Counts, dict[str, Counts]]:
    """Score each page alone with its kept flags: a gold line must survive on its own page."""
    total = Counts()
    per_site: dict[str, Counts] = defaultdict(Counts)
    for site, group in groups.items():
        for p in group:
            lines = lines_of(str(p["full"]))
            keys, labels = label_lines(lines, str(p["gold"]))
            kept = flags[page_id(p)]
            if len(kept) != len(lines):
                msg = f"dedup split {page_id(p)} differently from the benchmark"
                raise RuntimeError(msg)
            total.add_unit(keys, labels, kept)
            per_site[site].add_unit(keys, labels, kept)
    return total, per_site


SLOW_ON_SITES = {"rapidfuzz", "datasketch"}
"""Peers left out of the corpus mode: all pairs (rapidfuzz) or pure Python MinHash
(datasketch) over a whole site's lines take hours; rensa runs the same LSH."""


def site_tool_flags(
    groups: dict[str, list[dict[str, object]]], tool: Tool
) -> dict[str, list[bool]]:
    """Run a line tool on each site's pages concatenated; split its flags back per page."""
    flags: dict[str, list[bool]] = {}
    for group in groups.values():
        lines = [lines_of(str(p["full"])) for p in group]
        kept = tool([line for page in lines for line in page])
        start = 0
        for p, page in zip(group, lines, strict=True):
            flags[page_id(p)] = list(kept[start:start + len(page)])
            start += len(page)
    return flags


def exact_count_flags(
    groups: dict[str, list[dict[str, object]]], min_docs: int
) -> dict[str, list[bool]]:
    """The plain rule: drop every line whose text (``exact_hash``'s key) is on ``min_docs``+
    pages of its site, wherever it stands."""
    from alternatives import exact_key

    flags: dict[str, list[bool]] = {}
    for group in groups.values():
        keys = [[exact_key(line) for line in lines_of(str(p["full"]))] for p in group]
        docs = Counter(k for page in keys for k in set(page))
        for p, page in zip(group, keys, strict=True):
            flags[page_id(p)] = [docs[k] < min_docs for k in page]
    return flags


def worst_sites(
    groups: dict[str, list[dict[str, object]]], report: Path, per_site: dict[str, Counts],
    count: int = 10,
) -> list[dict[str, object]]:
    """The sites with the most gold lost, and why: the rules that dropped their gold lines."""
    why: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    gold_of = {page_id(p): str(p["gold"]) for g in groups.values() for p in g}
    with report.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            rows = record["paragraphs"]
            _, labels = label_lines([r["text"] for r in rows], gold_of[record["id"]])
            for row, is_gold in zip(rows, labels, strict=True):
                if is_gold and not row["kept"]:
                    reason = row["boilerplate_rule"] or row["reason"]
                    why[record["site"]][str(reason)] += 1
    ranked = sorted(per_site, key=lambda s: (per_site[s].gold_kept / max(per_site[s].gold, 1), s))
    return [{"site": s, "pages": len(groups[s]), **per_site[s].summary(),
             "gold_lines_dropped_by": dict(why[s])}
            for s in ranked[:count]]


def construction(
    pages: Sequence[dict[str, object]], thresholds: Sequence[int],
    groups: dict[str, list[dict[str, object]]], worst_at: int = 3, peers: bool = True,
) -> dict[str, object]:
    """dedup batch at each threshold, exact per-site counting, and the peers on ``groups``."""
    import tempfile

    from alternatives import tools

    out: dict[str, object] = {"sites": len(groups), "pages": sum(map(len, groups.values()))}
    table: dict[str, object] = {}
    for n in thresholds:
        with tempfile.TemporaryDirectory(prefix="gold-corpus-") as tmp:
            flags, seconds = batch_flags(
                groups, ["--site-field", "site", "--boilerplate-min-docs", str(n)], Path(tmp))
            total, per_site = score_pages(groups, flags)
            total.seconds = seconds
            entry: dict[str, object] = {"total": total.summary()}
            if n == worst_at:
                entry["worst_sites"] = worst_sites(groups, Path(tmp) / "report.jsonl", per_site)
            table[f"dedup batch --boilerplate-min-docs {n}"] = entry
    for n in thresholds:
        total, _ = score_pages(groups, exact_count_flags(groups, n))
        table[f"exact per-site counting, {n} documents"] = {"total": total.summary()}
    if peers:
        for name, tool in tools().items():
            if name in SLOW_ON_SITES:
                continue
            total, _ = score_pages(groups, site_tool_flags(groups, tool))
            table[f"{name} (site pages concatenated)"] = {"total": total.summary()}
    out["tools"] = table
    return out


def corpus_mode(pages: Sequence[dict[str, object]], thresholds: Sequence[int],
                min_pages: int = 5, grouping: str = "collection",
                held_out: bool = True) -> dict[str, object]:
    """``dedup batch --site-field site --boilerplate-min-docs N`` and the peers, scored per page.

    The main construction: sites (``grouping``) with ``min_pages``+ gold pages. The held-out
    one, never tuned on: the sites of the same grouping with 3 to ``min_pages - 1`` pages
    (other pages, other sites, fewer pages per site).
    """
    out: dict[str, object] = {
        "grouping": grouping,
        "main": construction(pages, thresholds, site_groups(pages, min_pages, None, grouping)),
    }
    if held_out and min_pages > 3:
        out["held_out"] = construction(
            pages, thresholds, site_groups(pages, 3, min_pages - 1, grouping), peers=False)
    return out


def corpus_markdown(corpus: dict, fmt: Callable[..., str]) -> list[str]:
    """The corpus-mode tables: each construction's tools, then the worst sites."""
    lines: list[str] = []
    for part, title in (("main", "sites with 5+ pages"), ("held_out", "held out: 3-4 pages")):
        if part not in corpus:
            continue
        c = corpus[part]
        lines += [
            "",
            f"## Site boilerplate against the gold texts ({title})",
            "",
            f"{c['sites']} sites ({corpus['grouping']} and domain) with gold ({c['pages']} "
            "pages), one JSON line per page (`full` view), `dedup batch --site-field site "
            "--boilerplate-min-docs N`; peers see each site's pages concatenated. Scored per "
            "page: a gold line counts as kept only on its own page.",
            "",
            "| tool | gold kept | non-gold removed | non-gold repeated in its page removed |",
            "|---|---|---|---|",
        ]
        for name, entry in c["tools"].items():
            t = entry["total"]
            lines.append(f"| {name} | {fmt(t['gold_kept'], 4, True)} "
                         f"| {fmt(t['boilerplate_removed'], 4, True)} "
                         f"| {fmt(t['repeat_boilerplate_removed'], 4, True)} |")
        for name, entry in c["tools"].items():
            if "worst_sites" not in entry:
                continue
            lines += ["", f"Worst sites for {name} (gold lines dropped, by rule):", "",
                      "| site | pages | gold lines | gold kept | non-gold removed | dropped by |",
                      "|---|---|---|---|---|---|"]
            for w in entry["worst_sites"]:
                why = ", ".join(f"{k} {v}" for k, v in sorted(w["gold_lines_dropped_by"].items()))
                lines.append(f"| {w['site']} | {w['pages']} | {w['gold_lines']} "
                             f"| {fmt(w['gold_kept'], 4, True)} "
                             f"| {fmt(w['boilerplate_removed'], 4, True)} | {why} |")
    return lines


if __name__ == "__main__":
    import argparse

    from data import data_dir, load_pages

    parser = argparse.ArgumentParser(description="gold agreement of site boilerplate")
    parser.add_argument("--data", default=None)
    parser.add_argument("--thresholds", default="2,3,5")
    parser.add_argument("--min-pages", type=int, default=5)
    parser.add_argument("--grouping", choices=GROUPINGS, default="collection",
                        help="sites by collection and domain (default) or by domain alone")
    parser.add_argument("--no-held-out", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="tables instead of JSON")
    args = parser.parse_args()
    result = corpus_mode(load_pages(data_dir(args.data)),
                         [int(t) for t in args.thresholds.split(",")], args.min_pages,
                         args.grouping, not args.no_held_out)
    if args.markdown:
        from run import fmt

        print("\n".join(corpus_markdown(result, fmt)))
    else:
        print(json.dumps(result, indent=1))
