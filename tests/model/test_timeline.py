"""Timeline: stepping, time travel by undo and redo, breakpoints, and branches instead of truncation."""

import json

import pytest

from model.events import Event
from model.ops import parse
from model.system import System
from model.timeline import Breakpoint, Step, Timeline


def _steps(n: int) -> list[Step]:
    return [Step(parse(f"say line {i}"), f"narration {i}") for i in range(1, n + 1)]


def _replayed_state(steps: list[Step], n: int) -> dict:
    system = System()
    for step in steps[:n]:
        system.apply(step.op)
    return system.to_dict()


def test_step_back_and_ends():
    timeline = Timeline(_steps(3))
    assert timeline.back() is False
    assert [e.text for e in timeline.step()] == ["line 1"]
    assert timeline.position == 1
    assert timeline.back() is True
    assert timeline.position == 0
    for _ in range(3):
        timeline.step()
    assert timeline.step() is None
    assert timeline.at_end


def test_goto_equals_replay_from_scratch():
    steps = _steps(50)
    timeline = Timeline(steps)
    for target in [50, 3, 17, 0, 49, 24]:
        timeline.goto(target)
        assert timeline.position == target
        assert json.dumps(timeline.system.to_dict()) == json.dumps(_replayed_state(steps, target))


def test_going_back_and_forth_over_known_steps_applies_no_op():
    """Back is undo and forward over steps already applied is redo: no op is applied again."""
    timeline = Timeline(_steps(500))
    timeline.goto(500)
    assert timeline.applied == 500
    for _ in range(100):
        timeline.back()
        assert timeline.applied == 0
    assert timeline.position == 400
    timeline.goto(450)
    timeline.goto(0)
    timeline.goto(500)
    assert timeline.applied == 0


def test_a_step_keeps_the_undo_records_of_what_it_changed_only():
    timeline = Timeline([Step(parse("lookup /usr/bin")), Step(parse("say nothing changes"))])
    timeline.step()
    assert timeline.node(1).records, "a lookup enters names and takes references"
    timeline.step()
    assert timeline.node(2).records == []


def test_events_are_recorded_per_step_and_kept_when_going_back():
    timeline = Timeline(_steps(5))
    timeline.goto(5)
    timeline.goto(2)
    assert timeline.current_events == (Event("say", "line 2"),)
    assert timeline.events_of(5) == (Event("say", "line 5"),)


def test_run_until_forward_and_backward():
    timeline = Timeline(_steps(10))
    hit = timeline.run_until(lambda n, step, events: "7" in events[0].text)
    assert hit == 7 and timeline.position == 7
    back = timeline.run_until(lambda n, step, events: "3" in events[0].text, backward=True)
    assert back == 3 and timeline.position == 3
    assert timeline.run_until(lambda *_: False) is None
    assert timeline.position == 10


def test_breakpoints_by_verb_kind_ref_and_errno():
    step = Step(parse("stats"))
    events = [Event("namecache.hit", "x", refs=("vp9",)), Event("cpu.flush", "y", errno="EFAULT")]
    assert Breakpoint("verb", "stats").matches(step, events)
    assert not Breakpoint("verb", "say").matches(step, events)
    assert Breakpoint("kind", "namecache.*").matches(step, events)
    assert not Breakpoint("kind", "namecache.miss").matches(step, events)
    assert Breakpoint("ref", "vp9").matches(step, events)
    assert Breakpoint("errno", "EFAULT").matches(step, events)
    assert Breakpoint("errno", "any").matches(step, events)
    assert not Breakpoint("errno", "ENOENT").matches(step, events)
    assert not Breakpoint("ref", "vp9", enabled=False).matches(step, events)


def test_run_to_breakpoint_stops_at_the_matching_step():
    timeline = Timeline([*_steps(4), Step(parse("stats")), *_steps(3)])
    timeline.breakpoints.append(Breakpoint("verb", "stats"))
    assert timeline.run_to_breakpoint() == 5
    assert timeline.run_to_breakpoint() is None
    assert timeline.run_to_breakpoint(backward=True) == 5


def test_append_in_the_past_keeps_the_old_future_as_a_branch():
    timeline = Timeline(_steps(6))
    timeline.goto(6)
    timeline.goto(3)
    timeline.append(parse("stats"))
    assert timeline.length == 4 and timeline.position == 4
    assert timeline.current_step.op.verb == "stats"
    timeline.goto(0)
    timeline.goto(4)
    assert timeline.current_step.op.verb == "stats"
    branches = timeline.branches()
    assert [(b.number, b.fork, b.length, b.shared, b.current) for b in branches] == [
        (1, 0, 6, 3, False),
        (2, 3, 4, 4, True),
    ]
    assert branches[0].first == "say 'line 1'" and branches[1].first == "stats"
    timeline.switch_branch(1)
    assert timeline.position == 3 and timeline.length == 6
    timeline.goto(6)
    assert json.dumps(timeline.system.to_dict()) == json.dumps(_replayed_state(_steps(6), 6))
    assert [e.text for e in timeline.current_events] == ["line 6"]


