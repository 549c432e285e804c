"""Patterns of the world's pages: every script, short-line blocks, short teasers, doubled titles.

Built from real text, like :mod:`patterns`, with seeded random choices (several page
shapes, noise kinds, ellipsis and site-suffix styles), labelled the same way and scored by
:mod:`quality`:

- ``world_*``: the non-Latin pages of ``derived/pages.jsonl.gz`` (``main`` view; the case's
  source names the script: ``pages-zh``, ``pages-ja``, ``pages-ko``, ``pages-ru``,
  ``pages-ar``). ``world_double_capture``, ``world_partial_block``, ``world_isolated_exact``,
  ``world_width`` (a copy whose punctuation switches between full-width and half-width
  forms), ``world_one_char`` (one character changed, deleted or doubled), ``world_teaser``
  (the start of a paragraph, cut anywhere, with or without an ellipsis),
  ``world_heading`` (the first line doubled, maybe with a site name), and two negatives:
  ``world_short_lines`` (short lines of the same page's ``full`` view, menu items,
  captions and dates, each repeated in isolation) and ``world_numbers`` (a copy with one
  number changed: another fact).
- ``sport_box``: a BBC sport article with a fact box (fixture, table position, venue,
  referee, kick-off, line-ups, honours: short lines made from the article's own names and
  numbers) that holds one or two of its long paragraphs, captured twice: the box again
  right after itself or at the end, or the whole page twice; the second copy may miss a
  line or carry whitespace noise. Negative: ``sport_box_short`` (a box of short lines only,
  repeated: a table repeated on purpose stays).
- ``short_teaser``: a BBC paragraph's first 4-8 words ending in an ellipsis, above the
  article, below it, or next to the paragraph. Negative: ``lede_opening`` (the same words
  without an ellipsis before their paragraph: a headline opening its lede stays).
- ``doubled_headline``: a BBC title captured again within the first paragraphs, maybe in
  other case or punctuation or with a site name (``" | Site"``, ``" - Site"``, ``"Site: "``
  ...), maybe before the clean one. Negative: ``short_repeats`` (a short line of the
  article repeated far below the top, three times near the top, or as list items after a
  label).

Scope: an isolated copy is in scope when its paragraph is long (``dedup.lengths.text_length``
of the normalized text at least 50), when it is a teaser ending in an ellipsis with at
least five words, or when it is the title again within the first five paragraphs; the
rest is kept by design, as in :mod:`patterns`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from data import Article
from patterns import Case, Label, _key, _pairwise_clean, _whitespace, heading_like, script_of

from dedup.keys import normalize
from dedup.lengths import text_length, word_count

MIN_LENGTH = 50
WORLD = (
    "world_double_capture", "world_partial_block", "world_isolated_exact", "world_width",
    "world_one_char", "world_teaser", "world_heading",
)
WORLD_NEGATIVE = ("world_short_lines", "world_numbers")
ENGLISH = ("sport_box", "short_teaser", "doubled_headline")
ENGLISH_NEGATIVE = ("sport_box_short", "lede_opening", "short_repeats")
DUPLICATION = WORLD + ENGLISH
NEGATIVE = WORLD_NEGATIVE + ENGLISH_NEGATIVE
PATTERNS = DUPLICATION + NEGATIVE
BLOCKS = ("world_double_capture", "world_partial_block", "sport_box")

# Written for this benchmark: site names and the ways pages attach them to a title.
SITES = ("BBC News", "BBC Sport", "The Daily Courier", "Metro", "NewsNow", "Sky", "Reuters UK")
WORLD_SITES = ("新浪网", "新华网", "腾讯新闻", "ニュース", "연합뉴스", "Новости", "الأخبار")
SUFFIXES = (" | {}", " - {}", " – {}", " — {}", " :: {}", " · {}", " » {}", " / {}")
PREFIXES = ("{}: ", "{} | ", "{} - ")
WORLD_SUFFIXES = ("_{}", "｜{}", " - {}", "-{}", " | {}")
ELLIPSES = ("…", "...", " …", " ...", " [...]", " […]", "(...)")
WORLD_ELLIPSES = ("……", "…", "...", "⋯")
HALF_TO_FULL = {",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？",
                "(": "（", ")": "）", '"': "＂"}
FULL_TO_HALF = {v: k for k, v in HALF_TO_FULL.items()} | {"、": ",", "「": '"', "」": '"',
                                                          "«": '"', "»": '"', "،": ","}
ORDINALS = ("1st", "2nd", "3rd", "4th", "9th", "12th", "16th", "20th")
LEAGUES = ("PREM", "CHAMP", "LG1", "SPL", "LIGA")
TIMES = ("twice", "three times", "six times", "nine times")
_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")
_DIGIT = re.compile(r"\d")
_UNSPACED = re.compile("[\u0e00-\u0eff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def length(text: str) -> int:
    """dedup's script-aware length of the normalized text (the scope of isolated copies)."""
    return text_length(normalize(text))


