"""The ``dedup`` command: argv -> a subcommand -> exit code.

- :mod:`dedup.cli.main`: the parser, and the one place errors become exit codes;
- :mod:`dedup.cli.options`: the exit codes and the options subcommands share;
- :mod:`dedup.cli.clean`, :mod:`dedup.cli.batch`, :mod:`dedup.cli.report`: the
  subcommands ``dedup clean``, ``dedup batch`` and ``dedup report``.

Building the parser imports no corpus code: ``dedup --version`` and ``dedup
--help`` stay fast, and each subcommand imports what it runs when it runs.
``main(argv)`` returns the exit code, so tests call it in-process.
"""

from __future__ import annotations

from dedup.cli.main import main
from dedup.cli.options import ExitCode

__all__ = ["ExitCode", "main"]
