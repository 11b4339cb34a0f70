"""What each step shows of its lesson: the panel it is about (and the key that pins one), ◆ only on what
the step changed, ghosts of what it removed, the lesson's number on the panel's border, and themes that
restyle everything at once."""

from __future__ import annotations

import time

import pytest

from model.scenario import load_builtin, loads
from themes import SHORT_NAMES, THEMES
from viz.app import CacheScopeApp
from viz.deck import PanelDeck
from viz.panels._namecache import ChainsView, LruView
from viz.panels._rows import GHOST, LOOK, MARK
from viz.panels._vnodes import VnodesView


def _rows(widget) -> list[str]:
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def _app(name: str = "tour", **options) -> CacheScopeApp:
    app = CacheScopeApp(load_builtin(name), **options)
    app.animation_level = "none"
    return app


async def test_each_step_brings_its_panel_forward_and_a_hand_choice_lasts_until_the_next_step():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.goto(11)  # write /puffs/data: most of its events are the walk, the lesson is the page cache
        await pilot.pause()
        assert app.active_panel == "pagecache"
        await pilot.press("right_square_bracket")
        assert app.active_panel == "proc"  # chosen by hand
        await pilot.press("n")  # inval: the page cache again
        assert app.active_panel == "pagecache"
        await pilot.press("n", "n")  # spawn, cat: /proc
        assert app.active_panel == "proc"
        await pilot.press("end")
        assert app.active_panel == "cpu"


async def test_p_pins_the_panel_shown_and_says_so_in_the_header():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.goto(2)
        await pilot.pause()
        assert app.active_panel == "namecache"
        await pilot.press("P")
        assert "panel pinned: namecache" in app.title
        assert "pinned" in app.query_one("#frame-namecache").border_title
        await pilot.press("g", "1", "2", "enter", "escape")  # the page cache's step
        assert app.timeline.position == 12 and app.active_panel == "namecache"
        await pilot.press("P")
        assert "pinned" not in app.title
        await pilot.press("n")
        assert app.active_panel == "proc"


async def test_in_the_grid_the_steps_panel_is_marked():
    app = _app()
    async with app.run_test(size=(160, 45)) as pilot:
        app.goto(12)
        await pilot.pause()
        deck = app.query_one(PanelDeck)
        assert deck.wide and deck.lesson == "pagecache"
        frame = deck.frame("pagecache")
        assert frame.has_class("-lesson") and frame.border_title.startswith("◆ ")
        assert not deck.frame("namecache").has_class("-lesson")
        assert "8192 bytes lost" in frame.border_subtitle


async def test_a_searched_chain_is_marked_lighter_than_a_changed_one():
    """Tour step 8, mkdir /puffs: the walk searches chain 7 (where nc3 'cc' lives) and changes nothing there."""
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.goto(8)
        app.show_panel("namecache")
        await pilot.pause()
        chains = app.query_one(ChainsView)
        row = next(r for r in _rows(chains) if "nc3 'cc'" in r)
        assert row.startswith(LOOK.strip()) and not row.startswith(MARK.strip())
        app.goto(9)  # mount: the lookup enters nc7 'puffs' on chain 7
        app.show_panel("namecache")
        await pilot.pause()
        row = next(r for r in _rows(chains) if "nc7 'puffs'" in r)
        assert row.startswith(MARK.strip())


async def test_a_purge_leaves_ghost_rows_for_one_step():
    scenario = loads('[[step]]\ndo = "lookup /usr/bin/cc"\n[[step]]\ndo = "purge vp3"\n[[step]]\ndo = "lookup /etc"\n')
    app = CacheScopeApp(scenario)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n", "n")
        assert app.active_panel == "namecache"
        chains, lru = app.query_one(ChainsView), app.query_one(LruView)
        assert f"{GHOST} nc2 'bin' vp2→vp3 purged" in "\n".join(_rows(chains))  # in its chain, after the live ones
        assert f"{GHOST} nc3 'cc' vp3→vp4 purged" in "\n".join(_rows(lru))  # after the LRU tail
        assert app.query_one("#frame-namecache").border_subtitle == "2 purged"
        await pilot.press("n")
        assert GHOST not in "\n".join(_rows(chains) + _rows(lru))
        await pilot.press("b")
        assert f"{GHOST} nc2 'bin'" in "\n".join(_rows(chains) + _rows(lru))


async def test_the_diamond_marks_only_what_the_step_changed():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.goto(5)  # open /etc/passwd: vp5, vp6 made; vp1, the walk's start, only searched
        app.show_panel("vnodes")
        await pilot.pause()
        rows = {r.split()[1]: r for r in _rows(app.query_one(VnodesView)) if r[:1] in ("◆", "◇")}
        assert rows["vp1"].startswith("◇") and rows["vp6"].startswith("◆") and rows["vp5"].startswith("◆")