def test_append_at_the_end_grows_the_branch():
    timeline = Timeline(_steps(2))
    timeline.goto(2)
    timeline.append(parse("stats"))
    assert [b.number for b in timeline.branches()] == [1] and timeline.length == 3


def test_a_refused_op_adds_no_step_and_changes_nothing():
    timeline = Timeline([Step(parse("lookup /usr/bin"))])
    timeline.step()
    before = json.dumps(timeline.system.to_dict())
    events = timeline.append(parse("close vp2"))  # no reference of the user's: refused
    assert any(e.is_error for e in events)
    assert timeline.length == 1 and timeline.position == 1 and len(timeline.branches()) == 1
    assert json.dumps(timeline.system.to_dict()) == before


def test_delete_branch_and_discard_a_typed_step():
    timeline = Timeline(_steps(4))
    timeline.goto(2)
    timeline.append(parse("stats"))
    with pytest.raises(ValueError, match="current branch"):
        timeline.delete_branch(2)
    timeline.switch_branch(1)
    timeline.delete_branch(2)
    assert [b.number for b in timeline.branches()] == [1]
    timeline.goto(4)
    back_to, position = timeline.node(timeline.length), timeline.position
    timeline.goto(1)
    typed = timeline.append(parse("stats")) and timeline.current_node
    assert timeline.length == 2 and len(timeline.branches()) == 2
    timeline.discard(typed, back_to=back_to, position=position)
    assert timeline.length == 4 and timeline.position == 4 and len(timeline.branches()) == 1


def test_unknown_object_is_an_error_event_not_an_exception():
    events = System().apply(parse("state vp99"))
    assert len(events) == 1 and events[0].is_error
    assert "vp99" in events[0].text


def test_discarding_the_shown_step_undoes_it_first():
    """`u` right after a typed line at the end of a branch: the step shown is the one discarded, so its
    changes must be undone before it goes, and the state is the replay of what is left."""
    steps = [Step(parse("lookup /usr/bin")), Step(parse("lookup /etc"))]
    timeline = Timeline(steps)
    timeline.goto(2)
    back_to, position = timeline.node(2), timeline.position
    typed = timeline.append(parse("lookup /usr/bin/cc")) and timeline.current_node
    assert timeline.position == 3
    timeline.discard(typed, back_to=back_to, position=position)
    assert timeline.position == 2 and timeline.length == 2
    assert timeline.system.to_dict() == _replayed_state(steps, 2)


def test_approach_in_pieces_lands_as_goto_does_and_records_only_the_end():
    """A long jump a piece at a time (the app's chunks): unrecorded while more than `window` steps remain,
    so back within the window is undo and back past it is a replay; each landing is the replay's state."""
    steps = [Step(parse(line)) for line in ["lookup /usr/bin", "lookup /etc", "lookup /usr", "purge vp2"] * 5]
    timeline = Timeline(steps)
    timeline.window = 4
    while timeline.position < timeline.length:
        timeline.approach(timeline.length, 3)
        assert timeline.system.to_dict() == _replayed_state(steps, timeline.position)
    recorded = [timeline.node(n).records is not None for n in range(1, timeline.length + 1)]
    assert recorded == [False] * 16 + [True] * 4
    timeline.goto(16)
    assert timeline.restarts == 0 and timeline.system.to_dict() == _replayed_state(steps, 16)
    timeline.goto(15)
    assert timeline.restarts == 1 and timeline.system.to_dict() == _replayed_state(steps, 15)


def test_end_home_end_takes_the_parked_state_back_instead_of_replaying():
    """`Home` after a far jump restarts and parks the state at the end; `End` again takes it back, applying
    nothing; `Home` again takes back the initial state parked by that swap."""
    steps = [Step(parse(line)) for line in ["lookup /usr/bin", "lookup /etc", "lookup /usr", "purge vp2"] * 5]
    timeline = Timeline(steps)
    timeline.window = 4
    timeline.goto(20)
    timeline.goto(0)
    assert timeline.restarts == 1 and timeline.parked is not None and timeline.parked.position == 20
    timeline.goto(20)
    assert (timeline.applied, timeline.swaps, timeline.restarts) == (0, 1, 1)
    assert timeline.system.to_dict() == _replayed_state(steps, 20)
    timeline.goto(17)  # within the recorded window of the state taken back: undo
    assert (timeline.applied, timeline.swaps) == (0, 1)
    assert timeline.system.to_dict() == _replayed_state(steps, 17)
    timeline.goto(0)
    assert (timeline.applied, timeline.swaps, timeline.restarts) == (0, 2, 1)
    assert timeline.system.to_dict() == _replayed_state(steps, 0)


