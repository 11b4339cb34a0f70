"""Record a command's terminal output as asciicast v2, with a marker event at each step.

The command runs in a pseudo-terminal of a fixed size with no one at the keyboard. It reports each
step on a side pipe (`--step-fd`, see viz/cli/play.py): when it starts drawing it and once it is
drawn. The step's marker is placed when the output has settled after "drawn", or at the latest when
the next step begins: so it falls between the step's frames and the next step's, and pausing on a
marker in asciinema's player shows that step drawn.
"""

from __future__ import annotations

import codecs
import errno
import fcntl
import json
import os
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from viz.signals import die_with_parent, stop_group

SETTLE = 0.05
"""Seconds of quiet on the terminal after the app reports a step drawn before its marker is written:
the app's writer thread may still be sending the last frame when the report arrives."""
SETTLE_MAX = 1.0
"""Longest a marker waits for quiet (an app that never stops drawing still gets its markers)."""
READ_SIZE = 65536
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
_UNRECORDED = re.compile(r"\x1b\[(?:[<>=?]?[0-9;]*u|\?1049l)")
"""Sequences left out of a recording: the kitty keyboard protocol's push and pop (`CSI > 25 u`, `CSI < u`),
which set up the keyboard and draw nothing (a player that does not know them draws a stray `u`), and
leaving the alternate screen, which the app does last, as it exits: kept, a replay ends on a blank terminal;
left out, it ends on the app's last frame."""
_PARTIAL = re.compile(r"\x1b(?:\[[<>=?0-9;]*)?$")


@dataclass(slots=True)
class OutputFilter:
    """Takes _UNRECORDED sequences out of the terminal output, also when a chunk ends inside one."""

    held: str = ""

    def feed(self, text: str) -> str:
        text = self.held + text
        partial = _PARTIAL.search(text)
        self.held, text = (text[partial.start() :], text[: partial.start()]) if partial else ("", text)
        return _UNRECORDED.sub("", text)

    def flush(self) -> str:
        text, self.held = self.held, ""
        return _UNRECORDED.sub("", text)


class RecordError(Exception):
    """The recording failed: the command crashed, timed out or reported nonsense."""


@dataclass(slots=True)
class CastWriter:
    """Writes asciicast v2 (one JSON header line, then `[time, code, data]` lines) to a binary file."""

    out: BinaryIO
    last_time: float = 0.0

    def header(self, width: int, height: int, title: str, env: Mapping[str, str]) -> None:
        """The first line: version, size, start time (Unix seconds), title and the captured env."""
        head = {"version": 2, "width": width, "height": height, "timestamp": int(time.time()), "title": title}
        self._line({**head, "env": dict(env)})

    def event(self, at: float, code: str, data: str) -> None:
        """One event; times never go backwards, as the format requires."""
        self.last_time = max(self.last_time, round(at, 6))
        self._line([self.last_time, code, data])

    def _line(self, value: object) -> None:
        self.out.write(json.dumps(value, ensure_ascii=False).encode("utf-8") + b"\n")


@dataclass(slots=True)
class _Steps:
    """Step reports read from the side pipe (`begin N`, `drawn N`), and the marker they lead to."""

    labels: Mapping[int, str]
    buffer: bytes = b""
    current: int | None = None
    drawn_at: float | None = None
    written: list[int] = field(default_factory=list)

    def feed(self, chunk: bytes, now: float, writer: CastWriter, at: float) -> None:
        """Handle the complete report lines in a chunk (a line may be split across chunks)."""
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            kind, _, number = line.decode("ascii", "replace").partition(" ")
            if kind not in ("begin", "drawn") or not number.isdigit():
                raise RecordError(f"the app sent a report the recorder does not know: {line!r}")
            if kind == "begin":  # the step before is finished: its marker goes in before the new frames
                self.flush(writer, at)
                self.current, self.drawn_at = int(number), None
            elif int(number) == self.current:
                self.drawn_at = now

    def due(self, now: float, last_output: float) -> bool:
        """Is the current step drawn, and has its output settled (or waited long enough)?"""
        if self.current is None or self.drawn_at is None:
            return False
        return now - max(last_output, self.drawn_at) >= SETTLE or now - self.drawn_at >= SETTLE_MAX

    def flush(self, writer: CastWriter, at: float) -> None:
        """Write the current step's marker."""
        if self.current is not None:
            writer.event(at, "m", self.labels.get(self.current, f"step {self.current}"))
            self.written.append(self.current)
            self.current = self.drawn_at = None


