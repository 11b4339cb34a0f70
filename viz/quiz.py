"""Quiz mode in the app: before each quizzed step, `n` asks its question; the answer, then the step.

`QuizApp` is the debugger itself (every key still works) over a generated quiz (`model.quiz`). The
question sits in a modal docked at the bottom, so the panels stay visible above it: 1-4 (or a click)
chooses, enter or `a` reveals right or wrong with the events' explanation, and enter again applies
the step. The score (first answer per question) is in the header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from model.quiz.engine import Question, Quiz
from viz.app import CacheScopeApp, StepHook

QUIZ_KEYS = [
    ("n, space", "before a quizzed step: ask its question (the step comes after the answer)"),
    ("1-4, ↑ ↓, click", "choose an answer (Home, End: the first, the last)"),
    ("enter, a", "reveal the answer; enter again applies the step"),
    ("escape", "close the question without answering (n asks it again)"),
    ("b", "in a question: close it and go back one step"),
]
"""The quiz's own keys, for the help screen."""


class OptionLine(Static):
    """One numbered option; a click chooses it."""

    DEFAULT_CSS = """
    OptionLine { height: auto; padding: 0 1; }
    OptionLine:hover { background: $boost; }
    OptionLine.-chosen { background: $accent 30%; text-style: bold; }
    OptionLine.-right { color: $success; text-style: bold; }
    OptionLine.-wrong { color: $error; text-style: strike; }
    """

    def __init__(self, index: int, text: str) -> None:
        super().__init__(id=f"option-{index + 1}")
        self.index = index
        self.text = text
        self.show_mark(" ")

    def show_mark(self, mark: str) -> None:
        """Draw the option with a mark: ▶ chosen, ✓ right, ✗ wrong (readable without colour)."""
        self.update(Text.assemble((f"{mark} {self.index + 1}. ", "bold"), self.text))

    def on_click(self, event: events.Click) -> None:
        """A click chooses this option."""
        event.stop()
        screen = self.screen
        if isinstance(screen, QuestionScreen):
            screen.choose(self.index)


