"""The report records of a corpus run: one schema, two modes, both engines' writer.

Every line of ``dedup batch --report`` has the keys of
:class:`dedup.report.ArticleRecord`, every paragraph those of
:class:`dedup.report.ParagraphRecord`; ``--report-mode drops`` (the default)
lists the removed paragraphs and the kept copies they duplicate, with the
same counts as ``full``; the review site and ``dedup report`` work from both.
"""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from dedup.cli import main
from dedup.corpus.decisions import CorpusDrop, CorpusReason
from dedup.corpus.readers import Article, Fields
from dedup.corpus.records import ChunkOutput, paragraph_records
from dedup.paragraphs import split_paragraphs
from dedup.report import ArticleRecord, DropReason, ParagraphRecord
from dedup.review.report_file import site_from_report

BODY = ("The harbour authority confirmed on Thursday that the northern pier will close "
        "for repairs until the spring.")
FOOTER = "Share this article with your neighbours and friends on the coast."


def _corpus(root: Path) -> Path:
    root.mkdir()
    lines = [
        {"id": f"doc-{i}", "site": "harbour.example",
         "text": f"Story {i} opens with its own line.\n{BODY} It is story {i}.\n"
                 f"A line of story {i}.\n{BODY} It is story {i}.\n{FOOTER}"}
        for i in range(4)
    ]
    (root / "a.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in lines))
    return root


def _report(tmp_path: Path, *extra: str) -> list[dict[str, object]]:
    corpus = tmp_path / "in" if (tmp_path / "in").exists() else _corpus(tmp_path / "in")
    report = tmp_path / f"report{len(extra)}.jsonl"
    out = tmp_path / f"out{len(extra)}"
    assert main(["batch", str(corpus), str(out), "--workers", "1", "--quiet", "--cross-doc",
                 "--boilerplate-min-docs", "3", "--report", str(report), *extra]) == 0
    return [orjson.loads(line) for line in report.read_bytes().splitlines()]


def test_every_record_has_the_schema_keys_in_both_modes(tmp_path: Path) -> None:
    for mode in ("drops", "full"):
        for record in _report(tmp_path, "--report-mode", mode):
            assert list(record) == list(ArticleRecord.__annotations__)
            assert record["mode"] == mode
            for paragraph in record["paragraphs"]:  # type: ignore[attr-defined]
                assert list(paragraph) == list(ParagraphRecord.__annotations__)
                if paragraph["reason"] == "boilerplate":  # the rule that dropped it
                    assert paragraph["boilerplate_rule"] in ("exact", "template", "neighbours")
                    assert isinstance(paragraph["site_docs"], int)
                else:
                    assert paragraph["boilerplate_rule"] is None
                    assert paragraph["site_docs"] is None


def test_drops_mode_lists_the_drops_and_their_kept_copies_with_full_counts(
    tmp_path: Path,
) -> None:
    drops = _report(tmp_path)  # the default
    full = _report(tmp_path, "--report-mode", "full")
    assert [r["counts"] for r in drops] == [r["counts"] for r in full]
    for short, whole in zip(drops, full, strict=True):
        every = whole["paragraphs"]
        listed = short["paragraphs"]
        kept_copies = {p["duplicate_of"] for p in every if not p["kept"]
                       and p["duplicate_doc"] is None}
        expected = [p for p in every if not p["kept"] or p["index"] in kept_copies]
        assert listed == expected
        assert short["counts"]["paragraphs"] == len(every)
    first = drops[0]["paragraphs"]
    # "A line of story N." is one template on all four pages, between long paragraphs
    # (which have no shape: only lines do), so the template rule drops it
    assert [(p["index"], p["kept"], p["reason"]) for p in first] == [
        (1, True, None), (2, False, "boilerplate"), (3, False, "exact"),
        (4, False, "boilerplate")]
    assert sum(len(r["paragraphs"]) for r in drops) < sum(len(r["paragraphs"]) for r in full)


def test_counts_hold_the_bytes_of_the_summary(tmp_path: Path) -> None:
    records = _report(tmp_path)
    text = sum(len(orjson.loads(x)["text"].encode()) for x in
               (tmp_path / "in" / "a.jsonl").read_bytes().splitlines())
    assert sum(r["counts"]["bytes_in"] for r in records) == text
    out = sum(len(orjson.loads(x)["text"].encode()) for x in
              (tmp_path / "out0" / "a.jsonl").read_bytes().splitlines())
    assert sum(r["counts"]["bytes_out"] for r in records) == out


def test_one_writer_for_text_json_and_rows() -> None:
    text = f"{BODY}\nOther.\n{BODY}"
    article = Article("a.jsonl", 1, "a", "s", text, {"id": "a", "text": text, "n": 1})
    paragraphs = split_paragraphs(text)
    drops = {2: CorpusDrop(DropReason.EXACT, 0, None, 1.0)}
    row = Article("a.parquet", 1, "a", "s", text, {"id": "a", "text": text, "n": 1})
    encoded = ChunkOutput(Fields(), "drops")
    encoded.add(article, 3, paragraphs, drops)
    rows = ChunkOutput(Fields(), None, rows=True)  # the Ray engine's Parquet rows
    rows.add(row, 3, paragraphs, drops)
    local_rows = ChunkOutput(Fields(), None)  # the local engine writes rows from the texts
    local_rows.add(row, 3, paragraphs, drops)
    assert encoded.data == orjson.dumps({"id": "a", "text": f"{BODY}\nOther.", "n": 1}) + b"\n"
    assert rows.records == [{"id": "a", "text": f"{BODY}\nOther.", "n": 1}]
    assert (rows.data, local_rows.data, local_rows.records) == (b"", b"", [])
    assert rows.texts == local_rows.texts == encoded.texts == [f"{BODY}\nOther."]
    assert rows.report_lines == b""
    assert encoded.summary.dropped["exact"] == rows.summary.dropped["exact"] == 1
    (line,) = encoded.report_lines.splitlines()
    assert [p["index"] for p in orjson.loads(line)["paragraphs"]] == [0, 2]


def test_a_cross_document_drop_lists_no_kept_copy_of_its_own_article() -> None:
    paragraphs = split_paragraphs(f"Intro.\n{BODY}")
    rows = paragraph_records(paragraphs, {1: CorpusDrop(CorpusReason.CROSS_DOC, None, "b", 1.0)},
                             "drops")
    assert [(r["index"], r["duplicate_doc"]) for r in rows] == [(1, "b")]


def test_the_site_from_a_drops_report_says_what_it_shows(tmp_path: Path) -> None:
    _report(tmp_path)
    site = tmp_path / "site"
    assert main(["report", str(tmp_path / "report0.jsonl"), "--html", str(site)]) == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "4 of 4 articles come from a drops-only report" in index
    assert "<b>12 of 20</b>Paragraphs removed" in index  # every paragraph counted, not listed
    page = next((site / "articles").glob("doc-0-*.html")).read_text(encoding="utf-8")
    assert "--report-mode full" in page
    assert "1 kept paragraph, not in this report" in page  # paragraph 0
    assert 'href="#p1"' in page  # the kept copy is linked
    assert 'id="p1"' in page  # and shown


def test_full_report_site_has_no_partial_note(tmp_path: Path) -> None:
    _report(tmp_path, "--report-mode", "full")
    site = tmp_path / "site"
    assert main(["report", str(tmp_path / "report2.jsonl"), "--html", str(site)]) == 0
    assert "drops-only" not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("terminal", [True, False])
def test_dedup_report_shows_progress_only_on_a_terminal(tmp_path: Path, terminal: bool) -> None:
    _report(tmp_path)
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=terminal, width=100)
    summary = site_from_report(str(tmp_path / "report0.jsonl"), tmp_path / "site",
                               console=console)
    assert summary.articles == 4
    assert ("4 articles" in stream.getvalue()) is terminal


