"""Replaying imported steps through a fresh System and comparing each result with what really happened.

Steps a recorded system call made are counted apart from synthetic ones (a task's start, an exit, the
starting cwd), and so are the name-cache lookups each makes, so the check says what it checked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from model.events import Event
from model.system import System
from model.trace.steps import UNCHECKED, ImportedStep

RESULT_FUNCS = frozenset({"lookup", "open", "create", "mkdir", "unlink", "rename", "chdir", "rmdir", "close", "fchdir"})
"""Functions whose closing event carries a path syscall's return value and errno."""

Progress = Callable[[int, int], None]
"""Called as progress(steps_done, steps_total) every few thousand steps and at the end."""
EVERY = 2048


def outcome(events: Iterable[Event]) -> tuple[bool, str | None]:
    """Whether a step was refused, and the errno it ended with: the path syscall's result, or the errno of
    the refusal. One pass over the events: a walk makes a dozen per step, and the check reads every step's."""
    result: str | None = None
    for event in events:
        if event.is_error:
            return True, event.errno or "refused"
        if event.func in RESULT_FUNCS and event.ret is not None:
            result = event.errno
    return False, result


@dataclass(slots=True)
class Verification:
    """How the model's results compare with the recorded ones, and the name-cache lookups the steps made.

    `compared`/`agreed` count the steps of recorded system calls whose result the model can give;
    `synthetic` the steps no system call made. `lookups`/`hits` are the cache_lookup calls (and their
    positive or negative hits) of the system calls' steps, `synthetic_lookups` those of the synthetic ones;
    `per_line` (when asked for) the lookups of each input line's steps.
    """

    steps: int = 0
    calls: int = 0
    synthetic: int = 0
    compared: int = 0
    agreed: int = 0
    refused: int = 0
    lookups: int = 0
    hits: int = 0
    synthetic_lookups: int = 0
    mismatched: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    per_line: dict[int, int] | None = None
    system: System | None = None

    @property
    def mismatches(self) -> int:
        return self.compared - self.agreed

    def summary(self) -> str:
        text = (
            f"replay: {self.agreed} of {self.compared} recorded results agree with the model "
            f"({self.calls} steps from system calls, {self.synthetic} synthetic)"
        )
        if self.refused:
            text += f"; {self.refused} step(s) refused"
        return text

    def lookup_summary(self) -> str | None:
        """The name cache as the replay saw it, or None when no step looked anything up."""
        if not self.lookups and not self.synthetic_lookups:
            return None
        rate = f"{100 * self.hits / self.lookups:.1f}%" if self.lookups else "-"
        return (
            f"name cache: {self.lookups} component lookups by the system calls, {rate} hits (positive or "
            f"negative); {self.synthetic_lookups} more by synthetic steps"
        )


def _lookups(system: System) -> tuple[int, int]:
    """(cache_lookup calls, positive and negative hits) so far, or zeros for a machine without a name cache.
    Read at every step: the counters themselves, not `stats`, which builds a dict of all of them."""
    vfs = system.parts.get("vfs")
    if vfs is None:
        return 0, 0
    cache = vfs.namecache
    return cache.lookups, cache.ncs_goodhits + cache.ncs_neghits


def verify(
    steps: Iterable[ImportedStep],
    config: Mapping[str, Any],
    *,
    keep_system: bool = False,
    per_line: bool = False,
    progress: Progress | None = None,
    total: int = 0,
) -> Verification:
    """Apply every step to a System built from `config`; compare results where a result was recorded.

    `progress(done, total)` is told how far the replay is (`total`: the number of steps, if known).
    """
    system = System(config)
    out = Verification(per_line={} if per_line else None)
    before = _lookups(system)
    for number, step in enumerate(steps, start=1):
        events = system.apply(step.op)
        out.steps += 1
        after = _lookups(system)
        walked, hits = after[0] - before[0], after[1] - before[1]
        before = after
        if step.call is None:
            out.synthetic += 1
            out.synthetic_lookups += walked
        else:
            out.calls += 1
            out.lookups += walked
            out.hits += hits
            if out.per_line is not None and step.line is not None:
                out.per_line[step.line] = out.per_line.get(step.line, 0) + walked
        if progress is not None and number % EVERY == 0:
            progress(number, total)
        refused, got = outcome(events)
        out.refused += refused
        if step.expect == UNCHECKED:
            continue
        out.compared += 1
        if got == step.expect:
            out.agreed += 1
            continue
        out.mismatched[step.call or step.op.verb] += 1
        if len(out.examples) < 10:
            where = f"line {step.line}" if step.line is not None else f"step {number}"
            out.examples.append(f"{where}: {step.op}: model {got or 'success'}, recorded {step.expect or 'success'}")
    if progress is not None:
        progress(out.steps, total or out.steps)
    if keep_system:
        out.system = system
    return out
