"""Completion in the command box: which words can end the line typed so far.

The first word is a verb or a debugger command; after it, what the command takes: `break`'s verb,
kind, ref or errno, then a verb, an event kind (or a family glob), an id or an errno name; `theme` a
theme; `branch` a branch number or `delete`; `run` back; `watch` and an op's later words the ids that
exist now, which may hold spaces (``pid 42``, ``D set 5 way 1``: quoted in an op, where they are
one word). Everything comes from registries: the verbs, the debugger commands, each mechanism's
kinds and id spaces (`model.parts`); the app passes the live ids (`System.ids`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from model.known import ERRNO_NAMES, family_globs
from model.ops import VERBS
from model.parts import ensure_loaded, event_kinds
from model.timeline import BREAK_ON
from viz.commands import names
from viz.themes import theme_names

COMMON_ERRNOS = ("ENOENT", "ENOTDIR", "EEXIST", "EISDIR", "EINVAL", "EFAULT", "EBADF", "ENAMETOOLONG", "ENOTEMPTY",
                 "EBUSY", "EPERM", "EFBIG", "ERANGE")  # fmt: skip
"""The errnos the model gives most, offered first."""


@dataclass(frozen=True, slots=True)
class Completion:
    """The line up to the word being completed (`head`), the words that can end it, in the order Tab offers
    them, and whether a space follows a chosen word (a verb, a command, a `break` subject)."""

    head: str
    words: tuple[str, ...]
    space_after: bool


def _starting(prefix: str, pool: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word for word in pool if word.startswith(prefix)))


def _first_words() -> list[str]:
    ensure_loaded()
    return sorted({*VERBS, *names()})


def _errnos() -> list[str]:
    return [*COMMON_ERRNOS, *sorted(ERRNO_NAMES - set(COMMON_ERRNOS)), "*"]


def complete(value: str, ids: Callable[[], Sequence[str]], branches: Callable[[], Sequence[int]]) -> Completion | None:
    """The completions of the last word of `value` (None when nothing can end it)."""
    if " " not in value:
        words = _starting(value, _first_words())
        return Completion("", words, True) if words else None
    first, _, rest = value.partition(" ")
    if first == "break":
        subject, space, tail = rest.partition(" ")
        if not space:
            words = _starting(subject, BREAK_ON)
            return Completion("break ", words, True) if words else None
        head = f"break {subject} "
        pools: dict[str, Callable[[], Sequence[str]]] = {
            "verb": lambda: sorted(VERBS),
            "kind": lambda: [*family_globs(event_kinds()), *event_kinds()],
            "errno": _errnos,
            "ref": ids,
        }
        if subject not in pools:
            return None
        if subject == "ref":
            return _ids(value, len(head), ids(), quote=False)
        words = _starting(tail, pools[subject]())
        return Completion(head, words, False) if words else None
    if first == "theme":
        words = _starting(rest, theme_names())
        return Completion("theme ", words, False) if words else None
    if first == "branch":
        words = _starting(rest, ["delete", *(str(n) for n in branches())])
        return Completion("branch ", words, False) if words else None
    if first == "run":
        words = _starting(rest, ["back"])
        return Completion("run ", words, False) if words else None
    if first in ("watch", "unwatch"):
        return _ids(value, len(first) + 1, ids(), quote=False)
    if first in names():
        return None  # a number or a file name: nothing to offer
    return _ids(value, len(first) + 1, ids(), quote=True)


def _quoted(ref: str) -> str:
    return f'"{ref}"' if " " in ref else ref


def _ids(value: str, start: int, pool: Sequence[str], *, quote: bool) -> Completion | None:
    """Ids for the longest tail of `value` (from `start` on, beginning after a space) that starts one: an id
    may hold spaces, so ``watch D s`` completes ``D set 5 way 1``. In an op (`quote`), such an id is one
    word only in quotes, so it is offered quoted: ``state pid 4`` completes ``state "pid 42"``."""
    for at in [start, *(i + 1 for i, ch in enumerate(value) if ch == " " and i + 1 > start)]:
        tail = value[at:]
        if quote:
            words = tuple(dict.fromkeys(_quoted(ref) for ref in pool if ref.startswith(tail.lstrip('"'))))
        else:
            words = _starting(tail, pool)
        if words:
            return Completion(value[:at], words, False)
    return None