def test_an_unknown_report_mode_is_a_config_error(tmp_path: Path) -> None:
    from dedup.corpus.batch import BatchOptions, run_batch
    from dedup.errors import ConfigError

    in_dir = _corpus(tmp_path / "in")
    with pytest.raises(ConfigError, match="report_mode='all'"):  # refused when made
        run_batch(BatchOptions(in_dir=in_dir, out_dir=tmp_path / "out",
                               report=tmp_path / "r.jsonl",
                               report_mode="all"))  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_a_gz_report_is_compressed_and_dedup_report_reads_it(tmp_path: Path) -> None:
    import gzip

    plain = _report(tmp_path)
    report = tmp_path / "run.jsonl.gz"
    assert main(["batch", str(tmp_path / "in"), str(tmp_path / "gz-out"), "--workers", "1",
                 "--quiet", "--cross-doc", "--boilerplate-min-docs", "3",
                 "--report", str(report)]) == 0
    lines = gzip.decompress(report.read_bytes()).splitlines()
    assert [orjson.loads(line) for line in lines] == plain
    stream = io.StringIO()
    summary = site_from_report(str(report), tmp_path / "site",
                               console=Console(file=stream, force_terminal=True, width=100))
    assert summary.articles == 4
    assert "4 articles" in stream.getvalue()
