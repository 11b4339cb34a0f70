"""The journal: every change to a journaled object or container is recorded while recording, undo and
redo restore the exact contents (order included), and with no recording the classes carry no hook."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model import journal
from model.journal import JBytes, JDict, JIndex, JList, Journaled, JSet, recording, redo, undo


class Thing(Journaled):
    __slots__ = ("a", "b")


def _contents(value: object) -> object:
    if isinstance(value, dict):
        return list(value.items())  # order matters
    if isinstance(value, set):
        return sorted(value)
    return bytes(value) if isinstance(value, bytearray) else list(value)


keys = st.sampled_from("abcdefgh")
small = st.integers(-3, 9)
DICT_OPS = st.one_of(
    st.tuples(st.just("set"), keys, small),
    st.tuples(st.just("del"), keys, small),
    st.tuples(st.just("pop"), keys, small),
    st.tuples(st.just("popitem"), keys, small),
    st.tuples(st.just("setdefault"), keys, small),
    st.tuples(st.just("update"), keys, small),
    st.tuples(st.just("clear"), keys, small),
    st.tuples(st.just("ior"), keys, small),
)
LIST_OPS = st.one_of(
    st.tuples(st.sampled_from(["append", "insert", "pop", "remove", "set", "del", "slice", "delslice", "extend",
                               "clear", "reverse", "sort", "iadd", "imul", "stride"]), small, small),
)  # fmt: skip
SET_OPS = st.tuples(
    st.sampled_from(["add", "discard", "remove", "pop", "clear", "update", "difference_update",
                     "intersection_update", "symmetric_difference_update", "ior", "iand", "isub", "ixor"]),
    small,
)  # fmt: skip


def _apply_dict(d: dict, op: tuple) -> None:
    name, key, value = op
    if name == "set":
        d[key] = value
    elif name == "del" and key in d:
        del d[key]
    elif name == "pop":
        d.pop(key, None)
    elif name == "popitem" and d:
        d.popitem()
    elif name == "setdefault":
        d.setdefault(key, value)
    elif name == "update":
        d.update({key: value, "z": value})
    elif name == "clear" and value > 7:
        d.clear()
    elif name == "ior":
        d |= {key: value}


def _apply_seq(seq: list | bytearray, op: tuple) -> None:
    name, i, v = op
    v = abs(v) % 256
    n = len(seq)
    if name == "append":
        seq.append(v)
    elif name == "insert":
        seq.insert(i, v)
    elif name == "pop" and n:
        seq.pop(i % n)
    elif name == "remove" and v in seq:
        seq.remove(v)
    elif name == "set" and n:
        seq[i % n] = v
    elif name == "del" and n:
        del seq[i % n]
    elif name == "slice":
        seq[max(i, 0) : max(i, 0) + 2] = bytes([v, v, v]) if isinstance(seq, bytearray) else [v, v, v]
    elif name == "delslice":
        del seq[max(i, 0) : max(i, 0) + 2]
    elif name == "extend":
        seq.extend(bytes([v]) if isinstance(seq, bytearray) else [v])
    elif name == "clear" and v > 250:
        seq.clear()
    elif name == "reverse":
        seq.reverse()
    elif name == "sort" and isinstance(seq, list):
        seq.sort()
    elif name == "iadd":
        seq += bytes([v]) if isinstance(seq, bytearray) else [v]
    elif name == "imul" and n < 6:
        seq *= 2
    elif name == "stride" and n >= 4:
        seq[::2] = seq[::2]  # an extended slice: recorded whole


def _apply_set(s: set, op: tuple) -> None:
    name, v = op
    if name == "add":
        s.add(v)
    elif name == "discard":
        s.discard(v)
    elif name == "remove" and v in s:
        s.remove(v)
    elif name == "pop" and s:
        s.pop()
    elif name == "clear" and v > 7:
        s.clear()
    elif name in ("update", "difference_update", "intersection_update", "symmetric_difference_update"):
        getattr(s, name)({v, v + 1})
    elif name == "ior":
        s |= {v}
    elif name == "iand":
        s &= {v, 0, 1, 2}
    elif name == "isub":
        s -= {v}
    elif name == "ixor":
        s ^= {v}


def _round_trip(container: object, apply, ops: list) -> None:
    """Undo and redo restore the contents, with the records as made and as `compact` merges them."""
    before = _contents(container)
    records: list = []
    with recording(records):
        for op in ops:
            apply(container, op)
    after = _contents(container)
    for kept in (records, journal.compact(records)):
        undo(kept)
        assert _contents(container) == before
        redo(kept)
        assert _contents(container) == after


@given(st.lists(DICT_OPS, max_size=30))
def test_a_jdict_undoes_and_redoes_exactly_order_included(ops: list) -> None:
    _round_trip(JDict((k, i) for i, k in enumerate("abcde")), _apply_dict, ops)


@given(st.lists(DICT_OPS, max_size=30))
def test_a_jindex_undoes_and_redoes_its_items(ops: list) -> None:
    index = JIndex((k, i) for i, k in enumerate("abcde"))
    before = dict(index)
    records: list = []
    with recording(records):
        for op in ops:
            _apply_dict(index, op)
    after = dict(index)
    undo(records)
    assert dict(index) == before  # the items; the order is not kept, by design
    redo(records)
    assert dict(index) == after


@given(st.lists(LIST_OPS, max_size=30))
def test_a_jlist_undoes_and_redoes_exactly(ops: list) -> None:
    _round_trip(JList([3, 1, 4, 1, 5]), _apply_seq, ops)


@given(st.lists(LIST_OPS, max_size=30))
def test_jbytes_undo_and_redo_exactly(ops: list) -> None:
    _round_trip(JBytes(b"\x03\x01\x04\x01\x05"), _apply_seq, ops)


@given(st.lists(SET_OPS, max_size=30))
def test_a_jset_undoes_and_redoes_exactly(ops: list) -> None:
    _round_trip(JSet({1, 2, 3}), _apply_set, ops)


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([0, 1, 2, None, "del"])), max_size=20))
def test_compact_merges_attribute_sets_and_drops_round_trips(sets: list) -> None:
    thing = Thing()
    thing.a = 0
    before = (getattr(thing, "a", None), getattr(thing, "b", None))
    records: list = []
    with recording(records):
        for name, value in sets:
            if value == "del":
                if hasattr(thing, name):
                    delattr(thing, name)
            else:
                setattr(thing, name, value)
    after = (getattr(thing, "a", "-"), getattr(thing, "b", "-"))
    kept = journal.compact(records)
    assert len(kept) <= 2  # one per attribute at most
    undo(kept)
    assert (getattr(thing, "a", None), getattr(thing, "b", None)) == before
    redo(kept)
    assert (getattr(thing, "a", "-"), getattr(thing, "b", "-")) == after


def test_attributes_set_and_deleted_are_undone_and_redone() -> None:
    thing = Thing()
    thing.a = 1
    records: list = []
    with recording(records):
        thing.a = 2
        thing.b = 3
        del thing.a
    undo(records)
    assert thing.a == 1 and not hasattr(thing, "b")
    redo(records)
    assert thing.b == 3 and not hasattr(thing, "a")


def test_no_hook_is_left_when_nothing_records() -> None:
    """With no recording, a Journaled object and the containers use the base types' own C slots."""
    with recording([]):
        assert Thing.__setattr__ is not object.__setattr__
    assert Thing.__setattr__ is object.__setattr__
    for cls, methods in journal.HOOKS.items():
        for name in methods:
            assert name not in cls.__dict__, (cls, name)


def test_recording_does_not_nest_and_undo_refuses_while_recording() -> None:
    with recording([]):
        with pytest.raises(RuntimeError), recording([]):
            pass
        with pytest.raises(RuntimeError):
            undo([])


def test_changes_outside_a_recording_are_not_recorded_even_with_hooks_installed() -> None:
    items = JList([1])
    records: list = []
    with journal.hooks():
        items.append(2)
        with recording(records):
            items.append(3)
        items.append(4)
    assert len(records) == 1
