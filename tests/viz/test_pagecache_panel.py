"""The page-cache panel driven through the real app: states, lost pages, ranges, and the server row."""

from pathlib import Path

from model.scenario import load_builtin
from viz.app import CacheScopeApp
from viz.panels._pagecache import PageStrips

APPS = Path(__file__).parent / "apps"


def _rows(strips: PageStrips) -> list[str]:
    return [strips.row_text(i).plain for i in range(strips.row_count())]


async def _at(pilot, app, position: int) -> PageStrips:
    app.timeline.goto(position)
    app.refresh_view()
    await pilot.pause()
    return app.query_one(PageStrips)


async def test_pagecache_tab_opens_for_the_puffs_scenario():
    app = CacheScopeApp(load_builtin("puffs-flush-vs-inval"))
    async with app.run_test(size=(100, 30)):
        assert app.active_panel == "pagecache"


async def test_dirty_then_queued_then_clean_cells():
    app = CacheScopeApp(load_builtin("puffs-flush-vs-inval"))
    async with app.run_test(size=(100, 30)) as pilot:
        strips = await _at(pilot, app, 4)  # write 12288 bytes
        kernel, server = _rows(strips)[1:3]
        assert kernel.count("▓A▓") == 3 and "A" not in server
        await pilot.press("n")  # flush: queued, server unchanged
        kernel, server = _rows(strips)[1:3]
        assert kernel.count("⇢A⇢") == 3 and "A" not in server
        assert server.count("≠") == 3
        strips = await _at(pilot, app, 7)  # server-ack 3
        kernel, server = _rows(strips)[1:3]
        assert kernel.count("░A░") == 3 and server.count("A") == 3 and "≠" not in server


async def test_invalidation_marks_lost_pages_and_draws_both_ranges():
    app = CacheScopeApp(load_builtin("puffs-flush-vs-inval"))
    async with app.run_test(size=(100, 30)) as pilot:
        strips = await _at(pilot, app, 9)
        await pilot.press("n")  # inval 5000 9000
        rows = _rows(strips)
        lesson = app.query_one("#frame-pagecache").border_subtitle
        assert "asked [5000, 9000) → [4096, 12288)" in lesson and "400 bytes lost" in lesson
        kernel, asked, rounded = rows[1], rows[3], rows[4]
        assert kernel.count("✗C✗") == 2  # pages 1 and 2, with the data version they lost
        assert asked.count("╍╍╍") == 2 and "━━━" not in asked  # both pages only partly asked for
        assert rounded.count("═══") == 2
        await pilot.press("n")  # the next step: lost marks are for the step that lost them only
        assert "✗" not in _rows(strips)[1]


def test_snapshot_pagecache_after_data_loss(snap_compare):
    async def go(pilot):
        pilot.app.timeline.goto(10)
        pilot.app.refresh_view()
        await pilot.pause()

    assert snap_compare(APPS / "puffs_app.py", run_before=go, terminal_size=(100, 30))
