"""Undo records: what a step changed, kept so that time travel costs the change, not the state.

The machine's state is made of `Journaled` objects (slotted classes) and journaled containers (`JList`,
`JDict`, `JSet`, `JBytes`). While hooks are installed (`hooks()`) and a record list is the target
(`recording(records)`), every attribute set on a Journaled object and every mutation of a journaled
container appends one record holding what the change undid and what it did. `undo(records)` and
`redo(records)` replay them backward or forward, so a step is undone or redone in time proportional to
what it changed, whatever the size of the state; the objects themselves come back (never copies), so
later steps' records stay valid.

The hooks exist only while installed: they are assigned on the classes when `hooks()` starts and deleted
when it ends (CPython then restores the C slots). With no hooks a Journaled object is a plain slotted
object and a JDict a plain dict subclass, at C speed: `cachescope run`, the importers' replay checks and
the benchmarks pay nothing for time travel.

Order is kept exactly: a key deleted from a `JDict` is put back at its place, by moving the keys that
followed it back behind it (so undoing a deletion costs the keys after it: cheap for the dicts the model
deletes from near the end, dear for a big dict deleted from near its front). A big index whose order no
one looks at is a `JIndex`, whose undo puts a key back at the end, at O(1). An order the kernel keeps
and changes often (an LRU list) is kept as the kernel keeps it, in links between the objects (TAILQ),
so every change is an attribute set. The time-travel property tests compare the state dump and the
events at every position with a replay from step 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__slots__": ()})()
"""The value of an attribute that was not set (a slot never assigned): undo deletes it again."""

Record = tuple[Any, ...]
"""(code, target, a, b): what one change undid and did. The codes are the small ints below."""

(_SET, _DICT_SET, _DICT_DEL, _LIST_SET, _LIST_INSERT, _LIST_DELETE, _SLICE, _REPLACE, _SET_ADD, _SET_DISCARD) = range(
    10
)

_target: list[Record] | None = None
"""The record list of the step being applied, or None (mutations then go unrecorded)."""
_depth = 0
"""How many `hooks()` blocks are open: the hooks are installed by the first and removed by the last."""


class Journaled:
    """Base of every model class whose objects are part of the machine's state (slotted, no __dict__)."""

    __slots__ = ()


class JList(list):
    """A list in the machine's state: its mutations are recorded while hooks are installed."""

    __slots__ = ()


class JDict(dict):
    """A dict in the machine's state; undo keeps its order exactly."""

    __slots__ = ()


class JIndex(dict):
    """A dict in the machine's state whose order nobody reads (an index): undo puts a deleted key back at
    the end, at O(1) whatever its size."""

    __slots__ = ()


class JSet(set):
    """A set in the machine's state."""

    __slots__ = ()


class JBytes(bytearray):
    """Bytes in the machine's state (a memory page, a cache's data and dirty bits)."""

    __slots__ = ()


JOURNALED_CONTAINERS = (JList, JDict, JIndex, JSet, JBytes)


# -- recording -------------------------------------------------------------------------------------------


@contextmanager
def hooks() -> Iterator[None]:
    """Install the recording hooks for the duration of the block (nested blocks share them).

    Installing touches a few dozen class slots, so a timeline keeps the hooks in for a whole batch of
    steps and only switches the record list between steps (`recording`).
    """
    global _depth
    if _depth == 0:
        _install()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            _uninstall()


@contextmanager
def recording(records: list[Record]) -> Iterator[list[Record]]:
    """Record every change made in the block into `records` (hooks installed for the block if needed)."""
    global _target
    if _target is not None:
        raise RuntimeError("a step is already being recorded")
    with hooks():
        _target = records
        try:
            yield records
        finally:
            _target = None


def is_recording() -> bool:
    """Whether changes are being recorded now."""
    return _target is not None


