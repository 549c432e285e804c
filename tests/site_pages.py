"""An invented news site whose pages list each other's headlines (for the boilerplate tests).

Every page has: a dateline (one template, other dates and times) above a
menu, its own headline and lede, its own body, a results table (lines of one
shape with different facts, several per page), a sharing line, a comment counter (one
template, other numbers), a "Most read" list of the other pages' headlines,
and a footer.
"""

from __future__ import annotations

from tests.corpus_helpers import story

MENU = ["Home", "World", "Business", "Sport", "Weather"]
FOOTER = ["Contact the newsroom", "Terms of use", "Copyright 2005 The Harbour Gazette"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "June", "August", "October", "December"]
TEAMS = ["Gulls", "Herons", "Pilots", "Anchors", "Tides", "Keepers", "Rovers", "Mariners"]
TOPICS = ["pier", "ferry", "lighthouse", "market", "school", "bridge", "library", "harbour"]
VERBS = ["rebuilt", "sold", "closed", "moved", "repainted", "extended", "renamed", "reopened"]


def headline(n: int) -> str:
    return f"Council votes on the {TOPICS[n]} after residents ask whether it should be {VERBS[n]}"


def lede(n: int) -> str:
    return (f"Councillors decided late on {DAYS[n % 7]} that the {TOPICS[n]} will be "
            f"{VERBS[n]}, after a debate in which residents of the {TOPICS[(n + 1) % 8]} "
            "quarter spoke for and against.")


def dateline(n: int) -> str:
    return (f"Last updated: {DAYS[n % 7]}, {n + 3} {MONTHS[n % 6]} 2005, "
            f"{10 + n % 12}:{(7 * n) % 60:02d} GMT")


def results(n: int) -> list[str]:
    """A results table: one shape per line inside the page, facts differing."""
    return [f"{TEAMS[(n + k) % 8]} {k + n % 3} {TEAMS[(n + k + 3) % 8]} {(k * n) % 4}"
            for k in range(4)]


def page(n: int, pages: int) -> str:
    others = [headline(m) for m in range(pages) if m != n]
    lines = [
        dateline(n),
        *MENU,
        headline(n),
        lede(n),
        *story("gazette", n, sentences=3),
        *results(n),
        "Share this story",
        f"{3 + 2 * n} comments",
        "Most read",
        *others,
        *FOOTER,
    ]
    return "\n".join(lines)


def site_records(pages: int = 6, site: str = "gazette.example") -> list[dict[str, str]]:
    return [{"id": f"gz-{n}", "site": site, "text": page(n, pages)} for n in range(pages)]
