"""What the model knows to exist (model/known.py): every kind and every ref a step gives is declared, and
anything else is refused with the closest known name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.known import has_id_shape, known_errno, known_kind, known_ref, known_verb
from model.ops import parse
from model.parts import event_kinds, ref_prefixes
from model.quiz.engine import make_quiz, subsystems
from model.scenario import builtin_names, load_builtin
from model.system import System
from tests.property.strategies import CONFIG, SETUP, any_line


def _events_of(steps, config):
    system = System(config)
    for step in steps:
        yield from system.apply(step.op)


def _builtin_and_quiz_events():
    for name in builtin_names():
        scenario = load_builtin(name)
        yield from _events_of(scenario.steps, scenario.raw_config)
    for subsystem in subsystems():
        scenario = make_quiz(3, subsystem, 20).scenario()
        yield from _events_of(scenario.steps, scenario.raw_config)


def test_every_kind_and_ref_the_scenarios_and_quizzes_give_is_known():
    events = list(_builtin_and_quiz_events())
    kinds = set(event_kinds())
    assert {e.kind for e in events} - kinds == set()
    assert sorted({ref for e in events for ref in e.refs if not has_id_shape(ref)}) == []
    assert len({e.kind for e in events}) > 60  # the scenarios and quizzes reach most kinds: the check is not vacuous


@given(st.lists(any_line, max_size=25))
def test_every_kind_and_ref_of_any_history_is_known(lines):
    system = System(CONFIG)
    kinds = set(event_kinds())
    for line in [*SETUP, *lines]:
        for event in system.apply(parse(line)):
            assert event.kind in kinds, (line, event.kind)
            assert all(has_id_shape(ref) for ref in event.refs), (line, event.refs)


def test_kinds_are_each_declared_once_and_globs_of_a_family_match():
    kinds = event_kinds()
    assert len(kinds) == len(set(kinds))
    assert known_kind("namecache.*") == "namecache.*" and known_kind("*.reclaim") == "*.reclaim"
    assert known_kind("page.lost") == "page.lost"


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (known_verb, "nope", "no verb 'nope' (did you mean open?)"),
        (known_verb, "lookpu", "did you mean lookup?"),
        (known_kind, "nope.*", "no event kind matches 'nope.*'"),
        (known_kind, "namecach.*", "did you mean namecache.*?"),
        (known_kind, "page.lots", "did you mean page.lost?"),
        (known_errno, "EFOO", "no errno 'EFOO'"),
        (known_errno, "ENOENTT", "did you mean ENOENT?"),
        (known_ref, "vq999", "did you mean vp999?"),
        (known_ref, "ps 42", "did you mean pid 42?"),
        (known_ref, "vp", "ids look like vp7"),
        (known_ref, "vp9x", "no step can name 'vp9x'"),
    ],
)
def test_unknown_names_are_refused_with_a_suggestion(check, value, message):
    with pytest.raises(ValueError, match=None) as refused:
        check(value)
    assert message in str(refused.value)


def test_ids_of_known_shape_are_accepted_before_any_step_names_them():
    for ref in ("vp999", "nc12", "mnt3", "pid 42", "ns2", "d17", "D set 5", "I set 3 way 0", "vma 0x400000",
                "nchash 3", "page vp4:2", "wr2", "mem 0x10000000"):  # fmt: skip
        assert known_ref(ref) == ref
    assert known_ref("odd name", seen=["odd name"]) == "odd name"  # what an event named is always accepted
    assert {"vp", "pid ", "D set ", "nchash ", "page vp", "mem "} <= set(ref_prefixes())


def test_errno_names_are_upper_cased_and_any_error_is_a_star():
    assert known_errno("enoent") == "ENOENT" and known_errno("EFTYPE") == "EFTYPE"
    assert known_errno("*") == "*" and known_errno("any") == "any"


def test_with_every_name_the_steps_give_an_id_no_step_names_is_refused():
    """The app knows every ref of a scenario's steps: then vp999 is refused, with the closest one named."""
    named = ["vp1", "vp9", "vp99", "pid 42"]
    assert known_ref("vp9", named, named_only=True) == "vp9"
    for ref, message in (("vp999", "no step names 'vp999' (did you mean vp99?)"),
                         ("pid 4", "no step names 'pid 4' (did you mean pid 42?)"),
                         ("vpp1", "no step can name 'vpp1' (did you mean vp1?)")):  # fmt: skip
        with pytest.raises(ValueError) as refused:
            known_ref(ref, named, named_only=True)
        assert str(refused.value) == message
