"""The labelled quality set: real clean articles, duplicated the way scrapers duplicate.

Every case starts from a clean article (a BBC article, or a page's ``main`` text with no
repeated or near-repeated paragraph) and applies one pattern. Each input paragraph gets a
label, so a cleaner's keep/drop flags can be scored without any judgement call:

- ``orig``: paragraph ``k`` of the clean article.
- ``dup``: an inserted copy of paragraph ``k``. ``complete`` copies (exact, noisy, with a
  short fragment appended) carry all of ``k``'s content; teasers do not.
- ``neg``: a hard negative (similar to another paragraph but different content) and
  ``natural``: a legitimate repeat. Both must survive.

Patterns (see README.md for the reasoning behind each):

- ``double_capture``: the whole body (sometimes with the headline) captured twice.
- ``double_capture_noisy``: the second capture comes from another rendering of the page:
  about half of its paragraphs differ in whitespace, quotes or entities.
- ``partial_block``: 2-4 consecutive paragraphs captured again elsewhere (pagination
  overlap, "continue reading" blocks).
- ``teaser``: the lead paragraph truncated (80-200 characters, with or without an
  ellipsis) above the article or below it, as summary boxes and listings do.
- ``repeated_title``: the headline captured twice (h1 plus og:title or a breadcrumb).
- ``isolated_exact``: one paragraph repeated verbatim somewhere else.
- ``noisy_whitespace``, ``noisy_quotes``, ``noisy_entities``, ``noisy_typo``,
  ``noisy_fragment``: one or two paragraphs repeated anywhere with that kind of noise.
- ``isolated_near``: a copy with two kinds of noise, at least three paragraphs away.
- ``hard_negative_corpus``: a similar paragraph mined from another BBC article, inserted
  next to the paragraph it resembles.
- ``hard_negative_mrpc``: both sentences of an MRPC pair labelled "not a paraphrase".
- ``natural_repeat``: short lines an article legitimately repeats (separators, refrains,
  Q&A labels), written for this benchmark.

The sampling is seeded; the same seed gives the same cases. Noise never changes digits
(a changed number is a changed fact, not a copy).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from data import Article
from rapidfuzz import fuzz

from dedup.keys import normalize
from dedup.lengths import word_count

NOISY = (
    "noisy_whitespace",
    "noisy_quotes",
    "noisy_entities",
    "noisy_typo",
    "noisy_fragment",
    "isolated_near",
    "double_capture_noisy",
)
DUPLICATION = (
    "double_capture",
    "double_capture_noisy",
    "partial_block",
    "teaser",
    "repeated_title",
    "isolated_exact",
    "noisy_whitespace",
    "noisy_quotes",
    "noisy_entities",
    "noisy_typo",
    "noisy_fragment",
    "isolated_near",
)
NEGATIVE = ("hard_negative_corpus", "hard_negative_mrpc", "natural_repeat")
# Patterns that copy runs of paragraphs; the others insert one paragraph in isolation.
BLOCKS = ("double_capture", "double_capture_noisy", "partial_block")
# dedup's documented minimum (``min_length``): an isolated repeat of a shorter paragraph
# is kept, as a list item, a refrain or a table line repeated on purpose must be. Copies
# of such paragraphs are scored apart ("by design"), for every tool alike.
MIN_LENGTH = 50
PATTERNS = DUPLICATION + NEGATIVE

# Written for this benchmark: what scrapers glue onto a copied paragraph.
FRAGMENTS_AFTER = (
    " Read more",
    " Continue reading",
    " (Reuters)",
    " Click here to subscribe.",
    " Advertisement",
    " Share this article",
    " [Updated]",
    " - Read the full story",
)
FRAGMENTS_BEFORE = ("UPDATED: ", "Editor's pick: ", "Key point: ", "Summary: ")
# Written for this benchmark: short lines that articles repeat on purpose.
NATURAL_SEPARATORS = ("* * *", "***", "#", "~")
NATURAL_REFRAINS = (
    ("Hold the line, hold the line.", "We will not be moved."),
    ("Question:", "Answer:"),
    ("Round one.", "Round two."),
    ("Yes.", "No."),
)


@dataclass(frozen=True)
class Label:
    kind: str  # orig | dup | neg | natural
    of: int = -1  # for orig and dup: the paragraph of the clean article
    complete: bool = True  # for dup: holds all of the paragraph's content


@dataclass
class Case:
    pattern: str
    source: str
    original: str  # the clean article, one paragraph per line
    paragraphs: list[str]
    labels: list[Label]
    expected: str = ""  # what a perfect cleaner returns
    short: list[bool] = field(default_factory=list)  # per input paragraph: key < 50 chars
    # per input paragraph: an isolated copy of a short paragraph, which dedup keeps by design
    by_design: list[bool] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


# ---------------------------------------------------------------- noise


def _swap_quotes(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        table = {"'": "’", '"': "“", "-": "–"}
        out = []
        opened = False
        for char in text:
            if char == '"':
                out.append("”" if opened else "“")
                opened = not opened
            else:
                out.append(table.get(char, char))
        return "".join(out)
    table = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
    straight = "".join(table.get(c, c) for c in text)
    if straight != text:
        return straight
    return text.replace("'", "’").replace(" - ", " — ")


def _whitespace(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        if len(words) < 2:
            break
        i = rng.randrange(len(words) - 1)
        words[i] = words[i] + rng.choice((" ", "\u00a0", "\t"))
    out = " ".join(words)
    return rng.choice(("", " ", "  ", "\u00a0")) + out + rng.choice(("", " ", "\t"))


def _entities(text: str, rng: random.Random) -> str:
    out = text.replace("&", "&amp;")
    choice = rng.random()
    if choice < 0.4:
        out = out.replace("'", "&#39;").replace('"', "&quot;")
    elif choice < 0.7:
        out = out.replace("'", "&#8217;").replace('"', "&#8220;")
    if out == text:
        spaces = [m.start() for m in re.finditer(" ", out)]
        for pos in sorted(rng.sample(spaces, min(2, len(spaces))), reverse=True):
            out = out[:pos] + "&nbsp;" + out[pos + 1 :]
    return out


def _typos(text: str, rng: random.Random) -> str:
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    edits = max(1, min(3, len(text) // 100))
    for _ in range(edits):
        letters = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(letters) < 2:
            break
        i = rng.choice(letters)
        kind = rng.randrange(4)
        if kind == 0 and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == 1:
            del chars[i]
        elif kind == 2:
            chars[i] = rng.choice("etaoinshrdlu")
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def _fragment(text: str, rng: random.Random) -> str:
    if rng.random() < 0.75:
        return text + rng.choice(FRAGMENTS_AFTER)
    return rng.choice(FRAGMENTS_BEFORE) + text


NOISE = {
    "whitespace": _whitespace,
    "quotes": _swap_quotes,
    "entities": _entities,
    "typo": _typos,
    "fragment": _fragment,
}
FORMATTING = ("whitespace", "quotes", "entities")


def teaser_of(text: str, rng: random.Random) -> str:
    """The start of ``text`` cut at a word boundary, 80-200 characters, maybe with an ellipsis."""
    limit = min(rng.randint(80, 200), int(len(text) * 0.8))
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + rng.choice(("...", "…", " …", "", " [...]"))


# ---------------------------------------------------------------- hard negatives

_WORD = re.compile(r"\w+")


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def script_of(text: str) -> str:
    """The dominant script of ``text``: zh, ja, ko, ru, ar, latin or other."""
    counts = {"han": 0, "kana": 0, "ko": 0, "ru": 0, "ar": 0, "latin": 0, "other": 0}
    for char in text:
        o = ord(char)
        if not char.isalpha():
            continue
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            counts["han"] += 1
        elif 0x3040 <= o <= 0x30FF:
            counts["kana"] += 1
        elif 0xAC00 <= o <= 0xD7AF:
            counts["ko"] += 1
        elif 0x400 <= o <= 0x4FF:
            counts["ru"] += 1
        elif 0x600 <= o <= 0x6FF:
            counts["ar"] += 1
        elif o < 0x250:
            counts["latin"] += 1
        else:
            counts["other"] += 1
    cjk = counts.pop("han") + counts["kana"]
    kana = counts.pop("kana")
    counts["ja" if kana > 0.1 * max(cjk, 1) else "zh"] = cjk
    return max(counts, key=lambda name: counts[name])


class NegativeMiner:
    """Finds, for a paragraph, a similar but different paragraph of another article.

    Candidates share at least two word trigrams (trigrams in more than 100 paragraphs are
    ignored). Among them the most similar one with ``fuzz.ratio`` in [50, 80) and
    ``fuzz.partial_ratio`` below 80 is taken: above that, without a human label, the
    pair may well be the same paragraph. MRPC supplies the human-labelled harder pairs.
    """

    def __init__(self, articles: Sequence[Article]) -> None:
        self.paragraphs: list[tuple[int, str, str]] = []
        postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for a, article in enumerate(articles):
            for text in article.paragraphs[1:]:
                key = _key(text)
                if len(key) < 50:
                    continue
                n = len(self.paragraphs)
                self.paragraphs.append((a, text, key))
                for gram in set(self._grams(key)):
                    postings[gram].append(n)
        self.postings = {g: p for g, p in postings.items() if len(p) <= 100}

    @staticmethod
    def _grams(key: str) -> list[tuple[str, ...]]:
        words = key.split()
        return [tuple(words[i : i + 3]) for i in range(len(words) - 2)]

    def similar(self, text: str, article: int) -> str | None:
        key = _key(text)
        if len(key) < 50:
            return None
        counts: Counter[int] = Counter()
        for gram in set(self._grams(key)):
            counts.update(self.postings.get(gram, ()))
        best, best_score = None, 0.0
        for n, shared in counts.most_common(50):
            if shared < 2:
                break
            other_article, other, other_key = self.paragraphs[n]
            if other_article == article:
                continue
            score = fuzz.ratio(key, other_key)
            if 50 <= score < 80 and fuzz.partial_ratio(key, other_key) < 80 and score > best_score:
                best, best_score = other, score
        return best


# ---------------------------------------------------------------- generator


class Generator:
    def __init__(
        self,
        rng: random.Random,
        miner: NegativeMiner | None,
        mrpc: Sequence[tuple[str, str]],
        bbc_index: dict[str, int],
    ) -> None:
        self.rng = rng
        self.miner = miner
        self.mrpc = mrpc
        self.bbc_index = bbc_index

    def make(self, pattern: str, article: Article, source: str) -> Case | None:
        rng = self.rng
        paras = list(article.paragraphs)
        items: list[tuple[str, Label]] = [(p, Label("orig", k)) for k, p in enumerate(paras)]
        body = list(range(1, len(paras)))
        if pattern == "double_capture":
            start = 0 if rng.random() < 0.5 else 1
            items += [(paras[k], Label("dup", k)) for k in range(start, len(paras))]
        elif pattern == "double_capture_noisy":
            start = 0 if rng.random() < 0.5 else 1
            for k in range(start, len(paras)):
                text = paras[k]
                if rng.random() < 0.5:
                    text = NOISE[rng.choice(FORMATTING)](text, rng)
                items.append((text, Label("dup", k)))
        elif pattern == "partial_block":
            if len(body) < 3:
                return None
            size = rng.randint(2, min(4, len(body) - 1))
            first = rng.choice(body[: len(body) - size + 1])
            block = [(paras[k], Label("dup", k)) for k in range(first, first + size)]
            where = rng.randint(first + size, len(items))
            items[where:where] = block
        elif pattern == "teaser":
            leads = [k for k in body if len(paras[k]) >= 100]
            if not leads:
                return None
            k = leads[0] if rng.random() < 0.7 else rng.choice(leads)
            teaser = (teaser_of(paras[k], rng), Label("dup", k, complete=False))
            where = 1 if rng.random() < 0.6 else len(items)
            items.insert(where, teaser)
        elif pattern == "repeated_title":
            where = 1 if rng.random() < 0.5 else len(items)
            items.insert(where, (paras[0], Label("dup", 0)))
        elif pattern == "isolated_exact":
            k = rng.choice(body)
            items.insert(rng.randint(0, len(items)), (paras[k], Label("dup", k)))
        elif pattern.startswith("noisy_"):
            noise = NOISE[pattern.removeprefix("noisy_")]
            for k in rng.sample(body, min(len(body), rng.randint(1, 2))):
                copy = (noise(paras[k], rng), Label("dup", k))
                items.insert(rng.randint(0, len(items)), copy)
        elif pattern == "isolated_near":
            if len(paras) < 5:
                return None
            k = rng.choice(body)
            first, second = rng.sample([*FORMATTING, "typo", "fragment"], 2)
            text = NOISE[second](NOISE[first](paras[k], rng), rng)
            far = [i for i in range(len(items) + 1) if abs(i - k) >= 3]
            items.insert(rng.choice(far), (text, Label("dup", k)))
        elif pattern == "hard_negative_corpus":
            if self.miner is None or source != "bbc":
                return None
            own = self.bbc_index[article.name]
            found = 0
            inserted: set[str] = set()
            for k in rng.sample(body, len(body)):
                other = self.miner.similar(paras[k], own)
                if other is None or other in inserted or other in paras:
                    continue
                inserted.add(other)
                where = next(i for i, (_, lab) in enumerate(items) if lab == Label("orig", k))
                items.insert(where + 1, (other, Label("neg")))
                found += 1
                if found == 2:
                    break
            if not found:
                return None
        elif pattern == "hard_negative_mrpc":
            one, two = self.mrpc[rng.randrange(len(self.mrpc))]
            first = rng.randint(1, len(items))
            items.insert(first, (one, Label("neg")))
            second = first + 1 if rng.random() < 0.5 else rng.randint(first + 1, len(items))
            items.insert(second, (two, Label("neg")))
        elif pattern == "natural_repeat":
            if rng.random() < 0.5:
                sep = rng.choice(NATURAL_SEPARATORS)
                for where in sorted(
                    rng.sample(range(2, len(items) + 1), min(3, len(items) - 1)), reverse=True
                ):
                    items.insert(where, (sep, Label("natural")))
            else:
                lines = rng.choice(NATURAL_REFRAINS)
                for where in sorted(
                    rng.sample(range(1, len(items) + 1), min(2, len(items))), reverse=True
                ):
                    items[where:where] = [(line, Label("natural")) for line in lines]
        else:
            msg = f"unknown pattern {pattern}"
            raise ValueError(msg)
        texts = [t for t, _ in items]
        labels = [lab for _, lab in items]
        expected = texts if pattern in NEGATIVE else paras
        short = [len(_key(t)) < MIN_LENGTH for t in texts]
        isolated = pattern not in BLOCKS
        # a run copied together with no long paragraph in it is a chorus, kept by design
        copied = {lab.of for lab in labels if lab.kind == "dup"}
        chorus = not isolated and all(len(_key(paras[k])) < MIN_LENGTH for k in copied)
        by_design = [
            lab.kind == "dup" and (chorus or (isolated and (
                short[i] or len(_key(paras[lab.of])) < MIN_LENGTH)))
            for i, lab in enumerate(labels)
        ]
        if pattern == "repeated_title":
            by_design = [d and not _doubled_heading(texts, i) for i, d in enumerate(by_design)]
        return Case(
            pattern, source, "\n".join(paras), texts, labels, "\n".join(expected), short, by_design
        )


def heading_like(text: str) -> bool:
    """The documented shape of a heading: two words or more, no list mark, no sentence end."""
    stripped = text.rstrip()
    return (word_count(normalize(text)) >= 2 and not _LIST_ITEM.match(text)
            and not stripped.endswith((".", ":", ";", ",", "。", "：", "；", "，")))


def _doubled_heading(texts: Sequence[str], i: int) -> bool:
    """Whether copy ``i`` of the title (``texts[0]``) is a doubled heading by the README's rule.

    The title is heading-like, and the copy comes right after it, or is the last
    paragraph with prose (a paragraph of ``MIN_LENGTH``) among the two before it
    and no label (``:``) right before it. A short line repeated elsewhere, after a
    label or among short lines only (a refrain, a list, a fixture table) is kept by
    design, for every tool alike.
    """
    if not heading_like(texts[0]):
        return False
    if i == 1:
        return True
    before = texts[max(1, i - 2) : i]
    return (i == len(texts) - 1 and not texts[i - 1].rstrip().endswith(":")
            and any(len(_key(t)) >= MIN_LENGTH for t in before))


_LIST_ITEM = re.compile(r"\s*(?:[-*•·–—+>#]|\d{1,3}[.)])\s")


def clean_pages(
    pages: Sequence[dict[str, object]], rng: random.Random, limit: int
) -> list[Article]:
    """Pages whose ``main`` text is clean: 3-60 paragraphs, no pair of paragraphs with the same
    normalized text or ``fuzz.ratio`` >= 70 or one contained in another (partial_ratio >= 90).
    """
    chosen: list[Article] = []
    order = list(range(len(pages)))
    rng.shuffle(order)
    for i in order:
        main = pages[i].get("main")
        if not isinstance(main, str):
            continue
        paras = [" ".join(line.split()) for line in main.splitlines()]
        paras = [p for p in paras if p]
        if not 3 <= len(paras) <= 60:
            continue
        keys = [_key(p) for p in paras]
        if len(set(keys)) < len(keys) or not _pairwise_clean(keys):
            continue
        chosen.append(Article(f"{pages[i]['source']}/{pages[i]['doc_id']}", tuple(paras)))
        if len(chosen) >= limit:
            break
    return chosen


def _pairwise_clean(keys: Sequence[str]) -> bool:
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            a, b = keys[i], keys[j]
            if not a or not b:
                return False
            if fuzz.ratio(a, b) >= 70:
                return False
            short, long = (a, b) if len(a) <= len(b) else (b, a)
            if len(short) >= 20 and fuzz.partial_ratio(short, long) >= 90:
                return False
    return True


def build_cases(
    bbc: Sequence[Article],
    pages: Sequence[dict[str, object]],
    mrpc: Sequence[tuple[str, str]],
    *,
    n_bbc: int,
    n_pages: int,
    seed: int,
    patterns: Sequence[str] = PATTERNS,
) -> list[Case]:
    """The labelled cases: every pattern applied to the same sampled clean articles."""
    rng = random.Random(seed)
    bbc_sample = rng.sample(list(bbc), min(n_bbc, len(bbc)))
    page_sample = clean_pages(pages, rng, n_pages) if n_pages else []
    miner = NegativeMiner(bbc) if "hard_negative_corpus" in patterns else None
    index = {a.name: i for i, a in enumerate(bbc)}
    generator = Generator(rng, miner, mrpc, index)
    cases: list[Case] = []
    for pattern in patterns:
        for source, sample in (("bbc", bbc_sample), ("pages", page_sample)):
            for article in sample:
                case = generator.make(pattern, article, source)
                if case is not None:
                    cases.append(case)
    return cases
