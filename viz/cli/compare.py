"""`cachescope compare SCENARIO [LEFT RIGHT [RIGHT2]] [--json]`: one scenario on two or three kernels.

Without --json the app's compare view opens; with it, one JSON object per step (both event lists and
the structured diff, model/compare.py) and a last `{"summary": ...}` line. Exit 0 whether or not the
kernels differ (a refused step is part of what is compared); 2 for a bad scenario or side, with a
message naming it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from model.compare import Comparison
from model.overrides import OverrideError, Side, parse_side
from model.scenario import Scenario
from viz.cli.base import EXIT_OK, EXIT_USAGE, Parser, load_or_report
from viz.options import add_theme

EPILOG = """sides (LEFT, RIGHT, RIGHT2):
  KEY=VALUE[,KEY=VALUE...]   override [config] keys: proc_kernel=v2.6.24, cacheflush_mode=legacy,
                             vnode_protocol=freebsd5, dcache.ways=4 (one field of a table)
  FILE.toml                  the [config] table of a TOML file
  base                       the scenario's own [config], unchanged
Without sides, the scenario's [compare] table names them (the built-in *-vs-* scenarios have one).

examples:
  cachescope compare proc-flush-2.6.24-vs-4.19
  cachescope compare proc-namespaces proc_kernel=v2.6.24 proc_kernel=v4.19 --json
  cachescope compare cacheflush-errors cacheflush_mode=legacy cacheflush_mode=linux cacheflush_mode=spec

In the view: n/b step both machines, ]/[ jump to the next/previous divergent step; docs/compare.md."""


def compare_parser() -> argparse.ArgumentParser:
    """The options of `cachescope compare`."""
    parser = Parser(
        prog="cachescope compare",
        description="Run one scenario on two or three kernel configurations side by side and show every "
        "step where they differ: events (kind, ret, errno, what was freed or flushed) and objects.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", help="built-in name or .toml file")
    parser.add_argument("sides", nargs="*", metavar="SIDE", help="LEFT RIGHT [RIGHT2]: see below")
    parser.add_argument(
        "--json", action="store_true", help="print each step's event lists and diff as JSON, then a summary line"
    )
    add_theme(parser)
    return parser


def compare_command(args: list[str]) -> int:
    """`cachescope compare SCENARIO [LEFT RIGHT [RIGHT2]] [--json] [--theme T]`."""
    options = compare_parser().parse_args(args)
    scenario = load_or_report(options.scenario)
    if scenario is None:
        return EXIT_USAGE
    sides = sides_or_report(scenario, options.sides)
    if sides is None:
        return EXIT_USAGE
    if options.json:
        return print_json(Comparison(scenario, sides), sys.stdout)
    from viz.compare.app import CompareApp  # late: --json needs no Textual

    CompareApp(scenario, sides=sides, theme=options.theme).run()
    return EXIT_OK


def sides_or_report(scenario: Scenario, words: list[str]) -> list[Side] | None:
    """The sides the words name (or the scenario's [compare] table's), checked; None after saying why not."""
    try:
        if not words:
            if not scenario.compare:
                raise OverrideError(
                    f"{scenario.source} has no [compare] table: name the sides, "
                    "e.g. cachescope compare proc-namespaces proc_kernel=v2.6.24 proc_kernel=v4.19"
                )
            return list(scenario.compare)
        sides = [parse_side(word) for word in words]
        if not 2 <= len(words) <= 3:
            raise OverrideError(f"give two sides (LEFT RIGHT) or three (LEFT RIGHT RIGHT2), not {len(words)}")
        for side in sides:
            side.config(scenario.raw_config)
        return sides
    except OverrideError as exc:
        print(f"cachescope compare: {exc}", file=sys.stderr)
        return None


def print_json(comparison: Comparison, out: TextIO) -> int:
    """One line per step, then the summary line."""
    for step in comparison.steps[1:]:
        out.write(json.dumps(step.to_dict(comparison.labels)) + "\n")
    out.write(json.dumps({"summary": comparison.summary()}) + "\n")
    return EXIT_OK
