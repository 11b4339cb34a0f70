"""The fast step reader: whatever text it reads, it reads as tomllib would, or it leaves the text to tomllib.

Every test compares the two paths in full: `loads` (the fast reader when `scan` accepts the text) against
`_loads_toml` (tomllib over the whole text), on the scenario they give or on the error they raise.
"""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.errors import ScenarioError
from model.ops import make, parse
from model.scenario import (
    BUILTIN_PACKAGE,
    Scenario,
    _loads_toml,
    builtin_names,
    dumps,
    load_file,
    loads,
    open_file,
    opens,
)
from model.step_reader import StepReader, scan
from model.timeline import Step
from model.views import view_names
from tests.property.strategies import CONFIG, any_line


def outcome(load, text: str) -> Scenario | tuple[str, int | None, str]:
    """What loading gives: the scenario, or the error's text, step and hint."""
    try:
        return load(text, "s.toml")
    except ScenarioError as exc:
        return (str(exc), exc.step, exc.hint)


def assert_same(text: str) -> Scenario | tuple[str, int | None, str]:
    """Both paths give the same scenario or the same error; that outcome."""
    fast, toml = outcome(loads, text), outcome(_loads_toml, text)
    assert fast == toml
    return fast


def builtin_text(name: str) -> str:
    return resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_is_read_by_the_fast_reader_as_tomllib_reads_it(name):
    text = builtin_text(name)
    assert scan(text) is not None
    assert isinstance(assert_same(text), Scenario)


# -- dumps of generated scenarios: always read by the fast reader, always the same scenario -------------

