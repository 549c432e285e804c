"""A small invented corpus and its report records, for the review tests and screenshots.

All text is made up for these tests. Articles are cleaned with the real
pipeline; then copies of each site's boilerplate after its first article are
marked as kept in that first article, the way a corpus run reports copies kept
in other articles: ``reason="cross_doc"`` with ``duplicate_doc`` and no
``duplicate_of`` (as ``dedup batch`` writes them), and ``reason="boilerplate"``
with both.
One article points at an article that is not in the records.
"""

from __future__ import annotations

from dedup import clean_with_report

SITES = {
    "valley-news.example": [
        "Subscribe to the Valley News letter for the week's stories from every town in the valley.",
        "Valley News is published by the Valley Cooperative. All rights reserved, 2026.",
    ],
    "harbour-times.example": [
        "Sign up for Harbour Times alerts and never miss a tide table, a storm warning or a race.",
        "Read more from the harbour desk: ferries, fishing quotas and the new breakwater.",
    ],
    "hill-gazette.example": [
        "The Hill Gazette depends on readers like you. Become a member for the price of a coffee.",
    ],
}

TOPICS = [
    ("Library opens late on Thursdays",
     "The town library will stay open until nine on Thursday evenings from next month, after a "
     "survey showed that most readers work during the day and can only visit after dinner."),
    ("Bridge repairs start in spring",
     "Engineers will close the old stone bridge for six weeks in April to replace its worn "
     "railings and reseal the deck, and a shuttle bus will carry pedestrians across the river."),
    ("School garden wins a prize",
     "Pupils at the primary school grew forty kinds of vegetables in their courtyard garden this "
     "year and won the regional prize for the best learning garden run by children."),
    ("Market moves to the square",
     "The Saturday market is moving from the car park to the main square, where stallholders "
     "will have electricity, shade from the plane trees and room for twenty more stalls."),
    ("Choir seeks new tenors",
     "The community choir is looking for tenors before its winter concert; rehearsals are on "
     "Monday nights in the chapel hall and no experience of reading music is needed."),
    ("Night buses return",
     "Night buses return to the coast road from Friday, running every hour until three in the "
     "morning, after the council found the money in its transport budget."),
]


def articles() -> list[tuple[str, str, str, str]]:
    """Return ``(id, site, title, text)`` for every invented article."""
    result = []
    number = 0
    for site, boilerplate in SITES.items():
        for title, body in TOPICS[: 2 + len(boilerplate)]:
            number += 1
            detail = (
                f"Residents asked about {title.lower()} can write to the "
                f"{site.split('.')[0]} desk, "
                "which answers every letter within a week."
            )
            teaser = body[:70] + "…"
            lines = [title, teaser, body, detail]
            if number % 2 == 0:
                lines.append(body)  # a double-captured body
            if number % 3 == 0:
                lines.append(body.replace("the ", "the  ").replace(",", ""))  # a near copy
            lines.extend(boilerplate)
            result.append((f"{site.split('.')[0]}-{number}", site, title, "\n".join(lines)))
    return result


def records() -> list[dict[str, object]]:
    """Return one report record per article, as ``dedup batch --report`` writes them."""
    out: list[dict[str, object]] = []
    first_of_site: dict[str, tuple[str, dict[str, int]]] = {}
    for article_id, site, title, text in articles():
        report = clean_with_report(text).report
        paragraphs = [d.to_dict() for d in report.decisions]
        boilerplate = set(SITES[site])
        if site in first_of_site:
            first_id, where = first_of_site[site]
            for p in paragraphs:
                if not (p["kept"] and p["text"] in boilerplate):
                    continue
                if p["text"] == SITES[site][0]:  # as dedup batch reports it: found by text
                    p.update(kept=False, reason="cross_doc", duplicate_of=None,
                             similarity=1.0, duplicate_doc=first_id)
                else:  # naming the kept paragraph's index too
                    p.update(kept=False, reason="boilerplate", duplicate_of=where[str(p["text"])],
                             similarity=1.0, duplicate_doc=first_id)
        else:
            first_of_site[site] = (article_id, {
                str(p["text"]): int(str(p["index"])) for p in paragraphs if p["text"] in boilerplate
            })
        counts = {"paragraphs": len(paragraphs), "kept": sum(bool(p["kept"]) for p in paragraphs)}
        out.append({"path": f"corpus/{site}.jsonl", "line": len(out) + 1, "id": article_id,
                    "site": site, "title": title, "counts": counts, "paragraphs": paragraphs})
    # A copy kept in an article that is not part of this run.
    last = out[-1]["paragraphs"]
    assert isinstance(last, list)
    last[0].update(kept=False, reason="cross_doc", duplicate_of=2, similarity=0.96,
                   duplicate_doc="archive-2019-17")
    return out
