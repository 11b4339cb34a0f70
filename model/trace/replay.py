"""Replaying imported steps through a fresh System and comparing each result with what really happened."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from model.events import Event
from model.system import System
from model.trace.steps import UNCHECKED, ImportedStep

RESULT_FUNCS = frozenset({"lookup", "open", "create", "mkdir", "unlink", "rename", "chdir", "rmdir"})
"""Functions whose closing event carries a path syscall's return value and errno."""


def result_errno(events: Iterable[Event]) -> str | None:
    """The errno a step ended with: the path syscall's result, or the errno of a refusal."""
    result: str | None = None
    for event in events:
        if event.is_error:
            return event.errno or "refused"
        if event.func in RESULT_FUNCS and event.ret is not None:
            result = event.errno
    return result


@dataclass(slots=True)
class Verification:
    """How the model's results compare with the recorded ones."""

    steps: int = 0
    compared: int = 0
    agreed: int = 0
    refused: int = 0
    examples: list[str] = field(default_factory=list)
    system: System | None = None

    @property
    def mismatches(self) -> int:
        return self.compared - self.agreed

    def summary(self) -> str:
        text = f"replay: {self.agreed} of {self.compared} recorded results agree with the model"
        if self.refused:
            text += f"; {self.refused} step(s) refused"
        return text


def verify(steps: Iterable[ImportedStep], config: Mapping[str, Any], *, keep_system: bool = False) -> Verification:
    """Apply every step to a System built from `config`; compare results where a result was recorded."""
    system = System(config)
    out = Verification()
    for number, step in enumerate(steps, start=1):
        events = system.apply(step.op)
        out.steps += 1
        refused = any(e.is_error for e in events)
        out.refused += refused
        if step.expect == UNCHECKED:
            continue
        got = result_errno(events)
        out.compared += 1
        if got == step.expect:
            out.agreed += 1
        elif len(out.examples) < 10:
            out.examples.append(
                f"step {number}: {step.op}: model {got or 'success'}, recorded {step.expect or 'success'}"
            )
    if keep_system:
        out.system = system
    return out
