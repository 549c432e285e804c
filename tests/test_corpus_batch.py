from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedup.cli import main
from dedup.report import ArticleRecord, ParagraphRecord
from tests.corpus_helpers import (
    NEWSLETTER,
    SHARE,
    SYNDICATED,
    SYNDICATED_NEAR,
    read_jsonl,
    snapshot,
    story,
    write_corpus,
    write_jsonl,
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "in")


def run(*args: object) -> int:
    return main(["batch", *map(str, args), "--workers", "1", "--quiet"])


def test_mirrored_tree_same_names_and_formats(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(corpus, out) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".dedup-run.json",  # the run record (options, for --resume)
        "harbour/story-0.txt", "harbour/story-1.txt", "harbour/story-2.txt",
        "harbour/story-3.txt", "harbour/weather.md", "valley.jsonl", "zz/north.jsonl.gz",
    ]
    # without cross-document options, each article is cleaned on its own: nothing to drop here
    assert (out / "harbour/story-0.txt").read_text() == (corpus / "harbour/story-0.txt").read_text()
    records = read_jsonl(out / "zz/north.jsonl.gz")
    assert [r["id"] for r in records] == ["nw-0", "nw-1", "nw-2"]
    assert list(records[0]) == ["id", "url", "text"]  # other fields kept, in order


def test_in_article_duplicates_removed_in_txt_and_jsonl(tmp_path: Path) -> None:
    body = story("x", 1)
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("\n".join([*body, body[0]]) + "\n")
    write_jsonl(source / "b.jsonl", [{"text": "\n".join([*body, body[1]]), "n": 1}])
    write_jsonl(source / "c.jsonl.gz", [{"text": "\n".join([body[2], *body])}])
    out = tmp_path / "out"
    assert run(source, out) == 0
    assert (out / "a.txt").read_text() == "\n".join(body) + "\n"
    assert read_jsonl(out / "b.jsonl") == [{"text": "\n".join(body), "n": 1}]
    assert read_jsonl(out / "c.jsonl.gz")[0]["text"].count(body[2]) == 1


def test_text_id_and_site_fields(tmp_path: Path) -> None:
    source = tmp_path / "in"
    line = "A boilerplate line that this site prints under every single article it has."
    records = [{"body": "\n".join([*story("s", n), line]), "key": f"k{n}", "where": "s1"}
               for n in range(3)]
    write_jsonl(source / "a.jsonl", records)
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    assert run(source, out, "--text-field", "body", "--id-field", "key", "--site-field",
               "where", "--boilerplate-min-docs", "3", "--report", report) == 0
    rows = [json.loads(x) for x in report.read_text().splitlines()]
    assert [(r["id"], r["site"], r["line"]) for r in rows] == [
        ("k0", "s1", 1), ("k1", "s1", 2), ("k2", "s1", 3)]
    assert all(line not in r["body"] for r in read_jsonl(out / "a.jsonl"))