awkward = st.lists(
    st.one_of(
        st.sampled_from(['"', "\\", "\\u", "\\U", "\\n", "#", " # ", "[[step]]", "\n[[step]]\n", "\t", "\r", "\x7f"]),
        st.characters(),  # every code point but surrogates: controls, unicode, astral
    ),
    max_size=30,
).map("".join)
panels = st.sampled_from(["", *view_names()])


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A scenario with awkward text everywhere and steps of every kind (do, say, both, panel)."""
    steps = []
    for _ in range(draw(st.integers(0, 12))):
        say, panel = draw(awkward), draw(panels)
        if draw(st.booleans()) or not say:
            steps.append(Step(parse(draw(any_line)), say, panel))
        else:
            steps.append(Step(make("say", text=say), say, panel))  # narration: written as `say` alone
    return Scenario(draw(awkward), draw(awkward), {}, steps, "s.toml", dict(draw(st.sampled_from([{}, CONFIG]))))


@given(scenarios())
def test_dumps_of_any_scenario_is_read_by_the_fast_reader_as_tomllib_reads_it(scenario):
    text = dumps(scenario)
    assert (scan(text) is not None) == bool(scenario.steps)  # with no [[step]] line, tomllib reads it all
    again = assert_same(text)
    assert isinstance(again, Scenario) and again.steps == scenario.steps


# -- hand-written text: the fast reader's own forms, and the ones it leaves to tomllib ----------------

HEADER = 'title = "t"\n\n'


@pytest.mark.parametrize(
    "steps",
    [
        '[[step]]\ndo = "stats" # a comment after the string\n',
        '[[step]]\ndo = "stats"   \t\n',
        '# a comment\n[[step]]\n  # an indented one\n\t\ndo = "stats"\n#\n',
        '[[step]]\nsay = "\\u00e9t\\u00E9 \\U0001F600 \\U0010FFFF \\b\\t\\n\\f\\r\\"\\\\"\n',
        '[[step]]\nsay = "\\\\U and \\\\u and \\\\/: backslashes, not escapes"\n',
        '[[step]]\nsay = "a raw\ttab, and # not a comment, and [[step]]"\n',
        '[[step]]\nsay = "x"\ndo = ""\n[[step]]\nsay = "x"\npanel = "vnodes"\n',
        '[[step]]\npanel = "vnodes"\ndo = "stats"\nsay = "keys in any order"\n',
        '[[step]]\ndo = "lookup /etc"\n[[step]]\ndo = "lookup /etc"',
    ],
)
def test_forms_the_fast_reader_reads(steps):
    text = HEADER + steps
    assert scan(text) is not None
    assert isinstance(assert_same(text), Scenario)


@pytest.mark.parametrize(
    "steps",
    [
        "[[step]]\ndo = 'stats'\n",  # a literal string
        '[[step]]\nsay = """two\nlines"""\ndo = "stats"\n',  # a multi-line string
        "[[step]]\nsay = '''x'''\ndo = \"stats\"\n",
        '[[step]]\ndo = "stats"\n\n[compare]\nleft = {}\nright = { desiredvnodes = 4 }\n',  # a table after the steps
        '[[step]]\r\ndo = "stats"\r\n',  # CRLF line ends
        '[[step]]\ndo = "stats"\r\n',
        '[[step]]\ndo="stats"\n',  # spaces around '='
        '[[step]]\ndo  =  "stats"\n',
        '[[step]]\n  do = "stats"\n',
        '[[step]]\n\tdo = "stats"\n',
        '[[step]] # a comment\ndo = "stats"\n',
        '[[ step ]]\ndo = "stats"\n',
        '[[step]]\n"do" = "stats"\n',  # a quoted key
        '[[step]]\ndo.x = "stats"\n',  # a dotted key
        '[[step]]\ndo = { x = "stats" }\n',  # an inline table
        '[[step]]\ndo = ["stats"]\n',
        "[[step]]\ndo = 3\n",
        '[[step]]\nsya = "x"\ndo = "stats"\n',  # an unknown key: tomllib reads it, from_dict words the error
        '[[step]]\ndo = "stats"\ndo = "stats"\n',  # a key twice: a TOML error
        '[[step]]\ndo = "stats" "x"\n',
        '[[step]]\ndo = "stats\n',  # unterminated
        '[[step]]\nsay = "\\q"\ndo = "stats"\n',  # escapes TOML has not, or not for surrogates
        '[[step]]\nsay = "\\/"\ndo = "stats"\n',
        '[[step]]\nsay = "\\uD800"\ndo = "stats"\n',
        '[[step]]\nsay = "\\ud83d\\ude00"\ndo = "stats"\n',
        '[[step]]\nsay = "\\U00110000"\ndo = "stats"\n',
        '[[step]]\nsay = "\\u12"\ndo = "stats"\n',
        '[[step]]\nsay = "a\x01b"\ndo = "stats"\n',  # a control character in a string
        '[[step]]\ndo = "stats" # a \x7f in a comment\n',
        '[[step]]\ndo = "stats"\n[[step.x]]\n',
        '[[step]]\ndo = "stats"\n[config]\n',
    ],
)
def test_anything_else_is_left_to_tomllib_with_the_same_outcome(steps):
    text = HEADER + steps
    assert scan(text) is None
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        'about = """\n[[step]]\ndo = "stats"\n"""\n[[step]]\ndo = "stats"\n',  # [[step]] inside the header's string
        'step = 3\n[[step]]\ndo = "stats"\n',  # the header has a step of its own
        '[[ step ]]\ndo = "stats"\n[[step]]\ndo = "stats"\n',
        'title = "unterminated\n[[step]]\ndo = "stats"\n',
        'nope = 1\n[[step]]\ndo = "stats"\n',  # header errors come before step errors
        '[config]\ndesiredvnodes = "many"\n[[step]]\ndo = "stast"\n',
        '[compare]\nleft = { nope = 1 }\nright = {}\n[[step]]\ndo = "stats"\n',
        '[compare]\nleft = { nope = 1 }\nright = {}\n[[step]]\ndo = "stast"\n',  # a bad step before [compare]
        "",
        "[[step]]",
        "[[step]]\n",
    ],
)
def test_headers_and_whole_files_give_the_same_outcome(text):
    assert_same(text)


@pytest.mark.parametrize(
    ("steps", "step"),
    [
        ('[[step]]\ndo = "stats"\n\n[[step]]\ndo = "stast"\n', 2),
        ('[[step]]\ndo = "stats"\n[[step]]\n[[step]]\ndo = "stats"\n', 2),  # an empty step
        ('[[step]]\nsay = "x"\npanel = "vnods"\n', 1),
        ('[[step]]\npanel = "vnods"\n', 1),  # empty and a bad panel: emptiness first
        ('[[step]]\ndo = "lookup"\npanel = "nope"\n', 1),  # a bad panel before a bad command
        ('[[step]]\ndo = "close fd=x"\n', 1),
        ('[[step]]\ndo = ""\nsay = ""\n', 1),
        ('[[step]]\ndo = "stats"\n' * 3 + '[[step]]\ndo = "stats extra"\n', 4),
    ],
)
def test_bad_steps_give_the_same_error_and_step_number(steps, step):
    text = HEADER + steps
    assert scan(text) is not None
    error = assert_same(text)
    assert isinstance(error, tuple) and error[1] == step


# -- differential fuzzing: random lines near the accepted forms --------------------------------------

pieces = st.sampled_from(['"', "\\", "\\u", "\\U", "00e9", "D800", "0001F600", "#", " ", "\t", "x", "é", "\x01", "'"])
bodies = st.lists(pieces, max_size=8).map("".join)
commands = st.sampled_from(["stats", "lookup /etc", "close fd=3", "stast", "lookup", "", "say hi"])
lines = st.one_of(
    st.just("[[step]]"),
    st.just(""),
    st.builds(lambda key, value: f'{key} = "{value}"', st.sampled_from(["do", "say", "panel"]), commands),
    st.builds(lambda key, value: f'{key} = "{value}"', st.sampled_from(["do", "say"]), bodies),
    st.builds(
        lambda key, eq, value, tail: f"{key}{eq}{value}{tail}",
        st.sampled_from(["do", "say", "panel", " say", "sya"]),
        st.sampled_from([" = ", "=", "  = "]),
        st.sampled_from(['"stats"', "'stats'", '"vnodes"', '"""x"""', "3", '"a" "b"']),
        st.sampled_from(["", " ", " # c", "# c", " x", "\r"]),
    ),
    st.builds(lambda body: f"#{body}", bodies),
    st.sampled_from(["[compare]", "[[step]] ", "[config]", "  ", "\t# c"]),
)


@given(st.lists(lines, max_size=14))
def test_random_lines_after_a_step_give_the_same_outcome_on_both_paths(body):
    assert_same(HEADER + "[[step]]\n" + "\n".join(body) + "\n")


# -- the incremental reader ------------------------------------------------------------------------


@given(scenarios(), st.integers(0, 15), st.lists(st.integers(0, 7), max_size=20))
def test_the_reader_gives_the_steps_of_a_full_load_in_any_chunks(scenario, first, chunks):
    text = dumps(scenario)
    full = loads(text, "s.toml")
    opened, reader = opens(text, "s.toml", first)
    assert opened.steps == full.steps[:first]
    assert (opened.title, opened.about, opened.config, opened.compare) == (full.title, full.about, full.config, [])
    if reader is None:
        assert len(full.steps) <= first
        return
    assert reader.total == len(full.steps) and reader.position == first and not reader.done
    steps = list(opened.steps)
    for n in chunks:
        chunk = reader.read(n)
        assert len(chunk) == min(n, len(full.steps) - len(steps))
        steps += chunk
        assert reader.position == len(steps)
    steps += reader.read(reader.total)
    assert reader.done and reader.read(5) == []
    assert steps == full.steps


def test_a_bad_step_after_the_first_ones_is_raised_by_the_reader_as_loads_raises_it():
    text = HEADER + '[[step]]\ndo = "stats"\n' * 5 + '[[step]]\ndo = "stast"\n' + '[[step]]\ndo = "stats"\n'
    expected = outcome(loads, text)
    scenario, reader = opens(text, "s.toml", 2)
    assert len(scenario.steps) == 2 and reader is not None
    assert len(reader.read(3)) == 3
    for _ in range(2):  # the reader stays where it was: the same error again, nothing skipped
        with pytest.raises(ScenarioError) as info:
            reader.read(2)
        assert (str(info.value), info.value.step, info.value.hint) == expected
        assert reader.position == 5
    with pytest.raises(ScenarioError, match="step 6"):
        opens(text, "s.toml", 6)


def _steps_after(opened: Scenario, reader: StepReader[Step] | None) -> list[Step]:
    """Every step `opens` gives: the first ones, then the reader's."""
    return list(opened.steps) + (reader.read(reader.total) if reader is not None else [])


