"""Scenario loading: built-ins, and errors that name the file, the step and the problem."""

import pytest

from model.errors import ScenarioError
from model.scenario import builtin_names, load_builtin, load_file, loads, resolve


def test_every_builtin_scenario_loads_and_runs_without_refused_steps():
    for name in builtin_names():
        timeline = load_builtin(name).timeline()
        while (events := timeline.step()) is not None:
            assert not [e for e in events if e.is_error], (name, timeline.position, events)


def test_default_scenario_is_the_tour():
    assert resolve(None).source == "tour.toml"


def test_say_only_step_becomes_a_say_op():
    scenario = loads('[[step]]\nsay = "hello"\n')
    assert str(scenario.steps[0].op) == "say hello"
    assert scenario.steps[0].say == "hello"


def test_bad_command_names_file_and_step():
    text = '[[step]]\ndo = "stats"\n[[step]]\ndo = "stast"\n'
    with pytest.raises(ScenarioError) as info:
        loads(text, "lesson.toml")
    assert info.value.step == 2
    assert str(info.value).startswith("lesson.toml: step 2:")
    assert "did you mean 'stats'" in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('titel = "x"', "unknown top-level key 'titel'"),
        ('[[step]]\ndo = "stats"\nsya = "x"', "unknown step key 'sya'"),
        ("[[step]]\n", "needs 'do'"),
        ("[config]\nnope = 1", "unknown config key 'nope'"),
        ("title = 3", "'title' must be a string"),
        ("this is not toml", "not valid TOML"),
        ("step = 3", "array of tables"),
    ],
)
def test_malformed_scenarios_are_rejected_with_a_reason(text, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        loads(text, "bad.toml")


def test_missing_file_directory_and_binary_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_file(tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_file(tmp_path)
    binary = tmp_path / "blob.toml"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(ScenarioError, match="not a text file"):
        load_file(binary)


def test_unknown_builtin_name_suggests_one():
    with pytest.raises(ScenarioError, match="did you mean 'tour'"):
        resolve("tuor")


# -- dumps: a scenario written back as TOML ------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from model.ops import make, parse  # noqa: E402
from model.scenario import Scenario, dumps  # noqa: E402
from model.timeline import Step  # noqa: E402
from tests.property.strategies import CONFIG, any_line  # noqa: E402


def _same(a: Scenario, b: Scenario) -> None:
    assert (a.title, a.about, a.raw_config, a.config, a.steps) == (b.title, b.about, b.raw_config, b.config, b.steps)


@pytest.mark.parametrize("name", builtin_names())
def test_dumps_writes_every_builtin_back_to_the_same_scenario(name):
    scenario = load_builtin(name)
    _same(loads(dumps(scenario), "again.toml"), scenario)


def test_dumps_writes_narration_steps_as_say_and_keeps_do_say_and_panel():
    steps = [Step(make("say", text="hi"), "hi"), Step(parse("lookup /usr"), "a walk", "vnodes"), Step(parse("say x"))]
    text = dumps(Scenario("t", "", {}, steps, "t.toml"))
    assert text.count("do = ") == 2 and 'say = "hi"' in text and 'panel = "vnodes"' in text
    assert 'do = "say x"' in text  # a say op with no narration of its own stays a do
    assert loads(text).steps == steps


text_of_any_kind = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@given(title=text_of_any_kind, about=text_of_any_kind, lines=st.lists(any_line, max_size=8),
       says=st.lists(text_of_any_kind, max_size=8))  # fmt: skip
def test_dumps_round_trips_any_text_and_any_op(title, about, lines, says):
    steps = [Step(parse(line), say) for line, say in zip(lines, says + [""] * len(lines), strict=False)]
    scenario = Scenario(title, about, {}, steps, "x.toml", dict(CONFIG))
    again = loads(dumps(scenario), "x.toml")
    assert (again.title, again.about, again.raw_config, again.steps) == (title, about, CONFIG, steps)
