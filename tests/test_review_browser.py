"""The review site in a real headless Chromium (Debian's chromium and chromium-driver).

The pages must load without console errors, removed paragraphs must be marked,
and every link to a kept copy must land on an existing paragraph. The overview
screenshot goes to ``test-artifacts/`` in the repository root. With
``DEDUP_UPDATE_DOCS=1`` the test also rewrites ``docs/review-overview.png`` and
``docs/review-article.png`` for the README.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from dedup.review import write_site

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]


def load_corpus():
    """Import tests/review_corpus.py (pytest runs with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location("review_corpus", ROOT / "tests/review_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("review") / "site"
    write_site(load_corpus().records(), out, per_page=5)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install them)")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync", "--window-size=1200,1400", "--hide-scrollbars",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def open_page(browser: webdriver.Chrome, path: Path) -> None:
    browser.get(path.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], f"console errors on {path.name}: {errors}"


def test_every_page_loads_without_console_errors(browser, site):
    pages = sorted(site.glob("*.html")) + sorted((site / "articles").glob("*.html"))
    assert len(pages) > 10
    for path in pages:
        open_page(browser, path)
        assert browser.find_element(By.CSS_SELECTOR, ".dedup-review h1").text


def test_overview_shows_the_statistics_and_the_pagination(browser, site):
    open_page(browser, site / "index.html")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "11" in browser.find_element(By.CSS_SELECTOR, ".card b").text
    for reason in ("near", "exact", "boilerplate", "cross doc"):
        assert reason in browser.find_element(By.CSS_SELECTOR, "table.reasons").text
    assert "at most 5 per page" in text
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.articles tr")) == 1 + 5
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.histogram rect")
    assert len(bars) == 11
    assert browser.find_element(By.CSS_SELECTOR, "svg.histogram").size["height"] > 100
    repeats = browser.find_element(By.CSS_SELECTOR, "table.repeats").text
    assert "Subscribe to the Valley News letter" in repeats
    # every list page is reachable and each lists its articles
    listed = 0
    for link in [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "nav a")]:
        if "list-" in link:
            browser.get(link)
            listed += len(browser.find_elements(By.CSS_SELECTOR, "table.articles tr")) - 1
    assert listed == 11 - 5
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    open_page(browser, site / "index.html")
    assert browser.save_screenshot(str(artifacts / "review-overview.png"))
    assert (artifacts / "review-overview.png").stat().st_size > 10_000


def test_removed_paragraphs_are_marked(browser, site):
    page = next((site / "articles").glob("valley-news-2-*.html"))
    open_page(browser, page)
    removed = browser.find_elements(By.CSS_SELECTOR, ".para.removed")
    assert [r.get_attribute("data-reason") for r in removed] == [
        "near", "exact", "cross_doc", "boilerplate",
    ]
    for element in removed:
        text = element.find_element(By.CSS_SELECTOR, ".text")
        assert text.value_of_css_property("text-decoration-line") == "line-through"
        why = element.find_element(By.CSS_SELECTOR, ".why").text
        assert "copy of" in why or "kept in" in why
    kept = browser.find_elements(By.CSS_SELECTOR, ".para.kept .text")
    assert kept[0].value_of_css_property("text-decoration-line") == "none"


def test_links_to_kept_copies_resolve(browser, site):
    checked = 0
    cross = 0
    for page in sorted((site / "articles").glob("*.html")):
        open_page(browser, page)
        links = [
            (a.get_attribute("href"), a.get_attribute("class"))
            for a in browser.find_elements(By.CSS_SELECTOR, "a.kept-link")
        ]
        for href, classes in links:
            url, fragment = urldefrag(href)
            browser.get(href)
            assert browser.current_url.startswith(url)
            target = browser.find_elements(By.ID, fragment)
            assert len(target) == 1, href
            if "archive-2019-17" in url:  # not in the records: the stub page explains
                assert "not in the records" in browser.find_element(By.TAG_NAME, "body").text
            else:
                paragraph = browser.execute_script(
                    "return document.getElementById(arguments[0]).closest('.para')", fragment)
                assert "kept" in paragraph.get_attribute("class").split(), href
                assert paragraph.value_of_css_property("outline-style") == "solid"  # :target
            checked += 1
            cross += "cross" in classes
    assert checked > 20
    assert cross >= 10


def test_readme_screenshots(browser, site):
    """Screenshots of the overview and one article page, as the README shows them.

    They go to test-artifacts/; with DEDUP_UPDATE_DOCS=1 they also replace docs/review-*.png.
    """
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    browser.set_window_size(1100, 1500)
    open_page(browser, site / "index.html")
    browser.save_screenshot(str(artifacts / "docs-overview.png"))
    browser.set_window_size(1100, 900)
    open_page(browser, next((site / "articles").glob("harbour-times-6-*.html")))
    browser.save_screenshot(str(artifacts / "docs-article.png"))
    for name in ("docs-overview.png", "docs-article.png"):
        assert (artifacts / name).read_bytes().startswith(b"\x89PNG")
    if os.environ.get("DEDUP_UPDATE_DOCS"):
        docs = ROOT / "docs"
        shutil.copy(artifacts / "docs-overview.png", docs / "review-overview.png")
        shutil.copy(artifacts / "docs-article.png", docs / "review-article.png")
