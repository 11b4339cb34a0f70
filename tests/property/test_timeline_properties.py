"""Time travel (docs/architecture.md, "Time travel"): for random histories of every mechanism's commands,
`Timeline.goto(n)` gives exactly the state and events of replaying the first n steps from scratch, going
back and forth over steps already applied applies no op again (undo and redo only), an op typed in the
past keeps the old future as a branch, no step ever applied is lost, and a refused op changes nothing.
"""

from __future__ import annotations

import json

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


def dump(system: System) -> str:
    """The state as JSON text: dict order included, so an order undo failed to restore shows."""
    return json.dumps(system.to_dict())


@given(histories, st.lists(st.integers(0, 35), min_size=1, max_size=4))
def test_goto_equals_replaying_from_scratch(lines: list[str], targets: list[int]) -> None:
    """Wherever goto lands, the state and the recorded events are those of a replay from step 0."""
    timeline = Timeline([Step(parse(line)) for line in lines], CONFIG)
    timeline.goto(len(lines))
    for target in targets:
        n = min(target, len(lines))
        timeline.goto(n)
        assert timeline.position == n
        assert timeline.applied == 0, "every step was applied once already: moving is undo and redo"
        system, events = replay(lines, n)
        assert dump(timeline.system) == dump(system)
        assert [list(timeline.events_of(k)) for k in range(1, n + 1)] == events
        assert timeline.system.check() == []


@given(histories, st.integers(1, 12))
def test_back_walks_the_steps_in_reverse_by_undo(lines: list[str], backs: int) -> None:
    """Stepping back from the end visits each earlier state exactly, applying no op."""
    timeline = Timeline([Step(parse(line)) for line in lines], CONFIG)
    states = [dump(timeline.system)]
    while timeline.step() is not None:
        states.append(dump(timeline.system))
    for _ in range(backs):
        position = timeline.position
        assert timeline.back() == (position > 0)
        assert timeline.position == max(position - 1, 0)
        assert timeline.applied == 0
        assert dump(timeline.system) == states[timeline.position]


@given(histories, st.integers(0, 35), any_line)
def test_append_in_the_past_keeps_the_old_future_as_a_branch(lines: list[str], at: int, line: str) -> None:
    """A step typed after going back starts a branch; the old future is still there, and both replay."""
    timeline = Timeline([Step(parse(text)) for text in lines], CONFIG)
    timeline.goto(len(lines))
    n = min(at, len(lines))
    timeline.goto(n)
    events = timeline.append(parse(line))
    if any(e.is_error for e in events):  # refused: nothing changed
        assert timeline.length == len(lines) and timeline.position == n
        return
    assert timeline.length == n + 1 == timeline.position
    system, _ = replay([*lines[:n], line], n + 1)
    assert dump(timeline.system) == dump(system)
    timeline.goto(0)
    timeline.goto(n + 1)
    assert dump(timeline.system) == dump(system)
    if n < len(lines):
        old = next(b for b in timeline.branches() if not b.current)
        timeline.switch_branch(old.number)
        timeline.goto(len(lines))
        assert dump(timeline.system) == dump(replay(lines, len(lines))[0])


moves = st.one_of(
    st.tuples(st.just("type"), any_line),
    st.tuples(st.just("step"), st.none()),
    st.tuples(st.just("back"), st.none()),
    st.tuples(st.just("goto"), st.integers(0, 40)),
    st.tuples(st.just("switch"), st.integers(1, 6)),
)


