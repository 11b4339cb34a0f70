"""Issue 17 through the pilot: experimenting in the `:` box never costs the scenario (refusals add nothing,
a line in the past starts a branch, u undoes, save keeps a branch), input is checked, and every screen
works from the keyboard alone."""

import json
from pathlib import Path

import pytest
from textual.keys import _character_to_key
from textual.widgets import DataTable

from model.scenario import load_builtin, load_file
from viz.app import CacheScopeApp
from viz.branches import BranchesScreen
from viz.breakpoints import BreakpointsScreen
from viz.command_box import CommandBox
from viz.help import HelpScreen
from viz.timeline_bar import TimelineBar

APPS = Path(__file__).parent / "apps"
SIZE = (110, 32)


def _app(name: str = "purge-and-reclaim") -> CacheScopeApp:
    return CacheScopeApp(load_builtin(name))


async def _type(pilot, text: str) -> None:
    await pilot.press(*[_character_to_key(c) for c in text])


async def _line(pilot, text: str) -> CommandBox:
    """Open the box, type `text`, press enter; the box."""
    box = pilot.app.query_one(CommandBox)
    if not box.display:
        await pilot.press("colon")
    box.value = ""
    await _type(pilot, text)
    await pilot.press("enter")
    return box


def _state(app: CacheScopeApp) -> str:
    return json.dumps(app.timeline.system.to_dict())


# -- 1. a refused line adds nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("line", ["close vp1", "state vp99"])
async def test_a_refused_line_adds_no_step_and_says_why_under_the_box(line):
    app = _app("tour")
    async with app.run_test(size=SIZE) as pilot:
        app.goto(5)
        before = (_state(app), app.timeline.branches(), [str(s.op) for s in app.timeline.steps])
        box = await _line(pilot, line)
        assert app.title == "step 5 / 21"
        assert box.display and box.has_class("-error")
        assert {"close vp1": "you hold no reference on it", "state vp99": "no object with id 'vp99'"}[line] in (
            box.border_subtitle
        )
        assert (_state(app), app.timeline.branches(), [str(s.op) for s in app.timeline.steps]) == before
        assert app.history.typed == []


# -- 2. branches, u and save -----------------------------------------------------------------------------


async def test_a_line_typed_in_the_past_keeps_the_old_future_as_a_branch():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        app.goto(3)
        box = await _line(pilot, "lookup /etc/passwd")
        assert app.title.startswith("step 4 / 4   branch 2 of 2")
        assert "step 4/4" in box.border_subtitle
        old, new = app.timeline.branches()
        assert (old.number, old.length, old.shared, old.first, old.current) == (1, 18, 3, "lookup /usr/bin/vi", False)
        assert (new.number, new.fork, new.length, new.first, new.current) == (2, 3, 4, "lookup /etc/passwd", True)
        assert app.query_one(TimelineBar).forks == frozenset({3})
        assert "┬" in app.query_one(TimelineBar).render().plain

        await _line(pilot, "branches")
        assert isinstance(app.screen, BranchesScreen) and not box.display
        table = app.screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [["", "1", "0", "18", "lookup /usr/bin/vi"], ["●", "2", "3", "4", "lookup /etc/passwd"]]
        await pilot.press("escape")

        await _line(pilot, "branch 1")
        assert not box.display and app.focused is None, "a command that moves closes the box"
        assert (app.timeline.position, app.timeline.length) == (3, 18)
        assert app.title.startswith("step 3 / 18   branch 1 of 2")
        await pilot.press("end")
        assert str(app.timeline.current_step.op) == str(load_builtin("purge-and-reclaim").steps[-1].op)

        await _line(pilot, "branch delete 1")
        assert "branch 1 is the current branch" in box.border_subtitle
        assert len(app.timeline.branches()) == 2
        await _line(pilot, "branch 7")
        assert "no branch 7 (branches: 1, 2)" in box.border_subtitle
        await _line(pilot, "branch delete 2")
        assert not box.has_class("-error") and [b.number for b in app.timeline.branches()] == [1]
        assert app.title == "step 18 / 18"


