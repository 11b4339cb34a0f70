"""The compare view: n/b step every machine, ]/[ jump between divergent steps, the bar and the panels mark
the divergences, the main app opens it with `compare`, and it looks right at 80x24, 120x40 and 200x50."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.scenario import load_builtin
from viz.app import CacheScopeApp
from viz.command_box import CommandBox
from viz.compare.app import CompareApp
from viz.compare.screen import CompareScreen
from viz.compare.widgets import DIFFERS, DIVERGES, ONLY_HERE, DivergenceBar, SideEvents
from viz.panels._rows import RowList

APPS = Path(__file__).parent / "apps"
PROC = "proc-flush-2.6.24-vs-4.19"


def _screen(app) -> CompareScreen:
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    return screen


async def test_n_and_b_move_every_machine_together() -> None:
    app = CompareApp(load_builtin("cacheflush-legacy-vs-linux-vs-spec"))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("n", "n", "n")
        assert [t.position for t in app.timeline.timelines] == [3, 3, 3]
        await pilot.press("b")
        assert [t.position for t in app.timeline.timelines] == [2, 2, 2]
        assert len(app.screen.query(SideEvents)) == 3


async def test_brackets_jump_between_divergent_steps_and_stop_at_the_ends() -> None:
    app = CompareApp(load_builtin(PROC))
    divergent = app.comparison.divergent
    assert divergent == [4, 5, 6]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        assert app.timeline.position == 4
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.timeline.position == 6
        await pilot.press("right_square_bracket")  # none after: stays, and says so
        assert app.timeline.position == 6
        await pilot.press("left_square_bracket")
        assert app.timeline.position == 5
        app.goto(2)
        await pilot.press("left_square_bracket")
        assert app.timeline.position == 2


async def test_the_divergent_step_marks_events_objects_and_the_bar() -> None:
    app = CompareApp(load_builtin(PROC))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        screen = _screen(app)
        diff = app.timeline.diff
        assert screen.panel == "proc"
        for side in (0, 1):
            events = screen.query_one(f"#events-{side}", SideEvents)
            assert events.marks == diff.marked_events(side) and events.marks
        right_marks = set(diff.marked_events(1).values())
        assert right_marks == {"differs", "only"}  # 4.19's d_invalidate of the task dentry: only on the right
        left_rows = screen.query_one("#panel-0-proc").query(RowList).first()
        marked = [i for i in range(left_rows.row_count()) if left_rows.row_ref(i) in left_rows.differs]
        assert {left_rows.row_ref(i) for i in marked} >= {"d4", "d5"}  # the task dentry left behind, its status
        line = "".join(segment.text for segment in left_rows.render_line(marked[0] - round(left_rows.scroll_y)))
        assert DIFFERS in line[:2]
        unmarked = next(i for i in range(left_rows.row_count()) if left_rows.row_ref(i) not in left_rows.differs)
        assert DIFFERS not in "".join(s.text for s in left_rows.render_line(unmarked))[:2]
        bar = screen.query_one(DivergenceBar)
        assert bar.divergent == frozenset(app.comparison.divergent)
        assert str(bar.render()).count(DIVERGES) >= 2  # the current step's ◆ is under the cursor ●
        await pilot.press("home")
        assert not any(rows.differs for rows in screen.query(RowList))


async def test_a_step_without_divergence_marks_nothing() -> None:
    app = CompareApp(load_builtin(PROC))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n")
        screen = _screen(app)
        assert not app.timeline.diff.diverges
        for side in (0, 1):
            assert not screen.query_one(f"#events-{side}", SideEvents).marks
        assert ONLY_HERE not in str(screen.query_one("#events-1", SideEvents).query_one("Static").content)


async def test_the_panel_keys_change_the_panel_of_every_column() -> None:
    app = CompareApp(load_builtin(PROC))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = _screen(app)
        first = screen.panel
        await pilot.press("full_stop")
        assert screen.panel != first
        for n in (0, 1):
            assert screen.query_one(f"#panels-{n}").current == f"panel-{n}-{screen.panel}"
        await pilot.press("comma")
        assert screen.panel == first


async def test_the_main_app_opens_its_own_history_in_the_compare_view_and_returns() -> None:
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.goto(12)
        await pilot.press("colon")
        box = app.query_one(CommandBox)
        box.value = "compare proc_kernel=v2.6.24 proc_kernel=v4.19"
        await pilot.press("enter")
        await pilot.pause()
        screen = _screen(app)
        assert screen.lockstep.position == 12
        assert screen.comparison.labels == ["proc_kernel=v2.6.24", "proc_kernel=v4.19"]
        assert screen.comparison.divergent == [12, 13]
        await pilot.press("escape")
        assert not isinstance(app.screen, CompareScreen)
        assert app.timeline.position == 12


async def test_a_bad_side_in_the_main_app_is_an_error_not_a_crash() -> None:
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("colon")
        app.query_one(CommandBox).value = "compare proc_kernl=v2.6.24 proc_kernel=v4.19"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)


async def test_the_palette_offers_the_comparison() -> None:
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(120, 40)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Compare kernels" in titles


SIZES = [(80, 24), (120, 40), (200, 50)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_snapshot_where_the_thread_dentry_is_left_behind(snap_compare, size):
    assert snap_compare(APPS / "compare_app.py", press=["right_square_bracket"], terminal_size=size)


@pytest.mark.parametrize("size", [(120, 40), (200, 50)], ids=["120x40", "200x50"])
def test_snapshot_three_cacheflush_kernels(snap_compare, size):
    assert snap_compare(APPS / "compare_cpu_app.py", press=["right_square_bracket"], terminal_size=size)
