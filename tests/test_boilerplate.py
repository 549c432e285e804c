"""Site boilerplate by where a line stands: own headlines kept, templated lines dropped."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dedup.corpus import Deduplicator
from dedup.corpus.batch import BatchOptions, run_batch
from dedup.corpus.readers import Fields
from dedup.corpus.templates import shape_of, site_drops
from tests.corpus_helpers import read_jsonl, write_jsonl
from tests.site_pages import FOOTER, MENU, dateline, headline, lede, page, results, site_records

PAGES = 6


def batch_report(tmp_path: Path, records: list[dict[str, str]], workers: int = 1,
                 name: str = "run", min_docs: int = 3) -> dict[str, list[dict[str, object]]]:
    corpus = tmp_path / f"{name}-in"
    write_jsonl(corpus / "pages.jsonl", records)
    report = tmp_path / f"{name}.jsonl"
    run_batch(BatchOptions(in_dir=corpus, out_dir=tmp_path / f"{name}-out",
                           fields=Fields(site="site"), workers=workers,
                           boilerplate_min_docs=min_docs, report=report, report_mode="full",
                           dry_run=True))
    return {str(r["id"]): r["paragraphs"] for r in read_jsonl(report)}


def kept_texts(rows: list[dict[str, object]]) -> list[str]:
    return [str(r["text"]) for r in rows if r["kept"]]


def dropped(rows: list[dict[str, object]]) -> dict[str, tuple[object, object]]:
    return {str(r["text"]): (r["boilerplate_rule"], r["site_docs"])
            for r in rows if r["reason"] == "boilerplate"}


@pytest.fixture
def report(tmp_path: Path) -> dict[str, list[dict[str, object]]]:
    return batch_report(tmp_path, site_records(PAGES))


def test_own_headline_kept_on_its_page_and_dropped_from_other_link_lists(
    report: dict[str, list[dict[str, object]]],
) -> None:
    for n in range(PAGES):
        rows = report[f"gz-{n}"]
        kept = kept_texts(rows)
        assert headline(n) in kept
        assert lede(n) in kept
        for m in range(PAGES):
            if m != n:  # listed under "Most read": the same text, found on every page
                assert dropped(rows)[headline(m)] == ("exact", PAGES)


def test_templated_datelines_and_counters_dropped(
    report: dict[str, list[dict[str, object]]],
) -> None:
    for n in range(PAGES):
        gone = dropped(report[f"gz-{n}"])
        assert gone[dateline(n)] == ("template", PAGES)
        assert gone[f"{3 + 2 * n} comments"] == ("template", PAGES)
        assert all(gone[line] == ("exact", PAGES) for line in [*MENU, *FOOTER])


def test_results_tables_with_differing_facts_kept(
    report: dict[str, list[dict[str, object]]],
) -> None:
    for n in range(PAGES):
        kept = kept_texts(report[f"gz-{n}"])
        assert all(line in kept for line in results(n))


def test_market_report_lines_of_one_shape_in_a_page_kept() -> None:
    prices = ["ftse 100 6 123 up 12", "dow jones 10 456 up 3", "nikkei 11 789 down 8"]
    site = dict.fromkeys(range(1, 4), 10)  # each shape on every page of the site
    # each line has its own shape, found on 10 documents, and numbers beside it: a table
    assert site_drops([101, 102, 103], [1, 2, 3], [len(p) for p in prices], site, 3) == {}
    # the same shape alone among text lines is template
    assert site_drops([101, 102, 103], [0, 2, 0], [20, 20, 20], site, 3) == {
        1: ("template", 10)}
    assert shape_of(prices[0]) == "ftse # # # up #"


def test_lines_repeated_under_threshold_go_with_their_list(tmp_path: Path) -> None:
    records = site_records(PAGES)
    extra = "Harbour festival tickets on sale now"
    for n in (1, 2):  # on two pages only, inside the footer
        text = records[n]["text"]
        records[n]["text"] = text.replace(FOOTER[0], f"{FOOTER[0]}\n{extra}")
    found = batch_report(tmp_path, records)
    for n in (1, 2):
        assert dropped(found[f"gz-{n}"])[extra] == ("neighbours", 2)


def test_same_decisions_for_any_order_and_worker_count(tmp_path: Path) -> None:
    records = site_records(PAGES)
    base = batch_report(tmp_path, records, name="base")
    shuffled = records[:]
    random.Random(4).shuffle(shuffled)
    assert batch_report(tmp_path, shuffled, name="shuffled") == base
    assert batch_report(tmp_path, shuffled, workers=2, name="workers") == base


def test_deduplicator_applies_the_same_rules_as_counts_grow() -> None:
    with Deduplicator(cross_doc=False, boilerplate_min_docs=3) as cleaner:
        results_ = [cleaner.clean_with_report(page(n, PAGES), site="gazette.example",
                                              doc=f"gz-{n}") for n in range(PAGES)]
    for n, cleaned in enumerate(results_):
        lines = cleaned.text.splitlines()
        assert headline(n) in lines
        assert lede(n) in lines
        assert all(line in lines for line in results(n))
        rows = {str(r["text"]): r for r in cleaned.paragraphs}
        if n < 2:  # streaming: the first two pages come before any line is in 3 documents
            assert dateline(n) in lines
            assert MENU[0] in lines
        else:
            assert rows[dateline(n)]["boilerplate_rule"] == "template"
            assert rows[dateline(n)]["site_docs"] == n + 1
            assert rows[MENU[0]]["boilerplate_rule"] == "exact"
            assert rows[MENU[0]]["site_docs"] == n + 1
        # a page lists the others' headlines; from the third holder on, they go
        for m in range(PAGES):
            if m != n and rows[headline(m)]["kept"] is False:
                assert rows[headline(m)]["boilerplate_rule"] == "exact"
    last = {str(r["text"]): r for r in results_[-1].paragraphs}
    assert all(last[headline(m)]["kept"] is False for m in range(PAGES - 1))


def test_review_page_names_the_rule_and_the_documents(tmp_path: Path) -> None:
    from dedup.review import report_html

    found = batch_report(tmp_path, site_records(PAGES))
    html = report_html({"id": "gz-2", "paragraphs": found["gz-2"]})
    assert "template rule, on 6 documents of the site" in html
    assert "exact rule, on 6 documents of the site" in html