async def test_the_branches_screen_switches_with_enter_and_deletes_with_d():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        for at in (3, 2):  # branch 2 leaves branch 1 after step 3, branch 3 leaves branch 2 after step 2
            app.goto(at)
            await _line(pilot, "lookup /etc/passwd")
        await pilot.press("escape")
        assert [b.number for b in app.timeline.branches()] == [1, 2, 3]
        await _line(pilot, "branches")
        screen = app.screen
        assert isinstance(screen, BranchesScreen) and screen.focused is screen.query_one(DataTable)
        await pilot.press("home")
        await pilot.press("d")  # branch 1 is not the one shown: deleted
        assert [b.number for b in app.timeline.branches()] == [2, 3]
        await pilot.press("end", "d")  # branch 3 is shown: refused
        assert "current branch" in str(screen.query_one("#branch-message").content)
        await pilot.press("home", "enter")
        assert not isinstance(app.screen, BranchesScreen)
        assert [b.number for b in app.timeline.branches() if b.current] == [2]
        assert (app.timeline.position, app.timeline.length) == (2, 4)


async def test_the_command_palette_switches_branches():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        app.goto(3)
        await _line(pilot, "lookup /etc/passwd")
        await pilot.press("escape")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Branches" in commands and "Switch to branch 2" not in commands
        commands["Switch to branch 1"].callback()
        await pilot.pause()
        assert app.timeline.length == 18 and app.title.startswith("step 3 / 18   branch 1 of 2")


async def test_u_undoes_the_ops_typed_in_the_box_newest_first():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        app.goto(3)
        await _line(pilot, "lookup /etc/passwd")
        await _line(pilot, "lookup /usr")
        await pilot.press("escape")
        assert (app.timeline.position, app.timeline.length) == (5, 5)
        await pilot.press("u")
        assert (app.timeline.position, app.timeline.length) == (4, 4)
        await pilot.press("u")
        assert (app.timeline.position, app.timeline.length) == (3, 18)
        assert len(app.timeline.branches()) == 1 and app.title == "step 3 / 18"
        before = _state(app)
        await pilot.press("u")  # nothing typed is left: nothing changes
        assert (app.timeline.position, app.timeline.length, _state(app)) == (3, 18, before)
        await pilot.press("colon", "up")
        assert app.query_one(CommandBox).value == "lookup /usr", "an undone line stays in the box's history"


async def test_save_writes_the_branch_as_a_scenario_that_loads_back(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        app.goto(2)
        await _line(pilot, 'say "Now the new name, \\"vim\\": a miss."')
        await _line(pilot, "lookup /usr/bin/vim")
        box = await _line(pilot, "save mine.toml")
        assert not box.has_class("-error"), box.border_subtitle
        saved = load_file(tmp_path / "mine.toml")
        steps = app.timeline.steps
        assert [(str(s.op), s.say) for s in saved.steps] == [(str(s.op), s.say) for s in steps]
        assert saved.steps[2].say == 'Now the new name, "vim": a miss.'
        assert saved.title == app.scenario.title and saved.raw_config == app.scenario.raw_config
        first = (tmp_path / "mine.toml").read_text()

        await _line(pilot, "lookup /etc")
        await _line(pilot, "save mine.toml")
        assert box.has_class("-error") and "mine.toml exists: save mine.toml --force" in box.border_subtitle
        assert (tmp_path / "mine.toml").read_text() == first
        await _line(pilot, "save mine.toml --force")
        assert len(load_file(tmp_path / "mine.toml").steps) == 5
        await _line(pilot, "save notes.txt")
        assert "name it FILE.toml" in box.border_subtitle
        await _line(pilot, "save nowhere/x.toml")
        assert "no directory nowhere" in box.border_subtitle
        assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"], "no temporary file left behind"


# -- 3. checked input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("break verb nope", "no verb 'nope' (did you mean open?)"),
        ("break verb xyzzy", "no verb 'xyzzy' (verbs: "),
        ("break verb lookpu", "no verb 'lookpu' (did you mean lookup?)"),
        ("break errno EFOO", "no errno 'EFOO'"),
        ("break errno ENOENTT", "did you mean ENOENT?"),
        ("break ref vp999", "no step names 'vp999' (did you mean vp"),
        ("break ref vpp6", "no step can name 'vpp6' (did you mean vp6?)"),
        ("break kind nope.*", "no event kind matches 'nope.*'"),
        ("break kind namecache.purj", "did you mean namecache.purge?"),
        ("goto 99", "no step 99: this branch has steps 0 to 18"),
        ("goto -1", "no step -1: this branch has steps 0 to 18"),
    ],
)
async def test_wrong_input_is_refused_and_says_what_was_wrong(line, said):
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        app.goto(4)
        box = await _line(pilot, line)
        assert box.display and box.has_class("-error") and said in box.border_subtitle
        assert app.timeline.breakpoints == [] and app.timeline.position == 4


