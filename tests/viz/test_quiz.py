"""Quiz mode in the app, through the pilot: n asks, 1-4 answers, enter reveals then steps, b goes back."""

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from model.quiz.engine import make_quiz
from viz.help import HelpScreen
from viz.panels import Narration
from viz.quiz import OptionLine, QuestionScreen, QuizApp

APPS = Path(__file__).parent / "apps"
SIZE = (100, 30)


def _app(subsystem: str = "namecache", *, reverse: bool = False) -> QuizApp:
    return QuizApp(make_quiz(7, subsystem, 4, reverse=reverse))


def _text(widget: Static) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def _wrong(question) -> str:
    return str(next(n for n in range(1, len(question.options) + 1) if n - 1 != question.answer))


async def test_n_asks_the_question_before_the_step():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert app.timeline.position == 0
        assert screen.question is app.quiz.questions[1]
        assert len(screen.query(OptionLine)) == len(screen.question.options)
        assert screen.question.prompt in _text(screen.query_one("#prompt", Static))


async def test_a_right_answer_is_revealed_scored_then_the_step_is_applied():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        question = app.screen.question
        await pilot.press(str(question.answer + 1), "enter")
        assert app.screen.revealed and app.timeline.position == 0
        verdict = _text(app.screen.query_one("#verdict", Static))
        assert "Right" in verdict and question.explain[:40] in verdict.replace("\n", "")
        assert app.score == (1, 1) and "score 1/1 of 4" in app.sub_title
        await pilot.press("enter")
        assert not isinstance(app.screen, QuestionScreen)
        assert app.timeline.position == 1 and app.title == "step 1 / 4"
        assert "Quiz:" in app.query_one(Narration).text.plain


async def test_a_wrong_answer_shows_the_right_one_and_a_click_chooses():
    app = _app("cpu")
    async with app.run_test(size=SIZE) as pilot:
        app.goto(app.quiz.setup)  # the setup steps (map) ask nothing
        await pilot.press("n")
        question = app.screen.question
        await pilot.click(f"#option-{_wrong(question)}")
        assert app.screen.chosen == int(_wrong(question)) - 1
        assert app.screen.query_one(f"#option-{_wrong(question)}", OptionLine).has_class("-chosen")
        await pilot.press("a")
        verdict = _text(app.screen.query_one("#verdict", Static))
        assert f"Not quite: the answer is {question.answer + 1}" in verdict
        right = app.screen.query_one(f"#option-{question.answer + 1}", OptionLine)
        assert right.has_class("-right") and "✓" in _text(right)
        assert app.score == (0, 1)
        await pilot.press("space")
        assert app.timeline.position == app.quiz.setup + 1


async def test_b_goes_back_and_the_question_is_asked_again_scored_once():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        question = app.screen.question
        await pilot.press(_wrong(question), "enter", "enter")
        assert app.timeline.position == 1
        await pilot.press("b")
        assert app.timeline.position == 0
        await pilot.press("n")
        assert isinstance(app.screen, QuestionScreen) and app.screen.question is question
        await pilot.press("escape")  # closed unanswered: nothing applied
        assert not isinstance(app.screen, QuestionScreen) and app.timeline.position == 0
        await pilot.press("n", str(question.answer + 1), "enter", "enter")
        assert app.timeline.position == 1 and app.score == (0, 1)
        await pilot.press("n", "b")  # b in a question closes it and goes back
        assert not isinstance(app.screen, QuestionScreen) and app.timeline.position == 0


async def test_reverse_mode_asks_which_op_and_applies_it():
    app = _app("pagecache", reverse=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")  # the debugger's keys still work: no question on the way
        assert app.timeline.at_end and app.score == (0, 0)
        app.goto(app.quiz.setup)
        await pilot.press("n")
        question = app.screen.question
        assert question.kind == "reverse" and question.prompt.startswith("Which op will do this")
        await pilot.press(str(question.answer + 1), "enter", "enter")
        assert str(app.timeline.current_step.op) == question.right and app.score == (1, 1)


async def test_autoplay_stops_at_a_question():
    app = _app("procfs")
    async with app.run_test(size=SIZE) as pilot:
        app.delay = 0.01
        await pilot.press("p")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, QuestionScreen):
                break
        assert isinstance(app.screen, QuestionScreen) and not app.playing
        assert app.timeline.position == app.quiz.setup


async def test_help_lists_the_quiz_keys():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "".join(_text(widget) for widget in app.screen.query(Static))
        assert "1-4, ↑ ↓, click" in text and "reveal the answer" in text and "Step" in text


def test_snapshot_a_revealed_question(snap_compare):
    assert snap_compare(APPS / "quiz_app.py", press=["n", "2", "enter"], terminal_size=SIZE)
