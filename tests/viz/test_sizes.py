"""Snapshots at the four sizes the layout is judged at (80x24, 120x40, 160x45 and 200x50): the tour at a
step with a lesson (its panel, or in the grid every panel), and the statistics view. Titles, legends and
counters are worded to fit each width; these snapshots keep them so."""

from __future__ import annotations

from pathlib import Path

import pytest

APPS = Path(__file__).parent / "apps"
SIZES = [(80, 24), (120, 40), (160, 45), (200, 50)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_snapshot_a_lesson_at_each_size(snap_compare, size):
    async def to_the_lost_pages(pilot):
        pilot.app.goto(12)  # tour: inval loses two dirty pages
        await pilot.pause()

    assert snap_compare(APPS / "tour_app.py", run_before=to_the_lost_pages, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_snapshot_the_stats_view_at_each_size(snap_compare, size):
    async def stats_after_the_tour(pilot):
        pilot.app.goto(pilot.app.timeline.length)
        pilot.app.show_panel("stats")
        await pilot.pause()

    assert snap_compare(APPS / "tour_app.py", run_before=stats_after_the_tour, terminal_size=size)
