"""Fuzzing every way input enters the model: command lines, TOML scenarios and scenario files.

Bad input must come back as a value that says what was wrong (`CommandError`, `ScenarioError`, or an
`error` event from `System.apply`), never as another exception, and never as a hang: a line or a
scenario that is accepted runs to the end with every invariant holding.
"""

from __future__ import annotations

import json
import math
import shlex
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from model.errors import CommandError, ScenarioError
from model.events import Event
from model.ops import VERBS, Op, parse, to_text
from model.parts import config_keys, ensure_loaded
from model.scenario import STEP_KEYS, TOP_KEYS, Scenario, load_file, loads
from model.system import System
from tests.property.strategies import CONFIG, PATHS, SETUP, any_line

ensure_loaded()

# -- words and lines ------------------------------------------------------------------------------------

any_character = st.characters(codec=None, exclude_categories=[])  # surrogates too: a paste can hold them
huge = st.integers(-(2**80), 2**80)
numbers = st.one_of(
    huge.map(str),
    huge.map(lambda n: hex(n) if n >= 0 else "-" + hex(-n)),
    st.integers(0, 2**40).map(lambda n: f"{n:_}"),
    st.sampled_from(["0x", "0b101", "0o17", "1e3", "1.5", "-0", "nan", "inf", "٣", "²", "1_", "_1", "0x_1f"]),
    st.just("9" * 5000),  # past int()'s 4300-digit limit
)
ids = st.tuples(st.sampled_from(["vp", "nc", "d", "ns", "pid", "pid ", "mnt", "", "D set ", "I set "]), numbers).map(
    "".join
)
paths = st.one_of(
    st.sampled_from([*PATHS, "/proc", "/proc/1/status", "/proc/1/task/1", "/proc/042", "//", "/./.", "/\0", ""]),
    st.text(any_character, max_size=12).map(lambda s: "/" + s),
    st.just("/" + "n" * 300),
)
options = st.tuples(
    st.sampled_from(["ns", "parent", "outer", "fstype", "", "x"]),
    st.sampled_from(["=", "=="]),
    st.one_of(numbers, st.sampled_from(["ns1", "1,2", ",", "1,,2", "puffs", "badfs", ""])),
).map("".join)
words = st.one_of(
    numbers,
    ids,
    paths,
    options,
    st.sampled_from(["-f", "-w", "-", "--", "-x", "#", "'", '"', "\\", "BCACHE", "D_WB|I", "rwx", "-w-", "legacy-sh"]),
    st.text(any_character, max_size=10),
)
verbs = st.sampled_from(sorted(VERBS))


def prepared_system() -> System:
    """A small machine with something in every subsystem."""
    system = System(CONFIG)
    for line in SETUP:
        system.apply(parse(line))
    return system


def parse_or_error(line: str) -> Op | None:
    """parse(line), or None after checking that the CommandError says what was wrong."""
    try:
        op = parse(line)
    except CommandError as exc:
        assert exc.message and str(exc), line
        return None
    assert parse(to_text(op)) == op, (line, to_text(op))
    return op


def applies_cleanly(system: System, op: Op) -> list[Event]:
    """apply(op) returns events (error events are fine) and leaves every invariant holding."""
    events = system.apply(op)
    assert isinstance(events, list) and events and all(isinstance(e, Event) and e.text for e in events), op
    assert system.check() == [], (str(op), system.check())
    return events


@given(st.text(any_character, max_size=60))
def test_any_text_parses_or_says_what_is_wrong(line: str) -> None:
    """Arbitrary text, surrogates and control characters included, never raises anything but CommandError."""
    parse_or_error(line)


@given(verbs, st.lists(words, max_size=5), st.booleans())
def test_any_words_after_any_verb_parse_or_say_what_is_wrong_and_apply_cleanly(
    verb: str, args: list[str], quote: bool
) -> None:
    """A real verb followed by odd words: a CommandError, or an Op that the System applies without raising."""
    line = " ".join([verb, *(shlex.quote(w) if quote else w for w in args)])
    op = parse_or_error(line)
    if op is not None:
        applies_cleanly(prepared_system(), op)


@given(st.lists(any_line, min_size=1, max_size=25))
def test_valid_lines_never_raise_and_keep_the_invariants(lines: list[str]) -> None:
    """Sequences of well-formed lines of every subsystem: events only, whatever the model thinks of them."""
    system = prepared_system()
    for line in lines:
        applies_cleanly(system, parse(line))


# -- TOML scenarios -------------------------------------------------------------------------------------


def toml_key(key: str) -> str:
    """A quoted TOML key."""
    return toml_value(key)


