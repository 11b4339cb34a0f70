"""Nothing in the machine's state escapes the journal: after any history, every object reachable from a
System is a `Journaled` object, a journaled container, or an immutable value. A new field holding a plain
list or dict would make undo silently incomplete; this test names it instead."""

from __future__ import annotations

from enum import Enum
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from model.events import Event
from model.journal import JOURNALED_CONTAINERS, JDict, Journaled
from model.ops import parse
from model.system import System
from tests.property.strategies import CONFIG, SETUP, any_line

ATOMS = (int, float, str, bytes, bool, type(None), Enum, frozenset, Event)  # an Event is immutable once made


def escapes(system: System) -> list[str]:
    """Paths (`vfs.vnodes.vnodes[3].v_nclist`) to every mutable object of the state that is not journaled."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [(name, part) for name, part in system.parts.items()]
    while stack:
        path, value = stack.pop()
        if isinstance(value, ATOMS) or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, tuple):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, JOURNALED_CONTAINERS):
            if isinstance(value, dict):
                stack.extend((f"{path}[{key!r}]", item) for key, item in value.items())
                stack.extend((f"{path} key {key!r}", key) for key in value)
            elif not isinstance(value, bytearray):
                stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, Journaled):
            for name in _slots(type(value)):
                if hasattr(value, name):
                    stack.append((f"{path}.{name}", getattr(value, name)))
        else:
            found.append(f"{path}: {type(value).__name__}")
    return sorted(found)


def _slots(cls: type) -> list[str]:
    return [name for klass in cls.__mro__ for name in klass.__dict__.get("__slots__", ())]


def test_a_fresh_system_is_all_journaled() -> None:
    assert escapes(System(CONFIG)) == []
    assert escapes(System()) == []


@given(st.lists(any_line, max_size=30))
def test_every_object_of_the_state_is_journaled_after_any_history(lines: list[str]) -> None:
    system = System(CONFIG)
    for line in [*SETUP, *lines]:
        system.apply(parse(line))
    assert escapes(system) == []


def test_the_walker_finds_a_plain_container() -> None:
    """The check itself: a plain dict planted in the state is reported with its path."""
    system = System(CONFIG)
    system.part("vfs").user_refs = {"vp1": 1}
    assert escapes(system) == ["vfs.user_refs: dict"]
    system.part("vfs").user_refs = JDict({"vp1": [1]})
    assert escapes(system) == ["vfs.user_refs['vp1']: list"]