async def test_right_breakpoints_are_kept_and_a_repeat_is_refused():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        for line in ("break verb unlink", "break errno enoent", "break kind namecache.*", "break ref vp6"):
            box = await _line(pilot, line)
            assert not box.has_class("-error"), (line, box.border_subtitle)
        assert [str(b) for b in app.timeline.breakpoints] == [
            "verb unlink", "errno ENOENT", "kind namecache.*", "ref vp6"]  # fmt: skip
        assert app.timeline.position == 0, "checking refs looked ahead and came back"
        await _line(pilot, "break verb unlink")
        assert "breakpoint 1 is already verb unlink" in box.border_subtitle


# -- 4. keyboard -----------------------------------------------------------------------------------------


async def test_the_box_closes_after_a_command_that_moves_so_the_next_key_is_the_apps():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await _type(pilot, "5")
        await pilot.press("enter")
        box = app.query_one(CommandBox)
        assert not box.display and app.timeline.position == 5
        await pilot.press("n")
        assert app.timeline.position == 6 and box.value == ""
        await _line(pilot, "break verb close")
        assert box.display, "a command that does not move leaves the box open"
        await _line(pilot, "run")
        assert not box.display and str(app.timeline.current_step.op) == "close vp6"
        await pilot.press("b")
        assert app.timeline.position == 6


async def test_tab_completes_a_verb_with_a_space_and_cycles_through_every_candidate():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        box = app.query_one(CommandBox)
        await pilot.press("colon")
        await _type(pilot, "loo")
        await pilot.press("tab")
        assert box.value == "lookup "
        await _type(pilot, "/usr")
        assert box.value == "lookup /usr"
        box.value = ""
        await _type(pilot, "purge vp")
        vnodes = [ref for ref in app.known_ids() if ref.startswith("vp")]
        seen = []
        for _ in range(len(vnodes) + 1):
            await pilot.press("tab")
            seen.append(box.value)
        assert seen[:-1] == [f"purge {ref}" for ref in dict.fromkeys(vnodes)] and seen[-1] == seen[0]
        box.value = ""
        await _type(pilot, "break ki")
        await pilot.press("tab")
        assert box.value == "break kind "
        await _type(pilot, "namecache.pur")
        await pilot.press("tab", "tab")
        assert box.value == "break kind namecache.purgevfs"