def world_pages(pages: Sequence[dict[str, object]]) -> list[tuple[Article, str, list[str]]]:
    """Non-Latin pages: their clean paragraphs (at most 60), script and short lines of ``full``."""
    chosen = []
    for page in pages:
        main, full = page.get("main"), page.get("full")
        if not isinstance(main, str) or main.isascii():
            continue
        script = script_of(main[:5000])
        if script in ("latin", "other"):
            continue
        kept: list[str] = []
        keys: list[str] = []
        for line in main.splitlines():
            text = " ".join(line.split())
            key = _key(text)
            if not key or len(kept) >= 60:
                continue
            if all(_distinct(key, other) for other in keys):
                kept.append(text)
                keys.append(key)
        if len(kept) < 3 or not any(length(p) >= 2 * MIN_LENGTH for p in kept):
            continue
        inside = set(keys)
        short = sorted({" ".join(line.split()) for line in str(full or "").splitlines()})
        short = [s for s in short if s and 4 <= length(s) < MIN_LENGTH and _key(s)
                 and _key(s) not in inside and not any(_key(s) in k for k in keys)]
        name = f"{page['source']}/{page['doc_id']}"
        chosen.append((Article(name, tuple(kept)), script, short))
    return chosen


def _distinct(a: str, b: str) -> bool:
    """Neither a near copy nor a part of the other (``patterns._pairwise_clean`` of one pair)."""
    return _pairwise_clean([a, b])


def _width(text: str, rng: random.Random) -> str:
    table = FULL_TO_HALF if any(c in FULL_TO_HALF for c in text) else HALF_TO_FULL
    if rng.random() < 0.3:  # only some of them
        return "".join(table.get(c, c) if rng.random() < 0.5 else c for c in text)
    return "".join(table.get(c, c) for c in text)


