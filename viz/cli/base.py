"""What every subcommand shares: the exit statuses, the argument parser that exits 2, and loading a scenario
named on the command line (or saying why not)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.errors import ScenarioError
from model.scenario import Scenario, resolve

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line hint, as every cachescope error does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


READING_NOTICE = 4 << 20
"""A scenario file at least this big says it is being read (on a terminal): 100,000 steps take seconds."""


def load_or_report(arg: str | None) -> Scenario | None:
    """The scenario an argument names, or None after printing why not (the caller exits with 2)."""
    notice = _reading_notice(arg)
    if notice:
        sys.stderr.write(notice)
        sys.stderr.flush()
    try:
        return resolve(arg)
    except ScenarioError as exc:
        print(f"\ncachescope: {exc}" if notice else f"cachescope: {exc}", file=sys.stderr)
        return None
    finally:
        if notice:
            sys.stderr.write("\r" + " " * len(notice) + "\r")
            sys.stderr.flush()


def _reading_notice(arg: str | None) -> str:
    """`reading big.toml (27 MiB)…` for a big file when stderr is a terminal, else empty."""
    if arg is None or not sys.stderr.isatty():
        return ""
    try:
        size = Path(arg).stat().st_size
    except OSError:
        return ""
    return f"reading {Path(arg).name} ({size >> 20} MiB)…" if size >= READING_NOTICE else ""
