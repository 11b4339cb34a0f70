"""From any event to the kernel function it models in one click: the log's events are clickable, the
source bar names the function, its file and release with a link, and the function's name opens it."""

from __future__ import annotations

from pathlib import Path

from model.scenario import resolve
from viz.app import CacheScopeApp
from viz.panels import EventLog, SourceBar

APPS = Path(__file__).parent / "apps"


async def _click_event(pilot, log: EventLog, kind: str, *, on_func: bool = False):
    """Click the first row of the current step's first event of `kind`: on its function's name, or past it."""
    event, rows = next((e, r) for e, r in log.current_events if e.kind == kind)
    log.scroll_to(y=rows[0], animate=False, immediate=True, force=True)
    await pilot.pause()
    x = 3 if on_func else 2 + len(event.func) + 4  # the row's indent is 2; "func: " then the text
    await pilot.click(EventLog, offset=(1 + x, 1 + rows[0] - log.scroll_offset.y))
    await pilot.pause()
    return event


async def test_a_click_on_an_event_shows_its_source_and_its_name_opens_it(monkeypatch):
    app = CacheScopeApp(resolve("namecache-basics"))
    opened: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr(app, "open_url", lambda url, new_tab=True: opened.append(url))
        bar = app.query_one(SourceBar)
        assert not bar.display  # nothing selected yet: the bar takes no room
        for _ in range(2):
            await pilot.press("n")
        log = app.query_one(EventLog)
        event = await _click_event(pilot, log, "namecache.miss")
        assert log.selected is event and bar.display
        shown = bar.render().plain if hasattr(bar.render(), "plain") else str(bar.render())
        assert "cache_lookup()" in shown and "sys/kern/vfs_cache.c" in shown and "NetBSD 4.0" in shown
        assert bar.source is not None and bar.source.url in shown
        rows = next(r for e, r in log.current_events if e is event)
        assert "reverse" in str(log.render_line(rows[0] - log.scroll_offset.y))  # the selected event stands out
        assert opened == []  # a click on the text selects; it does not leave the app
        await _click_event(pilot, log, "namecache.miss", on_func=True)
        assert opened == ["https://github.com/NetBSD/src/blob/netbsd-4-0-RELEASE/sys/kern/vfs_cache.c"]


async def test_the_source_follows_the_mode_of_the_machine():
    """cacheflush under m68k is sys_m68k.c's, under SH sys_sh.c's, in the spec mode PA-RISC's: the source comes
    from the ABI and mode in the event's data."""
    app = CacheScopeApp(resolve("jit-every-abi"))
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        files = set()
        for _ in range(app.timeline.length):
            await pilot.press("n")
            for event, _ in log.current_events:
                if event.func == "sys_cacheflush":
                    source = log.source(event)
                    assert source is not None
                    files.add((event.data["abi"], source.file))
        expected = {
            ("m68k", "arch/m68k/kernel/sys_m68k.c"),
            ("sh", "arch/sh/kernel/sys_sh.c"),
            ("nds32", "arch/nds32/kernel/sys_nds32.c"),
            ("mips", "arch/parisc/kernel/cache.c"),
        }
        assert expected <= files


async def test_an_event_without_a_function_says_so():
    app = CacheScopeApp(resolve("namecache-basics"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        log = app.query_one(EventLog)
        say = next((e for e, _ in log.current_events if not e.func), None)
        if say is None:  # the first step names functions only: make one without
            await pilot.press("colon")
            await pilot.press(*"say hello", "enter")
            await pilot.pause()
            say = next(e for e, _ in log.current_events if not e.func)
        log.select(say)
        await pilot.pause()
        bar = app.query_one(SourceBar)
        assert bar.display and bar.source is None and "names no kernel function" in str(bar.render())


def test_snapshot_the_source_bar_under_the_log(snap_compare):
    """The selected event reversed in the log, and its source under it: function, file, release and link."""

    async def select_the_first_lookup(pilot):
        await pilot.press("n", "n")
        await _click_event(pilot, pilot.app.query_one(EventLog), "namecache.miss")

    assert snap_compare(APPS / "tour_app.py", run_before=select_the_first_lookup, terminal_size=(120, 40))
