"""`cachescope screenshot`: one SVG of a scenario at a step, drawn headless by the real app."""

from __future__ import annotations

import asyncio
from pathlib import Path

from model.scenario import Scenario
from viz.atomic import atomic_file
from viz.cli import EXIT_OK, EXIT_USAGE, Parser, load_or_report
from viz.options import DEFAULT_SIZE, add_theme, parse_size


def screenshot_svg(
    scenario: Scenario, step: int, *, size: tuple[int, int] = DEFAULT_SIZE, theme: str | None = None,
    panel: str | None = None,
) -> str:  # fmt: skip
    """The SVG of the app showing `scenario` at `step` (clamped to the script), in `theme`."""
    return asyncio.run(_render(scenario, step, size, theme, panel))


async def _render(scenario: Scenario, step: int, size: tuple[int, int], theme: str | None, panel: str | None) -> str:
    from viz.app import CacheScopeApp  # late: the parser and its errors need no Textual

    app = CacheScopeApp(scenario, theme=theme)
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
    add_theme(parser)
    options = parser.parse_args(args)
    scenario = load_or_report(options.scenario)
    if scenario is None:
        return EXIT_USAGE
    target: Path = options.output
    if target.is_dir() or not target.parent.is_dir():
        parser.error(f"cannot write {target}: {'it is a directory' if target.is_dir() else 'no such directory'}")
    panels = {"stats", *(getattr(p, "TAB_TITLE", "") for p in _panels())}
    if options.panel is not None and options.panel not in panels:
        parser.error(f"unknown panel {options.panel!r}; choose one of {', '.join(sorted(panels))}")
    svg = screenshot_svg(scenario, options.step, size=options.size, theme=options.theme, panel=options.panel)
    with atomic_file(target) as out:
        out.write(svg.encode("utf-8"))
    print(f"wrote {target}")
    return EXIT_OK


def _panels() -> list[type]:
    from viz.panels import SUBSYSTEM_PANELS

    return SUBSYSTEM_PANELS
