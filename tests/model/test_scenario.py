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
