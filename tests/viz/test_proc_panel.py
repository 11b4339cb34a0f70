"""The /proc panel driven through the real app: trees per namespace, marks, stale dentries, the task table."""

from pathlib import Path

from model.procfs.dcache import link_path_walk
from model.procfs.procfs import Procfs
from model.procfs.tasks import spawn
from model.scenario import load_builtin
from viz.app import CacheScopeApp
from viz.panels._details import DetailsBar
from viz.panels._proctree import DentryTreeView, ProcPanel, TaskTableView

APPS = Path(__file__).parent / "apps"


def _rows(view) -> list[str]:
    return [view.row_text(i).plain for i in range(view.row_count())]


def _marked(view) -> list[str]:
    return [view.row_text(i).plain.strip() for i in sorted(view.highlighted)]


async def _at(pilot, app: CacheScopeApp, position: int) -> DentryTreeView:
    app.timeline.goto(position)
    app.refresh_view()
    await pilot.pause()
    return app.query_one(DentryTreeView)


async def test_proc_tab_opens_first_for_the_scenario():
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(100, 30)):
        assert app.active_panel == "proc"
        assert ProcPanel.PART == "procfs"


async def test_each_namespace_has_its_tree_and_the_new_dentries_are_marked():
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(100, 30)) as pilot:
        tree = await _at(pilot, app, 3)
        await pilot.press("n")  # cat /proc/1/status ns=1
        rows = _rows(tree)
        assert [r.split(" ")[0] for r in rows if r.startswith("ns")] == ["ns0", "ns1"]
        ns1 = rows.index(next(r for r in rows if r.startswith("ns1")))
        assert rows[ns1 + 2].startswith("└─● 1/ d3 pid 1000")
        assert rows[ns1 + 3].startswith("  └─● status d4")
        assert _marked(tree) == [rows[ns1 + 2].strip(), rows[ns1 + 3].strip()]
        await pilot.press("n")  # the same task through ns0's mount
        rows = _rows(tree)
        assert rows[2].startswith("└─● 1000/ d5 pid 1000") and rows[3].startswith("  └─● status d6")
        assert [m.split(" ")[1] for m in _marked(tree)] == ["1000/", "status"]


async def test_task_table_shows_numbers_per_level_and_the_thread():
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(100, 30)) as pilot:
        await _at(pilot, app, 6)
        await pilot.press("n")  # thread 1 2 ns=1
        table = app.query_one(TaskTableView)
        rows = _rows(table)
        assert "pid/level" in rows[0]
        thread = next(r for r in rows if "↳pid 1001" in r)
        assert "ns1" in thread and "1001·2" in thread and thread.rstrip().endswith("1000·1")
        assert [table.row_ref(i) for i in sorted(table.highlighted)] == ["pid 1001"]  # made by the step (◆)
        assert [table.row_ref(i) for i in sorted(table.looked)] == ["pid 1000"]  # its leader, named (◇)


async def test_exit_leaves_the_held_dentry_stale_and_back_brings_the_mount_back():
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(100, 30)) as pilot:
        tree = await _at(pilot, app, 12)
        await pilot.press("n")  # exit 1 ns=1
        rows = _rows(tree)
        assert not any(r.startswith("ns1") for r in rows)  # ns1's proc mount went with its init
        assert rows[2].startswith("└─○ 1000/ d5 pid 1000 ref 1") and rows[2].endswith("stale")
        assert rows[3].startswith("  └─○ status d6") and "held by 1" in rows[3]
        ghosts = [r for r in rows if r.endswith(" freed")]
        assert ghosts and all(tree.row_ref(rows.index(g)).startswith("d") for g in ghosts)
        await pilot.press("b")
        rows = _rows(tree)
        assert any(r.startswith("ns1") for r in rows)
        assert "○" not in "".join(rows) and "● status d6 ref 1 held by 1" in rows[3]


async def test_the_last_dput_frees_the_stale_dentries():
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(100, 30)) as pilot:
        tree = await _at(pilot, app, 14)
        await pilot.press("n")  # dput d6
        assert _rows(tree) == [
            "ns0 level 0 · init pid 1 · proc mount",
            "● /proc d1 ref 1",
            "d6 /proc/1000/status freed",  # ghosts, for this step only
            "d5 /proc/1000 freed",
        ]
        assert app.query_one("#frame-proc").border_subtitle == "2 freed"
        await pilot.press("b")
        assert not any(r.endswith(" freed") for r in _rows(tree))


async def test_clicking_a_dentry_shows_its_description():
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(100, 30)) as pilot:
        tree = await _at(pilot, app, 5)
        await pilot.click(DentryTreeView, offset=(6, 3))  # border, then rows 0..2: row 2 is /proc/1000
        details = app.query_one("ProcPanel DetailsBar", DetailsBar)
        assert details.ref == tree.row_ref(2) == "d5"
        assert "/proc/1000 in ns0's proc mount, live" in str(details.render())


async def test_a_tree_of_100000_dentries_draws_only_its_visible_rows():
    fs = Procfs()
    for nr in range(2, 33336):
        spawn(fs, nr, None, None, ())
        link_path_walk(fs, 0, f"/proc/{nr}/status")
        link_path_walk(fs, 0, f"/proc/{nr}/stat")
    assert len(fs.dentries) > 100_000
    app = CacheScopeApp(load_builtin("proc-namespaces"))
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(DentryTreeView)
        calls = []
        original = tree.row_text
        tree.row_text = lambda index: calls.append(index) or original(index)
        app.timeline.system.parts["procfs"] = fs
        app.refresh_view()
        await pilot.pause()
        assert tree.row_count() > 100_000
        assert 0 < len(calls) < 200


def test_snapshot_proc_after_init_exit(snap_compare):
    async def before_exit(pilot):
        pilot.app.timeline.goto(12)
        pilot.app.refresh_view()
        await pilot.pause()

    assert snap_compare(APPS / "proc_app.py", press=["n"], run_before=before_exit, terminal_size=(100, 30))
