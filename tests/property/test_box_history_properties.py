"""The command box's history (viz/history.py, the code the `:` box runs): for any mix of typed lines (good,
refused or not parsing), steps, checked jumps, branch switches and `u`, no step of the scenario or of a
branch is ever lost (every op applied stays in the tree until `u` takes that very step back), each branch
still replays to its own state, and a refused line leaves the timeline identical."""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from model.errors import CommandError
from model.ops import parse
from model.system import System
from model.timeline import Step, Timeline
from tests.property.strategies import CONFIG, SETUP, any_line
from viz.history import BoxHistory

scripts = st.lists(any_line, max_size=12).map(lambda lines: [*SETUP, *lines])

moves = st.one_of(
    st.tuples(st.just("type"), any_line),
    st.tuples(st.just("type"), st.sampled_from(["close vp999", "lookpu /etc", "state nope", "", "cd '"])),
    st.tuples(st.just("step"), st.none()),
    st.tuples(st.just("back"), st.none()),
    st.tuples(st.just("goto"), st.integers(-2, 40)),
    st.tuples(st.just("switch"), st.integers(1, 6)),
    st.tuples(st.just("undo"), st.none()),
)


def dump(system: System) -> str:
    return json.dumps(system.to_dict())


def tree_ops(timeline: Timeline) -> Counter[str]:
    """Every op in the history tree, on whatever branch."""
    ops: Counter[str] = Counter()
    stack = [timeline.root]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.step is not None:
            ops[str(node.step.op)] += 1
    return ops


def snapshot(history: BoxHistory) -> tuple:
    t = history.timeline
    return dump(t.system), t.position, t.length, t.branches(), tree_ops(t), len(history.typed)


@given(scripts, st.lists(moves, max_size=20))
def test_the_box_never_loses_a_step_and_a_refused_line_changes_nothing(lines: list[str], script: list) -> None:
    history = BoxHistory(Timeline([Step(parse(text)) for text in lines], CONFIG))
    t = history.timeline
    expected = Counter(str(parse(text)) for text in lines)  # every op that must be in the tree
    for move, arg in script:
        if move == "type":
            before = snapshot(history)
            try:
                refused = history.type_line(arg)
            except CommandError:
                refused = True
            if refused is not None:
                assert snapshot(history) == before, arg
            else:
                expected[str(parse(arg))] += 1
                assert str(t.current_step.op) == str(parse(arg)) and t.position == t.length
        elif move == "step":
            t.step()
        elif move == "back":
            t.back()
        elif move == "goto":
            try:
                history.goto(arg)
            except ValueError:
                assert not 0 <= arg <= t.length
            else:
                assert t.position == arg
        elif move == "switch" and arg in {b.number for b in t.branches()}:
            history.switch(arg)
        elif move == "undo":
            try:
                undone = history.undo()
            except LookupError:
                assert history.typed == []
            else:
                expected[str(undone.node.step.op)] -= 1
        assert 0 <= t.position <= t.length
        assert tree_ops(t) == +expected, move
    for branch in t.branches():
        history.switch(branch.number)
        t.goto(t.length)
        replay = System(CONFIG)
        for step in t.steps:
            replay.apply(step.op)
        assert dump(t.system) == dump(replay), branch
