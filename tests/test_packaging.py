"""The distribution: its name, its extras, and the install hints that name them."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import dedup
from dedup.extras import DISTRIBUTION, install_hint

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
HINT = re.compile(r"pip install\s+(\S+)")


def test_distribution_name_is_the_one_the_version_lookup_uses():
    assert PYPROJECT["project"]["name"] == DISTRIBUTION == "dedup-paragraphs"
    assert importlib.metadata.version(DISTRIBUTION) == dedup.__version__
    assert PYPROJECT["project"]["scripts"] == {"dedup": "dedup.cli:main"}


def hinted_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "dedup").rglob("*.py"))]


def test_every_install_hint_names_the_distribution_quoted_with_an_existing_extra():
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    found = 0
    for path in hinted_files():
        for target in HINT.findall(path.read_text()):
            target = target.strip("`")
            if "dedup" not in target:
                continue  # another tool's install (dolma)
            found += 1
            match = re.match(r"'dedup-paragraphs\[([a-z,]+)\]'", target)
            assert match, f"{path.name}: {target!r} is not pip install 'dedup-paragraphs[EXTRA]'"
            assert set(match.group(1).split(",")) <= extras, (path.name, target)
    assert found >= 5
    assert install_hint("zstd") == "pip install 'dedup-paragraphs[zstd]'"


def test_optional_libraries_are_extras_and_the_test_extra_has_them_all():
    core = " ".join(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    for name in ("datasketch", "scipy", "pyarrow", "zstandard", "scrapy", "datatrove",
                 "datasets", "redis", "ray"):
        assert name not in core
    test = " ".join(extras["test"])
    for extra in ("redis", "ray", "parquet", "zstd", "datasketch", "scrapy", "datatrove",
                  "datasets"):
        assert extra in test, extra


def test_the_core_and_the_commands_never_import_an_optional_library(tmp_path):
    # (SciPy is left out: Numba imports it when it is installed, which dedup cannot prevent)
    (tmp_path / "in").mkdir()
    article = tmp_path / "in" / "a.txt"
    article.write_text("One paragraph here.\nOne paragraph here.\n")
    code = (
        "import sys, dedup, dedup.corpus, dedup.corpus.batch, dedup.cli\n"
        f"dedup.cli.main(['clean', {str(article)!r}])\n"
        f"dedup.cli.main(['batch', {str(tmp_path / 'in')!r}, {str(tmp_path / 'out')!r}, '--quiet',"
        " '--workers', '1'])\n"
        "optional = ['datasketch', 'pyarrow', 'zstandard', 'scrapy', 'datatrove',"
        " 'datasets', 'ray', 'redis', 'dedup.integrations']\n"
        "print([m for m in optional if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[]"
