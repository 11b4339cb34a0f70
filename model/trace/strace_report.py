"""The strace import's report (what was read, made, followed and skipped) and the guess of the starting cwd."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from model.limits import too_long
from model.trace.replay import Verification
from model.trace.strace_parse import OTHERS, Call, ParseStats, StraceReader, c_string, count, fd_arg, line_pid

ON_FD = "on an fd, not a path"
UNKNOWN_FD = "relative to an fd the trace never opened (record from the program's start, or with -y)"
UNDECODABLE = "with a path that is not UTF-8 or holds a NUL"
TOO_DEEP = "whose path, made absolute, is 1024 bytes or more (deeper than the model's disk)"
NOT_MODELLED = "not modelled"
NO_EFFECT = "with nothing for the model to do (an exit comes with its +++ exited +++ line)"
NOT_A_FILE = "on an fd that is no file the trace opened by path (a pipe, socket or inherited fd)"
FAILED = "failed, changing nothing"
REASONS = (ON_FD, UNKNOWN_FD, UNDECODABLE, TOO_DEEP, NOT_A_FILE, FAILED, NO_EFFECT, NOT_MODELLED)
"""Why a system call made no step, in the order the report lists them."""


@dataclass(slots=True)
class StraceReport:
    """What the import read, made, followed and skipped.

    `calls` counts the system calls that made steps, `synthetic` the steps no call made; `followed` the
    calls kept in the replay's books with no step of their own (dup, fcntl, a close of a duplicate...), and
    `skipped` the calls that made no step, by reason and then by name.
    """

    parse: ParseStats
    steps: int = 0
    calls: int = 0
    synthetic: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    followed: Counter[str] = field(default_factory=Counter)
    skipped: dict[str, Counter[str]] = field(default_factory=dict)
    unmodelled: Counter[str] = field(default_factory=Counter)
    unseen_closes: int = 0
    too_long: int = 0
    cwd_fixes: int = 0
    conflicts: int = 0
    unannounced: int = 0
    verification: Verification | None = None

    def skip(self, reason: str, name: str) -> None:
        """Count a call that made no step."""
        count(self.skipped.setdefault(reason, Counter()), name)

    def skipped_count(self, reason: str | None = None) -> int:
        """How many calls were skipped (for `reason`, or in all)."""
        if reason is not None:
            return sum(self.skipped.get(reason, Counter()).values())
        return sum(sum(names.values()) for names in self.skipped.values())

    def summary(self) -> list[str]:
        """The report as short lines for the terminal and the scenario's `about`."""
        p = self.parse
        lines = [
            f"{p.lines} lines: {p.calls} system calls, {p.exits} exits, {p.signals} signals, {p.unknown} unknown",
            f"unfinished: {p.unfinished}, paired with their resumed half: {p.resumed_paired}, "
            f"resumed without a start: {p.resumed_unpaired}, never resumed: {p.never_resumed}",
            f"{self.steps} steps: {self.steps - self.synthetic} from {self.calls} system calls, {self.synthetic} "
            "synthetic (task starts and exits, the starting cwd, closes at exit and exec, descriptors opened "
            "before the trace); " + ", ".join(f"{n} {a}" for a, n in self.actions.most_common()),
        ]
        if self.followed:
            lines.append("followed without a step: " + _names(self.followed))
        skipped = [f"{self.skipped_count(r)} {r} ({_names(self.skipped[r])})" for r in REASONS if r in self.skipped]
        if skipped:
            lines.append(f"skipped {self.skipped_count()} call(s): " + "; ".join(skipped))
        if p.unknown_examples:
            lines.append(f"{p.unknown} line(s) not read as strace, e.g. " + "; ".join(p.unknown_examples[:2]))
        if self.too_long:
            lines.append(
                f"{self.too_long} call(s) with a path namei refuses (1024 bytes or more, or a name over 255): "
                "replayed as lookups that fail with ENAMETOOLONG"
            )
        if self.unseen_closes:
            lines.append(
                f"{self.unseen_closes} descriptor(s) reused without a close in the trace: closed then (trace close, "
                "dup2, fcntl and fchdir too: see docs/importing.md)"
            )
        if self.unmodelled:
            errs = ", ".join(f"{n} {e}" for e, n in self.unmodelled.most_common())
            lines.append(f"errors the model does not give (not compared): {errs}")
        if self.conflicts:
            lines.append(f"{self.conflicts} result(s) contradict earlier ones about the same path")
        if self.verification is not None:
            lines.append(self.verification.summary())
            if (cache := self.verification.lookup_summary()) is not None:
                lines.append(cache)
        return lines


def _names(counter: Counter[str], most: int = 8) -> str:
    """``3 close, 2 dup`` for the most common names (and how many others)."""
    shown = [f"{n} {name}" for name, n in counter.most_common(most) if name != OTHERS]
    rest = sum(counter.values()) - sum(n for name, n in counter.most_common(most) if name != OTHERS)
    return ", ".join(shown + ([f"{rest} other"] if rest else []))


def guess_cwd(lines: Iterable[str]) -> str | None:
    """The first task's cwd, from the first of its lines that tells it before any chdir: a getcwd result, or
    -y's annotation of AT_FDCWD (``AT_FDCWD</home/u>``); None when the lines do not tell.

    Only lines that name getcwd, chdir or AT_FDCWD< are parsed, so the scan costs little on a long trace.
    """
    reader = StraceReader()
    first: int | None = None
    for number, line in enumerate(lines):
        pid = line_pid(line)
        first = pid if number == 0 else first
        if pid != first or ("getcwd(" not in line and "chdir(" not in line and "AT_FDCWD<" not in line):
            continue
        record = reader.feed(line)
        if not isinstance(record, Call):
            continue
        if record.name in ("chdir", "fchdir"):
            return None
        if (cwd := cwd_of(record)) is not None:
            return cwd
        for arg in record.args:
            if arg.startswith("AT_FDCWD<") and (fd := fd_arg(arg)) is not None and fd.path and not fd.deleted:
                return fd.path if too_long(fd.path) is None else None
    return None


def cwd_of(call: Call) -> str | None:
    if call.name != "getcwd" or call.ret is None or call.ret <= 0:
        return None
    text = c_string(call.arg(0))
    return text if text and text.startswith("/") and too_long(text) is None else None
