"""The app driven through Textual's pilot: stepping, going back, the help screen, and a snapshot."""

import io
import time
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from model.scenario import resolve
from viz.app import CacheScopeApp
from viz.help import HelpScreen
from viz.panels import EventLog, Narration

APPS = Path(__file__).parent / "apps"


async def test_step_and_back_move_the_timeline_and_the_header():
    app = CacheScopeApp(resolve(None))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.title == f"step 0 / {app.timeline.length}"
        await pilot.press("n", "space")
        assert app.timeline.position == 2
        assert app.title == f"step 2 / {app.timeline.length}"
        log = app.query_one(EventLog)
        headers = [log.line_text(i).plain for i in range(log.row_count) if log.line_text(i).plain.startswith("──")]
        assert headers[-1] == "── step 2: lookup /usr/bin/cc"
        await pilot.press("b")
        assert app.timeline.position == 1
        headers = [log.line_text(i).plain for i in range(log.row_count) if log.line_text(i).plain.startswith("──")]
        assert log.current_start == 0 and len(headers) == 1 and headers[0].startswith("── step 1:")


async def test_narration_follows_the_step():
    app = CacheScopeApp(resolve(None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        narration = app.query_one(Narration)
        assert "Welcome to cachescope" in narration.text.plain


async def test_step_past_the_end_stays_at_the_end():
    app = CacheScopeApp(resolve(None))
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(app.timeline.length + 2):
            await pilot.press("n")
        assert app.timeline.position == app.timeline.length


async def test_help_screen_lists_keys_and_verbs_and_closes():
    app = CacheScopeApp(resolve(None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        for widget in app.screen.query(Static):
            console.print(widget.content)
        text = console.export_text()
        assert "Step" in text and "stats" in text and "say TEXT..." in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def test_snapshot_tour_after_two_steps(snap_compare):
    assert snap_compare(APPS / "tour_app.py", press=["n", "n"], terminal_size=(100, 30))


async def test_autoplay_steps_to_the_end_on_its_own():
    app = CacheScopeApp(resolve("namecache-basics"), autoplay=0.01)
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 30  # about a second when idle; the limit only stops a hang on a loaded machine
        while not app.timeline.at_end and time.monotonic() < deadline:
            await pilot.pause(0.02)
        assert app.timeline.at_end
        while app.playing and time.monotonic() < deadline:  # the next tick finds the end and stops
            await pilot.pause(0.02)
        assert not app.playing


async def test_any_key_takes_control_back_from_autoplay_and_p_resumes():
    app = CacheScopeApp(resolve("namecache-basics"), autoplay=5.0)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.playing and "playing" in app.title
        await pilot.press("n")
        assert not app.playing and app.timeline.position == 1
        await pilot.press("p")
        assert app.playing
        await pilot.press("plus")  # speed keys keep it playing
        assert app.playing and app.delay < 5.0
