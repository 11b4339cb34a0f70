"""CompareApp: the compare view as an app of its own, for `cachescope compare`, `play`, `record`,
`screenshot` and handouts. It offers what those drive on the main app: `timeline` (every machine in
lockstep), `goto`, `refresh_view`, `show_panel`, autoplay and the step hook."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import App
from textual.timer import Timer

from model.compare import Comparison, Lockstep
from model.overrides import Side
from model.scenario import Scenario
from themes import THEMES
from viz.compare.screen import CompareScreen
from viz.themes import resolve_theme

DEFAULT_DELAY = 1.0


class CompareApp(App[None]):
    """The compare screen over a scenario's sides (its `[compare]` table unless `sides` are given)."""

    TITLE = "cachescope compare"

    def __init__(
        self,
        scenario: Scenario,
        *,
        sides: Sequence[Side] | None = None,
        autoplay: float | None = None,
        exit_at_end: bool = False,
        theme: str | None = None,
        step_hook: object = None,
    ) -> None:
        super().__init__()
        for custom in THEMES:
            self.register_theme(custom)
        self.theme = resolve_theme(theme)
        self.scenario = scenario
        self.comparison = Comparison(scenario, list(sides) if sides is not None else scenario.compare)
        self.compare_screen = CompareScreen(self.comparison, standalone=True)
        self.delay = autoplay if autoplay is not None else DEFAULT_DELAY
        self.autoplay = autoplay is not None
        self.exit_at_end = exit_at_end
        self.step_hook = step_hook
        self._tick: Timer | None = None

    def on_mount(self) -> None:
        self.push_screen(self.compare_screen)
        if self.autoplay:
            self._arm()

    @property
    def timeline(self) -> Lockstep:
        """Every machine's timeline, moved together."""
        return self.compare_screen.lockstep

    def goto(self, step: int) -> None:
        self.compare_screen.goto(step)

    def refresh_view(self) -> None:
        self.compare_screen.refresh_view()

    def show_panel(self, title: str) -> None:
        self.compare_screen.show_panel(title)

    # -- autoplay ------------------------------------------------------------------------------------------

    def _arm(self) -> None:
        step = self.timeline.current_step
        words = len(step.say.split()) if step is not None else 0
        self._tick = self.set_timer(self.delay * (1 + min(words, 60) / 15), self._autoplay_step)

    def _autoplay_step(self) -> None:
        self._tick = None
        if self.timeline.at_end:
            if self.exit_at_end:
                self.exit()
            return
        self.compare_screen.action_step()
        self.call_after_refresh(self._arm)

    def action_play(self) -> None:
        """Play or pause."""
        if self._tick is not None:
            self._tick.stop()
            self._tick = None
        elif not self.timeline.at_end:
            self._arm()

    def on_key(self, event: events.Key) -> None:
        """Any key but p takes control back from autoplay."""
        if self._tick is not None and event.key != "p":
            self._tick.stop()
            self._tick = None

    def action_next_theme(self) -> None:
        names = [t.name for t in THEMES]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"theme: {self.theme}", timeout=1.5)
