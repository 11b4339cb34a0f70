"""A big scenario file opens at once: the app shows its first steps and reads the rest a chunk at a time
(viz/app.py `_read_more`, model/step_reader.py). Nothing typed or saved meanwhile can cut it short."""

from pathlib import Path

from model.ops import parse
from model.scenario import Scenario, dumps, load_builtin, opens
from model.system import System
from model.timeline import Step
from viz import jump
from viz.app import CacheScopeApp
from viz.cli.base import open_or_report

LINES = ["lookup /usr/bin", "lookup /etc", "lookup /usr", "purge vp2", "lookup /usr/bin/cc"]


def _text(steps: int, bad_at: int | None = None) -> str:
    scenario = Scenario("big", "", {}, [Step(parse(LINES[n % len(LINES)])) for n in range(steps)], "big.toml")
    text = dumps(scenario)
    if bad_at is not None:  # the bad_at-th step's op becomes a verb no kernel has
        parts = text.split('do = "')
        parts[bad_at] = "frobnicate " + parts[bad_at]
        text = 'do = "'.join(parts)
    return text


def _replayed(n: int) -> dict:
    system = System({})
    for k in range(n):
        system.apply(parse(LINES[k % len(LINES)]))
    return system.to_dict()


def _notes(app: CacheScopeApp) -> list[tuple[str, str]]:
    return [(n.severity, str(n.message)) for n in app._notifications]


async def _read_all(app: CacheScopeApp, pilot) -> None:
    while app.reader is not None:
        await pilot.pause(0.02)
    await pilot.pause()


async def test_the_first_steps_show_while_the_rest_is_read_then_end_goes_to_the_last(monkeypatch):
    monkeypatch.setattr(jump, "READ_CHUNK", 4)
    monkeypatch.setattr(jump, "READ_PAUSE", 0.3)
    scenario, reader = opens(_text(30), "big.toml", first=5)
    assert reader is not None and len(scenario.steps) == 5
    app = CacheScopeApp(scenario, reader=reader)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        assert app.timeline.length < 30 and "reading steps:" in app.title and "of 30" in app.title
        await pilot.press("end")  # waits for the last step to be read, then goes there
        assert app.timeline.position == 0 and any("End goes to the last step" in m for _, m in _notes(app))
        await _read_all(app, pilot)
        while app._jump_target is not None:
            await pilot.pause(0.02)
        assert app.timeline.length == 30 == app.timeline.position == len(app.scenario.steps)
        assert "reading" not in app.title and app.title.startswith("step 30 / 30")
        assert app.timeline.system.to_dict() == _replayed(30)


async def test_a_step_typed_at_the_last_step_read_waits_but_one_typed_in_the_past_branches(monkeypatch, tmp_path):
    monkeypatch.setattr(jump, "FIRST_FRAME_PAUSE", 60)  # nothing is read until the test says so
    monkeypatch.setattr(jump, "READ_PAUSE", 0.01)
    monkeypatch.setattr(jump, "READ_CHUNK", 5)
    scenario, reader = opens(_text(20), "big.toml", first=5)
    app = CacheScopeApp(scenario, reader=reader)
    async with app.run_test(size=(120, 40)) as pilot:
        app.goto(5)
        refused = app.apply_op("stats")
        assert refused is not None and "reading steps" in refused and app.timeline.length < 20
        saved = tmp_path / "early.toml"
        from viz.commands import parse_command

        command = parse_command(f"save {saved}")
        assert command is not None
        error = app.run_debugger_command(*command)
        assert error is not None and "reading steps" in error and not saved.exists()
        app.goto(2)
        assert app.apply_op("stats") is None and app.history.current_branch == 2
        app._read_more()
        await _read_all(app, pilot)
        app.switch_branch(1)
        assert app.timeline.length == 20
        app.goto(20)
        assert app.timeline.system.to_dict() == _replayed(20)


async def test_a_bad_step_past_the_first_keeps_what_was_read_and_says_where(monkeypatch):
    monkeypatch.setattr(jump, "READ_CHUNK", 4)
    scenario, reader = opens(_text(30, bad_at=17), "big.toml", first=5)
    app = CacheScopeApp(scenario, reader=reader)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _read_all(app, pilot)
        assert app.timeline.length == 16  # steps 1-16 are read (the chunk holding 17 a step at a time)
        errors = [m for severity, m in _notes(app) if severity == "error"]
        assert errors and "step 17" in errors[0] and "frobnicate" in errors[0]
        app.goto(16)
        assert app.timeline.system.to_dict() == _replayed(16)


async def test_a_file_not_valid_toml_past_the_first_steps_opens_and_stops_reading_with_tomllibs_words():
    """Only the first steps' lines are read before the window opens: a TOML error later (an unclosed
    string) stops the reading with tomllib's message, and the steps before it stay."""
    parts = _text(30).split("[[step]]")
    parts[20] = parts[20].replace('"\n', "\n", 1)  # step 20's string never closes
    text = "[[step]]".join(parts)
    scenario, reader = opens(text, "big.toml", first=5)
    assert len(scenario.steps) == 5 and reader is not None
    app = CacheScopeApp(scenario, reader=reader)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _read_all(app, pilot)
        assert app.timeline.length == 5
        errors = [m for severity, m in _notes(app) if severity == "error"]
        assert errors and "not valid TOML" in errors[0] and "big.toml" in errors[0]


def test_the_cli_opens_a_big_file_with_a_reader_and_everything_else_whole(tmp_path: Path):
    big = tmp_path / "big.toml"
    big.write_text(_text(2500), encoding="utf-8")
    opened = open_or_report(str(big))
    assert opened is not None
    scenario, reader = opened
    assert reader is not None and len(scenario.steps) == 2000 and reader.total == 2500
    small = tmp_path / "small.toml"
    small.write_text(_text(30), encoding="utf-8")
    assert open_or_report(str(small))[1] is None  # type: ignore[index]
    builtin = open_or_report("tour")
    assert builtin is not None and builtin[1] is None and builtin[0].steps == load_builtin("tour").steps
    compared = tmp_path / "cmp.toml"  # a comparison opens in the compare view, which takes its steps whole
    table = "\n[compare]\nleft = {}\nright = { desiredvnodes = 4 }\n\n[[step]]"
    compared.write_text(_text(2500).replace("\n[[step]]", table, 1), encoding="utf-8")
    opened = open_or_report(str(compared))
    assert opened is not None and opened[1] is None and len(opened[0].steps) == 2500 and opened[0].compare


async def test_reading_goes_on_under_the_help_screen_and_end_waits_for_the_panels(monkeypatch):
    """Chunks read while a screen covers the panels draw nothing; End pressed before does not jump under
    the help screen: once the steps are read it says End now goes to the last, and it does."""
    monkeypatch.setattr(jump, "READ_CHUNK", 4)
    monkeypatch.setattr(jump, "FIRST_FRAME_PAUSE", 60)  # the test reads the chunks itself
    scenario, reader = opens(_text(30), "big.toml", first=5)
    app = CacheScopeApp(scenario, reader=reader)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("end", "question_mark")
        assert app.reader is not None and len(app.screen_stack) == 2
        monkeypatch.setattr(jump, "READ_PAUSE", 60)
        while app.reader is not None:
            app._read_more()
        await pilot.pause()
        assert app.timeline.length == 30 and len(app.screen_stack) == 2 and app.timeline.position == 0
        assert any("all 30 steps are read" in m for _, m in _notes(app))
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1 and app.title.startswith("step 0 / 30")
        await pilot.press("end")
        await pilot.pause()
        assert app.title.startswith("step 30 / 30")