class QuestionBody(VerticalScroll):
    """The question and its options, focused when the question opens: ↑ ↓ choose the previous or next
    option, Home and End the first or last; PageUp and PageDown scroll a long question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Previous answer", show=False),
        Binding("down", "move(1)", "Next answer", show=False),
        Binding("home", "move(-99)", "First answer", show=False),
        Binding("end", "move(99)", "Last answer", show=False),
    ]

    def action_move(self, delta: int) -> None:
        screen = self.screen
        if isinstance(screen, QuestionScreen):
            screen.move_choice(delta)


class QuestionScreen(ModalScreen[bool]):
    """A question with numbered options: choose, reveal, continue. Dismissed with True to apply the step."""

    DEFAULT_CSS = """
    QuestionScreen { align: center bottom; background: $background 30%; }
    QuestionScreen > QuestionBody { width: 100%; max-width: 110; height: auto; max-height: 80%; margin: 0 1 1 1;
                                    border: thick $accent; background: $surface; padding: 0 1; }
    QuestionScreen #prompt { margin: 0 0 1 0; }
    QuestionScreen #verdict { margin: 1 0 0 0; display: none; }
    QuestionScreen.-revealed #verdict { display: block; }
    QuestionScreen #keys { color: $text-muted; margin: 1 0 0 0; }
    """
    AUTO_FOCUS = "QuestionBody"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "choose(0)", "Answer 1", show=False),
        Binding("2", "choose(1)", "Answer 2", show=False),
        Binding("3", "choose(2)", "Answer 3", show=False),
        Binding("4", "choose(3)", "Answer 4", show=False),
        Binding("enter,a", "reveal", "Reveal / apply"),
        Binding("n,space", "go_on", "Apply", show=False),
        Binding("escape", "close", "Close"),
        Binding("b", "back", "Back"),
    ]

    def __init__(self, question: Question, heading: str, on_reveal: Callable[[Question, int | None], None]) -> None:
        super().__init__()
        self.question = question
        self.heading = heading
        self.on_reveal = on_reveal
        self.chosen: int | None = None
        self.revealed = False

    def compose(self) -> ComposeResult:
        """The prompt, the options, the verdict (hidden until revealed) and the keys."""
        with QuestionBody() as box:
            box.border_title = self.heading
            yield Static(Text(self.question.prompt, style="bold"), id="prompt")
            for index, option in enumerate(self.question.options):
                yield OptionLine(index, option)
            yield Static(id="verdict")
            yield Static(self._keys(), id="keys")

    def _keys(self) -> str:
        if self.revealed:
            return "enter, n or space: apply the step and see it · b: go back"
        last = len(self.question.options)
        return f"1-{last}, ↑ ↓ or a click: choose · enter or a: reveal · escape: close · b: go back"

    def choose(self, index: int) -> None:
        """Pick option `index` (0-based); after the reveal the choice is fixed."""
        if self.revealed or not 0 <= index < len(self.question.options):
            return
        self.chosen = index
        for line in self.query(OptionLine):
            line.set_class(line.index == index, "-chosen")
            line.show_mark("▶" if line.index == index else " ")

    def move_choice(self, delta: int) -> None:
        """↑ ↓ Home End: choose the option `delta` away from the chosen one (the first when none is)."""
        count = len(self.question.options)
        start = self.chosen if self.chosen is not None else (-1 if delta > 0 else count)
        self.choose(max(0, min(count - 1, start + delta)))

    def action_choose(self, index: int) -> None:
        """Keys 1-4."""
        self.choose(index)

    def action_reveal(self) -> None:
        """Show right or wrong and why; once revealed, the same key applies the step."""
        if self.revealed:
            self.dismiss(True)
            return
        self.revealed = True
        q = self.question
        for line in self.query(OptionLine):
            right, picked = line.index == q.answer, line.index == self.chosen
            line.set_class(right, "-right")
            line.set_class(picked and not right, "-wrong")
            line.show_mark("✓" if right else "✗" if picked else " ")
        if self.chosen is None:
            head = f"The answer is {q.answer + 1}. "
        elif q.is_right(self.chosen):
            head = "✓ Right! "
        else:
            head = f"✗ Not quite: the answer is {q.answer + 1}. "
        verdict = Text.assemble((head, "bold"), q.explain)
        self.query_one("#verdict", Static).update(verdict)
        self.query_one("#keys", Static).update(self._keys())
        self.add_class("-revealed")
        self.on_reveal(q, self.chosen)

    def action_go_on(self) -> None:
        """n or space: apply the step once the answer is revealed."""
        if self.revealed:
            self.dismiss(True)

    def action_close(self) -> None:
        """Escape: close; the step is applied only if the answer was revealed."""
        self.dismiss(self.revealed)

    def action_back(self) -> None:
        """b: close the question and go back one step, as b does in the debugger."""
        self.dismiss(False)
        app = self.app
        if isinstance(app, CacheScopeApp):
            app.action_back()


class QuizApp(CacheScopeApp):
    """The debugger over a quiz: stepping onto a quizzed step asks its question first; the header keeps score."""

    def __init__(self, quiz: Quiz, *, theme: str | None = None, step_hook: StepHook | None = None) -> None:
        self.quiz = quiz
        self.results: dict[int, bool] = {}  # step -> right at its first reveal
        super().__init__(quiz.scenario(), theme=theme, step_hook=step_hook)

    @property
    def score(self) -> tuple[int, int]:
        """(right, asked) over the questions revealed so far."""
        return sum(self.results.values()), len(self.results)

    def initial_panel(self) -> str:
        """The drill's own panel (namecache, vnodes, ...) rather than the busiest part's."""
        return self.quiz.panel if self.quiz.panel != "stats" else super().initial_panel()

    def refresh_view(self) -> None:
        """The debugger's refresh, then the score."""
        super().refresh_view()
        self.show_score()

    def show_score(self) -> None:
        """The quiz, the seed and the score in the header's subtitle."""
        right, asked = self.score
        self.sub_title = f"{self.quiz.title} · score {right}/{asked} of {len(self.quiz.questions)}"

    def pending_question(self) -> Question | None:
        """The question of the next step, if it is a quizzed step the command box has not replaced."""
        t = self.timeline
        if t.at_end:
            return None
        return self.quiz.question_for(t.position + 1, t.node(t.position + 1).step.op)

    def action_step(self) -> None:
        """Ask the next step's question first, if it has one; else step as the debugger does."""
        question = self.pending_question()
        if question is None:
            super().action_step()
        elif not isinstance(self.screen, QuestionScreen):
            self.ask(question)

    def ask(self, question: Question) -> None:
        """Open the question screen for `question`."""
        number = sorted(self.quiz.questions).index(question.step) + 1
        heading = f"question {number} of {len(self.quiz.questions)} · before step {question.step}"
        self.push_screen(QuestionScreen(question, heading, self.record), lambda go: self._answered(question, go))

    def record(self, question: Question, choice: int | None) -> None:
        """Count a revealed answer; only the first one per question counts."""
        self.results.setdefault(question.step, question.is_right(choice))
        self.show_score()

    def _answered(self, question: Question, go: bool | None) -> None:
        if go and self.pending_question() is question:
            super().action_step()

    def autoplay_may_step(self) -> bool:
        """Autoplay stops at a question and asks it."""
        question = self.pending_question()
        if question is None:
            return True
        self.ask(question)
        return False

    def key_help(self) -> list[tuple[str, str]]:
        """The debugger's keys and the quiz's own, for the help screen."""
        return [*super().key_help(), *QUIZ_KEYS]
