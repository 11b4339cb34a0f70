"""CacheScopeApp: the step-through debugger's window. It renders the model and sends it ops."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Footer, Header, TabbedContent, TabPane

from model.ops import VERBS
from model.scenario import Scenario
from model.timeline import Timeline
from themes import THEMES
from viz.help import HelpScreen
from viz.panels import SUBSYSTEM_PANELS, EventLog, Narration, StepView
from viz.panels._overview import OverviewPanel
from viz.themes import resolve_theme

DEFAULT_DELAY, MIN_DELAY, MAX_DELAY = 1.0, 0.05, 10.0
"""Autoplay: seconds per step (before the extra time narration earns), and the bounds of +/-."""


class CacheScopeApp(App[None]):
    """Panels over one simulated machine, stepped forward and back through a scenario."""

    TITLE = "cachescope"
    CSS = """
    #panels { height: 2fr; }
    #bottom { height: 1fr; min-height: 6; }
    #log { width: 3fr; }
    #narration { width: 2fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,space", "step", "Step"),
        Binding("b", "back", "Back"),
        Binding("p", "play", "Play/pause"),
        Binding("plus", "speed(1)", "Faster", show=False),
        Binding("minus", "speed(-1)", "Slower", show=False),
        Binding("t", "next_theme", "Theme", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]
    PLAY_KEYS = frozenset({"p", "plus", "minus"})

    playing: reactive[bool] = reactive(False)

    def __init__(
        self,
        scenario: Scenario,
        *,
        timeline: Timeline | None = None,
        autoplay: float | None = None,
        exit_at_end: bool = False,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.view_ready = False  # set once mounted: theme changes before that need no repaint
        for custom in THEMES:
            self.register_theme(custom)
        self.theme = resolve_theme(theme)
        self.scenario = scenario
        self.timeline = timeline if timeline is not None else scenario.timeline()
        self.sub_title = scenario.title
        self.delay = autoplay if autoplay is not None else DEFAULT_DELAY
        self.autoplay = autoplay is not None
        self.exit_at_end = exit_at_end
        self._tick: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◈")
        with TabbedContent(id="panels"):
            with TabPane("overview", id="tab-overview"):
                yield OverviewPanel(self.scenario.title, self.scenario.about, id="overview")
            for panel_class in SUBSYSTEM_PANELS:
                with TabPane(panel_class.TAB_TITLE, id=f"tab-{panel_class.TAB_TITLE}"):
                    yield panel_class()
        with Horizontal(id="bottom"):
            yield EventLog(id="log")
            yield Narration(self.scenario.about, id="narration")
        yield Footer()

    def on_mount(self) -> None:
        tab = self.initial_tab()
        if tab is not None:
            self.query_one(TabbedContent).active = tab
        self.refresh_view()
        self.view_ready = True
        if self.autoplay:
            self.playing = True

    def initial_tab(self) -> str | None:
        """The tab of the first panel drawing the part most of the scenario's steps act on."""
        parts = Counter(VERBS[s.op.verb].part for s in self.timeline.steps if s.op.verb in VERBS)
        parts.pop("core", None)
        main = max(parts, key=parts.__getitem__, default=None)  # ties go to the part seen first
        panel = next((c for c in SUBSYSTEM_PANELS if getattr(c, "PART", "") == main), None)
        return f"tab-{panel.TAB_TITLE}" if panel is not None else None

    def view(self) -> StepView:
        """The moment currently shown."""
        t = self.timeline
        return StepView(t.system, t.position, t.length, t.current_step, t.current_events)

    def refresh_view(self) -> None:
        """Bring every panel, the log and the header up to the timeline's position."""
        view = self.view()
        self.title = f"step {view.position} / {view.length}" + ("  ▶ playing" if self.playing else "")
        for panel in self.query("TabPane > *"):
            if hasattr(panel, "show"):
                panel.show(view)
        self.query_one(EventLog).sync(self.timeline)
        self.query_one(Narration).show(view)

    def action_step(self) -> None:
        """Apply the next step (the bell rings at the end of the script)."""
        if self.timeline.step() is None:
            self.bell()
            self.notify("end of the scenario", timeout=2)
        self.refresh_view()

    def action_back(self) -> None:
        """Undo one step."""
        if not self.timeline.back():
            self.bell()
        self.refresh_view()

    # -- autoplay -----------------------------------------------------------------------------------

    def pause_after(self) -> float:
        """Seconds to wait after the current step: longer when it has narration to read."""
        step = self.timeline.current_step
        words = len(step.say.split()) if step is not None else 0
        return self.delay * (1 + min(words, 60) / 15)

    def watch_playing(self, playing: bool) -> None:
        if self._tick is not None:
            self._tick.stop()
            self._tick = None
        if playing:
            self._tick = self.set_timer(self.delay if self.timeline.position == 0 else self.pause_after(),
                                        self._autoplay_step)  # fmt: skip
        self.refresh_view()

    def _autoplay_step(self) -> None:
        self._tick = None
        if not self.playing:
            return
        if self.timeline.at_end:
            self.playing = False
            if self.exit_at_end:
                self.exit()
            return
        self.timeline.step()
        self.refresh_view()
        self.playing = False  # re-arm the timer for the next step's own pause
        self.playing = True

    def action_play(self) -> None:
        """Play or pause: step on its own at the current speed."""
        self.playing = not self.playing and not self.timeline.at_end

    def action_speed(self, direction: int) -> None:
        """Faster (+1) or slower (-1): the pause per step is divided or multiplied by 1.5."""
        self.delay = min(MAX_DELAY, max(MIN_DELAY, self.delay / 1.5 if direction > 0 else self.delay * 1.5))
        self.notify(f"autoplay: {self.delay:.2f} s per step", timeout=1.5)

    def on_key(self, event: events.Key) -> None:
        """Any key but the play keys takes control back from autoplay."""
        if self.playing and event.key not in self.PLAY_KEYS:
            self.playing = False

    # -- themes -------------------------------------------------------------------------------------

    def action_next_theme(self) -> None:
        """Cycle through cachescope's themes (dark, light, high contrast, colour-blind safe)."""
        names = [t.name for t in THEMES]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"theme: {self.theme}", timeout=1.5)

    def watch_theme(self, theme: str) -> None:
        if self.view_ready:
            self.refresh_view()
            self.refresh(layout=False)
            for widget in self.query("*"):
                widget.refresh()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help()))

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, description) for every app binding, for the help screen."""
        rows = []
        for binding in self.BINDINGS:
            if isinstance(binding, Binding):
                keys = ", ".join(self.get_key_display(Binding(k, "")) for k in binding.key.split(","))
                rows.append((keys, binding.description))
        return rows