@pytest.mark.parametrize("options", [
    ["--cross-doc", "--boilerplate-min-docs", "3"],
    ["--cross-doc"],  # chunks stay in the worker that analyzed them, which renders them
    ["--cross-doc", "--report-mode", "full"],
])
def test_workers_do_not_change_results(corpus: Path, tmp_path: Path, options: list[str]) -> None:
    many = [{"id": n, "text": "\n".join([*story("bulk", n % 40), SYNDICATED, NEWSLETTER])}
            for n in range(700)]  # several chunks
    write_jsonl(corpus / "bulk.jsonl", many)
    write_jsonl(corpus / "more" / "bulk.jsonl", many[:300])
    outputs = []
    for workers in (1, 2, 3):
        out, report = tmp_path / f"out{workers}", tmp_path / f"report{workers}.jsonl"
        code = main(["batch", str(corpus), str(out), "--workers", str(workers), "--quiet",
                     *options, "--report", str(report)])
        assert code == 0
        outputs.append((snapshot(out), report.read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]


def test_site_boilerplate_removed_everywhere_article_text_stays(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run(corpus, out, "--boilerplate-min-docs", "3") == 0
    for number in range(4):
        text = (out / f"harbour/story-{number}.txt").read_text()
        assert NEWSLETTER not in text
        assert SHARE not in text.splitlines()  # short, but on every page of the site
        for paragraph in story("harbour", number):
            assert paragraph in text
        assert f"Headline {number} of the harbour" in text
    valley = read_jsonl(out / "valley.jsonl")
    # on every page, but directly followed by text no other page holds on valley[1]: the
    # position rule keeps it there (dedup.corpus.templates, rule 3)
    assert ["Follow the Valley Ledger" in r["text"] for r in valley] == [False, True, False]
    assert SYNDICATED in valley[1]["text"]  # one document of that site only: not boilerplate


def test_line_repeated_inside_one_article_is_not_boilerplate(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("\n".join(["Chorus", *story("a", 1), "Chorus", "Chorus"]))
    (source / "b.txt").write_text("\n".join(story("a", 2)))
    out = tmp_path / "out"
    assert run(source, out, "--boilerplate-min-docs", "2") == 0
    assert (out / "a.txt").read_text().count("Chorus") == 3


def test_fraction_threshold(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(corpus, out, "--boilerplate-fraction", "0.6") == 0
    assert NEWSLETTER not in (out / "harbour/story-0.txt").read_text()


def test_cross_doc_exact_and_near_duplicates(corpus: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    assert run(corpus, out, "--cross-doc", "--report", report) == 0
    assert SYNDICATED in (out / "harbour/weather.md").read_text()  # earliest copy kept
    assert SYNDICATED not in read_jsonl(out / "valley.jsonl")[1]["text"]  # exact copy
    assert SYNDICATED_NEAR not in read_jsonl(out / "zz/north.jsonl.gz")[0]["text"]  # near copy
    rows = [json.loads(x) for x in report.read_text().splitlines()]
    drops = [(r["id"], p["reason"], p["duplicate_doc"]) for r in rows for p in r["paragraphs"]
             if not p["kept"]]
    newsletter = [(f"harbour/{name}", "cross_doc", "harbour/story-0.txt")
                  for name in ("story-1.txt", "story-2.txt", "story-3.txt", "weather.md")]
    assert drops == [*newsletter, ("vl-1", "cross_doc", "harbour/weather.md"),
                     ("nw-0", "cross_doc", "harbour/weather.md")]
    for article in range(4):  # short lines are never cross-document duplicates
        assert SHARE in (out / f"harbour/story-{article}.txt").read_text()


def test_cross_doc_never_drops_a_longer_paragraph_for_a_shorter_one(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    teaser = SYNDICATED[:120]
    (source / "a.txt").write_text(f"Intro a.\n{teaser}\n")
    (source / "b.txt").write_text(f"Intro b.\n{SYNDICATED}\n")
    (source / "c.txt").write_text(f"Intro c.\n{teaser}\n")
    out = tmp_path / "out"
    assert run(source, out, "--cross-doc") == 0
    assert SYNDICATED in (out / "b.txt").read_text()
    assert teaser not in (out / "c.txt").read_text()


def test_report_and_dry_run(corpus: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out", tmp_path / "report.jsonl"
    assert run(corpus, out, "--dry-run", "--report", report, "--boilerplate-min-docs", "3") == 0
    assert not out.exists()
    rows = [json.loads(x) for x in report.read_text().splitlines()]
    assert len(rows) == 11
    first = rows[0]
    assert set(first) == set(ArticleRecord.__required_keys__)
    assert first["mode"] == "drops"
    assert first["path"] == "harbour/story-0.txt"
    assert first["site"] == "harbour"
    assert first["counts"]["boilerplate"] == 2
    assert first["counts"]["kept"] + first["counts"]["dropped"] == first["counts"]["paragraphs"]
    assert set(first["paragraphs"][0]) == set(ParagraphRecord.__required_keys__)
    assert all(not p["kept"] for p in first["paragraphs"])  # nothing duplicates a kept one
    assert rows[5]["site"] == "valley.example"


def test_summary_on_stderr(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                           ) -> None:
    assert main(["batch", str(corpus), str(tmp_path / "out"), "--workers", "1",
                 "--boilerplate-min-docs", "3"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "11 articles in 7 files" in captured.err
    assert "boilerplate" in captured.err


@pytest.mark.parametrize("where", ["same", "inside"])
def test_output_must_be_outside_input(corpus: Path, where: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(corpus)
    out = corpus if where == "same" else corpus / "cleaned"
    with pytest.raises(SystemExit) as exit_info:
        run(corpus, out)
    assert exit_info.value.code == 2
    assert "IN_DIR" in capsys.readouterr().err
    assert snapshot(corpus) == before


def test_python_m_dedup_subprocess(corpus: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "dedup", "batch", str(corpus), str(tmp_path / "out"),
         "--workers", "2", "--cross-doc"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "dedup: 11 articles" in result.stderr
    assert (tmp_path / "out" / "zz" / "north.jsonl.gz").exists()


def test_progress_bar_on_a_terminal_console(corpus: Path, tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from dedup.corpus.batch import BatchOptions, run_batch

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    options = BatchOptions(in_dir=corpus, out_dir=tmp_path / "out", boilerplate_min_docs=3)
    summary = run_batch(options, console=console, progress=True)
    assert summary.articles == 11
    assert not summary.failures
    shown = screen.getvalue()
    assert "counting" in shown
    assert "cleaning" in shown
    assert "11 articles" in shown


def test_boilerplate_counts_follow_document_order_with_mixed_sites(tmp_path: Path) -> None:
    # One file mixes two sites and repeats an id: the repeat must not be counted,
    # and the other site's documents must all be.
    line = "Bee Gazette readers can follow every council meeting live on our website."
    records = [
        {"id": "x", "site": "a.example", "text": "Ant story one.\nAnts gather."},
        {"id": "y1", "site": "b.example", "text": f"Bee story one.\n{line}"},
        {"id": "x", "site": "a.example", "text": "Ant story two.\nAnts gather."},
        {"id": "y2", "site": "b.example", "text": f"Bee story two.\n{line}"},
    ]
    source = tmp_path / "in" / "mixed.jsonl"
    source.parent.mkdir()
    write_jsonl(source, records)
    out = tmp_path / "out"
    assert run(tmp_path / "in", out, "--site-field", "site", "--boilerplate-min-docs", "2") == 0
    cleaned = read_jsonl(out / "mixed.jsonl")
    assert line not in cleaned[1]["text"]
    assert line not in cleaned[3]["text"]
    assert "Ants gather." in cleaned[0]["text"]


WARM_UP_ALONE = """
import sys
if sys.argv[1] == "scipy first":
    import scipy
from dedup import kernels
from dedup.config import Config
from dedup.corpus.tasks import warm_up
warm_up(Config())
print("scipy" in sys.modules, kernels.enabled())
import scipy.linalg
print(scipy.linalg.__name__)
"""


@pytest.mark.parametrize("jit", ["0", "1"])
@pytest.mark.parametrize("first", ["scipy first", "dedup alone"])
def test_warm_up_loads_the_kernels_without_importing_scipy(jit: str, first: str) -> None:
    """A batch run's set-up loads Numba's kernels without SciPy, which imports afterwards
    (and is left alone when it was imported already)."""
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", WARM_UP_ALONE, first],
                            env={**os.environ, "DEDUP_JIT": jit},
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(first == "scipy first"), str(jit == "1"), "scipy.linalg"]
