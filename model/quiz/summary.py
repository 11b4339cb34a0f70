"""What a step did, in a few words and without naming its op: the state change a reverse question shows.

The summary is built from the events' kinds and data only (never their text, which repeats the op's
path or arguments), so the student has to work back from the effect to the cause. The phrase for each
kind of event comes from the mechanism that makes it (`Mechanism.summary`).
"""

from __future__ import annotations

from collections.abc import Sequence

from model.events import Event
from model.parts import phrases


def count_phrase(events: list[Event], one: str, many: str) -> str:
    """`one` for a single event, else `many` with {n} the count: "a cache hit", "3 cache hits"."""
    return one if len(events) == 1 else many.format(n=len(events))


def _result(events: list[Event]) -> str:
    errnos = [e.errno for e in events if e.errno]
    return f"the call fails with {errnos[-1]}" if errnos else ""


def summarise(events: Sequence[Event]) -> str:
    """The step's effect in a few phrases, in the order things first happened; never the op's own words."""
    table, results = phrases()
    groups: dict[str, list[Event]] = {}
    for e in events:
        groups.setdefault(e.kind, []).append(e)
    said = [table[kind](group) for kind, group in groups.items() if kind in table]
    said.append(_result([e for e in events if e.kind in results]))
    text = "; ".join(p for p in said if p)
    return text or "nothing changed"
