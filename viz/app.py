"""CacheScopeApp: the step-through debugger's window. It renders the model and sends it ops."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive, reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from model.errors import CommandError, ScenarioError
from model.ops import VERBS
from model.scenario import Scenario
from model.step_reader import StepReader
from model.timeline import Branch, Step, Timeline
from model.views import view_of
from themes import THEMES
from viz import collector, jump
from viz.atomic import write_new
from viz.branches import BranchesScreen
from viz.breakpoints import BreakpointsScreen
from viz.command_box import CommandBox
from viz.commands import DebuggerCommand, UsageError, parse_command
from viz.compare import command as _compare_command  # noqa: F401  (registers the `compare` command)
from viz.crash import EXIT_INTERNAL
from viz.deck import WIDE_SIZE, PanelDeck, PanelFrame
from viz.help import HelpScreen
from viz.history import BoxHistory
from viz.jump import JumpProgress, needs_chunks
from viz.panels import EventLog, Narration, SourceBar, StepView, mechanism_panels
from viz.panels._rows import pick
from viz.panels._stats import StatsPanel
from viz.step_header import StepHeader
from viz.themes import resolve_theme
from viz.timeline_bar import TimelineBar
from viz.watches import WatchPanel

DEFAULT_DELAY, MIN_DELAY, MAX_DELAY = 1.0, 0.05, 10.0
"""Autoplay: seconds per step (before the extra time narration earns), and the bounds of +/-."""

StepHook = Callable[[int, str], None]
"""Called with (position, op text) each time the step shown changes: for recorders and tests."""


NAMES_COMPUTED_AHEAD = 20_000
"""`break ref` computes up to this many steps ahead to know every id the branch names (a short
scenario at once; a long import is checked by the shape of the id instead)."""


class CacheScopeApp(App[None]):
    """Panels over one simulated machine, stepped forward and back through a scenario."""

    TITLE = "cachescope"
    AUTO_FOCUS = None  # keys go to the app until the user picks a panel (tab or click)
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-roomy")]
    """Below 120 columns the narration sits above the log, full width; from 120 up, beside it."""
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (36, "-tall")]
    CSS = """
    #deck { height: 1fr; min-height: 8; }
    #logs { height: 1fr; }
    #log-column { width: 3fr; }
    .-narrow PanelFrame { border: none; border-bottom: solid $primary-darken-1; }
    .-narrow #bottom { layout: vertical; height: auto; }
    .-narrow #narration { height: 5; }
    .-narrow #logs { height: 6; }
    .-narrow.-tall #narration { height: 7; }
    .-narrow.-tall #logs { height: 9; }
    .-roomy #bottom { layout: horizontal; height: 35%; min-height: 8; }
    .-roomy #narration { width: 2fr; height: 1fr; }
    .-roomy #logs { width: 3fr; height: 1fr; }
    .-maximized #bottom, .-maximized TimelineBar { display: none; }
    .-maximized-log #deck { display: none; }
    .-maximized-log #bottom { height: 1fr; }
    ToastRack { dock: top; align: right top; margin-top: 2; margin-bottom: 0; }
    Toast { max-width: 45%; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,space", "step", "Step"),
        Binding("b", "back", "Back"),
        Binding("g", "goto", "Go to"),
        Binding("home", "first", "First step", show=False),
        Binding("end", "last", "Last step", show=False),
        Binding("p", "play", "Play"),
        Binding("plus", "speed(1)", "Faster", show=False),
        Binding("minus", "speed(-1)", "Slower", show=False),
        Binding("r", "run_to_breakpoint", "Run"),
        Binding("R", "run_back_to_breakpoint", "Run back", show=False),
        Binding("colon", "command", "Command"),
        Binding("u", "undo_typed", "Undo typed op", show=False),
        Binding("B", "breakpoints", "Breakpoints", show=False),
        Binding("left_square_bracket", "panel(-1)", "Previous panel", show=False),
        Binding("right_square_bracket", "panel(1)", "Next panel", show=False),
        Binding("m", "maximize_panel", "Maximise", show=False),
        Binding("P", "pin", "Pin panel", show=False),
        Binding("t", "next_theme", "Theme", show=False),
        Binding("s", "screenshot", "Screenshot", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("escape", "stop_jump", "Stop a jump", show=False),
    ]
    PLAY_KEYS = frozenset({"p", "plus", "minus"})

    playing: reactive[bool] = reactive(False)
    title: Reactive[str] = Reactive("", compute=False, repaint=False)
    """The header's text. Only the header draws it (it watches this), so a new title, which every step makes,
    must not repaint the whole screen as App's own `title` does: that was a full render, a third of a step."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        timeline: Timeline | None = None,
        autoplay: float | None = None,
        exit_at_end: bool = False,
        theme: str | None = None,
        step_hook: StepHook | None = None,
        reader: StepReader[Step] | None = None,
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
        self.step_hook = step_hook
        self._tick: Timer | None = None
        self._jump_target: int | None = None  # a long jump under way (viz/jump.py)
        self._prefetch_busy = True  # the prefetch had work at its last turn (viz/jump.py)
        self.reader = reader  # the rest of a big scenario file, read a chunk at a time once step 0 shows
        self._end_when_read = False  # End was pressed while the file was being read
        self._let_go_collected = 0  # the timeline's `let_go` when the collector last reclaimed what it let go
        self._shown_position: int | None = None
        self.pinned = False
        self._hits: tuple[tuple[str, ...], int, frozenset[int]] = ((), 0, frozenset())
        self.history = BoxHistory(self.timeline)
        """The history as the box edits it: typed steps (for u), branches, checked jumps."""

    # -- layout -------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StepHeader(show_clock=False, icon="◈")
        yield TimelineBar(id="timeline-bar")
        panels = [("stats", StatsPanel(self.scenario.title, self.scenario.about, self.timeline))]
        panels += [(panel_class.TAB_TITLE, panel_class()) for panel_class in mechanism_panels()]
        yield PanelDeck(panels, id="deck")
        with Vertical(id="bottom"):
            yield Narration(self.scenario.about, id="narration")
            with Horizontal(id="logs"):
                with Vertical(id="log-column"):
                    yield EventLog(id="log")
                    yield SourceBar(id="source")
                yield WatchPanel(id="watches")
        yield CommandBox(self.known_ids, lambda: [b.number for b in self.branches()])
        yield Footer()

    def on_mount(self) -> None:
        deck = self.query_one(PanelDeck)
        deck.on_reveal = self._reveal
        deck.active = self.initial_panel()
        deck.wide = self.size.width >= WIDE_SIZE[0] and self.size.height >= WIDE_SIZE[1]
        self.refresh_view()
        self.view_ready = True
        if self.autoplay:
            self.playing = True
        self.set_timer(jump.FIRST_FRAME_PAUSE, self._prefetch)  # the first frame comes first
        if self.reader is not None:
            self.set_timer(jump.FIRST_FRAME_PAUSE, self._read_more)
            self.screen_change_signal.subscribe(self, self._screen_changed)

    def _screen_changed(self, screen: Screen) -> None:
        """Back on the panels after a screen over them: bring them up to the steps read meanwhile."""
        if self._on_main_screen:
            self.refresh_view()

    def reading(self) -> str:
        """`reading steps: 12,000 of 100,000` while a big file's steps are still being read, else empty."""
        r = self.reader
        return f"reading steps: {r.position:,} of {r.total:,}" if r is not None else ""

    def _add_steps(self, steps: list[Step]) -> None:
        self.timeline.add_steps(steps)
        self.scenario.steps.extend(steps)

    def _read_more(self) -> None:
        """Read the next chunk of a big scenario file's steps onto the scenario's branch; at a bad step,
        keep the steps before it and say why the rest is not there."""
        r = self.reader
        if r is None:
            return
        try:  # with End waiting, bigger chunks: the user is waiting for all of them anyway
            with collector.collector_paused():
                self._add_steps(r.read(jump.READ_CHUNK * (4 if self._end_when_read else 1)))
            collector.keep_out_of_collections()
        except ScenarioError:
            try:  # the reader stays where it was: take the good steps of the chunk one at a time
                while True:
                    self._add_steps(r.read(1))
            except ScenarioError as exc:
                self.reader = None
                self.notify(f"{exc}\nthe steps before it are here; the rest of the file is not", severity="error",
                            timeout=30)  # fmt: skip
        if r.done:
            self.reader = None
        if self.reader is not None:
            self.set_timer(jump.READ_PAUSE, self._read_more)
        elif self._end_when_read:
            self._end_when_read = False
            if self._on_main_screen:
                self.goto(self.timeline.length)
                return
            self.notify(f"all {self.timeline.length:,} steps are read: End goes to the last", timeout=4)
        if self._on_main_screen:
            self._show_length()

    def _show_length(self) -> None:
        """After steps are added past the one shown: only the header's count and the timeline bar's scale
        change (a whole refresh_view per chunk of steps read was half of reading a big file)."""
        self.title = self.header_title(self.view())
        self._show_timeline_bar()

    def _show_timeline_bar(self) -> None:
        forks = frozenset(b.shared for b in self.branches() if not b.current)
        self.query_one(TimelineBar).show(self.timeline, self.breakpoint_hits(), forks)

    @property
    def _on_main_screen(self) -> bool:
        """Whether the panels are on screen (no help or quiz screen over them, the app not closing)."""
        return len(self.screen_stack) == 1 and bool(self.screen.query(PanelDeck))

    def _prefetch(self) -> None:
        """While the user reads, advance a parked state toward the end of a long scenario a chunk at a time
        (`Timeline.prefetch`), so `End` later finds it there; a long jump under way does that work itself."""
        t = self.timeline
        if t.length < jump.PREFETCH_MIN and self.reader is None:
            return
        with collector.collector_paused():
            busy = self._jump_target is None and t.prefetch(jump.PREFETCH_CHUNK)
        if self._prefetch_busy or busy:
            collector.keep_out_of_collections()
        self._prefetch_busy = busy
        self.set_timer(jump.PREFETCH_PAUSE if busy else jump.PREFETCH_IDLE, self._prefetch)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(PanelDeck).wide = event.size.width >= WIDE_SIZE[0] and event.size.height >= WIDE_SIZE[1]

    def initial_panel(self) -> str:
        """The first panel drawing the part most of the scenario's steps act on (stats if none)."""
        parts = Counter(VERBS[s.op.verb].part for s in self.timeline.steps if s.op.verb in VERBS)
        parts.pop("core", None)
        main = max(parts, key=parts.__getitem__, default=None)  # ties go to the part seen first
        panel = next((c for c in mechanism_panels() if getattr(c, "PART", "") == main), None)
        return panel.TAB_TITLE if panel is not None else "stats"

    def show_panel(self, title: str) -> None:
        """Bring the panel with this tab title to the front."""
        self.query_one(PanelDeck).active = title

    @property
    def active_panel(self) -> str:
        return self.query_one(PanelDeck).active

    # -- drawing ------------------------------------------------------------------------------------

    def view(self) -> StepView:
        """The moment currently shown."""
        t = self.timeline
        return StepView(t.system, t.position, t.length, t.current_step, t.current_events, t.events_of, t.computed)

    def header_title(self, view: StepView) -> str:
        """`step 5 / 21`, and what is going on: playing, a pinned panel."""
        marks = ["▶ playing"] if self.playing else []
        branches = self.branches()
        if len(branches) > 1:
            current = next(b.number for b in branches if b.current)
            marks.insert(0, f"branch {current} of {len(branches)}")
        if self.pinned:
            marks.append(f"panel pinned: {self.active_panel} (P)")
        if self.reader is not None:
            marks.append(self.reading())
        return "   ".join([f"step {view.position} / {view.length}", *marks])

    def show_lesson(self, frame: PanelFrame, view: StepView) -> None:
        """The frame's bottom border: the number the step's lesson turns on, worded to fit."""
        lesson = getattr(frame.panel, "lesson", None)
        words = lesson(view) if lesson is not None else ()
        frame.border_subtitle = pick(max(1, frame.size.width - 6) if frame.size.width else 999, words) if words else ""

    def _show_frame(self, frame: PanelFrame, view: StepView) -> None:
        panel = frame.panel
        if hasattr(panel, "show"):
            panel.show(view)
        self.show_lesson(frame, view)

    def _reveal(self, frame: PanelFrame) -> None:
        """A panel hidden during the last steps is shown again: draw it at the step shown now (not while
        mounting: `on_mount` draws every panel shown then)."""
        if self.view_ready and frame.children:
            self._show_frame(frame, self.view())

    def refresh_view(self) -> None:
        """Bring every panel, the log, the watches and the header up to the timeline's position; at a new
        step, bring forward the panel the step is about (`model.views.view_of`) unless the user pinned one."""
        view = self.view()
        deck = self.query_one(PanelDeck)
        lesson = view_of(view.step, view.events) or ""
        if view.position != self._shown_position and lesson in deck.titles and not self.pinned:
            deck.active = lesson
            if self.has_class("-maximized"):
                self._maximize(deck.frame(lesson))
        deck.lesson = lesson
        deck.pinned = self.pinned
        self.title = self.header_title(view)
        for frame in deck.frames:
            if frame.display:  # a hidden panel is brought up to date when it is shown (PanelDeck.on_reveal)
                self._show_frame(frame, view)
        self._show_timeline_bar()
        self.query_one(EventLog).sync(self.timeline)
        self.query_one(WatchPanel).show(view)
        self.query_one(Narration).show(view)
        if self.step_hook is not None and view.position != self._shown_position:
            self.step_hook(view.position, str(view.step.op) if view.step else "")
        self._shown_position = view.position

    def on_event_log_selected(self, message: EventLog.Selected) -> None:
        """An event was clicked in the log: show the kernel function it models, with a link to its source."""
        self.query_one(SourceBar).show_source(message.event, message.source)

    def action_open_source(self, url: str) -> None:
        """Open a kernel function's source in the browser (a click on its name in the log or the source bar)."""
        self.open_url(url)
        self.notify(url, title="kernel source", timeout=4)

    def breakpoint_hits(self) -> frozenset[int]:
        """Steps known (already computed) to match an enabled breakpoint; cached, extended as steps are computed."""
        t = self.timeline
        signature = tuple(f"{bp}/{bp.enabled}" for bp in t.breakpoints)
        cached_signature, counted, hits = self._hits
        computed = t.computed
        if signature != cached_signature or counted > computed:
            counted, hits = 0, frozenset()
        if not signature:  # no breakpoints: nothing to look for in however many steps
            self._hits = (signature, computed, frozenset())
            return frozenset()
        new = {
            n
            for n in range(counted + 1, computed + 1)
            if t.hits_breakpoint(n, t.node(n).step, t.events_of(n))  # type: ignore[arg-type]
        }
        hits = hits | new
        self._hits = (signature, computed, hits)
        return hits

    # -- stepping and time travel --------------------------------------------------------------------

    def action_step(self) -> None:
        """Apply the next step (the bell rings at the end of the script)."""
        if self.timeline.step() is None:
            self.bell()
            self.notify("end of the scenario", timeout=2)
        self.refresh_view()

    def action_back(self) -> None:
        """Go back one step: the step's undo records are replayed backward (model.journal)."""
        if not self.timeline.back():
            self.bell()
        self.refresh_view()

    def goto(self, step: int) -> None:
        """Go to a step; a jump over more new steps than one chunk runs in chunks (viz/jump.py)."""
        self.cancel_jump()
        t = self.timeline
        target = max(0, min(step, t.length))
        fresh = t.fresh_steps(target)
        if needs_chunks(fresh):
            if t.let_go != self._let_go_collected:  # cycles to reclaim: one full pass (none at a first End)
                collector.back_into_collections()
                self._let_go_collected = t.let_go
            self._jump_target = target
            self.mount(JumpProgress(target - fresh, target))
            self.call_after_refresh(self._jump_chunk)
            return
        t.goto(target)
        self.refresh_view()

    def _jump_chunk(self) -> None:
        """Apply one chunk of a long jump, show how far it got, and let the screen and keys have a turn."""
        target = self._jump_target
        if target is None:
            return
        t = self.timeline
        with collector.collector_paused():
            t.approach(target, jump.JUMP_CHUNK)
        collector.keep_out_of_collections()  # the chunk's events and state are long-lived: no full pass walks them
        bars = self.query(JumpProgress)
        if t.position >= target or not bars:
            self.cancel_jump()  # redraws the view
            return
        bars.first().advance(t.position)
        self.set_timer(jump.JUMP_PAUSE, self._jump_chunk)

    def cancel_jump(self) -> bool:
        """Stop a long jump where it got to (Escape); True if one was running."""
        running = self._jump_target is not None
        self._jump_target = None
        for bar in self.query(JumpProgress):
            bar.remove()
        if running:
            self.refresh_view()
        return running

    def action_stop_jump(self) -> None:
        if self.cancel_jump():
            self.notify(f"stopped at step {self.timeline.position}", timeout=2)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """During a long jump only Escape, quitting and help act: a step key would race the jump."""
        return not (self._jump_target is not None and action not in {"stop_jump", "quit", "help", "command_palette"})

    def action_first(self) -> None:
        self.goto(0)

    def action_last(self) -> None:
        if self.reader is not None:
            self._end_when_read = True
            self.notify(f"{self.reading()}: End goes to the last step once they are read", timeout=3)
            return
        self.goto(self.timeline.length)

    def action_goto(self) -> None:
        """Ask for a step number in the command box."""
        self.query_one(CommandBox).open("goto ")

    def action_run_to_breakpoint(self) -> None:
        """Run forward to the next step that matches a breakpoint (or to the end)."""
        self.run_to_breakpoint(backward=False)

    def action_run_back_to_breakpoint(self) -> None:
        """Run backward to the previous step that matches a breakpoint (or to the start)."""
        self.run_to_breakpoint(backward=True)

    def run_to_breakpoint(self, *, backward: bool) -> None:
        if not any(bp.enabled for bp in self.timeline.breakpoints):
            self.notify("no breakpoints: add one with  :break kind namecache.purge", severity="warning", timeout=3)
        hit = self.timeline.run_to_breakpoint(backward=backward)
        self.refresh_view()
        if hit is not None:
            self.notify(f"breakpoint hit at step {hit}", timeout=2)

    def on_timeline_bar_jump(self, message: TimelineBar.Jump) -> None:
        self.goto(message.step)

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
        if playing:  # the next step's timer starts once this step is painted, so no frame is skipped
            self.call_after_refresh(self._arm_autoplay)
        if self.view_ready:
            self.refresh_view()

    def autoplay_may_step(self) -> bool:
        """Whether autoplay may take the next step now; a subclass (the quiz) says no to stop and ask."""
        return True

    def _arm_autoplay(self) -> None:
        if self.playing and self._tick is None:
            wait = self.delay if self.timeline.position == 0 else self.pause_after()
            self._tick = self.set_timer(wait, self._autoplay_step)

    def _autoplay_step(self) -> None:
        self._tick = None
        if not self.playing:
            return
        if not self.autoplay_may_step():
            self.playing = False
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

    # -- command box, breakpoints and watches --------------------------------------------------------

    def action_command(self) -> None:
        self.query_one(CommandBox).open()

    def known_ids(self) -> list[str]:
        """Ids the command box completes: every live object of every mechanism (through their id spaces),
        then whatever the current step names."""
        return [*self.timeline.system.ids(), *sorted(self.view().refs)]

    def watched(self) -> list[str]:
        """The ids pinned in the watch panel (the list itself: debugger commands change it)."""
        return self.query_one(WatchPanel).ids

    def on_command_box_submitted(self, message: CommandBox.Submitted) -> None:
        """A debugger command (viz/commands.py) if the line starts with one's name, else a model op.

        An error stays under the box; a command that moved the view or opened a screen closes the box, so
        the next key is the app's again; anything else leaves the box open with "done"."""
        box = self.query_one(CommandBox)
        closes = False
        try:
            command = parse_command(message.line)
            if command is not None:
                error = self.run_debugger_command(*command)
                closes = command[0].closes_box(command[1])
            else:
                error = self.apply_op(message.line)
        except (UsageError, CommandError) as exc:
            error = str(exc)
        if error:
            box.show_error(error)
        elif closes:
            box.action_close()
        else:
            box.value = ""
            box.border_subtitle = f"done · step {self.timeline.position}/{self.timeline.length}"

    def apply_op(self, line: str) -> str | None:
        """Apply an op as a new step right after the current one (viz/history.py); why the model refused
        it, if it did (then nothing changed: no step, no branch, the state as it was).

        In the past (step k of N), the new step starts a new branch and steps k+1..N stay on theirs
        (`branches`, `branch N`); `u` takes the newest typed step back."""
        t = self.timeline
        if self.reader is not None and t.at_end and t.current_node is t.scenario_leaf:
            return f"{self.reading()}: a step typed here would cut the scenario short; type it once they are read"
        refused = self.history.type_line(line)
        if refused is not None:
            return refused.text
        typed = self.history.typed[-1]
        if typed.forked:
            branch = self.history.current_branch
            self.notify(f"branch {branch} starts after step {typed.position}; the steps that followed stay on "
                        "their branch (:branches lists them, u undoes this one)", timeout=4)  # fmt: skip
        self.refresh_view()
        return None

    # -- branches of the history and undo of typed ops -----------------------------------------------

    def branches(self) -> list[Branch]:
        """The branches of the history (read at every refresh: kept until the tree changes)."""
        return self.history.branches()

    def switch_branch(self, number: int) -> str | None:
        """Show branch `number`, at the step where it leaves the current one (or earlier, where you are)."""
        try:
            self.history.switch(number)
        except ValueError as exc:
            return str(exc)
        self.refresh_view()
        self.notify(f"branch {number}: step {self.timeline.position} of {self.timeline.length}", timeout=2)
        return None

    def delete_branch(self, number: int) -> str | None:
        """Forget branch `number`'s own steps (never the branch shown)."""
        try:
            self.history.delete(number)
        except ValueError as exc:
            return str(exc)
        self.refresh_view()
        self.notify(f"branch {number} deleted", timeout=2)
        return None

    def action_branches(self) -> None:
        """The branches screen: enter switches, d deletes."""
        self.push_screen(BranchesScreen(self))

    def action_undo_typed(self) -> None:
        """Take back the newest op typed in the box: its step is gone (its line stays in the box's history),
        and the branch and step shown before it was typed come back."""
        try:
            typed = self.history.undo()
        except LookupError as exc:
            self.bell()
            self.notify(str(exc), timeout=2)
            return
        self.refresh_view()
        self.notify(f"undone: {typed.node.step.op if typed.node.step else ''}", timeout=2)

    def ref_names(self) -> tuple[list[str], bool]:
        """Every id a step names (live now, or in the events of any step applied on any branch), and whether
        that is all a step of this branch can name: the rest of the branch is computed first (and the view
        put back) when it is no longer than NAMES_COMPUTED_AHEAD steps. For checking `break ref`."""
        t = self.timeline
        if t.computed < t.length and t.length - t.computed <= NAMES_COMPUTED_AHEAD:
            here = t.position
            t.goto(t.length)
            t.goto(here)
        seen = dict.fromkeys(t.system.ids())
        stack = [t.root]
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            for event in node.events or ():
                seen.update(dict.fromkeys(event.refs))
        return list(seen), t.computed == t.length

    def run_debugger_command(self, spec: DebuggerCommand, args: tuple[str, ...]) -> str | None:
        """Carry out a debugger command (viz/commands.py); returns an error message or None."""
        error = spec.run(self, args)
        if error is None:
            self.refresh_view()
        return error

    def action_breakpoints(self) -> None:
        self.push_screen(BreakpointsScreen(self.timeline), lambda _: self.refresh_view())

    # -- panels ---------------------------------------------------------------------------------------

    def action_panel(self, step: int) -> None:
        self.query_one(PanelDeck).cycle(step)

    def action_maximize_panel(self) -> None:
        """Maximise the active (or focused) panel, or the log and narration when one of them has the focus;
        again to restore. The header (the step number) and the footer stay."""
        if self.has_class("-maximized") or self.has_class("-maximized-log"):
            self.remove_class("-maximized", "-maximized-log")
            self.query_one(PanelDeck).maximized = None
            return
        focused = self.focused
        if focused is not None and any(a.id == "bottom" for a in focused.ancestors_with_self):
            self.add_class("-maximized-log")
            return
        deck = self.query_one(PanelDeck)
        frame = next((a for a in focused.ancestors_with_self if isinstance(a, PanelFrame)), None) if focused else None
        self._maximize(frame or deck.frame(deck.active))

    def _maximize(self, frame: PanelFrame) -> None:
        self.add_class("-maximized")
        self.query_one(PanelDeck).maximized = frame.name

    @property
    def maximized(self) -> str | None:
        """The panel (its tab title) or "log" that fills the window, if any."""
        if self.has_class("-maximized-log"):
            return "log"
        return self.query_one(PanelDeck).maximized if self.has_class("-maximized") else None

    def action_pin(self) -> None:
        """Keep the panel shown in front at every step (the steps no longer bring theirs forward); again to
        let them."""
        self.pinned = not self.pinned
        self.notify(f"panel pinned: {self.active_panel}" if self.pinned else "panel follows the steps", timeout=2)
        self.refresh_view()

    # -- themes, screenshots, help, palette -------------------------------------------------------------

    def action_next_theme(self) -> None:
        """Cycle through cachescope's themes (dark, light, high contrast, colour-blind safe)."""
        names = [t.name for t in THEMES]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"theme: {self.theme}", timeout=1.5)

    @property
    def available_themes(self) -> dict[str, Any]:
        """Only cachescope's four themes (the palette's theme list offers these), once they are registered."""
        registered = super().available_themes
        ours = {t.name: registered[t.name] for t in THEMES if t.name in registered}
        return ours or registered

    def watch_theme(self, theme: str) -> None:
        """Restyle everything at once: the panels' texts now, and every widget again once the new CSS
        variables are in (the log's and lists' rows are drawn from them)."""
        if self.view_ready:
            self.refresh_view()
            self.call_after_refresh(self._restyle)

    def _restyle(self) -> None:
        self.refresh_view()
        for widget in self.query("*"):
            widget.refresh()

    def action_screenshot(self) -> None:
        """Save an SVG screenshot of this step in the current directory, under a name nothing else has.

        `cachescope-step-005.svg`, or `-2`, `-3`... when that exists: an earlier screenshot, a file or a
        link of the user's is never replaced nor followed. A directory that cannot be written is a toast.
        """
        stem = f"cachescope-step-{self.timeline.position:03d}"
        try:
            svg = self.export_screenshot()
            path = write_new(Path.cwd(), stem, ".svg", svg.encode("utf-8"))
        except OSError as exc:
            where = exc.filename or "the current directory"
            self.notify(f"screenshot not saved: {where}: {exc.strerror or exc}", severity="error", timeout=6)
            return
        self.notify(f"saved {path}", timeout=3)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help()))

    # -- crashes ----------------------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An unhandled exception ends the app without Textual's traceback on the terminal.

        The app closes with return code EXIT_INTERNAL and keeps the exception; `run` raises it again once
        the terminal is restored, and viz.cli.main turns it into one line and a saved report.
        """
        self._return_code = EXIT_INTERNAL
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()

    def run(self, **kwargs: Any) -> Any:
        """Run the app; an exception that ended it is raised here (App.run would return and exit 0)."""
        result = super().run(**kwargs)
        if self._exception is not None:
            raise self._exception
        return result

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, description) for every app binding, for the help screen and the palette."""
        rows = []
        for binding in self.BINDINGS:
            if isinstance(binding, Binding):
                keys = ", ".join(self.get_key_display(Binding(k, "")) for k in binding.key.split(","))
                rows.append((keys, binding.description))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the debugger in the command palette, with its key."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("Compare kernels", "compare LEFT RIGHT: this history on two configurations side by side",
                            lambda: self.query_one(CommandBox).open("compare "))  # fmt: skip
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in ("quit",):
                keys = ", ".join(self.get_key_display(Binding(k, "")) for k in binding.key.split(","))
                yield SystemCommand(binding.description, f"key: {keys}",
                                    lambda action=binding.action: self.run_action(action))  # fmt: skip
        yield SystemCommand("Branches", "the branches of the history (:branches)", self.action_branches)
        for branch in self.branches():
            if not branch.current:
                yield SystemCommand(
                    f"Switch to branch {branch.number}",
                    f"{branch.length} steps, leaves this one after step {branch.shared}: {branch.first[:60]}",
                    lambda number=branch.number: self.switch_branch(number),
                )