def compact(records: list[Record]) -> list[Record]:
    """The same changes in fewer records, for keeping in the history.

    A step sets the same attribute many times (a vnode locked then unlocked, LRU links moved twice):
    only the value before the step and the value after it matter. Attribute sets and updates of a dict
    key that exists throughout the step are merged per (object, name) into one record, and dropped when
    the value came back to what it was; they are independent of everything else, so they go after the
    records whose order matters (list and set changes, dict insertions and deletions), which are kept as
    they were. On the name cache and vnode mix this keeps about a third of the records.
    """
    ordered: list[Record] = []
    merged: dict[tuple[int, Any], list[Any]] = {}
    reshaped: set[tuple[int, Any]] = set()  # dict keys inserted or deleted in the step: not merged
    whole: set[int] = set()  # dicts replaced whole (clear, update...): none of their records merged
    for record in records:
        code, target, a, b, c = record
        if code == _DICT_DEL or (code == _DICT_SET and (b is MISSING or c is MISSING)):
            reshaped.add((id(target), a))
        elif code == _REPLACE:
            whole.add(id(target))
    for record in records:
        code, target, a, b, c = record
        if code == _SET or (code == _DICT_SET and (id(target), a) not in reshaped and id(target) not in whole):
            key = (id(target), a)
            slot = merged.get(key)
            if slot is None:
                merged[key] = [code, target, a, b, c]
            else:
                slot[4] = c
        else:
            ordered.append(record)
    for code, target, a, b, c in merged.values():
        if b is c or (type(b) in _ATOMS and type(c) is type(b) and b == c):
            continue
        ordered.append((code, target, a, b, c))
    return ordered


_ATOMS = frozenset({int, str, bool, float, type(None), bytes})


# -- replaying records -----------------------------------------------------------------------------------


def undo(records: list[Record]) -> None:
    """Take back the changes `records` hold, newest first, leaving the state as it was before them."""
    if _target is not None:
        raise RuntimeError("cannot undo while a step is being recorded")
    for code, target, a, b, c in reversed(records):
        if code == _SET:  # a: name, b: old, c: new
            if b is MISSING:
                object.__delattr__(target, a)
            else:
                object.__setattr__(target, a, b)
        elif code == _DICT_SET:  # a: key, b: old, c: new
            if b is MISSING:
                dict.__delitem__(target, a)
            else:
                dict.__setitem__(target, a, b)
        elif code == _DICT_DEL:  # a: key, b: value, c: the keys that followed it
            dict.__setitem__(target, a, b)
            for key in c:
                dict.__setitem__(target, key, dict.pop(target, key))
        elif code == _LIST_SET:  # a: index, b: old, c: new
            list.__setitem__(target, a, b) if type(target) is not JBytes else bytearray.__setitem__(target, a, b)
        elif code == _LIST_INSERT:  # a: index, b: value
            _base(target).__delitem__(target, a)
        elif code == _LIST_DELETE:  # a: index, b: value
            _base(target).insert(target, a, b)
        elif code == _SLICE:  # a: start, b: old items, c: new items
            _base(target).__setitem__(target, slice(a, a + len(c)), b)
        elif code == _REPLACE:  # b: old contents, c: new contents
            _replace(target, b)
        elif code == _SET_ADD:  # a: element (absent before)
            set.discard(target, a)
        elif code == _SET_DISCARD:  # a: element (present before)
            set.add(target, a)


def redo(records: list[Record]) -> None:
    """Make the changes `records` hold again, oldest first, from the state they were recorded on."""
    if _target is not None:
        raise RuntimeError("cannot redo while a step is being recorded")
    for code, target, a, b, c in records:
        if code == _SET:
            if c is MISSING:
                object.__delattr__(target, a)
            else:
                object.__setattr__(target, a, c)
        elif code == _DICT_SET:
            if c is MISSING:
                dict.__delitem__(target, a)
            else:
                dict.__setitem__(target, a, c)
        elif code == _DICT_DEL:
            dict.__delitem__(target, a)
        elif code == _LIST_SET:
            list.__setitem__(target, a, c) if type(target) is not JBytes else bytearray.__setitem__(target, a, c)
        elif code == _LIST_INSERT:
            _base(target).insert(target, a, b)
        elif code == _LIST_DELETE:
            _base(target).__delitem__(target, a)
        elif code == _SLICE:
            _base(target).__setitem__(target, slice(a, a + len(b)), c)
        elif code == _REPLACE:
            _replace(target, c)
        elif code == _SET_ADD:
            set.add(target, a)
        elif code == _SET_DISCARD:
            set.discard(target, a)


def _base(target: Any) -> Any:
    return bytearray if type(target) is JBytes else list


def _replace(target: Any, contents: Any) -> None:
    """Put whole contents back (after a clear, a sort, a slice assignment, an update of a set...)."""
    if isinstance(target, dict):
        dict.clear(target)
        dict.update(target, contents)
    elif isinstance(target, set):
        set.clear(target)
        set.update(target, contents)
    elif isinstance(target, bytearray):
        bytearray.__setitem__(target, slice(None), contents)
    else:
        list.__setitem__(target, slice(None), contents)


