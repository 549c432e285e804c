"""Every ```python block of README.md runs, as written, in a fresh directory.

Blocks are found anew on every run, so a block added to the README is tested
without touching this file. The blocks of one section run in order in one
namespace (a later block may use an earlier one's imports). A block of
``>>>`` lines runs as a doctest (its outputs must match); any other block is
executed as a script. Both run in a
temporary working directory holding ``corpus/`` (a small invented corpus), with
these placeholders defined when the block names them:

- ``article``, ``text``: an invented article with an exact copy, a near copy
  and a teaser of its paragraphs;
- ``scraper``: pages (``.text``, ``.host``, ``.url``) of two invented sites,
  sharing footers and a syndicated paragraph; ``save(url, text)`` collects
  what the block saves (and the test checks that it saved every page);
- ``records``: the report lines (as dicts) of ``dedup batch corpus ...``.

A block that needs a placeholder not listed here fails with a NameError naming
its README line: add the placeholder to ``PLACEHOLDERS``. Blocks that use Ray
(``dedup.dist``, ``import ray``) carry the ``ray`` marker and run on a local
Ray started for them, as in a notebook.
"""

from __future__ import annotations

import doctest
import json
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from dedup.cli import main
from tests.corpus_helpers import SHARE, SYNDICATED, SYNDICATED_NEAR, story, write_corpus

README = Path(__file__).resolve().parents[1] / "README.md"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^`\n]*)$")
_RAY = re.compile(r"\bdedup\.dist\b|^\s*import ray\b|^\s*from ray\b", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    """One ```python block: where it is and what it says."""

    line: int
    heading: str
    code: str

    @property
    def name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")
        return f"L{self.line}-{slug[:40]}"


def readme_examples(text: str) -> list[Example]:
    """Return the ```python blocks of a Markdown text, with their line and section heading."""
    examples, heading = [], ""
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        fence = _FENCE.match(line)
        if fence is None:
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            number += 1
            continue
        end = next((n for n in range(number + 1, len(lines))
                    if lines[n].strip() == "```"), len(lines))
        if fence["info"].strip().split(" ")[0] in {"python", "py", "pycon"}:
            code = textwrap.dedent("\n".join(lines[number + 1:end]))
            examples.append(Example(number + 1, heading, code + "\n"))
        number = end + 1
    return examples


def test_examples_are_found() -> None:
    """The finder itself: fences of every kind, indented blocks, headings, sections."""
    text = ("# Top\n```python\na = 1\n```\n## Sub\n```console\n$ x\n```\n"
            "- item:\n\n  ```python\n  b = 2\n  ```\n```py\nc = 3\n```\n")
    found = readme_examples(text)
    assert found == [Example(2, "Top", "a = 1\n"), Example(11, "Sub", "b = 2\n"),
                     Example(14, "Sub", "c = 3\n")]
    assert sections(found) == [found[:1], found[1:]]
    assert len(readme_examples(README.read_text(encoding="utf-8"))) >= 5


# ------------------------------------------------------------- placeholders

ARTICLE = "\n".join([
    "Harbour ferry timetable changes for the winter season",
    "From November the late ferry to Gull Island leaves at 21:10 instead of 22:40, the "
    "harbour board said on Tuesday after a consultation with island residents…",
    "From November the late ferry to Gull Island leaves at 21:10 instead of 22:40, the "
    "harbour board said on Tuesday after a consultation with island residents and traders.",
    "Residents had asked for an earlier crossing because the last boat was often half empty "
    "in the dark months, while the crew worked long shifts.",
    "Advertisement",
    "Residents had asked for an earlier crossing because the last boat was often half-empty "
    "in the dark months, while the crew worked long shifts.",
    "Advertisement",
    "From November the late ferry to Gull Island leaves at 21:10 instead of 22:40, the "
    "harbour board said on Tuesday after a consultation with island residents and traders.",
])


class Page(NamedTuple):
    """A scraped page, as a scraper would yield it."""

    text: str
    host: str
    url: str


