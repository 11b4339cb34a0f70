"""Every writer's safety: what it may replace, and writing under a temporary name renamed into place when complete.

A writer replaces only what it can safely take the place of: nothing, a regular file (file writers), or an
earlier result of its own (directory writers, judged by the caller). Device nodes, FIFOs, sockets and
symbolic links are refused (`UnsafeTarget`) unless the user says `--force`, and even then the name is
replaced (rename(2)), never what a link points to nor a device's contents. An interrupted write (Ctrl-C,
SIGTERM, SIGHUP, a crash, a full disk) leaves nothing under the requested name and removes its temporary
file or directory, so a half-written cast or handout is never mistaken for one.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

MAX_VARIANTS = 999
"""write_new tries `NAME.svg`, `NAME-2.svg`, ... up to this many names before giving up."""


class UnsafeTarget(OSError):
    """The output names something a writer must not replace; `strerror` says what and how to go on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(errno.EEXIST, reason, str(path))


def _special(mode: int) -> str | None:
    """What a non-regular, non-directory file is, in words; None for regular files and directories."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device node"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "not a regular file"
    return None


def check_target(
    path: Path | str, *, force: bool = False, directory: bool = False, replaceable: Callable[[Path], bool] | None = None
) -> None:
    """UnsafeTarget unless a writer may put its output at `path`.

    Allowed: nothing there; a regular file (file writers); a directory that `replaceable` accepts
    (directory writers). Links, device nodes, FIFOs and sockets only with `force`, which replaces the
    name itself. Never a directory for a file writer, nor a foreign directory, whatever `force` says.
    """
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError:  # e.g. a parent that is not a directory: the write itself says why
        return
    kind = _special(mode)
    if kind is not None:
        if force:
            return
        what = "the link itself, never what it points to" if kind == "a symbolic link" else "it with a regular file"
        raise UnsafeTarget(path, f"it is {kind}, not a regular file; --force replaces {what}")
    if directory and not stat.S_ISDIR(mode):
        raise UnsafeTarget(path, "it exists and is not a directory")
    if not directory and stat.S_ISDIR(mode):
        raise UnsafeTarget(path, "it is a directory")
    if directory and replaceable is not None and not replaceable(path):
        raise UnsafeTarget(path, "it is a directory this command did not write (no handout marker): choose another")


@contextmanager
def atomic_file(path: Path, *, force: bool = False) -> Iterator[BinaryIO]:
    """A binary file in `path`'s directory, renamed to `path` (os.replace) if the block completes.

    `path` is checked (check_target) before anything is written and again just before the rename.
    """
    check_target(path, force=force)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        check_target(path, force=force)  # it may have changed while we wrote
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(path: Path, replaceable: Callable[[Path], bool], *, force: bool = False) -> Iterator[Path]:
    """A fresh directory beside `path`, moved to `path` if the block completes.

    An existing directory `path` is replaced only if `replaceable(path)` says it holds nothing but an
    earlier result (so a mistyped directory of other files is never deleted); otherwise UnsafeTarget.
    """
    check_target(path, force=force, directory=True, replaceable=replaceable)
    temp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part"))
    try:
        yield temp
        os.chmod(temp, 0o777 & ~_umask())
        check_target(path, force=force, directory=True, replaceable=replaceable)
        _swap_in(temp, path)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def write_new(directory: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write `data` under the first free name of `stem+suffix`, `stem-2+suffix`, ... in `directory`.

    Nothing existing is ever replaced or followed: the data goes to a temporary file first, which is then
    hard-linked to the name (link(2) fails on any existing entry, a symbolic link included), so the name
    appears only complete. On a file system without hard links the name is created with O_EXCL|O_NOFOLLOW.
    """
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{stem}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        for number in range(1, MAX_VARIANTS + 1):
            name = directory / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
            try:
                os.link(temp, name, follow_symlinks=False)
                return name
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK):
                    raise
                if _create_exclusive(name, data):
                    return name
        tried = f"{stem}{suffix} to {stem}-{MAX_VARIANTS}{suffix} all exist"
        raise FileExistsError(errno.EEXIST, tried, str(directory))
    finally:
        Path(temp).unlink(missing_ok=True)


def _create_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` (False if anything is there) and write `data`; a failed write removes it again."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return True


def _swap_in(new: Path, path: Path) -> None:
    """Move `new` to `path`; whatever `path` named is set aside first and put back if the move fails."""
    if not os.path.lexists(path):
        os.replace(new, path)
        return
    aside = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
    try:
        os.replace(path, aside / "previous")  # the name moves (a link stays a link): its target is untouched
        try:
            os.replace(new, path)
        except BaseException:
            os.replace(aside / "previous", path)
            raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
