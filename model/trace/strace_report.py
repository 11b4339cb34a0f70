"""The strace import's report (what was read, made, skipped) and the guess of the starting cwd."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from model.limits import too_long
from model.trace.replay import Verification
from model.trace.strace_parse import Call, ParseStats, StraceReader, c_string, line_pid


@dataclass(slots=True)
class StraceReport:
    """What the import read, made and skipped."""

    parse: ParseStats
    steps: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    unmodelled: Counter[str] = field(default_factory=Counter)
    fd_only: int = 0
    unresolved: int = 0
    undecodable: int = 0
    too_long: int = 0
    too_deep: int = 0
    cwd_fixes: int = 0
    conflicts: int = 0
    unannounced: int = 0
    verification: Verification | None = None

    def summary(self) -> list[str]:
        """The report as short lines for the terminal and the scenario's `about`."""
        p = self.parse
        lines = [
            f"{p.lines} lines: {p.calls} system calls, {p.exits} exits, {p.signals} signals, {p.unknown} unknown",
            f"unfinished: {p.unfinished}, paired with their resumed half: {p.resumed_paired}, "
            f"resumed without a start: {p.resumed_unpaired}, never resumed: {p.never_resumed}",
            f"{self.steps} steps: " + ", ".join(f"{n} {a}" for a, n in self.actions.most_common()),
        ]
        skipped = [
            f"{n} {what}"
            for n, what in (
                (self.fd_only, "on an fd, not a path"),
                (self.unresolved, "with an unknown dirfd"),
                (self.undecodable, "with a path that is not UTF-8 or holds a NUL"),
                (self.too_deep, "whose path, made absolute, is 1024 bytes or more (deeper than the model's disk)"),
            )
            if n
        ]
        if p.unknown_examples:
            lines.append(f"{p.unknown} line(s) not read as strace, e.g. " + "; ".join(p.unknown_examples[:2]))
        if self.too_long:
            lines.append(
                f"{self.too_long} call(s) with a path namei refuses (1024 bytes or more, or a name over 255): "
                "replayed as lookups that fail with ENAMETOOLONG"
            )
        if self.ignored:
            skipped.append(", ".join(f"{n} {name}" for name, n in self.ignored.most_common(6)) + " (not modelled)")
        if skipped:
            lines.append("skipped: " + "; ".join(skipped))
        if self.unmodelled:
            errs = ", ".join(f"{n} {e}" for e, n in self.unmodelled.most_common())
            lines.append(f"errors the model does not give (not compared): {errs}")
        if self.conflicts:
            lines.append(f"{self.conflicts} result(s) contradict earlier ones about the same path")
        if self.verification is not None:
            lines.append(self.verification.summary())
        return lines


def guess_cwd(lines: Iterable[str], limit: int = 200_000) -> str | None:
    """The first task's cwd from its first `getcwd` before any chdir, reading at most `limit` lines.

    Only lines that name getcwd or chdir are parsed, so the scan costs little on a long trace.
    """
    reader = StraceReader()
    first: int | None = None
    for count, line in enumerate(lines):
        if count >= limit:
            break
        pid = line_pid(line)
        first = pid if count == 0 else first
        if pid != first or ("getcwd(" not in line and "chdir(" not in line):
            continue
        record = reader.feed(line)
        if isinstance(record, Call) and record.name in ("chdir", "fchdir"):
            return None
        if isinstance(record, Call) and (cwd := cwd_of(record)) is not None:
            return cwd
    return None


def cwd_of(call: Call) -> str | None:
    if call.name != "getcwd" or call.ret is None or call.ret <= 0:
        return None
    text = c_string(call.arg(0))
    return text if text and text.startswith("/") and too_long(text) is None else None