async def test_details_say_when_an_object_comes_or_went():
    app = _app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.goto(6)  # unlink /etc/passwd removes nc6
        await pilot.pause()
        app.goto(3)
        app.show_panel("namecache")
        details = app.query_one("NameCachePanel DetailsBar")
        details.select("nc6")
        assert "nc6 does not exist at step 3; it is created at step 5" in str(details.render())
        app.goto(7)
        app.show_panel("namecache")  # step 7 brings another panel forward; hidden panels wait to be shown
        await pilot.pause()
        assert "nc6 does not exist at step 7: it was removed at step 6" in str(details.render())


async def test_a_typed_say_is_narrated():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.apply_op("say a word from the teacher")
        await pilot.pause()
        assert "a word from the teacher" in app.query_one("Narration").text.plain


async def test_m_keeps_the_header_and_the_log_can_fill_the_window():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.goto(3)
        await pilot.press("m")
        assert app.maximized == "namecache"
        header = app.query_one("Header")
        assert header.display and header.region.height and "step 3 / 21" in app.title
        await pilot.press("m")
        app.query_one("EventLog").focus()
        await pilot.press("m")
        assert app.maximized == "log" and not app.query_one("#deck").display
        await pilot.press("m")
        assert app.maximized is None and app.query_one("#deck").display


async def test_the_palette_offers_only_cachescopes_themes():
    app = _app()
    async with app.run_test(size=(80, 24)):
        assert sorted(app.available_themes) == sorted(t.name for t in THEMES)


@pytest.mark.parametrize("start", list(SHORT_NAMES))
async def test_switching_theme_draws_what_starting_in_it_draws(start: str):
    """`t` from each theme to the next: the same SVG as a fresh start in that theme, at the same step."""
    names = [t.name for t in THEMES]
    target = names[(names.index(SHORT_NAMES[start]) + 1) % len(names)]

    async def screen(theme: str, switch: bool) -> str:
        app = _app(theme=theme)
        async with app.run_test(size=(160, 45)) as pilot:
            app.goto(12)
            await pilot.pause()
            if switch:
                await pilot.press("t")
                await pilot.pause()
            return app.export_screenshot()

    switched = await screen(SHORT_NAMES[start], switch=True)
    fresh = await screen(target, switch=False)
    assert switched == fresh


# -- the smaller items ----------------------------------------------------------------------------------


def test_a_sparkline_is_empty_without_data_and_scaled_from_0_to_100_percent():
    from viz.panels._stats import sparkline

    assert sparkline([], 20) == ""
    assert sparkline([0.0, 0.5, 1.0], 20) == "▁▅█"
    assert sparkline([0.5, 0.5], 20) == "▅▅"  # a steady 50 % is half height, not a full bar (min-max scaling)
    assert sparkline([0.1, 0.2, 0.3], 2) == "▂▃"  # the last ones that fit


async def test_the_stats_panel_draws_no_bar_for_a_cache_never_used():
    app = _app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.goto(3)
        app.show_panel("stats")
        await pilot.pause()
        cpu = app.query_one("#rate-cpu").render().plain
        names = app.query_one("#rate-namecache").render().plain
        assert "—" in cpu and not any(bar in cpu for bar in "▁▂▃▄▅▆▇█") and "0 hits, 0 misses" in cpu
        assert "50%" in names and "3 hits, 3 misses" in names


def test_counts_take_the_plural_they_need():
    from viz.words import plural

    assert [plural(1, "name"), plural(2, "name"), plural(1, "entry"), plural(0, "entry")] == [
        "1 name", "2 names", "1 entry", "0 entries"
    ]  # fmt: skip
    assert [plural(1, "hit"), plural(2, "miss"), plural(1, "dcache hit"), plural(3, "dcache hit")] == [
        "1 hit", "2 misses", "1 dcache hit", "3 dcache hits"
    ]  # fmt: skip


async def test_a_vnode_with_one_cached_name_says_name_not_names():
    app = _app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.goto(3)
        app.show_panel("vnodes")
        await pilot.pause()
        rows = _rows(app.query_one(VnodesView))
        usr = next(r for r in rows if "/usr " in r or r.rstrip().endswith("/usr") or " /usr  " in r)
        assert "(1 name, 1 below)" in usr  # one name leads to it, one is cached below it


async def test_the_cpu_panel_has_a_border_and_a_title():
    app = _app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.goto(19)
        await pilot.pause()
        frame = app.query_one("#frame-cpu")
        assert app.active_panel == "cpu" and frame.border_title == "cpu"
        assert frame.styles.border_top[0] == "round" and frame.styles.border_left[0] == "round"
        assert "stale fetch: ran 00000000, newest 24020001" in frame.border_subtitle


async def test_a_toast_does_not_cover_the_narration():
    app = _app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.notify("a message for the class", timeout=5)
        deadline = time.monotonic() + 10  # laid out within a frame or two; more only on a loaded machine
        while not (toasts := app.screen.query("Toast")) or not toasts.first().region.width:
            assert time.monotonic() < deadline, "the toast was never laid out"
            await pilot.pause(0.05)
        toast = toasts.first()
        narration = app.query_one("Narration")
        assert toast.region.bottom <= narration.region.y
        assert toast.region.x >= app.size.width // 2 and toast.region.y <= 3  # top right, over the panels
