"""Optional dependencies: the distribution name, install hints and imports by extra.

dedup is installed as ``dedup-paragraphs`` (PyPI's ``dedup`` is an unrelated
package); the import package and the command are ``dedup``. Features that need
an optional dependency import it through :func:`require`, so a missing one is
one clear line naming the extra to install.

Example:
    >>> install_hint("ray")
    "pip install 'dedup-paragraphs[ray]'"
"""

from __future__ import annotations

import importlib
from types import ModuleType

from dedup.errors import MissingExtraError

__all__ = ["DISTRIBUTION", "install_hint", "require"]

DISTRIBUTION = "dedup-paragraphs"


def install_hint(extra: str) -> str:
    """Return the command that installs ``extra`` (quoted, so it pastes into zsh too)."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``extra``.

    Args:
        module: the module to import, e.g. ``"zstandard"``.
        extra: the extra of dedup-paragraphs that installs it, e.g. ``"zstd"``.
        what: what needs it, for the message, e.g. ``"reading data.jsonl.zst"``.

    Raises:
        MissingExtraError: the module is not installed.

    Example:
        >>> try:
        ...     require("dedup_no_such_module", "zstd", "a.jsonl.zst")
        ... except MissingExtraError as error:
        ...     print(error)
        a.jsonl.zst needs the zstd extra: pip install 'dedup-paragraphs[zstd]'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        msg = f"{what} needs the {extra} extra: {install_hint(extra)}"
        raise MissingExtraError(msg) from None
