"""What every subcommand shares: the exit statuses, the argument parser that exits 2, and loading a scenario
named on the command line (or saying why not)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from model.errors import ScenarioError
from model.scenario import Scenario, is_file_argument, open_file, resolve
from model.step_reader import StepReader
from model.timeline import Step

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
    with _reading(arg) as notice:
        try:
            return resolve(arg)
        except ScenarioError as exc:
            print(f"\ncachescope: {exc}" if notice else f"cachescope: {exc}", file=sys.stderr)
            return None


@contextmanager
def _reading(arg: str | None) -> Iterator[str]:
    """Say `reading FILE (N MiB)…` on the terminal while a big file is read, and clear it after."""
    notice = _reading_notice(arg)
    if notice:
        sys.stderr.write(notice)
        sys.stderr.flush()
    try:
        yield notice
    finally:
        if notice:
            sys.stderr.write("\r" + " " * len(notice) + "\r")
            sys.stderr.flush()


OPEN_FIRST = 2000
"""Steps of a scenario file the app builds before its first frame; the rest are read while it shows."""


def open_or_report(arg: str | None) -> tuple[Scenario, StepReader[Step] | None] | None:
    """For the app: the scenario an argument names with its first OPEN_FIRST steps, and a reader for the
    rest of a big file (None when every step is read); None after printing why not."""
    if arg is None or not is_file_argument(arg):
        scenario = load_or_report(arg)
        return None if scenario is None else (scenario, None)
    with _reading(arg) as notice:
        try:
            scenario, reader = open_file(arg, first=OPEN_FIRST)
            if reader is not None and scenario.compare:  # the compare view takes its steps whole
                scenario.steps.extend(reader.read(reader.total - reader.position))
                reader = None
        except ScenarioError as exc:
            print(f"\ncachescope: {exc}" if notice else f"cachescope: {exc}", file=sys.stderr)
            return None
    return scenario, reader


def _reading_notice(arg: str | None) -> str:
    """`reading big.toml (27 MiB)…` for a big file when stderr is a terminal, else empty."""
    if arg is None or not sys.stderr.isatty():
        return ""
    try:
        size = Path(arg).stat().st_size
    except OSError:
        return ""
    return f"reading {Path(arg).name} ({size >> 20} MiB)…" if size >= READING_NOTICE else ""