def test_later_steps_the_fast_reader_leaves_are_read_whole_by_tomllib_after_the_first_ones():
    """Only the first steps are scanned before `opens` returns; a later step written otherwise (a literal
    string) sends the whole text to tomllib when the reader needs it, and the steps are those `loads` gives."""
    text = HEADER + '[[step]]\ndo = "stats"\n' * 5 + "[[step]]\ndo = 'lookup /etc'\n" + '[[step]]\ndo = "stats"\n' * 3
    scenario, reader = opens(text, "s.toml", 2)
    assert len(scenario.steps) == 2 and reader is not None and reader.total == 9
    assert _steps_after(scenario, reader) == loads(text, "s.toml").steps


def test_a_toml_error_after_the_first_steps_comes_from_the_reader_once_and_keeps_them():
    """A text tomllib refuses, whose first steps the fast reader reads: `opens` gives the first steps, and
    the reader raises what `loads` raises, again on every read (not parsing the text again), in place."""
    text = HEADER + '[[step]]\ndo = "stats"\n' * 5 + '[[step]]\ndo = "stats\n'
    expected = outcome(loads, text)
    assert isinstance(expected, tuple) and "not valid TOML" in expected[0]
    scenario, reader = opens(text, "s.toml", 3)
    assert len(scenario.steps) == 3 and reader is not None
    for _ in range(2):
        with pytest.raises(ScenarioError) as info:
            reader.read(1)
        assert (str(info.value), info.value.step, info.value.hint) == expected and reader.position == 3


