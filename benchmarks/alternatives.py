"""The tools a user would pick instead of dedup, each as ``paragraphs -> keep flags``.

Every tool gets the same paragraphs (the lines of the article) and returns one bool per
paragraph (True = kept). ``as_text`` turns any of them into ``text -> cleaned text`` for
the speed runs, so the line split and the join are timed for every tool alike.

Each tool is used as its documentation shows, with its documented defaults where it has
them, and keeps the first copy:

- ``exact_hash``: NFKC + casefold + collapsed whitespace, then a set of seen keys.
- ``trafilatura``: ``trafilatura.deduplication.duplicate_test`` with an ``LRUCache`` per
  article and the default ``Extractor`` settings (a paragraph over ``min_duplcheck_size``
  = 100 characters is dropped once it has been seen more than ``max_repetitions`` = 2
  times). ``trafilatura_rep0`` sets ``max_repetitions=0`` (drop from the 2nd copy), which
  is what a user would set to deduplicate paragraphs.
- ``datasketch``: ``MinHash(num_perm=128)`` per paragraph over lowercased word bigrams
  (utf-8 encoded), ``MinHashLSH(threshold=0.5, num_perm=128)`` as in its docs: query, drop
  on any hit, else insert.
- ``rensa``: the same pipeline with ``RMinHash(num_perm=128, seed=42)`` and
  ``RMinHashLSH(threshold=0.5, num_perm=128, num_bands=16)``.
- ``rapidfuzz``: all pairs, ``fuzz.ratio`` with ``utils.default_process`` >= 90 against
  any kept earlier paragraph drops it.
- ``dedup_best`` / ``dedup_first``: ``dedup.clean_with_report`` with ``keep="best"`` /
  ``"first"``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from itertools import pairwise

import dedup

KeepFlags = list[bool]
Tool = Callable[[Sequence[str]], KeepFlags]


def exact_key(text: str) -> str:
    """``exact_hash``'s key: NFKC, casefolded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def exact_hash(paragraphs: Sequence[str]) -> KeepFlags:
    seen: set[str] = set()
    kept = []
    for text in paragraphs:
        key = exact_key(text)
        kept.append(key not in seen)
        seen.add(key)
    return kept


def _trafilatura(max_repetitions: int | None) -> Tool:
    from lxml import etree
    from trafilatura.deduplication import LRUCache, duplicate_test
    from trafilatura.settings import LRU_SIZE, Extractor

    def run(paragraphs: Sequence[str]) -> KeepFlags:
        options = Extractor(dedup=LRUCache(maxsize=LRU_SIZE))
        if max_repetitions is not None:
            options.max_repetitions = max_repetitions
        kept = []
        for text in paragraphs:
            element = etree.Element("p")
            element.text = _xml_safe(text)
            kept.append(not duplicate_test(element, options))
        return kept

    return run


def _xml_safe(text: str) -> str:
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)


def _bigrams(text: str) -> list[str]:
    words = text.lower().split()
    if len(words) < 2:
        return words
    return [f"{a} {b}" for a, b in pairwise(words)]


def datasketch_lsh(paragraphs: Sequence[str]) -> KeepFlags:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    kept = []
    for i, text in enumerate(paragraphs):
        shingles = _bigrams(text)
        if not shingles:
            kept.append(True)
            continue
        m = MinHash(num_perm=128)
        for s in shingles:
            m.update(s.encode("utf8"))
        if lsh.query(m):
            kept.append(False)
        else:
            lsh.insert(str(i), m)
            kept.append(True)
    return kept


def rensa_lsh(paragraphs: Sequence[str]) -> KeepFlags:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=0.5, num_perm=128, num_bands=16)
    kept = []
    for i, text in enumerate(paragraphs):
        shingles = _bigrams(text)
        if not shingles:
            kept.append(True)
            continue
        m = RMinHash(num_perm=128, seed=42)
        m.update(shingles)
        if lsh.query(m):
            kept.append(False)
        else:
            lsh.insert(i, m)
            kept.append(True)
    return kept


def rapidfuzz_pairs(paragraphs: Sequence[str]) -> KeepFlags:
    from rapidfuzz import fuzz, process, utils

    survivors: list[str] = []
    kept = []
    for text in paragraphs:
        processed = utils.default_process(text)
        hit = process.extractOne(
            processed, survivors, scorer=fuzz.ratio, processor=None, score_cutoff=90
        )
        if hit is None:
            survivors.append(processed)
            kept.append(True)
        else:
            kept.append(False)
    return kept


def dedup_tool(keep: str) -> Tool:
    def run(paragraphs: Sequence[str]) -> KeepFlags:
        result = dedup.clean_with_report("\n".join(paragraphs), keep=keep)  # type: ignore[arg-type]
        flags = [d.kept for d in result.report.decisions]
        if len(flags) != len(paragraphs):
            msg = "dedup split the paragraphs differently from the benchmark"
            raise RuntimeError(msg)
        return flags

    return run


UNAVAILABLE: dict[str, str] = {}


def tools() -> dict[str, Tool]:
    """Every installed tool by name, dedup first; missing ones are listed in UNAVAILABLE."""
    out: dict[str, Tool] = {"dedup_best": dedup_tool("best"), "dedup_first": dedup_tool("first")}
    out["exact_hash"] = exact_hash
    builders: dict[str, Callable[[], Tool]] = {
        "trafilatura": lambda: _trafilatura(None),
        "trafilatura_rep0": lambda: _trafilatura(0),
        "datasketch": lambda: _checked("datasketch", datasketch_lsh),
        "rensa": lambda: _checked("rensa", rensa_lsh),
        "rapidfuzz": lambda: _checked("rapidfuzz", rapidfuzz_pairs),
    }
    for name, build in builders.items():
        try:
            out[name] = build()
        except ImportError as error:
            UNAVAILABLE[name] = f"{type(error).__name__}: {error}"
    return out


def _checked(module: str, tool: Tool) -> Tool:
    __import__(module)
    return tool


def as_text(tool: Tool) -> Callable[[str], str]:
    """``text -> cleaned text`` for a ``paragraphs -> flags`` tool (lines are paragraphs)."""

    def run(text: str) -> str:
        lines = [line for line in text.split("\n") if line.strip()]
        flags = tool(lines)
        return "\n".join(line for line, keep in zip(lines, flags, strict=True) if keep)

    return run


def text_tools() -> dict[str, Callable[[str], str]]:
    """Every tool as ``text -> cleaned text``; dedup is its own ``clean()``."""
    out: dict[str, Callable[[str], str]] = {
        "dedup_best": dedup.clean,
        "dedup_first": lambda text: dedup.clean(text, keep="first"),
    }
    for name, tool in tools().items():
        if not name.startswith("dedup"):
            out[name] = as_text(tool)
    return out
