"""Scoring keep/drop flags against the labels of the generated cases.

- An inserted duplicate is *found* when the inserted copy or the original it copies is
  dropped (one of them must go). Recall = found / inserted duplicates. The headline
  recall leaves out the copies that dedup keeps by design (``Case.by_design``: a copy
  of a paragraph under 50 normalized characters inserted in isolation, like a natural
  repeat); ``recall`` in a summary counts every duplicate.
- A *false drop* loses content: a paragraph of the clean article with neither itself nor a
  complete copy (exact, noisy, fragment appended; not a teaser) left in the output, or a
  hard-negative or natural-repeat paragraph dropped. False-drop rate = false drops /
  content paragraphs (article paragraphs + negatives + natural repeats).
- *Restored*: the output equals the expected text: the clean article for duplication
  patterns, the input unchanged for negative patterns.

Results hold counts and rates only, never text.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from alternatives import Tool
from patterns import NOISY, Case, script_of


@dataclass
class Tally:
    cases: int = 0
    restored: int = 0
    dups: int = 0
    found: int = 0
    dups_long: int = 0
    found_long: int = 0
    dups_scope: int = 0
    found_scope: int = 0
    content: int = 0
    false_drops: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> dict[str, float | int | None]:
        return {
            "cases": self.cases,
            "duplicates": self.dups,
            "recall": self.found / self.dups if self.dups else None,
            "recall_long": self.found_long / self.dups_long if self.dups_long else None,
            "duplicates_in_scope": self.dups_scope,
            "recall_in_scope": self.found_scope / self.dups_scope if self.dups_scope else None,
            "content_paragraphs": self.content,
            "false_drops": self.false_drops,
            "false_drop_rate": self.false_drops / self.content if self.content else None,
            "restored": self.restored / self.cases if self.cases else None,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class Failure:
    """One failing case, by position only (no text): for the report to the maintainers."""

    pattern: str
    case: int
    missed: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)


def score(case: Case, kept: Sequence[bool]) -> tuple[Tally, Failure | None]:
    t = Tally(cases=1)
    labels = case.labels
    alive_orig: dict[int, bool] = {}
    complete_copy_kept: dict[int, bool] = defaultdict(bool)
    for i, lab in enumerate(labels):
        if lab.kind == "orig":
            alive_orig[lab.of] = kept[i]
        elif lab.kind == "dup" and lab.complete and kept[i]:
            complete_copy_kept[lab.of] = True
    failure = Failure(case.pattern, -1)
    for i, lab in enumerate(labels):
        if lab.kind == "dup":
            found = (not kept[i]) or (not alive_orig[lab.of])
            t.dups += 1
            t.found += found
            if not case.short[i]:
                t.dups_long += 1
                t.found_long += found
            if not case.by_design[i]:
                t.dups_scope += 1
                t.found_scope += found
            if not found:
                failure.missed.append(i)
        elif lab.kind == "orig":
            t.content += 1
            if not kept[i] and not complete_copy_kept[lab.of]:
                t.false_drops += 1
                failure.lost.append(i)
        else:
            t.content += 1
            if not kept[i]:
                t.false_drops += 1
                failure.lost.append(i)
    output = "\n".join(p for p, k in zip(case.paragraphs, kept, strict=True) if k)
    t.restored = int(output == case.expected)
    bad = failure.missed or failure.lost
    return t, (failure if bad else None)


def evaluate(cases: Sequence[Case], tool: Tool) -> tuple[dict[str, Tally], list[Failure]]:
    """Run ``tool`` on every case; tallies per pattern and the failures.

    Tallies are kept per pattern, per ``pattern@source`` and per ``pattern#script``
    (the dominant script of the clean article: latin, zh, ja, ko, ru, ar, other).
    """
    per_pattern: dict[str, Tally] = defaultdict(Tally)
    failures: list[Failure] = []
    for n, case in enumerate(cases):
        start = time.perf_counter()
        kept = tool(case.paragraphs)
        elapsed = time.perf_counter() - start
        tally, failure = score(case, kept)
        tally.seconds = elapsed
        per_pattern[case.pattern].add(tally)
        per_pattern[f"{case.pattern}@{case.source}"].add(tally)
        per_pattern[f"{case.pattern}#{script_of(case.original[:5000])}"].add(tally)
        if failure is not None:
            failure.case = n
            failures.append(failure)
    return dict(per_pattern), failures


def aggregate(per_pattern: dict[str, Tally], patterns: Sequence[str]) -> Tally:
    total = Tally()
    for name in patterns:
        if name in per_pattern:
            total.add(per_pattern[name])
    return total


def headline(per_pattern: dict[str, Tally], all_patterns: Sequence[str]) -> dict[str, object]:
    """The numbers the issue's targets are about."""
    noisy = aggregate(per_pattern, NOISY)
    everything = aggregate(per_pattern, all_patterns)
    double = per_pattern.get("double_capture", Tally())
    return {
        "recall_noisy": noisy.summary()["recall_in_scope"],
        "recall_noisy_all_lengths": noisy.summary()["recall"],
        "recall_all": everything.summary()["recall"],
        "false_drop_rate": everything.summary()["false_drop_rate"],
        "restored_double_capture": double.summary()["restored"],
        "restored_all": everything.summary()["restored"],
        "seconds": round(everything.seconds, 3),
    }
