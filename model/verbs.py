"""Core verbs that belong to no subsystem: narration, statistics and state inspection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.ops import TEXT, WORD, Param, command
from model.parts import id_examples

if TYPE_CHECKING:
    from model.system import System


@command(
    "say",
    Param("text", TEXT, rest=True),
    summary="a narration-only step; changes nothing",
    part="core",
    example="say The cache starts empty.",
)
def say(system: System, text: str) -> list[Event]:
    return [Event("say", text)]


@command("stats", summary="print every subsystem's counters under the kernel's names", part="core")
def stats(system: System) -> list[Event]:
    counters = system.stats()
    if not counters:
        return [Event("stats", "stats: no counters yet")]
    lines = [
        Event("stats", f"{part}: " + ", ".join(f"{name}={value}" for name, value in values.items()), data=values)
        for part, values in counters.items()
    ]
    return lines


@command(
    "state",
    Param("id", WORD, optional=True),
    summary="describe an object by id, or summarise the machine",
    part="core",
    example="state vp3",
)
def state(system: System, id: str | None) -> list[Event]:
    if id is None:
        parts = ", ".join(system.parts) or "none"
        return [Event("state", f"state: subsystems {parts}", data={"parts": list(system.parts)})]
    text = system.describe(id)
    if text is None:
        raise OpError(f"no object with id {id!r}", hint=f"ids look like {id_examples()}")
    first, *rest = text.splitlines() or [""]
    return [Event("state", first, refs=(id,), explain="\n".join(rest))]