def child_env(width: int, height: int, base: Mapping[str, str]) -> dict[str, str]:
    """The recorded command's environment: a truecolor xterm of the given size, no animations."""
    env = {k: v for k, v in base.items() if not k.startswith("TEXTUAL") and k != "NO_COLOR"}
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        COLUMNS=str(width),
        LINES=str(height),
        TEXTUAL_ANIMATIONS="none",
    )
    return env


def record(
    argv: Sequence[str],
    out: BinaryIO,
    *,
    size: tuple[int, int],
    title: str,
    labels: Mapping[int, str],
    timeout: float,
) -> list[int]:
    """Run `argv` + `--step-fd N` in a pty, write the cast to `out`, return the steps marked.

    RecordError when the command exits non-zero or outlives `timeout`; the command is killed on any
    error or interrupt.
    """
    width, height = size
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    step_r, step_w = os.pipe()
    try:
        child = subprocess.Popen(
            [*argv, "--step-fd", str(step_w)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=child_env(width, height, os.environ),
            pass_fds=(step_w,),
            start_new_session=True,  # its own session: our Ctrl-C reaches us, and we stop it as a group
            preexec_fn=die_with_parent(),  # and the kernel kills it if we are killed outright
        )
    except BaseException:
        for fd in (master, step_r):
            os.close(fd)
        raise
    finally:
        os.close(slave)
        os.close(step_w)
    try:
        writer = CastWriter(out)
        writer.header(width, height, title, {"TERM": "xterm-256color", "COLORTERM": "truecolor"})
        return _pump(master, step_r, writer, _Steps(labels), child, time.monotonic() + timeout)
    finally:
        stop_group(child)
        os.close(master)
        os.close(step_r)


def _pump(
    master: int, step_r: int, writer: CastWriter, steps: _Steps, child: subprocess.Popen[bytes], deadline: float
) -> list[int]:
    start = last_output = time.monotonic()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    unrecorded = OutputFilter()
    recent = ""
    open_fds = [master, step_r]
    while master in open_fds:
        now = time.monotonic()
        if now >= deadline:
            raise RecordError(f"the app was still running after the timeout; last output:\n{_last_lines(recent)}")
        wait = min(deadline - now, SETTLE if steps.drawn_at is not None else 1.0)
        ready, _, _ = select.select(open_fds, [], [], wait)
        now = time.monotonic()
        if step_r in ready:  # first: a step's "begin" closes the step before, ahead of the new frames
            chunk = os.read(step_r, 4096)
            if chunk:
                steps.feed(chunk, now, writer, now - start)
            else:
                open_fds.remove(step_r)
        if master in ready:
            data = _read(master)
            if not data:
                open_fds.remove(master)
            elif text := unrecorded.feed(decoder.decode(data)):
                writer.event(now - start, "o", text)
                recent = (recent + text)[-4000:]
                last_output = now
        if steps.due(now, last_output):
            steps.flush(writer, now - start)
    if text := unrecorded.feed(decoder.decode(b"", final=True)) + unrecorded.flush():
        writer.event(time.monotonic() - start, "o", text)
    status = _wait(child, deadline)
    if step_r in open_fds:  # reports written just before the exit
        now = time.monotonic()
        steps.feed(_drain(step_r), now, writer, now - start)
    steps.flush(writer, time.monotonic() - start)
    if status != 0:
        raise RecordError(f"the app exited with status {status}; last output:\n{_last_lines(recent)}")
    return steps.written


def _read(fd: int) -> bytes:
    """Read from the pty master; EIO means every copy of the slave side is closed: end of output."""
    try:
        return os.read(fd, READ_SIZE)
    except OSError as exc:
        if exc.errno == errno.EIO:
            return b""
        raise


def _drain(fd: int) -> bytes:
    chunks = []
    while select.select([fd], [], [], 0.05)[0] and (chunk := os.read(fd, 4096)):
        chunks.append(chunk)
    return b"".join(chunks)


def _wait(child: subprocess.Popen[bytes], deadline: float) -> int:
    try:
        return child.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise RecordError("the app closed its terminal but did not exit before the timeout") from None


def _last_lines(text: str, count: int = 6) -> str:
    """The last lines of terminal output with escape sequences removed, for an error message."""
    lines = [line.strip() for line in _ESCAPES.sub("", text).replace("\r", "\n").split("\n")]
    return "\n".join([line for line in lines if line][-count:]) or "(nothing)"