def _one_char(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(letters)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    other = rng.choice([text[k] for k in letters if text[k] != text[i]] or ["x"])
    return text[:i] + other + text[i + 1 :]


def _cut(text: str, rng: random.Random, ellipses: Sequence[str]) -> str:
    """The start of ``text``, 40-80% of it, at a word boundary if it has spaces."""
    cut = text[: max(4, int(len(text) * rng.uniform(0.4, 0.8)))]
    if " " in cut and not _UNSPACED.search(cut[-4:]):
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:，、 ") + rng.choice((*ellipses, ""))


def _heading(title: str, rng: random.Random, world: bool) -> str:
    """The title as a page renders it again: other case or punctuation, or a site name."""
    choice = rng.random()
    if choice < 0.2:
        return title
    if choice < 0.35 and not world:
        return rng.choice((title.upper(), title.lower(), title.title()))
    if choice < 0.45:
        return title.rstrip("?!.") + rng.choice(("", "!", "?", " ")) if title[-1:] in "?!." else (
            f"“{title}”" if rng.random() < 0.5 else title + rng.choice(("!", " ")))
    site = rng.choice(WORLD_SITES if world else SITES)
    styles = WORLD_SUFFIXES if world else SUFFIXES
    if not world and rng.random() < 0.25:
        return rng.choice(PREFIXES).format(site) + title
    return title + rng.choice(styles).format(site)


def _box(article: Article, rng: random.Random) -> list[str]:
    """Short fact-box lines made from the names and numbers of a sport article."""
    names = sorted(set(_NAME.findall(article.text))) or ["Home Side", "Away Side"]
    pick = lambda: rng.choice(names)  # noqa: E731
    lines = [
        f"{pick()} {rng.randint(0, 4)}-{rng.randint(0, 4)} {pick()}",
        f"{rng.choice(ORDINALS)} {rng.choice(LEAGUES)}",
        f"WINNERS ({rng.choice(TIMES)})",
        f"Venue: {pick()}",
        f"Referee: {pick()}",
        f"Kick-off: {rng.randint(12, 20)}:{rng.choice(('00', '15', '30', '45'))} GMT",
        f"Attendance: {rng.randint(5, 75)},{rng.randint(100, 999)}",
        f"Goals: {pick()} {rng.randint(1, 90)}",
        "Line-ups",
        f"Subs: {pick()}",
        rng.choice(("Full-time", "FT", "Half-time: 1-0", "Match report")),
    ]
    lines = [line for line in lines if length(line) < MIN_LENGTH]
    rng.shuffle(lines)
    return lines[: rng.randint(4, len(lines))]


def _case(pattern: str, source: str, paras: Sequence[str], items: list[tuple[str, Label]],
          in_scope: Sequence[bool] | None, negative: bool) -> Case:
    texts = [t for t, _ in items]
    labels = [lab for _, lab in items]
    short = [length(t) < MIN_LENGTH for t in texts]
    if in_scope is None:  # an isolated copy: in scope when its paragraph is long
        in_scope = [lab.kind != "dup" or pattern in BLOCKS or (
            not short[i] and length(paras[lab.of]) >= MIN_LENGTH) for i, lab in enumerate(labels)]
    by_design = [lab.kind == "dup" and not in_scope[i] for i, lab in enumerate(labels)]
    expected = "\n".join(texts if negative else paras)
    return Case(pattern, source, "\n".join(paras), texts, labels, expected, short, by_design)


def make(pattern: str, article: Article, source: str, rng: random.Random,
         short_lines: Sequence[str] = ()) -> Case | None:
    """One case of ``pattern`` on ``article`` (``short_lines``: the page's menu lines)."""
    paras = list(article.paragraphs)
    items: list[tuple[str, Label]] = [(p, Label("orig", k)) for k, p in enumerate(paras)]
    body = list(range(1, len(paras)))
    long = [k for k in body if length(paras[k]) >= MIN_LENGTH]
    in_scope: list[bool] | None = None
    world = pattern.startswith("world_")
    if pattern == "world_double_capture":
        start = rng.choice((0, 1))
        items += [(paras[k], Label("dup", k)) for k in range(start, len(paras))]
    elif pattern == "world_partial_block":
        if len(body) < 3:
            return None
        size = rng.randint(2, min(4, len(body) - 1))
        first = rng.choice(body[: len(body) - size + 1])
        where = rng.randint(first + size, len(items))
        items[where:where] = [(paras[k], Label("dup", k)) for k in range(first, first + size)]
        # a run of short lines only is a chorus, which stays by design
        anchored = any(length(paras[k]) >= MIN_LENGTH for k in range(first, first + size))
        in_scope = [lab.kind != "dup" or anchored for _, lab in items]
    elif pattern in ("world_isolated_exact", "world_width", "world_one_char"):
        pool = long if pattern != "world_isolated_exact" else body
        if not pool:
            return None
        k = rng.choice(pool)
        text = {"world_isolated_exact": lambda t, r: t, "world_width": _width,
                "world_one_char": _one_char}[pattern](paras[k], rng)
        items.insert(rng.randint(0, len(items)), (text, Label("dup", k)))
    elif pattern in ("world_teaser", "short_teaser"):
        pool = long if world else [k for k in body if len(paras[k].split()) >= 12]
        if not pool:
            return None
        k = pool[0] if rng.random() < 0.6 else rng.choice(pool)
        if world:
            teaser = _cut(paras[k], rng, WORLD_ELLIPSES)
        else:
            words = paras[k].split()[: rng.randint(4, 8)]
            teaser = " ".join(words).rstrip(",;:") + rng.choice(ELLIPSES)
            if length(teaser) >= MIN_LENGTH:
                return None
        place = rng.random()
        where = 1 if place < 0.4 else len(items) if place < 0.6 else k + rng.choice((0, 2))
        items.insert(where, (teaser, Label("dup", k, complete=False)))
        cut = teaser.rstrip().endswith(("…", "...", "⋯", "]", ")"))
        ok = length(teaser) >= MIN_LENGTH or (cut and word_count(normalize(teaser)) >= 5)
        in_scope = [lab.kind != "dup" or ok for _, lab in items]
    elif pattern in ("world_heading", "doubled_headline"):
        title = paras[0]
        if not heading_like(title):
            return None
        copy = _heading(title, rng, world)
        if rng.random() < 0.3 and copy != title:  # the rendering with the site name comes first
            items.insert(0, (copy, Label("dup", 0)))
        else:
            items.insert(rng.randint(1, min(4, len(items))), (copy, Label("dup", 0)))
        in_scope = [True] * len(items)
    elif pattern == "world_short_lines":
        if not short_lines:
            return None
        for line in rng.sample(list(short_lines), min(3, len(short_lines))):
            for where in sorted(rng.sample(range(1, len(items) + 1), 2), reverse=True):
                items.insert(where, (line, Label("natural")))
    elif pattern == "world_numbers":
        numbered = [k for k in long if _DIGIT.search(paras[k])]
        if not numbered:
            return None
        k = rng.choice(numbered)
        digits = [m.start() for m in _DIGIT.finditer(paras[k])]
        at = rng.choice(digits)
        digit = str((int(paras[k][at]) + rng.randint(1, 8)) % 10)
        changed = paras[k][:at] + digit + paras[k][at + 1 :]
        items.insert(rng.randint(0, len(items)), (changed, Label("neg")))
    elif pattern in ("sport_box", "sport_box_short"):
        if not article.name.startswith("sport/") or len(body) < 4:
            return None
        lines = _box(article, rng)
        count = 0 if pattern == "sport_box_short" else min(len(long), rng.randint(1, 2))
        anchors = rng.sample(long, count)
        box = [(line, Label("natural" if anchors == [] else "orig", -1)) for line in lines]
        for k in sorted(anchors):
            box.insert(rng.randint(0, len(box)), (paras[k], Label("orig", k)))
        rest = [(p, Label("orig", k)) for k, p in enumerate(paras) if k not in anchors]
        at = rng.randint(1, len(rest))
        page = rest[:at] + box + rest[at:]
        paras = [t for t, _ in page]  # the clean page holds the box once
        page = [(t, Label(lab.kind, n) if lab.kind == "orig" else lab)
                for n, (t, lab) in enumerate(page)]
        first = at
        copy = [(t, Label("dup", first + n) if lab.kind == "orig" else Label("natural"))
                for n, (t, lab) in enumerate(page[first : first + len(box)])]
        if anchors and rng.random() < 0.3:  # the second capture misses a short line
            shorts = [n for n, (t, _) in enumerate(copy) if length(t) < MIN_LENGTH]
            del copy[rng.choice(shorts)]
        if anchors and rng.random() < 0.3:
            n = rng.randrange(len(copy))
            copy[n] = (_whitespace(copy[n][0], rng), copy[n][1])
        if pattern == "sport_box_short":
            items = page[:first + len(box)] + copy + page[first + len(box):]
            return _case(pattern, "bbc", paras, items, None, negative=True)
        shape = rng.random()
        if shape < 0.4:
            items = page[: first + len(box)] + copy + page[first + len(box) :]
        elif shape < 0.7:
            items = page + copy
        else:
            start = rng.choice((0, 1))
            items = page + [(t, Label("dup", n)) for n, (t, _) in enumerate(page) if n >= start]
        in_scope = [True] * len(items)
    elif pattern == "lede_opening":
        pool = [k for k in body if len(paras[k].split()) >= 12]
        if not pool:
            return None
        k = rng.choice(pool)
        opening = " ".join(paras[k].split()[: rng.randint(3, 7)]).rstrip(",;:")
        if length(opening) >= MIN_LENGTH:  # a teaser by the documented rule
            return None
        items.insert(k, (opening, Label("neg")))
    elif pattern == "short_repeats":
        line = " ".join(rng.choice(paras[1:]).split()[: rng.randint(2, 5)]).rstrip(",;:.")
        shape = rng.randrange(3)
        if shape == 0 and len(items) >= 8:  # once near the top, once far below
            spots = [rng.randint(1, 3), rng.randint(7, len(items))]
        elif shape == 1:  # a refrain: three times near the top
            spots = [1, 3, 5][: max(2, min(3, len(items) - 1))]
        else:  # list items after a label, at the top and again below
            items[1:1] = [("Key points:", Label("natural")), (line, Label("natural"))]
            spots = [rng.randint(4, len(items))]
        for where in sorted(spots, reverse=True):
            items.insert(min(where, len(items)), (line, Label("natural")))
    else:
        msg = f"unknown pattern {pattern}"
        raise ValueError(msg)
    negative = pattern in NEGATIVE
    return _case(pattern, source, paras, items, in_scope, negative)


def build_world_cases(bbc: Sequence[Article], pages: Sequence[dict[str, object]], *,
                      rounds: int, n_bbc: int, seed: int) -> list[Case]:
    """Every pattern of this module: ``rounds`` cases per world page, ``n_bbc`` BBC articles."""
    rng = random.Random(seed)
    world = world_pages(pages)
    sport = [a for a in bbc if a.name.startswith("sport/")]
    english = rng.sample(list(bbc), min(n_bbc, len(bbc)))
    sports = rng.sample(sport, min(n_bbc, len(sport)))
    cases: list[Case] = []
    for pattern in PATTERNS:
        if pattern.startswith("world_"):
            for _ in range(rounds):
                for article, script, short in world:
                    case = make(pattern, article, f"pages-{script}", rng, short)
                    if case is not None:
                        cases.append(case)
        else:
            for article in sports if pattern.startswith("sport_") else english:
                case = make(pattern, article, "bbc", rng)
                if case is not None:
                    cases.append(case)
    return cases



def main() -> None:
    """Print recall in scope and false drops of dedup per pattern and per script."""
    import argparse
    from pathlib import Path

    import alternatives
    import quality
    from data import DEFAULT_DATA, data_dir, load_bbc, load_pages

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=5, help="cases per world page and pattern")
    parser.add_argument("--bbc", type=int, default=100, help="BBC articles per pattern")
    parser.add_argument("--keep", default="best", choices=["best", "first", "last"])
    args = parser.parse_args()
    root = data_dir(args.data)
    cases = build_world_cases(load_bbc(root), load_pages(root), rounds=args.rounds,
                              n_bbc=args.bbc, seed=args.seed)
    per_pattern, _ = quality.evaluate(cases, alternatives.dedup_tool(args.keep))
    print("| pattern | source | cases | copies in scope | recall in scope | false drops |")
    print("|---|---|---:|---:|---:|---:|")
    for name in sorted(per_pattern):
        pattern, _, source = name.partition("@")
        if not source:
            continue
        s = per_pattern[name].summary()
        recall = "-" if s["recall_in_scope"] is None else f"{100 * s['recall_in_scope']:.1f}%"
        drops = f"{s['false_drops']} / {s['content_paragraphs']}"
        print(f"| {pattern} | {source} | {s['cases']} | {s['duplicates_in_scope']} | {recall} "
              f"| {drops} |")


if __name__ == "__main__":
    main()
