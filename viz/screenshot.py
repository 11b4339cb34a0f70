"""`cachescope screenshot`: one SVG of a scenario at a step, drawn headless by the real app.

Exit status: 0 written; 2 for bad usage or an output that cannot be written (a missing or read-only
directory, a full disk, a device node, FIFO, socket or link without --force), with nothing left behind;
128 + N when stopped by signal N.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from model.scenario import Scenario
from viz.atomic import atomic_file, check_target
from viz.cli.base import EXIT_OK, EXIT_USAGE, Parser, load_or_report
from viz.options import DEFAULT_SIZE, add_force, add_theme, parse_size


def screenshot_svg(
    scenario: Scenario, step: int, *, size: tuple[int, int] = DEFAULT_SIZE, theme: str | None = None,
    panel: str | None = None,
) -> str:  # fmt: skip
    """The SVG of the app showing `scenario` at `step` (0 to its number of steps), in `theme`."""
    return asyncio.run(_render(scenario, step, size, theme, panel))


async def _render(scenario: Scenario, step: int, size: tuple[int, int], theme: str | None, panel: str | None) -> str:
    from viz.compare.launch import app_for  # late: the parser and its errors need no Textual

    app = app_for(scenario, theme=theme)
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        app.goto(step)
        if panel is not None:
            app.show_panel(panel)
        await pilot.pause()
        await pilot.pause()
        position, length = app.timeline.position, app.timeline.length
        return app.export_screenshot(title=f"{scenario.title} — step {position} / {length}")


def screenshot_command(args: list[str]) -> int:
    """`cachescope screenshot SCENARIO --step N [--theme T] [--size 100x30] [--panel P] -o FILE.svg`."""
    parser = Parser(prog="cachescope screenshot", description="Save an SVG screenshot of a scenario at a step.")
    parser.add_argument("scenario", help="built-in name or .toml file")
    parser.add_argument("--step", type=int, default=0, help="the step to show (0 = the initial state)")
    parser.add_argument("--size", type=parse_size, default=DEFAULT_SIZE, metavar="COLSxLINES", help="default 100x30")
    parser.add_argument("--panel", help="the tab to show (default: the scenario's main subsystem)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="the SVG file to write")
    add_force(parser)
    add_theme(parser)
    options = parser.parse_args(args)
    scenario = load_or_report(options.scenario)
    if scenario is None:
        return EXIT_USAGE
    if not 0 <= options.step <= len(scenario.steps):
        print(f"cachescope screenshot: --step {options.step}: {options.scenario} has steps 0 to {len(scenario.steps)} "
              "(0 is the state before the first)", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    target: Path = options.output
    try:
        if not target.parent.is_dir():
            raise FileNotFoundError(2, f"no directory {target.parent}")
        check_target(target, force=options.force)
    except OSError as exc:
        print(f"cachescope screenshot: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    panels = {"stats", *(getattr(p, "TAB_TITLE", "") for p in _panels())}
    if options.panel is not None and options.panel not in panels:
        parser.error(f"unknown panel {options.panel!r}; choose one of {', '.join(sorted(panels))}")
    svg = screenshot_svg(scenario, options.step, size=options.size, theme=options.theme, panel=options.panel)
    try:
        with atomic_file(target, force=options.force) as out:
            out.write(svg.encode("utf-8"))
    except OSError as exc:
        print(f"cachescope screenshot: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {target}")
    return EXIT_OK


def _panels() -> list[type]:
    from viz.panels import mechanism_panels

    return mechanism_panels()