async def test_ids_of_every_mechanism_complete_through_its_id_spaces():
    """Vnodes, cached pages and queued writes (vfs), pids and dentries (procfs), cache lines (cpu): an op
    gets an id with spaces quoted, as one word."""
    puffs = _app("puffs-flush-vs-inval")
    async with puffs.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * 5)
        box = puffs.query_one(CommandBox)
        await pilot.press("colon")
        await _type(pilot, "watch pag")
        await pilot.press("tab")
        page = box.value.removeprefix("watch ")
        assert page.startswith("page vp") and page in puffs.timeline.system.ids()
        box.value = ""
        await _type(pilot, "watch wr")
        await pilot.press("tab")
        assert box.value == "watch wr1"
        await pilot.press("enter")
        assert "wr1: 4096 bytes of page" in str(puffs.query_one("#watches").content)
    proc = _app("proc-namespaces")
    async with proc.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        box = proc.query_one(CommandBox)
        await pilot.press("colon")
        await _type(pilot, "state pid 1")
        await pilot.press("tab")
        assert box.value == 'state "pid 1"' or box.value.startswith('state "pid 1')
        await pilot.press("enter")
        assert not box.has_class("-error"), box.border_subtitle
        box.value = ""
        await _type(pilot, "watch d")
        await pilot.press("tab")
        assert box.value.removeprefix("watch ").strip() in proc.timeline.system.ids()
    cpu = _app("jit-stale-icache")
    async with cpu.run_test(size=SIZE) as pilot:
        await pilot.press("end", "colon")
        await _type(pilot, "state D s")
        await pilot.press("tab", "enter")
        box = cpu.query_one(CommandBox)
        assert box.value == "" and not box.has_class("-error"), box.border_subtitle
        assert cpu.timeline.current_step.op.verb == "state"


async def test_breakpoints_screen_moves_with_the_keyboard_at_once():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        for line in ("break verb unlink", "break errno ENOENT", "break verb rename"):
            await _line(pilot, line)
        await pilot.press("escape", "B")
        assert isinstance(app.screen, BreakpointsScreen)
        await pilot.press("down", "down", "d")
        assert [str(b) for b in app.timeline.breakpoints] == ["verb unlink", "errno ENOENT"]
        await pilot.press("home", "space")
        assert [b.enabled for b in app.timeline.breakpoints] == [False, True]
        await pilot.press("end", "space")
        assert [b.enabled for b in app.timeline.breakpoints] == [False, False]


async def test_help_scrolls_with_the_keyboard_at_once():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one("VerticalScroll")
        assert app.screen.focused is scroll
        await pilot.press("down")
        assert scroll.scroll_y == 1
        await pilot.press("pagedown")
        assert scroll.scroll_y > 10
        await pilot.press("end")
        assert scroll.scroll_y == scroll.max_scroll_y > 0
        await pilot.press("home")
        assert scroll.scroll_y == 0


async def test_help_lists_the_new_commands_and_keys():
    from viz.help import commands_table

    usages = [str(cell) for cell in commands_table().columns[0].cells]
    assert {"branches", "branch N | branch delete N", "save FILE.toml [--force]", "run [back]"} <= set(usages)
    app = _app()
    async with app.run_test(size=SIZE):
        assert ("u", "Undo typed op") in app.key_help()


# -- snapshots -------------------------------------------------------------------------------------------


async def _branch_at_3(pilot) -> None:
    pilot.app.goto(3)
    await _line(pilot, "lookup /etc/passwd")
    await pilot.press("escape")
    pilot.app.clear_notifications()


def test_snapshot_a_branch_in_the_header_and_the_timeline_bar(snap_compare):
    assert snap_compare(APPS / "reclaim_app.py", run_before=_branch_at_3, terminal_size=(100, 30))


def test_snapshot_the_branches_screen(snap_compare):
    async def open_branches(pilot) -> None:
        await _branch_at_3(pilot)
        await _line(pilot, "branches")

    assert snap_compare(APPS / "reclaim_app.py", run_before=open_branches, terminal_size=(100, 30))


def test_snapshot_a_refused_line_under_the_box(snap_compare):
    async def refuse(pilot) -> None:
        pilot.app.goto(5)
        await _line(pilot, "close vp1")

    assert snap_compare(APPS / "tour_app.py", run_before=refuse, terminal_size=(100, 30))