def test_prefetch_advances_a_parked_state_so_end_applies_only_its_window():
    """While the user reads step 0, `prefetch` applies steps on a parked state (never the shown one) up to
    `window` steps before the end; `End` then takes it back and applies only the last `window` steps."""
    steps = [Step(parse(line)) for line in ["lookup /usr/bin", "lookup /etc", "lookup /usr", "purge vp2"] * 5]
    timeline = Timeline(steps)
    timeline.window = 4
    shown = timeline.system.to_dict()
    rounds = 0
    while timeline.prefetch(5):
        rounds += 1
        assert timeline.system.to_dict() == shown and timeline.position == 0
    assert rounds == 3 and timeline.parked is not None and timeline.parked.position == 16
    assert not timeline.prefetch(5)  # nothing more to do
    timeline.goto(20)
    assert (timeline.applied, timeline.swaps, timeline.restarts) == (4, 1, 0)
    assert timeline.system.to_dict() == _replayed_state(steps, 20)
    assert [timeline.node(n).records is not None for n in range(1, 21)] == [False] * 16 + [True] * 4


def test_fresh_steps_counts_what_a_move_would_apply_from_the_nearest_state():
    """What the app's progress bar counts: steps neither undone nor redone, from the state a move starts at."""
    steps = [Step(parse(line)) for line in ["lookup /usr/bin", "lookup /etc", "lookup /usr", "purge vp2"] * 5]
    timeline = Timeline(steps)
    timeline.window = 4
    assert timeline.fresh_steps(20) == 20 and timeline.fresh_steps(99) == 20
    timeline.goto(20)
    assert timeline.fresh_steps(17) == 0  # undo within the recorded window
    assert timeline.fresh_steps(10) == 10  # past it: a replay from the initial state
    timeline.goto(0)
    assert timeline.fresh_steps(20) == 0 and timeline.fresh_steps(18) == 0  # the parked state, and undo in it
    assert timeline.fresh_steps(5) == 5
    timeline.goto(10)  # nearer from the initial state than back from the parked end: applies 10
    assert timeline.applied == 10 and timeline.swaps == 0


def test_steps_read_later_continue_the_scenario_branch_shown_or_not():
    """A big file's later steps (`add_steps`) go at the end of the scenario's branch: the shown branch
    grows if it is that one; a branch typed in the past stays as it is; a step typed after the last step
    read so far stops further steps (they would not be the scenario's)."""
    lines = ["lookup /usr/bin", "lookup /etc", "lookup /usr", "purge vp2"]
    steps = [Step(parse(line)) for line in lines * 3]
    timeline = Timeline(steps[:4])
    timeline.goto(4)
    timeline.add_steps(steps[4:8])
    assert timeline.length == 8 and timeline.position == 4
    timeline.goto(2)
    timeline.append(parse("stats"))  # a branch in the past
    timeline.add_steps(steps[8:])
    assert timeline.length == 3 and len(timeline.branches()) == 2
    timeline.switch_branch(1)
    timeline.goto(timeline.length)
    assert timeline.length == 12 and timeline.system.to_dict() == _replayed_state(steps, 12)
    timeline.append(parse("stats"))  # typed after the last step read
    with pytest.raises(ValueError, match="typed after"):
        timeline.add_steps(steps[:1])
    timeline.add_steps([])  # nothing to add is never refused


def test_let_go_counts_the_states_and_branches_the_timeline_drops():
    """What the app reclaims before a long jump: a replaced parked state, a state not fit to keep, a deleted
    branch. Parking, swapping back and prefetching into a new parked state drop nothing."""
    steps = [Step(parse(line)) for line in ["lookup /usr/bin", "lookup /etc", "lookup /usr", "purge vp2"] * 5]
    timeline = Timeline(steps)
    timeline.window = 4
    while timeline.prefetch(5):  # a parked state made where there was none
        pass
    assert timeline.let_go == 0
    timeline.goto(20)  # the prefetched state taken back (a swap parks the initial one)
    timeline.goto(0)  # the initial state taken back again
    assert timeline.let_go == 0 and timeline.swaps == 2
    timeline.goto(10)  # 10 from the initial state: the parked end stays parked
    timeline.goto(5)  # 5 is before the recorded window: a restart parks step 10's state, the end's goes
    assert timeline.restarts == 1 and timeline.let_go == 1
    timeline.append(parse("stats"))
    timeline.switch_branch(1)
    timeline.delete_branch(2)
    assert timeline.let_go == 2
