"""What every subcommand shares: the exit statuses, the argument parser that exits 2, and loading a scenario
named on the command line (or saying why not)."""

from __future__ import annotations

import argparse
import sys

from model.errors import ScenarioError
from model.scenario import Scenario, resolve

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line hint, as every cachescope error does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def load_or_report(arg: str | None) -> Scenario | None:
    """The scenario an argument names, or None after printing why not (the caller exits with 2)."""
    try:
        return resolve(arg)
    except ScenarioError as exc:
        print(f"cachescope: {exc}", file=sys.stderr)
        return None
