"""The debugger experience through the pilot: keys, command box, breakpoints, watches, timeline bar,
layout, maximise, themes, screenshots, help and the command palette."""

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from model.scenario import load_builtin
from viz.app import CacheScopeApp
from viz.breakpoints import BreakpointsScreen
from viz.command_box import CommandBox
from viz.commands import parse_command
from viz.deck import PanelDeck, PanelFrame
from viz.help import HelpScreen
from viz.timeline_bar import TimelineBar
from viz.watches import WatchPanel

APPS = Path(__file__).parent / "apps"


def _app(name: str = "namecache-basics", **options) -> CacheScopeApp:
    return CacheScopeApp(load_builtin(name), **options)


async def _type(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", ":": "colon", "*": "asterisk", ".": "full_stop"}.get(c, c) for c in text])


async def test_home_end_and_goto():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("end")
        assert app.timeline.position == app.timeline.length
        await pilot.press("home")
        assert app.timeline.position == 0
        await pilot.press("g")
        box = app.query_one(CommandBox)
        assert box.display and box.value == "goto "
        await _type(pilot, "5")
        await pilot.press("enter")
        assert app.timeline.position == 5


async def test_command_box_applies_an_op_as_a_new_step_on_a_new_branch():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.goto(3)
        await pilot.press("colon")
        await _type(pilot, "lookup /etc/passwd")
        await pilot.press("enter")
        assert app.timeline.length == 4 and app.timeline.position == 4
        assert str(app.timeline.current_step.op) == "lookup /etc/passwd"
        assert [b.length for b in app.timeline.branches()] == [14, 4], "the old future stays as branch 1"
        box = app.query_one(CommandBox)
        assert box.display and "step 4/4" in box.border_subtitle


async def test_command_box_shows_errors_inline_and_keeps_history():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon")
        await _type(pilot, "lookpu /etc")
        await pilot.press("enter")
        box = app.query_one(CommandBox)
        assert box.has_class("-error") and "did you mean 'lookup'" in box.border_subtitle
        assert app.timeline.length == load_builtin("namecache-basics").timeline().length  # nothing applied
        box.value = ""
        await pilot.press("up")
        assert box.value == "lookpu /etc"
        await pilot.press("escape")
        assert not box.display


async def test_a_colon_typed_again_in_the_open_box_is_not_part_of_the_line():
    """`:` pressed out of habit while the box is already open: `::lookup /etc` runs `lookup /etc`."""
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        length = app.timeline.length
        await pilot.press("colon", "colon")
        await _type(pilot, "lookup /etc")
        await pilot.press("enter")
        box = app.query_one(CommandBox)
        assert not box.has_class("-error"), box.border_subtitle
        assert app.timeline.length == 1 and app.timeline.position == 1 and length > 1
        assert str(app.timeline.current_step.op) == "lookup /etc"


async def test_break_on_kind_then_run_forward_and_back():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon")
        await _type(pilot, "break kind namecache.reclaim")
        await pilot.press("enter", "escape")
        await pilot.press("r")
        reclaim_step = app.timeline.position
        assert any(e.kind == "namecache.reclaim" for e in app.timeline.current_events)
        await pilot.press("r")
        assert app.timeline.position > reclaim_step
        assert any(e.kind == "namecache.reclaim" for e in app.timeline.current_events)
        await pilot.press("R")
        assert app.timeline.position == reclaim_step
        bar = app.query_one(TimelineBar)
        assert reclaim_step in bar.hits


async def test_breakpoints_screen_toggles_and_deletes():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.run_debugger_command(*parse_command("break errno ENOENT"))
        app.run_debugger_command(*parse_command("break ref vp3"))
        await pilot.press("B")
        assert isinstance(app.screen, BreakpointsScreen)
        await pilot.press("space")
        assert not app.timeline.breakpoints[0].enabled
        await pilot.press("d")
        assert [str(b) for b in app.timeline.breakpoints] == ["ref vp3"]
        await pilot.press("escape")
        assert not isinstance(app.screen, BreakpointsScreen)


async def test_watch_pins_details_that_follow_the_steps():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon")
        await _type(pilot, "watch vp4")
        await pilot.press("enter", "escape")
        watches = app.query_one(WatchPanel)
        assert watches.display and "vp4" in watches.ids
        app.goto(2)  # /usr/bin/cc now has vnode vp4
        assert "name cc" in str(watches.render())
        app.goto(0)
        assert "vp4 does not exist at step 0; it is created at step 2" in str(watches.render())


async def test_timeline_bar_click_jumps():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        bar = app.query_one(TimelineBar)
        target = bar.step_at(bar.column_of(app.timeline.length // 2))
        await pilot.click(TimelineBar, offset=(1 + bar.column_of(target), 0))
        assert app.timeline.position == target


async def test_wide_terminal_shows_every_panel_and_narrow_one_panel():
    app = _app()
    async with app.run_test(size=(160, 45)) as pilot:
        frames = list(app.query(PanelFrame))
        assert app.query_one(PanelDeck).wide and all(f.display for f in frames)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.query_one(PanelDeck).wide
        assert [f.name for f in frames if f.display] == ["namecache"]


async def test_panel_keys_and_maximise_restore():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right_square_bracket")
        assert app.active_panel == "vnodes"
        await pilot.press("m")
        assert app.maximized == "vnodes"
        assert app.query_one("Header").display and app.title.startswith("step ")  # the step number stays
        await pilot.press("m")
        assert app.maximized is None


async def test_t_cycles_themes():
    app = _app(theme="dark")
    async with app.run_test(size=(100, 30)) as pilot:
        seen = [app.theme]
        for _ in range(4):
            await pilot.press("t")
            seen.append(app.theme)
        assert seen[0] == seen[4] and len(set(seen)) == 4


async def test_s_saves_a_screenshot_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "n", "s")
        saved = tmp_path / "cachescope-step-002.svg"
        assert saved.exists() and "<svg" in saved.read_text()


async def test_help_lists_glyphs_and_debugger_commands():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=220, record=True, file=io.StringIO())
        for widget in app.screen.query(Static):
            console.print(widget.content)
        text = console.export_text()
        for needle in ("⊘", "▓B▓", "stale", "break verb|kind|ref|errno", "watch ID", "Run back", "Breakpoints"):
            assert needle in text, needle


async def test_command_palette_offers_the_debugger_actions():
    app = _app()
    async with app.run_test(size=(100, 30)):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Step", "Back", "Run", "Run back", "Breakpoints", "Maximise", "Screenshot"} <= titles


async def test_stats_view_names_counters_and_tracks_hit_rate():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.goto(3)  # a miss walk then a hit walk
        app.show_panel("stats")
        await pilot.pause()
        stats = app.query_one("#stats")
        hits, misses = stats.rates.now("namecache")
        assert (hits, misses) == (3, 3)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(stats.query_one("#counters", Static).content)
        assert "the file system's VOP_LOOKUP answered" in console.export_text()


def test_snapshot_80x24_dark(snap_compare):
    assert snap_compare(APPS / "namecache_app.py", press=["n"] * 9, terminal_size=(80, 24))


def test_snapshot_160x45_wide_grid(snap_compare):
    assert snap_compare(APPS / "puffs_app.py", press=["n"] * 10, terminal_size=(160, 45))


import pytest  # noqa: E402


@pytest.mark.parametrize("theme", ["dark", "light", "contrast", "colourblind"])
@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_snapshot_each_theme_at_both_sizes(snap_compare, monkeypatch, theme, size):
    monkeypatch.setenv("CACHESCOPE_THEME", theme)
    assert snap_compare(APPS / "themed_app.py", press=["n"] * 7, terminal_size=size)


async def test_every_mechanisms_ids_complete_in_the_command_box():
    """Pids, namespaces, dentries and cache lines complete, not only vnodes: ids come from the registry,
    and an id with spaces in it completes from its first word on."""
    app = _app("proc-namespaces")
    async with app.run_test(size=(100, 30)) as pilot:
        while "pid 1000" not in app.known_ids() and not app.timeline.at_end:
            await pilot.press("n")
        ids = app.known_ids()
        assert {"pid 1", "ns0", "d1", "vp1", "mnt0"} <= set(ids)
        box = app.query_one(CommandBox)
        suggest = box.suggester.get_suggestion
        assert await suggest("watch pid 10") == "watch pid 100"
        assert await suggest("watch pid 100") == "watch pid 1000"
        assert await suggest("watch n") == "watch ns0"
        assert await suggest("bre") == "break"
    cpu = _app("jit-stale-icache")
    async with cpu.run_test(size=(100, 30)) as pilot:
        await pilot.press("end")
        line = next(i for i in cpu.known_ids() if i.startswith("D set "))
        assert await cpu.query_one(CommandBox).suggester.get_suggestion("watch D s") == f"watch {line}"


async def test_help_lists_every_debugger_command_from_the_registry():
    from viz.commands import commands
    from viz.help import commands_table

    table = commands_table()
    usages = [str(cell) for cell in table.columns[0].cells]
    assert usages == [spec.usage for spec in commands()]
    assert {"break verb|kind|ref|errno VALUE", "goto N", "help"} <= set(usages)
