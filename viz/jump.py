"""A long jump through steps never applied before, done in chunks with a progress bar.

Applying a step for the first time costs about 0.015 ms on a real trace (0.08 ms for the last 500 of
a jump, which are recorded), so `End` on a 100,000-step scenario is seconds of work. The app does it a
chunk at a time on its own event loop, between redraws: the screen shows how far it got, keys stay live, and Escape
stops the jump where it is. Going back and forth over steps already applied is undo and redo, at once.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

JUMP_CHUNK = 10_000
"""Steps applied between two redraws: about a third of a second on a real trace, where a far jump applies
its steps unrecorded (`Timeline.approach`) and only its last 500 recorded."""

JUMP_PAUSE = 0.001
"""Seconds between chunks: enough for the screen to redraw and a key to be read."""


PREFETCH_MIN = 10_000
"""Scenarios this long get a parked state advanced toward their end while the user reads (`Timeline.prefetch`)."""

PREFETCH_CHUNK = 1_500
"""Steps the prefetch applies at a time: about 50 ms on a real trace, so a key waits at most that long."""

PREFETCH_PAUSE = 0.02
"""Seconds between two prefetch chunks: the screen and the keys come first."""

FIRST_FRAME_PAUSE = 0.1
"""Seconds after mounting before the app reads more steps or prefetches: the first frame is drawn first."""

READ_CHUNK = 5_000
"""Steps of a big scenario file built at a time once its first steps show (about 30 ms)."""

READ_PAUSE = 0.005
"""Seconds between two chunks of a big file's steps: the screen and the keys have their turn."""

PREFETCH_IDLE = 0.5
"""Seconds between two looks for prefetch work once there is none (a typed step may make some)."""


def needs_chunks(fresh: int) -> bool:
    """Whether a jump applying `fresh` steps for the first time (`Timeline.fresh_steps`) needs chunks."""
    return fresh > JUMP_CHUNK


class JumpProgress(Horizontal):
    """`going to step N · Escape stops` and a progress bar, docked under the panels during a long jump."""

    DEFAULT_CSS = """
    JumpProgress { dock: bottom; height: 1; background: $panel; padding: 0 1; }
    JumpProgress Label { width: auto; margin-right: 2; }
    JumpProgress ProgressBar { width: 1fr; }
    """

    def __init__(self, start: int, target: int) -> None:
        super().__init__(id="jump")
        self.start, self.target = start, target

    def compose(self) -> ComposeResult:
        yield Label(f"going to step {self.target:,} · Escape stops")
        yield ProgressBar(total=max(1, self.target - self.start), show_eta=True)

    def advance(self, position: int) -> None:
        self.query_one(ProgressBar).update(progress=max(0, position - self.start))
