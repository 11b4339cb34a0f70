"""The cpu panel in the real app: grids, glyphs, highlights, the selected line beside memory, scrolling."""

from pathlib import Path

from textual.widgets import Static

from model.scenario import load_builtin, loads
from viz.app import CacheScopeApp
from viz.panels._cpucache import CacheGrid, CpuCachePanel, Selection

APPS = Path(__file__).parent / "apps"
STALE_STEP = 6  # jit-stale-icache: the exec that runs li v0, 1 while li v0, 2 sits dirty in the D-cache


async def open_cpu_tab(app, pilot, position):
    app.show_panel("cpu")
    app.timeline.goto(position)
    app.refresh_view()
    await pilot.pause()
    return app.query_one(CacheGrid)


def row_text(grid, y):
    return grid.render_line(y).text


def detail_text(app):
    return app.query_one("#cpu-detail-text", Static).content.plain


async def test_the_cpu_tab_holds_the_panel():
    app = CacheScopeApp(load_builtin("jit-stale-icache"))
    async with app.run_test(size=(100, 30)):
        assert app.query_one("#frame-cpu").query_one(CpuCachePanel).TAB_TITLE == "cpu"


async def test_a_stale_fetch_selects_the_iline_marks_it_and_shows_memory_beside_it():
    app = CacheScopeApp(load_builtin("jit-stale-icache"))
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_cpu_tab(app, pilot, STALE_STEP)
        assert grid.cursor == Selection("I", 0, 0)
        assert {"I set 0 way 0", "D set 0 way 0"} <= app.view().refs
        header, set0 = row_text(grid, 0), row_text(grid, 1)
        assert "I way 0" in header and "D way 0" in header
        assert "▸○ 0x8000 ≠" in set0 and "◇● 0x8000" in set0  # tags as the events write them; the D-line named
        detail = detail_text(app).splitlines()
        assert detail[0].startswith("I set 0 way 0: 0x400000..0x40000f")
        assert "I-cache ≠ 24020001" in detail[1] and "stale" in detail[1]
        assert "D-cache   24020002" in detail[2]
        assert "memory  ≠ 24020001" in detail[3]


async def test_the_touched_lines_are_highlighted_and_the_others_are_not():
    app = CacheScopeApp(load_builtin("jit-stale-icache"))
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_cpu_tab(app, pilot, STALE_STEP)
        touched = grid.get_component_rich_style("cache-grid--touched")
        cells = [seg for seg in grid.render_line(1) if seg.text.strip()]
        assert any(seg.style and seg.style.reverse for seg in cells if "0x8000" in seg.text)
        assert touched.reverse
        assert not any(seg.style and seg.style.reverse for seg in grid.render_line(2) if seg.text.strip() == "·")


async def test_glyphs_follow_the_steps_forward_and_back():
    app = CacheScopeApp(load_builtin("jit-stale-icache"))
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_cpu_tab(app, pilot, 2)
        assert "● 0x8000" in row_text(grid, 1)
        app.timeline.goto(3)
        app.refresh_view()
        assert "●" not in row_text(grid, 1) and "○" not in row_text(grid, 1)
        assert "invalid" in detail_text(app) and "memory    24020001" in detail_text(app)
        assert "✕ 0x8000" in row_text(grid, 1), "the invalidated D-line stays one step as a ghost"
        await pilot.press("b")
        assert "● 0x8000" in row_text(grid, 1)


async def test_arrow_keys_move_the_cursor_across_both_caches_and_update_the_detail():
    app = CacheScopeApp(load_builtin("jit-stale-icache"))
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_cpu_tab(app, pilot, STALE_STEP)
        grid.focus()
        await pilot.press("right", "right")
        assert grid.cursor == Selection("D", 0, 0)
        assert detail_text(app).startswith("D set 0 way 0: 0x400000..0x40000f")
        assert "dirty" in detail_text(app).splitlines()[0]
        await pilot.press("down")
        assert grid.cursor == Selection("D", 1, 0)
        assert "D set 1 way 0: invalid" in detail_text(app)


async def test_a_cache_of_thousands_of_sets_draws_only_the_visible_rows(monkeypatch):
    steps = "".join(f'[[step]]\ndo = "load {0x100000 + i * 4160:#x}"\n' for i in range(200))
    scenario = loads(
        f'[config]\ndcache = {{ sets = 4096, ways = 4, line = 64 }}\n[[step]]\ndo = "map 0x100000 0x400000 rw"\n{steps}'
    )
    app = CacheScopeApp(scenario)
    async with app.run_test(size=(100, 30)) as pilot:
        grid = await open_cpu_tab(app, pilot, scenario.timeline().length)
        assert grid.virtual_size.height == 4097
        top = round(grid.scroll_y)
        assert top <= grid.cursor.index < top + grid.size.height - 1, "the touched set is scrolled into view"
        drawn = []
        original = CacheGrid._row
        monkeypatch.setattr(CacheGrid, "_row", lambda self, index: drawn.append(index) or original(self, index))
        grid.refresh()
        await pilot.pause()
        assert 0 < len(drawn) <= grid.size.height
        assert f"{grid.cursor.index:>3}" in row_text(grid, grid.cursor.index - top + 1)


def test_snapshot_cpu_panel_at_the_stale_fetch(snap_compare):
    async def show_cpu_tab(pilot):
        pilot.app.show_panel("cpu")

    steps = ["n"] * STALE_STEP  # stepped by key, as a person would (a pre-advanced timeline races the log's scroll)
    assert snap_compare(APPS / "cpu_app.py", press=steps, terminal_size=(100, 30), run_before=show_cpu_tab)


async def test_clicking_a_cache_line_selects_it():
    app = CacheScopeApp(load_builtin("jit-stale-icache"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.show_panel("cpu")
        app.goto(5)
        await pilot.pause()
        grid = app.query_one(CacheGrid)
        d_way_1 = grid._cell_x(Selection("D", 3, 1)) + 1
        await pilot.click(CacheGrid, offset=(d_way_1, 1 + 3))
        assert grid.cursor == Selection("D", 3, 1)
        i_way_0 = grid._cell_x(Selection("I", 2, 0)) + 1
        await pilot.click(CacheGrid, offset=(i_way_0, 1 + 2))
        assert grid.cursor == Selection("I", 2, 0)
