"""Reading one input, opened once, as lines with caps, so a trace of any size streams and an endless one stops.

A regular file is read again from its start for a second pass (never opened twice). Any other input (a
FIFO, a pipe as /dev/stdin or ``-``, a character device) is a stream: a reader that needs a second pass
has it copied to a temporary file as it is first read, so a later pass reads the copy and then goes on
with the stream; the strace and din readers need one pass only. Every line is at most
`max_line` bytes, and a stream at most `max_stream` bytes in all: past either, InputError says which line,
before anything more is read. The CLI reads every importer's input through here and hands the lines to
the parsers of model/trace/, which never open a file themselves.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, BinaryIO

from model.trace import TraceFormatError

Progress = Callable[[int, int], None]
"""Called as progress(bytes_done, bytes_total) every few thousand lines and once at the end (total 0: a stream)."""

EVERY = 8192
KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
STREAM_MAX = 1 * GiB
"""Most bytes read from a stream (a pipe, FIFO or device): an importer that needs a second pass keeps a copy."""


class InputError(TraceFormatError):
    """An input that cannot be read as asked, or that passes a cap; the message says where."""


def size_text(n: int) -> str:
    """A cap as people say it: `1 MiB`, `4 KiB`, `1 GiB` (or bytes when it is no round unit)."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB")):
        if n >= unit and n % unit == 0:
            return f"{n // unit} {name}"
    return f"{n:,} bytes"


def open_input(path: str, *, nonblocking: bool = False) -> tuple[int, os.stat_result]:
    """An fd open for reading on `path` and its fstat; InputError (no such file, a directory, ...) otherwise.

    With `nonblocking`, a FIFO without a writer does not hang the open (for readers that take only regular
    files and check the fstat before reading).
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | (os.O_NONBLOCK if nonblocking else 0)
    if path == STDIN:
        return _stdin()
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError("no such file") from None
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the name, which no file name can hold
        raise InputError("not a usable file name") from None
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):
        os.close(fd)
        raise InputError("is a directory, not a file")
    return fd, st


STDIN = "-"
"""The name of standard input, as an input path."""


def _stdin() -> tuple[int, os.stat_result]:
    """A descriptor of its own on standard input (closing it leaves fd 0 open), and its fstat."""
    try:
        fd = os.dup(0)
    except OSError as exc:
        raise InputError(f"cannot read standard input: {exc.strerror or exc}") from None
    os.set_inheritable(fd, False)
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):
        os.close(fd)
        raise InputError("standard input is a directory, not a file")
    return fd, st


def read_regular(path: str, cap: int) -> bytes:
    """The bytes of a regular file of at most `cap` bytes, opened without blocking.

    A FIFO, a device or a socket is InputError before any read (it could block, or never end), and so is
    a file larger than `cap`; OSError from the open (no such file, permission) is left to the caller.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError("not a regular file")
        data = f.read(cap + 1)
    if len(data) > cap:
        raise InputError(f"larger than {size_text(cap)}")
    return data


class LineSource:
    """One input opened once; its lines (decoded as UTF-8, bad bytes kept as surrogates), pass after pass.

    `label` names the format in messages (``strace line 12: ...``).
    """

    def __init__(
        self,
        path: str,
        label: str,
        *,
        max_line: int,
        max_stream: int = STREAM_MAX,
        replay: bool = True,
        progress: Progress | None = None,
    ) -> None:
        """Open `path`; with `replay` False (a one-pass reader), a stream is not copied and a pass goes on
        where the last one stopped. Iterating the source is a pass, reporting to `progress`."""
        self.path = path
        self.progress = progress
        self.label = label
        self.max_line = max_line
        self.max_stream = max_stream
        fd, st = open_input(path)  # blocking: a FIFO waits for its writer, as `cat FIFO` does
        self.regular = stat.S_ISREG(st.st_mode)
        self.size = st.st_size if self.regular else 0
        self._file: BinaryIO = os.fdopen(fd, "rb")
        keep = replay and not self.regular
        self._copy: IO[bytes] | None = tempfile.TemporaryFile() if keep else None  # noqa: SIM115 (closed in close())
        self._streamed = 0
        self._number = 0

    @property
    def line(self) -> int:
        """The number of the line read last (for messages about it)."""
        return self._number

    def __iter__(self) -> Iterator[str]:
        """A pass over every line (what a parser handed the source reads, once or twice)."""
        return self.lines(self.progress)

    def lines(self, progress: Progress | None = None) -> Iterator[str]:
        """Every line from the start, with its newline; InputError at a line past the caps."""
        done = 0
        for count, raw in enumerate(self._raw(), start=1):
            done += len(raw)
            if progress is not None and count % EVERY == 0:
                progress(done, self.size)
            yield raw.decode("utf-8", "surrogateescape")
        if progress is not None:
            progress(done, self.size)

    def _raw(self) -> Iterator[bytes]:
        if self.regular:
            self._file.seek(0)
            self._number = 0
        elif self._copy is not None:  # what earlier passes read is in the copy; the rest is still to come
            self._copy.seek(0)
            self._number = 0
            while self._copy.tell() < self._streamed:
                self._number += 1
                yield self._copy.readline()
        while True:
            raw = self._file.readline(self.max_line + 1)
            if not raw:
                return
            self._number += 1
            if len(raw) > self.max_line:
                raise InputError(
                    f"{self.label} line {self._number}: longer than {size_text(self.max_line)}, which no "
                    f"{self.label} line is (a binary file?)"
                )
            if not self.regular:
                if self._streamed + len(raw) > self.max_stream:
                    raise InputError(
                        f"{self.label} line {self._number}: more than {size_text(self.max_stream)} from a stream "
                        "(save it to a file and import the file)"
                    )
                self._streamed += len(raw)
                if self._copy is not None:
                    self._copy.seek(0, os.SEEK_END)
                    self._copy.write(raw)
            yield raw

    def close(self) -> None:
        self._file.close()
        if self._copy is not None:
            self._copy.close()

    def __enter__(self) -> LineSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
