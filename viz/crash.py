"""The last line of defence: an unexpected exception becomes one line on stderr and a saved report.

No Python traceback ever reaches a user. `viz.cli.main` hands any exception it did not expect to
`internal_error`, which prints `cachescope: internal error: ValueError: ...; report saved to PATH` and
returns EXIT_INTERNAL (70, EX_SOFTWARE in sysexits.h). The report holds the version, the command line and
the full traceback; it goes to $XDG_STATE_HOME/cachescope/ (default ~/.local/state/cachescope/), or to
the temporary directory when that cannot be written. Writing the report never raises.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

EXIT_INTERNAL = 70
MESSAGE_LIMIT = 300
"""Characters of the exception's message shown on the one line (the report has all of it)."""


def report_dirs() -> list[Path]:
    """Where reports go, in order of preference."""
    state = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state) if state and os.path.isabs(state) else Path.home() / ".local" / "state"
    return [base / "cachescope", Path(tempfile.gettempdir())]


def save_report(error: BaseException, argv: list[str] | None = None) -> Path | None:
    """Write the crash report for `error`; its path, or None if no directory would take it. Never raises."""
    try:
        return _save(error, argv)
    except Exception:  # no home, no temporary directory, no memory...: the one line still goes out
        return None


def _save(error: BaseException, argv: list[str] | None) -> Path | None:
    try:
        text = _report_text(error, sys.argv if argv is None else argv)
    except Exception:  # a broken __str__ or __repr__ in the exception: still say something
        text = f"cachescope crash report\n(the traceback could not be formatted: {type(error).__name__})\n"
    data = text.encode("utf-8", "backslashreplace")
    name = f"cachescope-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for directory in report_dirs():
        path = directory / name
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except Exception:
            continue
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            return path
        except Exception:  # e.g. a full disk: no half report, try the next place
            with contextlib.suppress(Exception):
                path.unlink()
    return None


def _report_text(error: BaseException, argv: list[str]) -> str:
    from model import __version__

    lines = [
        "cachescope crash report: please attach this file to an issue",
        f"version: cachescope {__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"command: {' '.join(repr(a) for a in argv)}",
        f"cwd: {_cwd()}",
        "",
        *traceback.format_exception(error),
    ]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def _cwd() -> str:
    try:
        return repr(os.getcwd())
    except OSError as exc:  # removed while we ran
        return f"({exc.strerror})"


def one_line(error: BaseException) -> str:
    """`ValueError: the message`, on one line and at most MESSAGE_LIMIT characters of message."""
    try:
        message = " ".join(str(error).split())
    except Exception:
        message = "(the message could not be shown)"
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def internal_error(error: BaseException, prog: str = "cachescope") -> int:
    """Report an unexpected exception in one line (and a saved report); the exit status, EXIT_INTERNAL."""
    path = save_report(error)
    where = f"report saved to {path}" if path is not None else "no report could be saved"
    try:
        sys.stderr.write(f"{prog}: internal error: {one_line(error)}; {where}\n")
        sys.stderr.flush()
    except Exception:  # stderr closed or broken: the exit status still says it
        pass
    return EXIT_INTERNAL