@given(histories, st.lists(moves, max_size=25), st.sampled_from([2000, 0, 1, 3]))
def test_no_step_is_ever_lost_and_a_refused_line_changes_nothing(lines: list[str], script: list, window: int) -> None:
    """Any mix of typed lines, steps, jumps and branch switches: every op ever applied stays reachable
    on some branch, each branch still equals a replay of its own ops, and a refused line leaves the
    timeline identical. With a small `window`, jumps leave steps without undo records behind them."""
    timeline = Timeline([Step(parse(text)) for text in lines], CONFIG)
    timeline.window = window
    written = [(text,) for text in lines]  # every step ever kept, as its op text (with repeats)
    for move, arg in script:
        if move == "type":
            before = (dump(timeline.system), timeline.position, timeline.length, timeline.branches())
            events = timeline.append(parse(arg))
            if any(e.is_error for e in events):
                assert (dump(timeline.system), timeline.position, timeline.length, timeline.branches()) == before
            else:
                written.append((str(parse(arg)),))
        elif move == "step":
            timeline.step()
        elif move == "back":
            timeline.back()
        elif move == "goto":
            timeline.goto(arg)
        elif move == "switch" and arg in {b.number for b in timeline.branches()}:
            timeline.switch_branch(arg)
    kept: list[tuple[str]] = []
    stack = [timeline.root]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.step is not None:
            kept.append((str(node.step.op),))
    assert sorted(kept) == sorted((str(parse(t[0])),) for t in written)
    for branch in timeline.branches():
        timeline.switch_branch(branch.number)
        timeline.goto(timeline.length)
        texts = [str(step.op) for step in timeline.steps]
        assert dump(timeline.system) == dump(replay(texts, len(texts))[0]), branch


@given(histories, st.integers(0, 3), st.lists(st.integers(0, 35), min_size=1, max_size=6))
def test_far_jumps_applied_unrecorded_land_where_a_replay_does(lines: list[str], window: int, targets: list[int]):
    """A jump records only its last `window` new steps; going back past the others builds the initial
    state anew and replays. Wherever it lands, and one step back from there, it is a replay from step 0."""
    timeline = Timeline([Step(parse(line)) for line in lines], CONFIG)
    timeline.window = window
    for target in targets:
        for n in (min(target, len(lines)), min(target, len(lines)) - 1):
            if n < 0:
                continue
            timeline.goto(n)
            assert timeline.position == n
            system, events = replay(lines, n)
            assert dump(timeline.system) == dump(system)
            assert [list(timeline.events_of(k)) for k in range(1, n + 1)] == events
            assert timeline.system.check() == []


parking_moves = st.one_of(
    st.tuples(st.just("goto"), st.integers(0, 35)),
    st.tuples(st.just("prefetch"), st.integers(1, 8)),
    st.tuples(st.just("type"), any_line),
    st.tuples(st.just("switch"), st.integers(1, 4)),
)


@given(histories, st.integers(0, 3), st.lists(parking_moves, min_size=1, max_size=12))
def test_parked_and_prefetched_states_land_where_a_replay_does(lines: list[str], window: int, script: list) -> None:
    """Restarts park the old state and `prefetch` advances a parked one; jumps take it back when it is
    nearer. Prefetching never touches the shown state, a parked state is always its path's replay, and
    wherever a jump lands (on any branch) it is a replay of that branch from step 0."""
    timeline = Timeline([Step(parse(line)) for line in lines], CONFIG)
    timeline.window = window
    for move, arg in script:
        if move == "prefetch":
            before = dump(timeline.system), timeline.position
            timeline.prefetch(arg)
            assert (dump(timeline.system), timeline.position) == before
        elif move == "type":
            timeline.append(parse(arg))
        elif move == "switch" and arg in {b.number for b in timeline.branches()}:
            timeline.switch_branch(arg)
        elif move == "goto":
            timeline.goto(arg)
        texts = [str(step.op) for step in timeline.steps]
        system, events = replay(texts, timeline.position)
        assert dump(timeline.system) == dump(system)
        assert [list(timeline.events_of(k)) for k in range(1, timeline.position + 1)] == events
        parked = timeline.parked
        if parked is not None:
            parked_texts = [str(node.step.op) for node in parked.path[1:]]
            assert dump(parked.system) == dump(replay(parked_texts, len(parked_texts))[0])
    timeline.goto(timeline.length)
    texts = [str(step.op) for step in timeline.steps]
    assert dump(timeline.system) == dump(replay(texts, len(texts))[0])
    assert timeline.system.check() == []
