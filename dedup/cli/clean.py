"""``dedup clean FILE|-``: print one cleaned article (or its diff), optionally its report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from dedup.cli.options import ExitCode, add_matching_options, config_from_args
from dedup.errors import BadInput, OutputError
from dedup.printable import printable

__all__ = ["add_parser"]


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``clean`` subcommand."""
    clean = commands.add_parser(
        "clean", help="print one cleaned article",
        description="Print the article with its duplicate paragraphs removed.",
    )
    clean.add_argument("file", metavar="FILE", help="a UTF-8 text file, or - for stdin")
    output = clean.add_argument_group("output")
    output.add_argument("--report", metavar="PATH",
                        help="also write the decisions as JSON to PATH (- for stderr)")
    output.add_argument("--diff", action="store_true",
                        help="print the whole article with removed paragraphs marked, and the "
                             "kept copy and similarity of each (plain markers when stdout is "
                             "not a terminal; control characters shown escaped)")
    add_matching_options(clean)
    clean.set_defaults(run=run, parser=clean)


def run(args: argparse.Namespace) -> int:
    """Clean the article ``args.file`` (the ``dedup clean`` command).

    Raises:
        ConfigError: a matching option is out of range.
        BadInput: the file cannot be read or is not UTF-8.
        OutputError: the report cannot be written.
    """
    import orjson
    from rich.console import Console

    from dedup.pipeline import clean_with_report

    config = config_from_args(args)
    corpus = _corpus_input(args.file)
    if corpus is not None:
        print(f"dedup: {printable(args.file)} is {corpus}; dedup clean takes one article: "
              f"use dedup batch {printable(_corpus_dir(args.file))} OUT_DIR", file=sys.stderr)
        return ExitCode.USAGE
    try:
        text = _read_text(args.file)
    except OSError as error:
        raise BadInput(args.file, None, f"cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        msg = f"invalid UTF-8 ({error.reason} at byte {error.start}): convert the file to UTF-8"
        raise BadInput(args.file, None, msg) from None
    cleaned = clean_with_report(text, config=config)
    if args.diff:
        from dedup.review import print_diff

        print_diff(cleaned.report, Console(highlight=False))
    else:
        sys.stdout.write(cleaned.text)
    sys.stdout.flush()
    if args.report:
        payload = orjson.dumps(cleaned.report.to_dict(), option=orjson.OPT_APPEND_NEWLINE)
        if args.report == "-":
            sys.stderr.write(payload.decode())
        else:
            try:
                Path(args.report).write_bytes(payload)
            except OSError as error:
                msg = f"--report {args.report}: cannot write: {error.strerror or error}"
                raise OutputError(msg) from None
    return ExitCode.OK


def _corpus_input(name: str) -> str | None:
    """Say what ``name`` is when it is a corpus (a directory or a records file), else None."""
    if name == "-":
        return None
    if Path(name).is_dir():
        return "a directory"
    from dedup.corpus.readers import source_format

    file_format = source_format(Path(name).name)
    if file_format is not None and file_format != "text":
        return "a file of records (one article per line or row)"
    return None


def _corpus_dir(name: str) -> str:
    """The directory to give ``dedup batch`` for ``name`` (itself, or the file's directory)."""
    path = Path(name)
    return name if path.is_dir() else str(path.parent)


def _read_text(name: str, stdin: TextIO | None = None) -> str:
    if name == "-":
        data = (stdin or sys.stdin).buffer.read()
        return data.decode("utf-8")
    with Path(name).open("rb") as handle:
        return handle.read().decode("utf-8")