def _pages() -> list[Page]:
    pages = []
    for number in range(8):
        host = "harbour.example" if number % 4 else "valley.example"
        extra = [SYNDICATED] if number % 3 == 1 else [SYNDICATED_NEAR] if number % 3 == 2 else []
        text = "\n".join([*story(host, number), *extra, SHARE, f"© {host}"])
        pages.append(Page(text, host, f"https://{host}/news/{number}"))
    return pages


def _records(root: Path) -> list[dict[str, Any]]:
    report = root / "readme-report.jsonl"
    assert main(["batch", str(root / "corpus"), str(root / "readme-out"), "--workers", "1",
                 "--quiet", "--cross-doc", "--boilerplate-min-docs", "2",
                 "--report", str(report)]) == 0
    return [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]


@dataclass
class Prelude:
    """What a block may use, made in its working directory."""

    root: Path
    saved: dict[str, str]


PLACEHOLDERS: dict[str, Callable[[Prelude], object]] = {
    "article": lambda _: ARTICLE,
    "text": lambda _: ARTICLE,
    "scraper": lambda _: iter(_pages()),
    "save": lambda prelude: prelude.saved.__setitem__,
    "records": lambda prelude: _records(prelude.root),
}


def _namespace(code: str, prelude: Prelude) -> dict[str, object]:
    names = {"__name__": "__readme__"}
    placeholders = {name: make(prelude) for name, make in PLACEHOLDERS.items()
                    if re.search(rf"\b{name}\b", code)}
    return {**names, **placeholders}


@pytest.fixture
def local_ray() -> Iterator[None]:
    """A local Ray for blocks that join "a running Ray", as a notebook has one."""
    ray = pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        started = not ray.is_initialized()
        if started:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        yield
        if started:
            ray.shutdown()


def sections(examples: list[Example]) -> list[list[Example]]:
    """Group the blocks by section: a section's blocks run in order, in one namespace.

    A reader reads a section top to bottom, so a later block may use what an
    earlier one of the same section defined (``import dedup``, a ``config``).
    """
    groups: dict[tuple[str, int], list[Example]] = {}
    section = 0
    for previous, example in zip([None, *examples], examples, strict=False):
        if previous is not None and previous.heading != example.heading:
            section += 1
        groups.setdefault((example.heading, section), []).append(example)
    return list(groups.values())


def _params() -> list[Any]:
    params = []
    for blocks in sections(readme_examples(README.read_text(encoding="utf-8"))):
        ray = any(_RAY.search(block.code) for block in blocks)
        marks = [pytest.mark.ray, pytest.mark.filterwarnings("ignore::DeprecationWarning"),
                 pytest.mark.filterwarnings("ignore::ResourceWarning")] if ray else []
        params.append(pytest.param(blocks, marks=marks, id=blocks[0].name))
    return params


@pytest.mark.parametrize("blocks", _params())
def test_readme_section_runs(
    blocks: list[Example], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.chdir(tmp_path)
    write_corpus(tmp_path / "corpus")
    if any(_RAY.search(block.code) for block in blocks):
        request.getfixturevalue("local_ray")
    prelude = Prelude(tmp_path, {})
    namespace = _namespace("".join(block.code for block in blocks), prelude)
    for block in blocks:
        run_block(block, namespace)
    if "save" in namespace:
        assert set(prelude.saved) == {page.url for page in _pages()}


def run_block(block: Example, namespace: dict[str, object]) -> None:
    """Run one block in ``namespace``: as a doctest if it is made of ``>>>`` lines."""
    where = f"README.md:{block.line}"
    if block.code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(block.code, namespace, where, where,
                                                   block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        messages: list[str] = []
        runner.run(test, out=messages.append, clear_globs=False)
        assert runner.failures == 0, "".join(messages)
        assert runner.tries > 0
    else:
        exec(compile(block.code, where, "exec"), namespace)  # the README's own code
