"""Each theme gives every text/background pair the app draws a WCAG 2.1 contrast ratio of at least 4.5:1,
and 7:1 in the high-contrast theme (for projectors): measured on the rendered SVG screens (each character's
fill against the cell behind it), in the grid where every panel shows and at 80x24, at steps that mark
rows, leave ghosts and show errors, and on the help screen."""

from __future__ import annotations

import pytest

from model.scenario import load_builtin
from tests.viz.contrast import Cell, cells, contrast, worst
from themes import SHORT_NAMES
from viz.app import CacheScopeApp

MINIMUM = {"dark": 4.5, "light": 4.5, "contrast": 7.0, "colourblind": 4.5}
STEPS = (3, 4, 7, 12, 15, 19, 20)
"""Tour steps: hits, a negative entry, a reclaim, lost pages, freed dentries, a stale fetch, a flush."""


async def screens(theme: str, size: tuple[int, int]) -> list[str]:
    """SVG screens of the tour at STEPS in `theme`, then of the help screen."""
    app = CacheScopeApp(load_builtin("tour"), theme=theme)
    app.animation_level = "none"
    shots = []
    async with app.run_test(size=size) as pilot:
        for step in STEPS:
            app.goto(step)
            await pilot.pause()
            shots.append(app.export_screenshot())
        await pilot.press("question_mark")
        await pilot.pause()
        shots.append(app.export_screenshot())
    return shots


def test_the_measure_is_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    svg = ('<style>.terminal-r1 { fill: #777777 }</style><rect fill="#ffffff" x="0" y="1.5" width="24.4" '
           'height="24.65" shape-rendering="crispEdges"/><text class="terminal-r1" x="0" y="20" textLength="24.4" '
           'clip-path="url(#terminal-line-0)">a&#160;</text>')  # fmt: skip
    assert list(cells(svg)) == [Cell(0, 0, "a", "#777777", "#ffffff")]


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["grid", "80x24"])
@pytest.mark.parametrize("theme", list(MINIMUM))
async def test_every_text_reads_against_its_background(theme: str, size: tuple[int, int]) -> None:
    limit = MINIMUM[theme]
    measured = 0
    for svg in await screens(SHORT_NAMES[theme], size):
        drawn = list(cells(svg))
        measured += len(drawn)
        poor = worst(svg, limit)
        assert not poor, f"{theme}: " + ", ".join(f"{c.char!r} {c.fg} on {c.bg} = {c.ratio:.2f}" for c in poor[:6])
    assert measured > 1000, "the screens were measured"
