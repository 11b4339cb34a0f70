"""Panels that keep their layout between steps (so a step costs what it changed) still show the truth."""

from __future__ import annotations

import io
import random

from rich.console import Console
from textual.widgets import Static

from model.ops import parse
from model.scenario import load_builtin
from model.system import System
from model.timeline import Step
from viz.app import CacheScopeApp
from viz.panels._dentry_rows import DentryRows, tree_rows
from viz.panels._pagecache import PageStrips
from viz.panels._proctree import DentryTreeView, TaskTableView, task_order


async def test_proc_tree_and_task_table_follow_every_step_and_jump() -> None:
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.show_panel("proc")
        tree, tasks = app.query_one(DentryTreeView), app.query_one(TaskTableView)
        for _ in range(app.timeline.length):
            await pilot.press("n")
            fs = app.timeline.system.part("procfs")
            view = app.view()
            live = [row for row in tree.rows if row[0] != "ghost"]  # freed dentries stay one step, as ghosts
            assert live == tree_rows(fs) and tasks.tasks == task_order(fs)
            marked = {i for i, (kind, key, _) in enumerate(tree.rows) if kind in ("d", "ns") and f"{kind}{key}" in
                      view.changed}  # fmt: skip
            ghosts = {i for i, (kind, _, label) in enumerate(tree.rows) if kind == "ghost"}
            assert tree.highlighted == marked | ghosts
            assert {tree.rows[i][2].split(" ")[0] for i in ghosts} == {r for r in view.removed if r.startswith("d")}
        app.goto(3)
        await pilot.pause()
        fs = app.timeline.system.part("procfs")
        assert tree.rows == tree_rows(fs) and tasks.tasks == task_order(fs)


async def _page_rows_at_end(*, jump: bool) -> list[tuple[str, str, int]]:
    """(vnode, path, pages) of each file the page-cache panel draws at the last step of the puffs
    scenario, reached by one step then a jump (`jump`), or one step at a time."""
    scenario = load_builtin("puffs-flush-vs-inval")
    app = CacheScopeApp(scenario)
    async with app.run_test(size=(120, 40)) as pilot:
        app.show_panel("pagecache")
        await pilot.press("n")
        if jump:
            app.goto(app.timeline.length)  # many steps at once on the same machine
        else:
            while not app.timeline.at_end:
                app.action_step()
                await pilot.pause()
        app.show_panel("pagecache")  # a step about another panel hides it, and a hidden panel waits
        await pilot.pause()
        return [(f.vnode, f.path, f.npages) for f in app.query_one(PageStrips).files]


async def test_page_strips_follow_a_jump_forward_over_many_steps() -> None:
    jumped = await _page_rows_at_end(jump=True)
    stepped = await _page_rows_at_end(jump=False)
    assert jumped, "the scenario ends with cached files: the panel must draw them"
    assert jumped == stepped


async def test_stats_counters_drawn_when_the_panel_comes_to_the_front() -> None:
    scenario = load_builtin("namecache-basics")
    scenario.steps.append(Step(parse("stats")))
    app = CacheScopeApp(scenario)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "n", "n", "n")  # the stats panel is behind the name-cache panel
        app.show_panel("stats")
        await pilot.pause()
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.query_one("#stats").query_one("#counters", Static).content)
        assert "ncs_goodhits" in console.export_text()


def test_dentry_rows_kept_step_by_step_equal_a_fresh_layout() -> None:
    """Random /proc work (new paths in any order, threads, holds, exits, a child namespace)."""
    rng = random.Random(5)
    system = System({})
    fs = system.part("procfs")
    kept = DentryRows()
    lines = ["spawn 10", "unshare-pid 10", "spawn 11 parent=10", "spawn 12"]
    for _ in range(300):
        pid = rng.choice((1, 10, 11, 12, 13, 14, 2000, 999))
        entry = rng.choice(("status", "task", "comm", "stat", "task/1", f"task/{pid}", "cpuinfo"))
        choices = [f"cat /proc/{pid}/{entry}", f"cat /proc/{pid}", f"cat /proc/{entry}", f"spawn {pid}",
                   f"thread 12 {rng.randrange(20, 40)}", f"hold /proc/{pid}/stat", f"cat /proc/{pid}/status ns=1",
                   f"exit {rng.choice((13, 14, 2000, 999))}"]  # fmt: skip
        lines.append(rng.choice(choices))
    for line in lines:
        system.apply(parse(line))
        kept.update(fs)
        assert kept.rows == tree_rows(fs), line
        assert kept.stale == sum(1 for d in fs.dentries.values() if fs.is_stale(d))