def toml_value(value: Any) -> str:
    """A TOML literal for a JSON-like value (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(data: dict[str, Any]) -> str:
    """A TOML document: scalars first, then `[config]` and `[[step]]` tables when they are tables."""
    head, tail = [], []
    for key, value in data.items():
        if key == "config" and isinstance(value, dict):
            tail.append("[config]\n" + "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in value.items()))
        elif key == "step" and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for step in value:
                tail.append("[[step]]\n" + "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in step.items()))
        else:
            head.append(f"{toml_key(key)} = {toml_value(value)}\n")
    return "".join(head) + "\n".join(tail)


scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-3, 70),
    st.floats(),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=10,
)
sizes = st.one_of(
    st.integers(0, 70).map(lambda n: 1 << n), st.integers(-3, 100), st.integers(-(2**63), 2**63 - 1), values
)
geometry = st.fixed_dictionaries({}, optional={"sets": sizes, "ways": st.integers(-1, 100), "line": sizes})
CONFIG_VALUES = {
    "nchash": sizes,
    "ncvhash": sizes,
    "namecache_max": sizes,
    "desiredvnodes": sizes,
    "page_size": sizes,
    "tree": st.lists(paths, max_size=8),
    "icache": geometry,
    "dcache": geometry,
    "vnode_protocol": st.sampled_from(["freebsd4", "freebsd5", "freebsd6", ""]),
    "proc_kernel": st.sampled_from(["v4.19", "v2.6.24", "v5.7"]),
    "cacheflush_mode": st.sampled_from(["spec", "linux", "legacy", "LINUX"]),
    "cacheflush_abi": st.sampled_from(["mips", "m68k", "sh", "nds32", "x86"]),
    "cacheflush_cap_sys_admin": st.one_of(st.booleans(), scalars),
}
"""Per known `[config]` key, values near and past what it accepts; other keys get any value."""
configs = st.lists(st.sampled_from(sorted(config_keys())), unique=True, max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({key: st.one_of(CONFIG_VALUES.get(key, values), values) for key in keys})
)
steps = st.lists(
    st.one_of(
        st.fixed_dictionaries({"do": any_line}, optional={"say": st.text(max_size=30)}),
        st.fixed_dictionaries({}, optional={"say": st.text(max_size=30), "do": st.text(max_size=20)}),
        st.dictionaries(st.sampled_from([*STEP_KEYS, "dO", "sya"]), values, max_size=3),
    ),
    max_size=8,
)
well_shaped = st.fixed_dictionaries(
    {}, optional={"title": st.text(max_size=20), "about": st.text(max_size=40), "config": configs, "step": steps}
)
odd_shaped = st.dictionaries(
    st.sampled_from([*TOP_KEYS, "titel", "steps"]), st.one_of(values, configs, steps), max_size=5
)
documents = st.integers(0, 3).flatmap(lambda roll: odd_shaped if roll == 0 else well_shaped)
"""Mostly scenarios of the right shape (so configs and steps get exercised), sometimes of any shape."""


def runs_to_the_end(scenario: Scenario) -> None:
    """A loaded scenario runs every step without raising, its invariants holding at the end."""
    timeline = scenario.timeline()
    while timeline.step() is not None:
        pass
    assert timeline.system.check() == []


def load_or_error(text: str) -> Scenario | None:
    try:
        scenario = loads(text, "fuzz.toml")
    except ScenarioError as exc:
        assert exc.message and str(exc).startswith("fuzz.toml"), str(exc)
        return None
    return scenario


@given(st.text(any_character, max_size=200))
def test_any_text_loads_as_a_scenario_or_says_what_is_wrong(text: str) -> None:
    """Arbitrary text as a scenario file: a ScenarioError naming the source, or a scenario that runs."""
    scenario = load_or_error(text)
    if scenario is not None:
        runs_to_the_end(scenario)


@given(documents)
def test_toml_documents_of_any_shape_load_or_say_what_is_wrong(document: dict[str, Any]) -> None:
    """Well-formed TOML with keys, types and values of every kind: an error naming the source, or a
    scenario that runs to the end with its invariants holding."""
    scenario = load_or_error(toml_document(document))
    if scenario is not None:
        runs_to_the_end(scenario)


@given(st.binary(max_size=200), st.sampled_from(["s.toml", "s", "dir/s.toml"]))
def test_files_of_any_bytes_load_or_say_what_is_wrong(data: bytes, name: str) -> None:
    """Any bytes in a file on disk: a ScenarioError naming the file, or a scenario."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        try:
            load_file(path)
        except ScenarioError as exc:
            assert str(exc).startswith(str(path)), str(exc)
