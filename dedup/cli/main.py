"""The ``dedup`` parser, and the one place where errors become exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dedup import __version__
from dedup.cli import batch, clean, report
from dedup.cli.options import ExitCode
from dedup.errors import BadInput, ConfigError, CorpusIndexError, DedupError
from dedup.printable import printable
from dedup.redact import redact

__all__ = ["build_parser", "exit_code", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``dedup`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="dedup",
        description="Remove duplicate and near-duplicate paragraphs from scraped text.",
    )
    parser.add_argument("--version", action="version", version=f"dedup {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (clean, report, batch):
        command.add_parser(commands)
    return parser


def exit_code(error: DedupError) -> ExitCode:
    """Return the exit code of a run that ``error`` stopped.

    A bad input file is a failed file (1); anything else a user can cause (an
    option, an unwritable output, an index, a refused resume) is a usage or
    environment error (2).

    Example:
        >>> exit_code(BadInput("a.txt", None, "cannot read")), exit_code(ConfigError("x"))
        (<ExitCode.SOME_FILES_FAILED: 1>, <ExitCode.USAGE: 2>)
    """
    if isinstance(error, BadInput):
        return ExitCode.SOME_FILES_FAILED
    return ExitCode.USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dedup`` command and return its exit code.

    Messages are shown with credentials masked (:func:`dedup.redact.redact`)
    and control characters escaped (:func:`dedup.printable.printable`). An
    option out of range exits through argparse (usage and message, code 2);
    every other :class:`~dedup.errors.DedupError` prints one line and returns
    :func:`exit_code`; an ``OSError`` (a full disk mid-run) prints one line and
    returns 2; Ctrl-C returns 130.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    command_parser: argparse.ArgumentParser = args.parser
    try:
        return int(args.run(args))
    except ConfigError as error:
        command_parser.error(_shown(error))
    except CorpusIndexError as error:  # its message names the index, credentials masked
        print(f"dedup: --index: {_shown(error)}", file=sys.stderr)
        return exit_code(error)
    except DedupError as error:
        print(f"dedup: {_shown(error)}", file=sys.stderr)
        return exit_code(error)
    except OSError as error:  # the environment failed mid-run (a full disk, a lost mount)
        print(f"dedup: {_shown(error)}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("dedup: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED


def _shown(error: BaseException) -> str:
    return printable(redact(error))
