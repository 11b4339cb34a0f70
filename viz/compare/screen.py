"""The compare view: one column per machine, the same panels in each, one step cursor for all.

`n`/`b` step every machine, `]`/`[` jump to the next or previous divergent step (`model.compare`), `,`/`.`
change the panel every column shows. Rows of objects whose state differs carry ↔ in the panels; each
column's events are marked ↔ (differs from the left's) or + (only on this side); the bottom lists the
objects that differ and the legend. It only draws the comparison and moves the timelines.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static

from model.compare import Comparison, Lockstep
from model.views import view_of
from viz.compare.widgets import DivergenceBar, ObjectDiffs, SideEvents, legend
from viz.palette import palette
from viz.panels import StepView, mechanism_panels
from viz.panels._rows import RowList

SIDE_NAMES = ("left", "right", "right 2")


class CompareScreen(Screen[None]):
    """Two or three machines side by side over one scenario."""

    CSS = """
    CompareScreen { layout: vertical; }
    #compare-title { height: 1; background: $panel; padding: 0 1; }
    #columns { height: 1fr; }
    .side { width: 1fr; border-right: solid $primary-darken-1; }
    .side:last-of-type { border-right: none; }
    .side-label { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    .side ContentSwitcher { height: 2fr; }
    .side SideEvents { height: 1fr; min-height: 3; }
    #bottom { height: auto; max-height: 35%; border-top: solid $primary-darken-1; padding: 0 1; }
    #say { height: auto; max-height: 6; }
    #objects { height: auto; max-height: 10; }
    #legend { height: 1; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,space", "step", "Step"),
        Binding("b", "back", "Back"),
        Binding("right_square_bracket", "divergence(1)", "Next ↔"),
        Binding("left_square_bracket", "divergence(-1)", "Prev ↔"),
        Binding("home", "goto(0)", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("full_stop", "panel(1)", "Panel"),
        Binding("comma", "panel(-1)", "Previous panel", show=False),
        Binding("p", "play", "Play", show=False),
        Binding("t", "next_theme", "Theme", show=False),
        Binding("escape,q", "leave", "Close"),
    ]

    def __init__(self, comparison: Comparison, *, start: int = 0, standalone: bool = False) -> None:
        super().__init__()
        self.standalone = standalone
        self.comparison = comparison
        self.lockstep = Lockstep(comparison)
        self.panel_classes = mechanism_panels()
        self.titles = [cls.TAB_TITLE for cls in self.panel_classes]
        self.panel = self._panel_for_scenario(start)
        self._shown: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="compare-title")
        yield DivergenceBar(id="bar")
        with Horizontal(id="columns"):
            for n, label in enumerate(self.comparison.labels):
                with Vertical(classes="side", id=f"side-{n}"):
                    yield Static(f"{SIDE_NAMES[n]}: {label}", classes="side-label")
                    with ContentSwitcher(initial=f"panel-{n}-{self.panel}", id=f"panels-{n}"):
                        for cls in self.panel_classes:
                            yield cls(id=f"panel-{n}-{cls.TAB_TITLE}")
                    yield SideEvents(id=f"events-{n}")
        with VerticalScroll(id="bottom"):
            yield Static(id="say")
            yield ObjectDiffs(id="objects")
        yield Static(id="legend")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()

    def on_resize(self) -> None:
        self.refresh_view()

    def _panel_for_scenario(self, start: int) -> str:
        """The panel of the first divergent step (else of the first step about one), for the first view."""
        lockstep = self.lockstep
        found = None
        for n in [*self.comparison.divergent[:1], *range(1, lockstep.length + 1)]:
            lockstep.goto(n)
            found = view_of(lockstep.current_step, lockstep.timelines[0].current_events)
            if found in self.titles:
                break
        lockstep.goto(start)
        return found if found in self.titles else (self.titles[0] if self.titles else "")

    # -- drawing ------------------------------------------------------------------------------------------

    def refresh_view(self) -> None:
        """Bring every column, the bar, the title, the narration and the object list up to the position."""
        lockstep, diff = self.lockstep, self.lockstep.diff
        position = lockstep.position
        if position != self._shown:
            about = view_of(lockstep.current_step, lockstep.timelines[0].current_events)
            if about in self.titles:
                self.panel = about
        differs = diff.object_ids
        for n, timeline in enumerate(lockstep.timelines):
            view = StepView(timeline.system, timeline.position, timeline.length, timeline.current_step,
                            timeline.current_events, timeline.events_of, timeline.computed)  # fmt: skip
            switcher = self.query_one(f"#panels-{n}", ContentSwitcher)
            switcher.current = f"panel-{n}-{self.panel}"
            panel = self.query_one(f"#panel-{n}-{self.panel}")
            for rows in panel.query(RowList):
                rows.differs = differs
            panel.show(view)  # type: ignore[attr-defined]
            for rows in panel.query(RowList):
                if differs and not rows.highlighted:
                    rows.call_after_refresh(_reveal_first_difference, rows)
            self.query_one(f"#events-{n}", SideEvents).show(diff.events[n], diff.marked_events(n))
        self.query_one(DivergenceBar).show(lockstep)
        self._title(diff.diverges)
        self._narration()
        previous = self.comparison.steps[position - 1] if position else None
        self.query_one(ObjectDiffs).show(diff, self.comparison.labels, previous)
        self.query_one("#legend", Static).update(
            Text(legend(max(20, self.size.width - 2)), style=palette(self.app).muted)
        )
        if position != self._shown:
            hook = getattr(self.app, "step_hook", None)
            if hook is not None:
                hook(position, str(lockstep.current_step.op) if lockstep.current_step else "")
        self._shown = position

    def _title(self, diverges: bool) -> None:
        p = palette(self.app)
        lockstep = self.lockstep
        text = Text()
        text.append("compare ", style="bold")
        text.append(f"step {lockstep.position} / {lockstep.length}", style="bold")
        if diverges:
            text.append("  ◆ the machines part ways here", style=f"bold {p.special}")
        text.append(f"   {len(self.comparison.divergent)} divergent · ", style=p.muted)
        text.append(self.comparison.scenario.title, style=p.muted)
        self.query_one("#compare-title", Static).update(text)

    def _narration(self) -> None:
        step = self.lockstep.current_step
        text = Text()
        if step is None:
            text.append(self.comparison.scenario.about or "Press n to take the first step on every machine.")
        else:
            text.append(f"{self.lockstep.position}: {step.op}", style="bold")
            if step.say:
                text.append(f"  {step.say}")
        self.query_one("#say", Static).update(text)

    # -- keys ------------------------------------------------------------------------------------------------

    def action_step(self) -> None:
        if self.lockstep.step() is None:
            self.app.bell()
            self.notify("end of the scenario", timeout=2)
        self.refresh_view()

    def action_back(self) -> None:
        if not self.lockstep.back():
            self.app.bell()
        self.refresh_view()

    def action_goto(self, step: int) -> None:
        self.goto(step)

    def action_last(self) -> None:
        self.goto(self.lockstep.length)

    def goto(self, step: int) -> None:
        self.lockstep.goto(step)
        self.refresh_view()

    def action_divergence(self, direction: int) -> None:
        """Jump to the next (1) or previous (-1) step where the machines part ways."""
        found = self.lockstep.next_divergent(backward=direction < 0)
        if found is None:
            self.app.bell()
            where = "after" if direction > 0 else "before"
            self.notify(f"no divergent step {where} step {self.lockstep.position}", timeout=2)
            return
        self.goto(found)

    def action_panel(self, direction: int) -> None:
        """Show the next (or previous) panel in every column."""
        if self.titles:
            index = self.titles.index(self.panel) if self.panel in self.titles else 0
            self.panel = self.titles[(index + direction) % len(self.titles)]
            self.refresh_view()

    def show_panel(self, title: str) -> None:
        if title in self.titles:
            self.panel = title
            self._shown = self.lockstep.position  # keep it: the step's own panel is not forced back
            self.refresh_view()

    def on_divergence_bar_jump(self, message: DivergenceBar.Jump) -> None:
        self.goto(message.step)

    def action_play(self) -> None:
        toggle = getattr(self.app, "action_play", None)
        if toggle is not None:
            toggle()

    def action_next_theme(self) -> None:
        cycle = getattr(self.app, "action_next_theme", None)
        if cycle is not None:
            cycle()
            self.call_after_refresh(self.refresh_view)

    def action_leave(self) -> None:
        """Back to the app this view was opened from, or quit when it is the app."""
        if self.standalone:
            self.app.exit()
        else:
            self.app.pop_screen()


def _reveal_first_difference(rows: RowList) -> None:
    """Scroll a list whose step changed nothing so its first row that differs is in view (small screens)."""
    first = next((i for i in range(rows.row_count()) if rows.row_ref(i) in rows.differs), None)
    top, height = round(rows.scroll_y), rows.scrollable_content_region.height
    if first is not None and not top <= first < top + height:
        rows.scroll_to(y=max(0, first - 1), animate=False, immediate=True, force=True)
