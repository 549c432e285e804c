"""Tiny corpora written by the corpus tests (invented text, three fictional sites)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

NEWSLETTER = "Sign up for the Harbour Times morning newsletter and get the day's stories first."
SHARE = "Share this article"
SYNDICATED = (
    "The regional weather service expects gales of up to 90 km/h along the coast on Thursday "
    "night, and advises people to secure garden furniture and avoid the sea front."
)
SYNDICATED_NEAR = (
    "The regional weather service expects gales of up to 90 km/h along the coast on Thursday "
    "night and advises people to secure garden furniture and to avoid the seafront."
)


def story(site: str, number: int, sentences: int = 3) -> list[str]:
    """Unique body paragraphs: made-up words that no other paragraph shares."""
    return [
        " ".join(_word(f"{site}/{number}/{k}/{i}") for i in range(12)).capitalize() + "."
        for k in range(sentences)
    ]


def _word(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join("bcdfghjklmnprstvz"[b % 17] + "aeiou"[b // 17 % 5] for b in digest[:3])


def harbour_article(number: int) -> str:
    return "\n".join([f"Headline {number} of the harbour", *story("harbour", number),
                      NEWSLETTER, SHARE]) + "\n"


def write_corpus(root: Path) -> Path:
    """Write a small mixed corpus: txt files of one site, a jsonl and a jsonl.gz of two more."""
    (root / "harbour").mkdir(parents=True)
    for number in range(4):
        (root / "harbour" / f"story-{number}.txt").write_text(harbour_article(number))
    (root / "harbour" / "weather.md").write_text(
        "\n".join(["Gales expected", SYNDICATED, NEWSLETTER, SHARE]) + "\n"
    )
    valley = [
        {"id": f"vl-{n}", "url": f"https://www.valley.example/news/{n}", "title": f"T{n}",
         "text": "\n".join([*story("valley", n), "Follow the Valley Ledger for live updates.",
                            *( [SYNDICATED] if n == 1 else [])])}
        for n in range(3)
    ]
    write_jsonl(root / "valley.jsonl", valley)
    north = [
        {"id": f"nw-{n}", "url": f"https://northwind.example/essays/{n}",
         "text": "\n".join([*story("north", n), *([SYNDICATED_NEAR] if n == 0 else []),
                            "Share on social media"])}
        for n in range(3)
    ]
    write_jsonl(root / "zz" / "north.jsonl.gz", north)
    return root


def write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)


def read_jsonl(path: Path) -> list[dict[str, object]]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def snapshot(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file (and symlink target) under root."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[key] = "-> " + str(path.readlink())
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
