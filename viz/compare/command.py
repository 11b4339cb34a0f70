"""The debugger command `compare LEFT RIGHT [RIGHT2]`: the app's own history (its current branch, ops typed
in the box included) on two or three configurations, opened in the compare view at the step shown."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from model.compare import Comparison
from model.overrides import OverrideError, parse_side
from viz.commands import UsageError, command


def side_words(words: list[str]) -> tuple[str, ...]:
    """Two or three sides (KEY=VALUE[,...], FILE.toml or base)."""
    if not 2 <= len(words) <= 3:
        raise UsageError
    return tuple(words)


@command(
    "compare",
    "compare LEFT RIGHT [RIGHT2]",
    "this history on two kernels side by side: compare proc_kernel=v2.6.24 proc_kernel=v4.19",
    side_words,
    closes_box=True,
)
def _compare(app: Any, args: tuple[str, ...]) -> str | None:
    from viz.compare.screen import CompareScreen  # late: the box parses commands without the view

    timeline = app.timeline
    scenario = replace(app.scenario, steps=list(timeline.steps), raw_config=dict(timeline.config), compare=[])
    try:
        comparison = Comparison(scenario, [parse_side(word) for word in args])
    except OverrideError as exc:
        app.notify(str(exc), severity="error", timeout=6)
        return str(exc)
    app.push_screen(CompareScreen(comparison, start=timeline.position))
    return None
