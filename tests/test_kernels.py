"""dedup.kernels: one switch, Numba loaded only when it pays off, read-only installs work."""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import dedup
from dedup import kernels

PACKAGE = Path(dedup.__file__).parent


def _python(code: str, *, env: dict[str, str] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    environment = {k: v for k, v in os.environ.items() if k != "DEDUP_JIT"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, env={**environment, **(env or {})}, **kwargs)


def test_import_dedup_does_not_load_numba() -> None:
    result = _python("import sys, dedup\nprint('numba' in sys.modules)")
    assert result.stdout == "False\n", result.stderr


def test_cleaning_a_small_text_does_not_load_numba(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    line = "The council approved the new budget on Monday after a long debate.\n"
    article.write_text(line * 3)
    code = ("import sys\nfrom dedup.cli import main\ncode = main(['clean', sys.argv[1]])\n"
            "print(code, 'numba' in sys.modules, file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(article)], capture_output=True,
                            text=True, timeout=600,
                            env={k: v for k, v in os.environ.items() if k != "DEDUP_JIT"})
    assert result.stdout == line
    assert result.stderr == "0 False\n"


def test_auto_loads_the_kernels_once_the_work_pays_off() -> None:
    code = ("from dedup import kernels\n"
            "print(kernels.compiled(10) is None, kernels.enabled())\n"
            "print(kernels.compiled(kernels.PAYS_OFF) is not None, kernels.enabled())")
    result = _python(code)
    assert result.stdout == "True False\nTrue True\n", result.stderr


@pytest.mark.parametrize(("flag", "loaded"), [("0", False), ("1", True), ("auto", False)])
def test_dedup_jit_chooses_the_path(flag: str, loaded: bool) -> None:
    code = ("from dedup import kernels\n"
            "print(kernels.mode(), kernels.compiled(1) is not None)")
    result = _python(code, env={"DEDUP_JIT": flag})
    names = {"0": "numpy", "1": "compiled", "auto": "auto"}
    assert result.stdout == f"{names[flag]} {loaded}\n", result.stderr


def test_use_switches_the_path_and_restores_it(compiled_kernels: kernels.Kernels) -> None:
    before = kernels.mode()
    with kernels.use("numpy"):
        assert kernels.compiled(10**9) is None
        assert not kernels.enabled()
        with kernels.use("compiled"):
            assert kernels.compiled() is compiled_kernels
    assert kernels.mode() == before
    with pytest.raises(ValueError, match="kernel choice"), kernels.use("fast"):  # type: ignore[arg-type]
        pass


def test_a_first_compile_says_so_once_on_stderr(tmp_path: Path) -> None:
    """A fresh cache directory: Numba compiles, and stderr says so once (it takes over 1 s)."""
    code = ("from dedup import kernels\nassert kernels.load() is not None\n"
            "assert kernels.load() is not None")
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache"), "DEDUP_JIT": "1"}
    result = _python(code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("dedup: compiling the kernels") == 1
    again = _python(code, env=env)  # from the cache now: nothing said
    assert again.returncode == 0
    assert again.stderr == ""


def _without_write_override() -> None:
    """In the child: drop root's power to write where permissions forbid it (Linux)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop CAP_DAC_OVERRIDE")


STORY = "The council approved the new budget on Monday after a long debate."


def _read_only_install(tmp_path: Path, *, cache: bool) -> tuple[Path, dict[str, str]]:
    """A copy of the package in a directory nobody can write, and an unwritable HOME."""
    site = tmp_path / "site"
    ignore = None if cache else shutil.ignore_patterns("*.nbi", "*.nbc")
    shutil.copytree(PACKAGE, site / "dedup", ignore=ignore)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEDUP_JIT", "NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env |= {"HOME": str(tmp_path / "home"), "PYTHONPATH": str(site),
            "PYTHONDONTWRITEBYTECODE": "1"}
    (tmp_path / "home").mkdir()
    if cache and not any((site / "dedup" / "__pycache__").glob("compiled.*.nbi")):
        build = "from dedup import kernels\nassert kernels.load() is not None"
        subprocess.run([sys.executable, "-c", build], env={**env, "DEDUP_JIT": "1"}, check=True,
                       cwd=tmp_path, timeout=600)
    for path in [*site.rglob("*"), site, tmp_path / "home"]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return site, env


def _run_read_only(site: Path, env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` on the read-only copy (checked: unwritable, and the copy is imported)."""
    check = (f"import pathlib\ntry:\n    pathlib.Path({str(site / 'dedup' / 'probe')!r}).touch()\n"
             "except PermissionError:\n    pass\nelse:\n    raise SystemExit('writable')\n"
             "import dedup\nfrom dedup import kernels\n"
             f"assert dedup.__file__.startswith({str(site)!r}), dedup.__file__\n")
    return subprocess.run([sys.executable, "-c", check + code], capture_output=True, text=True,
                          env=env, cwd=site.parent, timeout=600,
                          preexec_fn=_without_write_override)


@pytest.fixture
def restore_permissions(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield
    for path in tmp_path.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.mark.usefixtures("restore_permissions")
def test_read_only_install_without_a_cache_takes_the_numpy_path(tmp_path: Path) -> None:
    site, env = _read_only_install(tmp_path, cache=False)
    code = ("from dedup.cli import main\n"
            "print(kernels.load() is None, kernels.compiled(10**9) is None)\n"
            f"print(dedup.clean({STORY + chr(10)!r} * 2))\n"
            "try:\n    main(['--help'])\nexcept SystemExit as done:\n    print('help', done.code)")
    result = _run_read_only(site, env, code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["True True", STORY]
    assert lines[-1] == "help 0"
    assert result.stderr == ""


@pytest.mark.usefixtures("restore_permissions")
def test_read_only_install_with_a_cache_loads_it(tmp_path: Path) -> None:
    site, env = _read_only_install(tmp_path, cache=True)
    code = ("loaded = kernels.load()\nassert loaded is not None\n"
            "print(sorted({len(getattr(loaded, f).__wrapped__.stats.cache_misses)"
            " for f in loaded.__slots__}))\n"
            f"print(dedup.clean({STORY + chr(10)!r} * 2))")
    result = _run_read_only(site, env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"[0]\n{STORY}\n\n"
    assert result.stderr == ""
