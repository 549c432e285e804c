"""The ``dedup`` command: argv -> files -> cleaned output -> exit code.

``dedup clean FILE|-`` prints one cleaned article. The corpus command
(``dedup batch``) lives in :mod:`dedup.corpus.command` and registers itself
here. ``main(argv)`` returns the exit code, so tests call it in-process.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import TextIO

import orjson
from rich.console import Console

from dedup import __version__
from dedup.config import CANDIDATE_VALUES, KEEP_VALUES, SPLIT_VALUES, Config
from dedup.errors import DedupError
from dedup.pipeline import clean_with_report

__all__ = ["ExitCode", "add_matching_options", "config_from_args", "main"]


class ExitCode(IntEnum):
    """What the ``dedup`` command's exit code means."""

    OK = 0
    SOME_FILES_FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


def add_matching_options(parser: argparse.ArgumentParser) -> None:
    """Add the in-article cleaning options (the fields of :class:`dedup.Config`)."""
    defaults = Config()
    group = parser.add_argument_group("matching")
    group.add_argument("--keep", choices=KEEP_VALUES, default=defaults.keep,
                       help="which copy survives (default: %(default)s)")
    group.add_argument("--split", choices=SPLIT_VALUES, default=defaults.split,
                       help="paragraphs are lines, or blocks between blank lines "
                            "(default: %(default)s)")
    group.add_argument("--min-length", type=int, default=defaults.min_length, metavar="N",
                       help="shortest normalized paragraph dropped outside a repeated block "
                            "(default: %(default)s)")
    group.add_argument("--min-similarity", type=float, default=defaults.min_similarity,
                       metavar="S", help="near-duplicate similarity in [0, 1] "
                                         "(default: %(default)s)")
    group.add_argument("--candidates", choices=CANDIDATE_VALUES, default=defaults.candidates,
                       help="candidate pairs from LSH, or every pair (default: %(default)s)")


def config_from_args(args: argparse.Namespace) -> Config:
    """Build the :class:`dedup.Config` the matching options describe."""
    return Config(
        keep=args.keep,
        split=args.split,
        min_length=args.min_length,
        min_similarity=args.min_similarity,
        candidates=args.candidates,
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``dedup`` command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="dedup",
        description="Remove duplicate and near-duplicate paragraphs from scraped text.",
    )
    parser.add_argument("--version", action="version", version=f"dedup {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
                             "not a terminal)")
    add_matching_options(clean)
    clean.set_defaults(run=_run_clean)
    report = commands.add_parser(
        "report", help="render an existing --report file",
        description="Write the static HTML review site of a corpus run from its report.",
    )
    report.add_argument("report", metavar="REPORT", help="a JSON-lines report (- for stdin)")
    report.add_argument("--html", metavar="DIR", required=True,
                        help="write the review site into DIR (replaced as a whole)")
    report.add_argument("--per-page", type=int, default=100, metavar="N",
                        help="articles per page of the overview's list (default: %(default)s)")
    report.set_defaults(run=_run_report)
    _add_corpus_commands(commands)
    return parser


def _add_corpus_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        from dedup.corpus.command import add_parser
    except ImportError:
        return
    add_parser(commands)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dedup`` command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args) if hasattr(args, "keep") else Config()
    except DedupError as error:
        parser.error(str(error))
    try:
        return int(args.run(args, config))
    except KeyboardInterrupt:
        print("dedup: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED


def _run_clean(args: argparse.Namespace, config: Config) -> int:
    corpus = _corpus_input(args.file)
    if corpus is not None:
        print(f"dedup: {args.file} is {corpus}; dedup clean takes one article: "
              f"use dedup batch {_corpus_dir(args.file)} OUT_DIR", file=sys.stderr)
        return ExitCode.USAGE
    try:
        text = _read_text(args.file)
    except (OSError, UnicodeDecodeError) as error:
        print(f"dedup: {args.file}: {error}", file=sys.stderr)
        return ExitCode.SOME_FILES_FAILED
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
            Path(args.report).write_bytes(payload)
    return ExitCode.OK


def _run_report(args: argparse.Namespace, config: Config) -> int:
    from dedup.review.report_file import site_from_report

    if args.per_page < 1:
        print(f"dedup: --per-page={args.per_page} must be at least 1", file=sys.stderr)
        return ExitCode.USAGE
    try:
        summary = site_from_report(args.report, Path(args.html), per_page=args.per_page,
                                   console=Console(stderr=True))
    except (OSError, orjson.JSONDecodeError) as error:
        print(f"dedup: {args.report}: {error}", file=sys.stderr)
        return ExitCode.SOME_FILES_FAILED
    print(
        f"dedup: wrote {summary.out_dir / 'index.html'}: {summary.articles} articles, "
        f"{summary.removed_paragraphs} of {summary.paragraphs} paragraphs removed",
        file=sys.stderr,
    )
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
