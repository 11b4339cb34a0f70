"""Time travel (DESIGN "Time travel is the model's job"): for random histories of every subsystem's commands,
`Timeline.goto(n)` gives exactly the state and events of replaying the first n steps from scratch, and
`goto`/`back` to a step already reached re-apply at most `checkpoint_every` operations.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from model.events import Event
from model.ops import parse
from model.system import System
from model.timeline import Step, Timeline
from tests.property.strategies import CONFIG, SETUP, any_line

histories = st.lists(any_line, max_size=20).map(lambda lines: [*SETUP, *lines])


def replay(lines: list[str], n: int) -> tuple[System, list[list[Event]]]:
    """A fresh System with the first n lines applied, and the events of each."""
    system = System(CONFIG)
    events = [system.apply(parse(line)) for line in lines[:n]]
    return system, events


@given(histories, st.integers(2, 8), st.lists(st.integers(0, 35), min_size=1, max_size=4))
def test_goto_equals_replaying_from_scratch(lines: list[str], every: int, targets: list[int]) -> None:
    """Wherever goto lands, the state and the recorded events are those of a replay from step 0."""
    timeline = Timeline([Step(parse(line)) for line in lines], CONFIG, checkpoint_every=every)
    timeline.goto(len(lines))
    for target in targets:
        n = min(target, len(lines))
        timeline.goto(n)
        assert timeline.position == n
        assert timeline.replayed <= every, (n, timeline.replayed)
        system, events = replay(lines, n)
        assert timeline.system.to_dict() == system.to_dict()
        assert [list(timeline.events_of(k)) for k in range(1, n + 1)] == events
        assert timeline.system.check() == []


@given(histories, st.integers(2, 8), st.integers(1, 12))
def test_back_walks_the_steps_in_reverse_cheaply(lines: list[str], every: int, backs: int) -> None:
    """Stepping back from the end visits each earlier state, each re-applying at most checkpoint_every ops."""
    timeline = Timeline([Step(parse(line)) for line in lines], CONFIG, checkpoint_every=every)
    states = [timeline.system.to_dict()]
    while timeline.step() is not None:
        states.append(timeline.system.to_dict())
    for _ in range(backs):
        position = timeline.position
        assert timeline.back() == (position > 0)
        assert timeline.position == max(position - 1, 0)
        assert timeline.replayed <= every
        assert timeline.system.to_dict() == states[timeline.position]


@given(histories, st.integers(0, 35), any_line, st.integers(2, 8))
def test_append_after_going_back_forgets_the_old_future(lines: list[str], at: int, line: str, every: int) -> None:
    """A new step typed after going back replaces the rest of the script, as a debugger's does."""
    timeline = Timeline([Step(parse(text)) for text in lines], CONFIG, checkpoint_every=every)
    timeline.goto(len(lines))
    n = min(at, len(lines))
    timeline.goto(n)
    timeline.append(parse(line))
    assert timeline.length == n + 1 == timeline.position
    system, _ = replay([*lines[:n], line], n + 1)
    assert timeline.system.to_dict() == system.to_dict()
    timeline.goto(0)
    timeline.goto(n + 1)
    assert timeline.system.to_dict() == system.to_dict()
