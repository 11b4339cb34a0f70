"""Write a file or a directory under a temporary name and rename it into place only when complete.

An interrupted recording (Ctrl-C, a crash, a timeout) leaves nothing under the requested name and
removes its temporary file or directory, so a half-written cast or handout is never mistaken for one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file in `path`'s directory, renamed to `path` (os.replace) if the block completes."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(path: Path, replaceable: Callable[[Path], bool]) -> Iterator[Path]:
    """A fresh directory beside `path`, moved to `path` if the block completes.

    An existing `path` is replaced only if `replaceable(path)` says it holds nothing but an earlier
    result (so a mistyped directory of other files is never deleted); otherwise FileExistsError.
    """
    if path.exists() and not (path.is_dir() and replaceable(path)):
        raise FileExistsError(f"{path} exists and is not an earlier handout: choose another directory")
    temp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part"))
    try:
        yield temp
        os.chmod(temp, 0o777 & ~_umask())
        _swap_in(temp, path)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _swap_in(new: Path, path: Path) -> None:
    """Move `new` to `path`; an earlier `path` is set aside first and put back if the move fails."""
    if not path.exists():
        os.replace(new, path)
        return
    aside = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
    try:
        os.replace(path, aside / "previous")
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
