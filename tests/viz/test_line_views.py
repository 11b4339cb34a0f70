"""The narration and the Line-API views' scroll sizes: text wrapped at the width, `more ▼` while text is
below the fold, scroll bars that come and go with the content, all without a layout pass per step."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from model.scenario import loads
from viz.app import CacheScopeApp
from viz.panels import Narration
from viz.panels._narration import MORE
from viz.panels._scroll_size import set_virtual_size


class Rows(ScrollView):
    """A bare Line-API view of numbered rows."""

    DEFAULT_CSS = "Rows { height: 5; overflow-x: hidden; }"

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


class RowsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Rows()


async def test_a_scroll_bar_comes_and_goes_with_the_content():
    app = RowsApp()
    async with app.run_test(size=(40, 10)) as pilot:
        rows = app.query_one(Rows)
        width = rows.scrollable_content_region.width
        set_virtual_size(rows, Size(width, 3))
        await pilot.pause()
        assert not rows.show_vertical_scrollbar
        set_virtual_size(rows, Size(width, 50))  # starts overflowing: laid out again, the bar shows
        await pilot.pause()
        assert rows.show_vertical_scrollbar
        bar_width = rows.scrollable_content_region.width
        set_virtual_size(rows, Size(bar_width, 80))  # still overflowing: the bar is told the new size
        await pilot.pause()
        assert rows.vertical_scrollbar.window_virtual_size == 80 and rows.max_scroll_y == 75
        rows.scroll_to(y=75, animate=False, immediate=True)
        set_virtual_size(rows, Size(bar_width, 20))  # shorter: the scroll is clamped to the new end
        await pilot.pause()
        assert rows.scroll_y == rows.max_scroll_y == 15
        set_virtual_size(rows, Size(bar_width, 2))  # fits again: the bar goes
        await pilot.pause()
        assert not rows.show_vertical_scrollbar and rows.scroll_y == 0


def _narration_app(words: int) -> CacheScopeApp:
    """An app whose first step says `words` words and whose second says one line."""
    say = " ".join(f"word{i}" for i in range(words))
    return CacheScopeApp(loads(f'title = "t"\n[[step]]\nsay = "{say}"\n[[step]]\nsay = "short"\n', "long.toml"))


async def test_the_narration_wraps_its_text_and_says_more_while_some_is_hidden():
    app = _narration_app(120)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        narration = app.query_one(Narration)
        width = narration.scrollable_content_region.width
        lines = narration.text.wrap(app.console, width)
        assert len(lines) > narration.scrollable_content_region.height
        shown = [narration.render_line(y).text.rstrip() for y in range(narration.scrollable_content_region.height)]
        assert shown == [line.plain.rstrip() for line in lines[: len(shown)]]
        assert narration.border_subtitle == MORE
        narration.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert narration.border_subtitle == ""  # the last line is in view
        assert narration.render_line(narration.scrollable_content_region.height - 1).text.rstrip() == (
            lines[-1].plain.rstrip()
        )


async def test_the_narration_wraps_again_when_the_terminal_is_resized():
    app = _narration_app(30)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        narration = app.query_one(Narration)
        before = narration.virtual_size.width  # full width at 80 columns, beside the log at 160
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        width = narration.scrollable_content_region.width
        assert narration.virtual_size == Size(width, len(narration.text.wrap(app.console, width)))
        assert width != before
        assert narration.border_subtitle == ""  # all of it fits at 160x45


async def test_a_new_step_shows_its_narration_from_the_top():
    app = _narration_app(120)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        narration = app.query_one(Narration)
        narration.scroll_end(animate=False, immediate=True)
        assert narration.scroll_y > 0
        await pilot.press("n")
        assert narration.scroll_y == 0 and narration.text.plain == "short"
        assert narration.border_subtitle == "" and narration.virtual_size.height == 1
