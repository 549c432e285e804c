"""Loaders for the real data under ../shared/data (read in place, never copied).

Every loader reads the archives sequentially and returns plain Python objects.
Nothing here writes text anywhere: the benchmark results hold numbers only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

_BREAKS = re.compile("[\n\r\v\f\x85\u2028\u2029]+")

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass(frozen=True)
class Article:
    """A clean article: ``paragraphs[0]`` is the title."""

    name: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def data_dir(path: str | Path | None) -> Path:
    root = Path(path) if path else DEFAULT_DATA
    if not (root / "text" / "bbc-fulltext.tar.gz").is_file():
        msg = f"no benchmark data under {root} (expected text/bbc-fulltext.tar.gz); use --data"
        raise FileNotFoundError(msg)
    return root


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_bbc(root: Path) -> list[Article]:
    """The BBC articles, one paragraph per blank-line-separated block; exact repeats removed.

    The set holds 100 pairs of identical articles; only the first of each is kept, so that
    "similar paragraph from another article" never means "the same paragraph".
    """
    articles: list[Article] = []
    seen: set[str] = set()
    with tarfile.open(root / "text" / "bbc-fulltext.tar.gz", "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            if member.name.endswith("README.TXT"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            text = _decode(handle.read()).replace("\r\n", "\n")
            blocks = [" ".join(b.split()) for b in text.split("\n\n")]
            paragraphs = tuple(b for b in blocks if b)
            if len(paragraphs) < 3:
                continue
            key = "\n".join(paragraphs)
            if key in seen:
                continue
            seen.add(key)
            name = "/".join(member.name.split("/")[-2:])
            articles.append(Article(name, paragraphs))
    return articles


def load_mrpc_negatives(root: Path) -> list[tuple[str, str]]:
    """MRPC sentence pairs labelled "not a paraphrase" (Quality 0), train and test."""
    pairs: list[tuple[str, str]] = []
    with tarfile.open(root / "pairs" / "mrpc.tar.gz", "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".txt"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            text = handle.read().decode("utf-8-sig")
            rows = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
            next(rows, None)
            for row in rows:
                if len(row) == 5 and row[0] == "0":
                    pairs.append((" ".join(row[3].split()), " ".join(row[4].split())))
    return pairs


def load_pages(root: Path) -> list[dict[str, object]]:
    """Records of derived/pages.jsonl.gz (source, doc_id, domain, gold, main, full)."""
    path = root / "derived" / "pages.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def lines_of(text: str) -> list[str]:
    """The paragraphs of ``text`` as dedup's ``split="line"`` sees them (non-blank lines)."""
    return [line for line in _BREAKS.split(text) if line and not line.isspace()]