# -- the hooks -------------------------------------------------------------------------------------------
# Each hook records, then does the change with the base type's own method. With no record list (hooks
# installed, but between steps) it only does the change.


def _setattr(self: Any, name: str, value: Any) -> None:
    if _target is not None:
        try:
            old = object.__getattribute__(self, name)
        except AttributeError:
            old = MISSING
        _target.append((_SET, self, name, old, value))
    object.__setattr__(self, name, value)


def _delattr(self: Any, name: str) -> None:
    if _target is not None:
        _target.append((_SET, self, name, object.__getattribute__(self, name), MISSING))
    object.__delattr__(self, name)


def _snapshot(self: Any) -> Any:
    """The whole contents, for the rare mutations that are simplest to record whole."""
    if isinstance(self, dict):
        return dict(self)
    if isinstance(self, set):
        return set(self)
    return bytes(self) if isinstance(self, bytearray) else list(self)


def _whole(method: Any) -> Any:
    """A hook that records the container's contents before and after `method` (clear, sort, update...)."""

    def hook(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _target is None:
            return method(self, *args, **kwargs)
        old = _snapshot(self)
        result = method(self, *args, **kwargs)
        _target.append((_REPLACE, self, None, old, _snapshot(self)))
        return result

    hook.__name__ = method.__name__
    return hook


def _inplace(method: Any) -> Any:
    """Like `_whole`, for in-place operators, which must return self."""

    def hook(self: Any, other: Any) -> Any:
        if _target is None:
            return method(self, other)
        old = _snapshot(self)
        result = method(self, other)
        _target.append((_REPLACE, self, None, old, _snapshot(self)))
        return result

    hook.__name__ = method.__name__
    return hook


# dict ---------------------------------------------------------------------------------------------------


def _dict_setitem(self: dict, key: Any, value: Any) -> None:
    if _target is not None:
        _target.append((_DICT_SET, self, key, dict.get(self, key, MISSING), value))
    dict.__setitem__(self, key, value)


def _keys_after(self: dict, key: Any) -> tuple[Any, ...]:
    """The keys that follow `key` in the dict's order (walked from the end: cheap near the end)."""
    after = []
    for other in reversed(self):
        if other == key:
            break
        after.append(other)
    return tuple(reversed(after))


def _record_delete(self: dict, key: Any) -> None:
    value = dict.__getitem__(self, key)
    if type(self) is JIndex:
        _target.append((_DICT_SET, self, key, value, MISSING))  # type: ignore[union-attr]
    else:
        _target.append((_DICT_DEL, self, key, value, _keys_after(self, key)))  # type: ignore[union-attr]


def _dict_delitem(self: dict, key: Any) -> None:
    if _target is not None:
        _record_delete(self, key)
    dict.__delitem__(self, key)


def _dict_pop(self: dict, key: Any, *default: Any) -> Any:
    if _target is not None and key in self:
        _record_delete(self, key)
    return dict.pop(self, key, *default)


def _dict_popitem(self: dict) -> tuple[Any, Any]:
    key, value = dict.popitem(self)  # the last key: putting it back at the end is its place
    if _target is not None:
        _target.append((_DICT_SET, self, key, value, MISSING))
    return key, value


def _dict_setdefault(self: dict, key: Any, default: Any = None) -> Any:
    if _target is not None and key not in self:
        _target.append((_DICT_SET, self, key, MISSING, default))
    return dict.setdefault(self, key, default)


_DICT_HOOKS = {
    "__setitem__": _dict_setitem,
    "__delitem__": _dict_delitem,
    "pop": _dict_pop,
    "popitem": _dict_popitem,
    "setdefault": _dict_setdefault,
    "update": _whole(dict.update),
    "clear": _whole(dict.clear),
    "__ior__": _inplace(dict.__ior__),
}


# list and bytes --------------------------------------------------------------------------------------------


def _seq_hooks(base: type) -> dict[str, Any]:
    """The hooks of a mutable sequence type (list, or bytearray) whose records index into it."""

    def setitem(self: Any, index: Any, value: Any) -> None:
        if _target is None:
            base.__setitem__(self, index, value)
        elif isinstance(index, slice):
            start, stop, stride = index.indices(len(self))
            if stride != 1:
                old = _snapshot(self)
                base.__setitem__(self, index, value)
                _target.append((_REPLACE, self, None, old, _snapshot(self)))
                return
            stop = max(start, stop)
            old_items = base.__getitem__(self, slice(start, stop))
            new_items = bytes(value) if base is bytearray else list(value)
            _target.append((_SLICE, self, start, old_items, new_items))
            base.__setitem__(self, slice(start, stop), new_items)
        else:
            i = index + len(self) if index < 0 else index
            _target.append((_LIST_SET, self, i, base.__getitem__(self, i), value))
            base.__setitem__(self, i, value)

    def delitem(self: Any, index: Any) -> None:
        if _target is None:
            base.__delitem__(self, index)
        elif isinstance(index, slice):
            old = _snapshot(self)
            base.__delitem__(self, index)
            _target.append((_REPLACE, self, None, old, _snapshot(self)))
        else:
            i = index + len(self) if index < 0 else index
            _target.append((_LIST_DELETE, self, i, base.__getitem__(self, i), None))
            base.__delitem__(self, i)

    def append(self: Any, value: Any) -> None:
        if _target is not None:
            _target.append((_LIST_INSERT, self, len(self), value, None))
        base.append(self, value)

    def insert(self: Any, index: int, value: Any) -> None:
        if _target is not None:
            n = len(self)
            i = max(0, min(n, index + n if index < 0 else index))
            _target.append((_LIST_INSERT, self, i, value, None))
            base.insert(self, i, value)
        else:
            base.insert(self, index, value)

    def pop(self: Any, index: int = -1) -> Any:
        if _target is None:
            return base.pop(self, index)
        i = index + len(self) if index < 0 else index
        value = base.pop(self, i)
        _target.append((_LIST_DELETE, self, i, value, None))
        return value

    def remove(self: Any, value: Any) -> None:
        if _target is None:
            base.remove(self, value)
            return
        i = base.index(self, value)
        _target.append((_LIST_DELETE, self, i, base.__getitem__(self, i), None))
        base.__delitem__(self, i)

    return {
        "__setitem__": setitem,
        "__delitem__": delitem,
        "append": append,
        "insert": insert,
        "pop": pop,
        "remove": remove,
        "extend": _whole(base.extend),
        "clear": _whole(base.clear),
        "reverse": _whole(base.reverse),
        "__iadd__": _inplace(base.__iadd__),
        "__imul__": _inplace(base.__imul__),
    }


# set ------------------------------------------------------------------------------------------------------


def _set_add(self: set, value: Any) -> None:
    if _target is not None and value not in self:
        _target.append((_SET_ADD, self, value, None, None))
    set.add(self, value)


def _set_discard(self: set, value: Any) -> None:
    if _target is not None and value in self:
        _target.append((_SET_DISCARD, self, value, None, None))
    set.discard(self, value)


def _set_remove(self: set, value: Any) -> None:
    if _target is not None and value in self:
        _target.append((_SET_DISCARD, self, value, None, None))
    set.remove(self, value)


def _set_pop(self: set) -> Any:
    value = set.pop(self)
    if _target is not None:
        _target.append((_SET_DISCARD, self, value, None, None))
    return value


HOOKS: dict[type, dict[str, Any]] = {
    Journaled: {"__setattr__": _setattr, "__delattr__": _delattr},
    JDict: _DICT_HOOKS,
    JIndex: _DICT_HOOKS,
    JList: {**_seq_hooks(list), "sort": _whole(list.sort)},
    JBytes: _seq_hooks(bytearray),
    JSet: {
        "add": _set_add,
        "discard": _set_discard,
        "remove": _set_remove,
        "pop": _set_pop,
        "clear": _whole(set.clear),
        "update": _whole(set.update),
        "difference_update": _whole(set.difference_update),
        "intersection_update": _whole(set.intersection_update),
        "symmetric_difference_update": _whole(set.symmetric_difference_update),
        "__ior__": _inplace(set.__ior__),
        "__iand__": _inplace(set.__iand__),
        "__isub__": _inplace(set.__isub__),
        "__ixor__": _inplace(set.__ixor__),
    },
}
"""Per class, the hooks installed while recording: every method of the base type that mutates."""


def _install() -> None:
    for cls, methods in HOOKS.items():
        for name, hook in methods.items():
            setattr(cls, name, hook)


def _uninstall() -> None:
    for cls, methods in HOOKS.items():
        for name in methods:
            delattr(cls, name)
