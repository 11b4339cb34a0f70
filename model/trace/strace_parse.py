"""Reading `strace -f -tt` output: one line into a record, and `<unfinished ...>` halves paired again.

Handles the pid prefix (``1234 `` with -o, ``[pid 1234] `` on stderr), the -t/-tt/-ttt timestamps, the
-y/-yy fd annotations (``3</etc>``, ``AT_FDCWD</home/u>``, ``4</tmp/x>(deleted)``, ``5<pipe:[7]>``,
``6<TCP:[1.2.3.4:5->6.7.8.9:10]>``, ``0</dev/null<char 1:3>>``), -T durations, and the three non-call lines
(``+++ exited +++``, ``--- SIGCHLD ---``, ``<... name resumed>``). Nothing here raises on bad input: such
lines are counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from model.trace import printable

_PREFIX = re.compile(r"(?:\[pid\s+(\d{1,10})\]\s+|(\d{1,10})\s+)?(?:(\d\d:\d\d:\d\d(?:\.\d+)?|\d+\.\d+)\s+)?(.*)$")
_CALL = re.compile(r"([a-z_][a-z0-9_]{0,39})\(")
_RESUMED = re.compile(r"<\.\.\.\s+([a-z_][a-z0-9_]{0,39})\s+resumed>\s?(.*)$")
_UNFINISHED = " <unfinished ...>"
_EXITED = re.compile(r"\+\+\+ (?:exited with (-?\d+)|killed by (\w+)(?: \(core dumped\))?) \+\+\+$")
_SIGNAL = re.compile(r"--- (\w+) .*---$")
_ANNOTATION = r"<(?:->|[^<>]|<[^<>]*>)*+>(?:\(deleted\))?"
"""What -y/-yy prints after an fd: ``<...>``, where strace escapes ``<`` and ``>`` in a path (``\\74``), so the
only ones inside are a socket's ``->``, and -yy's device ``<char 1:3>``; then ``(deleted)`` for a file whose
name is gone (strace 6; older versions printed `` (deleted)`` inside the brackets)."""
_RESULT = re.compile(  # the value, its fd annotation, an errno and its text or a decoded value (`(flags ...)`)
    r"=\s+(-?\d{1,20}|0x[0-9a-fA-F]{1,16}|\?)(?:" + _ANNOTATION + r")?"
    r"(?:\s+([A-Z][A-Z0-9_]+)(?:\s+\(.*?\))?|\s+\(.*\))?(?:\s+<[\d.]+>)?\s*$"
)
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?$)|/\*.*?(?:\*/|$)|' + _ANNOTATION + r"|[()\[\]{},]")
"""A string, a comment, an fd annotation, or a bracket or comma. A string or comment that never closes runs to
the end of the text (so it is one token, never tried again from each later quote: splitting stays linear);
an annotation is one token, so a path in it with a bracket or comma (``3</tmp/a(b,c>``) splits nothing."""
_FD_ARG = re.compile(r"(-?\d{1,10}|AT_FDCWD)(" + _ANNOTATION + r")?$")
_DEVICE = re.compile(r"<(?:char|block) \d+:\d+>$")
_HEX2 = re.compile(r"[0-9a-fA-F]{2}")
_OCTAL = re.compile(r"[0-7]{1,3}")
_ESCAPES = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "a": 7, "b": 8, '"': 34, "\\": 92, "'": 39, "e": 27}


KINDS_MAX = 512
"""Most distinct keys a report counts (call names, errnos); the rest are counted under OTHERS, so a hostile
input of made-up names cannot grow a counter without bound."""
OTHERS = "(others)"
PENDING_MAX = 65536
"""Most unfinished calls waiting for their resumed half at once (one per task in flight)."""


def count(counter: Counter[str], key: str) -> None:
    """counter[key] += 1, with keys past KINDS_MAX counted under OTHERS."""
    if key in counter or len(counter) < KINDS_MAX:
        counter[key] += 1
    else:
        counter[OTHERS] += 1


@dataclass(frozen=True, slots=True)
class Call:
    """A finished system call: who made it, its arguments as strace printed them, and its result."""

    pid: int | None
    name: str
    args: tuple[str, ...]
    ret: int | None
    errno: str | None
    text: str
    head: str = ""

    def arg(self, index: int) -> str | None:
        return self.args[index] if index < len(self.args) else None


@dataclass(frozen=True, slots=True)
class Exited:
    """``+++ exited with N +++`` or ``+++ killed by SIG +++``: the task is gone."""

    pid: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Unfinished:
    """The first half of a call another task's line interrupted; `head` is the text before the marker."""

    pid: int | None
    name: str
    head: str


@dataclass(slots=True)
class ParseStats:
    """Counts of what the reader met, for the import report."""

    lines: int = 0
    calls: int = 0
    exits: int = 0
    signals: int = 0
    unfinished: int = 0
    resumed_paired: int = 0
    resumed_unpaired: int = 0
    never_resumed: int = 0
    unknown: int = 0
    unknown_examples: list[str] = field(default_factory=list)
    by_name: Counter[str] = field(default_factory=Counter)

    def note_unknown(self, line: str) -> None:
        """A line that is not a record: counted, and the first few kept (printable, with their number)."""
        self.unknown += 1
        if len(self.unknown_examples) < 5:
            self.unknown_examples.append(f"line {self.lines}: {printable(line[:120].rstrip())}")


def split_args(text: str) -> tuple[tuple[str, ...], str] | None:
    """Split ``a, "b,c", {x=1, y=[2]}) = 0`` at top-level commas up to the closing parenthesis.

    Returns (args, what follows the parenthesis), or None when the parenthesis never closes.
    """
    args: list[str] = []
    depth, start = 0, 0
    for m in _TOKENS.finditer(text):
        c = m[0]
        if c in "([{":
            depth += 1
        elif c in "}]":
            depth -= 1
        elif c == ")":
            if depth == 0:
                last = text[start : m.start()].strip()
                if last or args:
                    args.append(last)
                return tuple(args), text[m.end() :]
            depth -= 1
        elif c == "," and depth == 0:
            args.append(text[start : m.start()].strip())
            start = m.end()
    return None


def c_string(token: str | None) -> str | None:
    """The text of a strace string argument (``"/tmp/a\\n"``), or None for NULL, an address, bytes that are
    not UTF-8, or a NUL (which ends every string the kernel reads, so it is never inside a path)."""
    if not token or not token.startswith('"'):
        return None
    if "\\" not in token:
        end = token.find('"', 1)
        text = token[1:end] if end > 0 else None
        return text if text is None or _plain(text) else None
    return _unescape(token, 1, '"')


def unescape(text: str) -> str | None:
    """`text` with strace's escapes (``\\74``, ``\\x3e``, ``\\n``) undone, as in a -y path; None as c_string."""
    if "\\" not in text:
        return text if _plain(text) else None
    return _unescape(text, 0, None)


def _unescape(token: str, i: int, end: str | None) -> str | None:
    """The bytes of `token` from `i` up to the closing `end` character (or the end), escapes undone, as text."""
    out = bytearray()
    n = len(token)
    while i < n and token[i] != end:
        c = token[i]
        if c != "\\" or i + 1 >= n:
            out += c.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = token[i + 1]
        if nxt == "x" and _HEX2.fullmatch(token, i + 2, i + 4):
            out.append(int(token[i + 2 : i + 4], 16))
            i += 4
        elif nxt in "01234567":
            digits = _OCTAL.match(token, i + 1)
            assert digits is not None
            out.append(int(digits[0], 8) & 0xFF)
            i += 1 + len(digits[0])
        else:
            out.append(_ESCAPES.get(nxt, ord(nxt) if ord(nxt) < 128 else 63))
            i += 2
    if 0 in out:
        return None
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _plain(text: str) -> bool:
    """True for text with no NUL and no stand-in for a byte that is not UTF-8 (a surrogate)."""
    if "\0" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def line_pid(line: str) -> int | None:
    """The pid a line starts with (``1234 `` or ``[pid 1234] ``), or None."""
    m = _PREFIX.match(line)
    return int(m[1] or m[2]) if m and (m[1] or m[2]) else None


@dataclass(frozen=True, slots=True)
class FdArg:
    """An fd argument as strace printed it: its number (None for AT_FDCWD) and what -y said it is.

    `path` is the file's absolute path when -y named one (None without -y, or for a socket, pipe or other
    object: `kind` then says which, e.g. ``pipe``, ``TCP``, ``anon_inode``), and `deleted` is True when the
    kernel said the name is gone (``(deleted)``).
    """

    fd: int | None
    path: str | None = None
    kind: str = ""
    deleted: bool = False

    @property
    def cwd(self) -> bool:
        """AT_FDCWD: the calling task's working directory."""
        return self.fd is None


def fd_arg(token: str | None) -> FdArg | None:
    """The fd argument `token` (``3``, ``AT_FDCWD``, ``3</etc>``...), or None when it is no fd."""
    if token is None:
        return None
    m = _FD_ARG.match(token.strip())
    if m is None:
        return None
    fd = None if m[1] == "AT_FDCWD" else int(m[1])
    note = m[2]
    if not note:
        return FdArg(fd)
    deleted = note.endswith("(deleted)")
    inner = note[1 : note.rindex(">")]
    inner = _DEVICE.sub("", inner)
    if not inner.startswith("/"):  # pipe:[7], socket:[8], TCP:[...], anon_inode:[eventfd]...
        return FdArg(fd, None, inner.split(":", 1)[0], deleted)
    if inner.endswith(" (deleted)") and not deleted:  # strace before 6 wrote the kernel's marker inside
        inner, deleted = inner[: -len(" (deleted)")], True
    return FdArg(fd, unescape(inner), "", deleted)


def decoration(token: str | None) -> str | None:
    """The path strace -y prints after an fd (``3</etc>`` -> ``/etc``), or None (no path, or not -y)."""
    arg = fd_arg(token)
    return None if arg is None else arg.path


def _finish(pid: int | None, text: str, head: str = "") -> Call | None:
    m = _CALL.match(text)
    if m is None:
        return None
    split = split_args(text[m.end() :])
    if split is None:
        return None
    args, rest = split
    result = _RESULT.match(rest.strip())
    if result is None:
        return None
    raw, errno = result[1], result[2]
    ret = None if raw == "?" else _number(raw)
    if ret is None and raw != "?":
        return None
    return Call(pid, m[1], args, ret, errno if ret is None or ret < 0 else None, text, head)


def _number(raw: str) -> int | None:
    """A return value as strace prints it: decimal, 0x hex, or octal with a leading 0 (``umask(022) = 022``)."""
    try:
        if raw.startswith(("0x", "0X")):
            return int(raw, 16)
        if len(raw) > 1 and raw.startswith("0"):
            return int(raw, 8)
        return int(raw)
    except ValueError:  # e.g. 09, which strace never prints
        return None


class StraceReader:
    """Turns lines into Call and Exited records, pairing each `<unfinished ...>` with its `resumed>`."""

    def __init__(self) -> None:
        self.stats = ParseStats()
        self.pending: dict[int | None, Unfinished] = {}

    def feed(self, line: str) -> Call | Exited | Unfinished | None:
        """One line: a finished call, an exit, an unfinished first half (kept pending), or None."""
        self.stats.lines += 1
        line = line.rstrip("\n")
        if not line.strip():
            return None
        m = _PREFIX.match(line)
        assert m is not None  # the pattern accepts any line
        pid = int(m[1] or m[2]) if (m[1] or m[2]) else None
        body = m[4].strip()
        if body.endswith(_UNFINISHED.strip()):
            return self._unfinished(pid, body, line)
        if body.startswith("<..."):
            return self._resumed(pid, body, line)
        if exited := _EXITED.match(body):
            self.stats.exits += 1
            if pid in self.pending:
                self.stats.never_resumed += 1
                del self.pending[pid]
            return Exited(pid, exited[0])
        if _SIGNAL.match(body):
            self.stats.signals += 1
            return None
        call = _finish(pid, body)
        if call is None:
            self.stats.note_unknown(line)
            return None
        return self._count(call)

    def _count(self, call: Call) -> Call:
        self.stats.calls += 1
        count(self.stats.by_name, call.name)
        return call

    def _unfinished(self, pid: int | None, body: str, line: str) -> Unfinished | None:
        m = _CALL.match(body)
        if m is None:
            self.stats.note_unknown(line)
            return None
        if pid in self.pending:
            self.stats.never_resumed += 1
            del self.pending[pid]
        elif len(self.pending) >= PENDING_MAX:  # more tasks in flight than any trace has: the oldest never resumes
            del self.pending[next(iter(self.pending))]
            self.stats.never_resumed += 1
        self.stats.unfinished += 1
        half = Unfinished(pid, m[1], body[: -len(_UNFINISHED.strip())])
        self.pending[pid] = half
        return half

    def _resumed(self, pid: int | None, body: str, line: str) -> Call | None:
        m = _RESUMED.match(body)
        half = self.pending.get(pid)
        if m is None or half is None or half.name != m[1]:
            self.stats.resumed_unpaired += 1
            return None
        del self.pending[pid]
        call = _finish(pid, half.head + m[2], half.head)
        if call is None:
            self.stats.note_unknown(line)
            return None
        self.stats.resumed_paired += 1
        return self._count(call)

    def finish(self) -> None:
        """At the end of the input: halves still waiting never resumed."""
        self.stats.never_resumed += len(self.pending)
        self.pending.clear()

    def read(self, lines: Iterable[str]) -> Iterator[Call | Exited | Unfinished]:
        """Every record of `lines`, in order; `finish` is called at the end."""
        for line in lines:
            record = self.feed(line)
            if record is not None:
                yield record
        self.finish()
