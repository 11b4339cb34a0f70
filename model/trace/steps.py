"""What the importers make: steps (an op, its narration, what the real system answered), put on a sink.

The importers only parse: they take lines (or data) handed to them and put steps on a `StepSink`; where
the steps go (a spool on disk, a list in a test) is the caller's choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from model.ops import Op

UNCHECKED = "?"
"""Expectation of a step whose result is not compared with the model (a result the model cannot give)."""


@dataclass(frozen=True, slots=True)
class ImportedStep:
    """One imported step: the op, its narration and the errno the real system gave (None: success;
    UNCHECKED: not compared); for a step a recorded system call made, the call's name and input line
    (None for a synthetic step: a task's start or exit, the starting cwd, a close at exit or exec...)."""

    op: Op
    say: str
    expect: str | None
    call: str | None = None
    line: int | None = None


class StepSink(Protocol):
    """Where an importer puts its steps, in order; `steps` reads them back (for the replay check)."""

    def add(
        self, op: Op, say: str = "", expect: str | None = UNCHECKED, call: str | None = None, line: int | None = None
    ) -> None: ...

    def extend(self, other: StepSink) -> None: ...

    def steps(self) -> Iterator[ImportedStep]: ...


class StepList:
    """A sink that keeps the steps in memory: for small inputs, and for tests of the parsers."""

    def __init__(self) -> None:
        self.items: list[ImportedStep] = []

    def add(
        self, op: Op, say: str = "", expect: str | None = UNCHECKED, call: str | None = None, line: int | None = None
    ) -> None:
        self.items.append(ImportedStep(op, say, expect, call, line))

    def extend(self, other: StepSink) -> None:
        self.items.extend(other.steps())

    def steps(self) -> Iterator[ImportedStep]:
        return iter(list(self.items))
