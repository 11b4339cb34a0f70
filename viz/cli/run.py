"""`cachescope run SCENARIO [--json] [--state]`: a scenario headless, each step and its events printed."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from model.events import Event
from model.parts import source_of
from model.system import System
from viz.cli.base import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, Parser, load_or_report


def run_command(args: list[str]) -> int:
    """`cachescope run SCENARIO [--json] [--state]`."""
    parser = Parser(prog="cachescope run", description="Run a scenario headless and print its events.")
    parser.add_argument("scenario", help="built-in name or .toml file")
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per step: {step, op, say, events}, events with their source",
    )
    parser.add_argument("--state", action="store_true", help="print the final state (System.to_dict) as JSON")
    return _run(parser.parse_args(args), sys.stdout)


def _run(options: argparse.Namespace, out: TextIO) -> int:
    scenario = load_or_report(options.scenario)
    if scenario is None:
        return EXIT_USAGE
    system = System(scenario.raw_config)  # no Timeline: run never goes back, so no checkpoints and no history
    refused = False
    for position, step in enumerate(scenario.steps, start=1):
        events = system.apply(step.op)
        for event in (e for e in events if e.is_error):  # the events go to stdout; say why on stderr too
            refused = True
            hint = f" ({event.explain})" if event.explain else ""
            print(f"cachescope: {scenario.source}: step {position}: {event.text}{hint}", file=sys.stderr)
        if options.json:
            record = {
                "step": position,
                "op": str(step.op),
                "say": step.say,
                "events": [_with_source(e, system) for e in events],
            }
            out.write(json.dumps(record) + "\n")
        elif not options.state:
            out.write(f"step {position}: {step.op}\n")
            for event in events:
                out.write(f"  {event.kind:24} {event.line()}\n")
    if options.state:
        state = system.to_dict()
        out.write(json.dumps({"state": state} if options.json else state, indent=None if options.json else 2) + "\n")
    return EXIT_REFUSED if refused else EXIT_OK


def _with_source(event: Event, system: System) -> dict:
    """The event as JSON, with the `source` of its kernel function (file, function, kernel, url) when it has one."""
    out = event.to_dict()
    source = source_of(event, system.config)
    if source is not None:
        out["source"] = source.to_dict()
    return out