@pytest.mark.parametrize("table", ["[compare]\nleft = {}\n", "[config]\nnchash = 8\n", "  [extra]\n"])
def test_a_table_after_the_steps_is_read_before_the_first_ones_are_given(table):
    """A table after the steps changes what the header says, so such a text is read whole at once, with
    what `loads` gives or raises."""
    text = HEADER + '[[step]]\ndo = "stats"\n' * 4 + table
    expected = outcome(loads, text)
    got = outcome(lambda t, src: opens(t, src, 1)[0], text)
    if isinstance(expected, tuple):
        assert got == expected
    else:
        assert isinstance(got, Scenario) and (got.config, got.compare) == (expected.config, expected.compare)


@given(scenarios(), st.integers(0, 6), st.lists(lines, min_size=1, max_size=4), st.integers(0, 40))
def test_lines_after_the_first_steps_mean_what_loads_says(scenario, first, added, where):
    """Whatever follows the steps `opens` reads first, the steps it and its reader give are `loads`'s,
    and an error `loads` raises comes from `opens` or from the reader, with the same words."""
    body = dumps(scenario).split("\n")
    at = min(len(body), max(0, where))
    text = "\n".join(body[:at] + added + body[at:]) + "\n"
    expected = outcome(loads, text)
    try:
        opened, reader = opens(text, "s.toml", first)
        got: object = _steps_after(opened, reader)
    except ScenarioError as exc:
        got = (str(exc), exc.step, exc.hint)
    assert got == (expected.steps if isinstance(expected, Scenario) else expected)


def test_a_text_the_fast_reader_leaves_is_loaded_whole_with_no_reader():
    text = HEADER + "[[step]]\ndo = 'stats'\n" * 10
    scenario, reader = opens(text, "s.toml", 3)
    assert reader is None and scenario == loads(text, "s.toml") and len(scenario.steps) == 10


def test_open_file_gives_what_load_file_gives_and_its_errors(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(HEADER + "".join(f'[[step]]\ndo = "lookup /etc/f{i % 7}"\n\n' for i in range(50)), encoding="utf-8")
    scenario, reader = open_file(path, first=20)
    assert reader is not None and reader.total == 50
    assert scenario.steps + reader.read(100) == load_file(path).steps
    with pytest.raises(ScenarioError, match="no such file"):
        open_file(tmp_path / "missing.toml")


def test_a_repeated_command_is_parsed_once_per_load():
    steps = loads(HEADER + '[[step]]\ndo = "close fd=3"\n[[step]]\ndo = "stats"\n[[step]]\ndo = "close fd=3"\n').steps
    assert steps[0].op is steps[2].op and steps[0].op == parse("close fd=3")


def test_lone_surrogates_in_text_given_as_str_read_alike():
    text = HEADER + '[[step]]\nsay = "\ud800 alone"\n'
    assert isinstance(assert_same(text), Scenario)
