"""Every step of every built-in scenario, at 80x24 and 120x40: the panel in front is the one the step is
about, every event of the step reads whole in the log (wrapped, never cut), and the log shows the step.

The screen is read from the compositor, as the terminal would show it. Steps are taken through the app's
action (as `n` does) rather than key presses, to keep the test fast.
"""

from __future__ import annotations

import pytest

from model.scenario import builtin_names, load_builtin
from model.views import view_of
from viz.app import CacheScopeApp
from viz.panels import EventLog


def screen_lines(app: CacheScopeApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def squeeze(text: str) -> str:
    """The text without any whitespace: wrapping may break a line at a space or inside a long word."""
    return "".join(text.split())


def expected_row(log: EventLog, row: int) -> str:
    """A row as the log should draw it: the current step's whole, an earlier step's cut with … at the edge."""
    text = log.line_text(row).plain
    width = log.scrollable_content_region.width
    if row < log.current_start and len(text) > width:
        text = text[: width - 1] + "…"
    return text.rstrip()


def log_rows_on_screen(app: CacheScopeApp, log: EventLog) -> list[str]:
    """The log's visible rows as the screen shows them (inside its border)."""
    region = log.scrollable_content_region
    return [line[region.x : region.right].rstrip() for line in screen_lines(app)[region.y : region.bottom]]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("name", builtin_names())
async def test_each_step_shows_its_panel_and_every_event_whole(name: str, size: tuple[int, int]) -> None:
    app = CacheScopeApp(load_builtin(name))
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        log = app.query_one(EventLog)
        shown = app.active_panel
        while not app.timeline.at_end:
            app.action_step()
            await pilot.pause()
            view = app.view()
            where = f"{name} step {view.position} ({view.step.op if view.step else ''})"
            expected = view_of(view.step, view.events) or shown
            assert app.active_panel == expected, where
            shown = app.active_panel
            # the log ends on this step, and each of its events is wrapped whole over its rows
            assert log.scroll_y == log.max_scroll_y, where
            spans = log.current_events
            assert [event for event, _ in spans] == list(view.events), where
            for event, rows in spans:
                written = "".join(squeeze(log.line_text(row).plain) for row in rows)
                assert squeeze(f"{event.func}: {event.text}" if event.func and not event.text.startswith(event.func)
                               else event.text) in written, (where, event.text)  # fmt: skip
                assert all(log.line_text(row).cell_len <= log.scrollable_content_region.width for row in rows), where
            # and what the screen shows of the log is those rows: the last ones now, the first after a scroll
            visible = log_rows_on_screen(app, log)
            last = [expected_row(log, row) for row in range(max(0, log.row_count - len(visible)), log.row_count)]
            assert visible[: len(last)] == last, where
            if spans:  # scrolled back to the step's first event, the screen shows its rows
                first_rows = spans[0][1]
                log.scroll_to(y=first_rows.start, animate=False, immediate=True)
                await pilot.pause()
                top, height = round(log.scroll_y), log.scrollable_content_region.height
                assert top == min(first_rows.start, log.max_scroll_y) and first_rows.start < top + height, where
                visible = log_rows_on_screen(app, log)
                wanted = [expected_row(log, row) for row in range(top, min(top + height, log.row_count))]
                assert visible[: len(wanted)] == wanted, where
                log.follow()
