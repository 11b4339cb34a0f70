"""The name-cache and vnode panels, driven through the real app."""

from pathlib import Path

from model.scenario import load_builtin
from viz.app import CacheScopeApp
from viz.panels._details import DetailsBar
from viz.panels._namecache import ChainsView, LruView
from viz.panels._vnodes import VnodesView

APPS = Path(__file__).parent / "apps"


def _plain(view, index: int) -> str:
    return view.row_text(index).plain


async def test_namecache_tab_opens_first_and_shows_entries_after_a_step():
    app = CacheScopeApp(load_builtin("namecache-basics"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.active_panel == "namecache"
        await pilot.press("n", "n")  # narration step, then the first lookup
        chains = app.query_one(ChainsView)
        cache = app.timeline.system.part("vfs").namecache
        assert chains.row_count() == len(cache.nchashtbl) == 8
        rows = {i for i in range(chains.row_count()) if cache.nchashtbl[i]}
        assert chains.highlighted == rows  # every chain the walk entered into is marked
        assert any("'usr'" in _plain(chains, i) for i in rows)
        lru = app.query_one(LruView)
        assert [lru.row_ref(i) for i in range(lru.row_count())] == ["nc1", "nc2", "nc3"]
        assert _plain(lru, 0).startswith("head") and _plain(lru, 2).startswith("tail")


async def test_negative_entry_is_drawn_with_its_glyph_and_back_removes_it():
    app = CacheScopeApp(load_builtin("namecache-basics"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.timeline.goto(3)
        app.refresh_view()
        await pilot.press("n")  # lookup /usr/bin/ghost
        lru = app.query_one(LruView)
        assert "⊘" in _plain(lru, lru.row_count() - 1)
        await pilot.press("b")
        assert all("⊘" not in _plain(lru, i) for i in range(lru.row_count()))


async def test_hit_moves_entry_to_tail_in_the_lru_view():
    app = CacheScopeApp(load_builtin("namecache-basics"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.timeline.goto(7)
        app.refresh_view()
        lru = app.query_one(LruView)
        before = [lru.row_ref(i) for i in range(lru.row_count())]
        await pilot.press("n")  # lookup /etc/passwd: two new entries at the tail
        after = [lru.row_ref(i) for i in range(lru.row_count())]
        assert after[: len(before)] == before
        assert len(after) == len(before) + 2


async def test_clicking_a_vnode_shows_its_details():
    app = CacheScopeApp(load_builtin("purge-and-reclaim"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.timeline.goto(1)
        app.refresh_view()
        app.show_panel("vnodes")
        await pilot.pause()
        view = app.query_one(VnodesView)
        await pilot.click(VnodesView, offset=(4, 4))  # row 3 (border + rows 0..2): vp4
        details = app.query_one("VnodePanel DetailsBar", DetailsBar)
        assert details.ref == view.row_ref(3) == "vp4"
        assert "name vi" in str(details.render())


async def test_vnode_states_follow_open_unlink_close():
    app = CacheScopeApp(load_builtin("purge-and-reclaim"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.timeline.goto(5)
        app.refresh_view()
        view = app.query_one(VnodesView)
        assert "● active" in _plain(view, 5)  # vp6, open
        await pilot.press("n", "n")  # unlink, then close
        assert "✕ reclaimed" in _plain(view, 5)
        await pilot.press("b")
        assert "● active" in _plain(view, 5)


def test_snapshot_namecache_after_lru_reuse(snap_compare):
    assert snap_compare(APPS / "namecache_app.py", press=["n"] * 9, terminal_size=(100, 30))


def test_snapshot_vnodes_after_recycling(snap_compare):
    async def open_vnodes(pilot):
        pilot.app.timeline.goto(9)
        pilot.app.refresh_view()
        pilot.app.show_panel("vnodes")
        await pilot.pause()

    assert snap_compare(APPS / "reclaim_app.py", run_before=open_vnodes, terminal_size=(100, 30))
