"""The descriptor table: open files that hold their vnode, walks that start at one, and fchdir (§1.12).

A descriptor is a number standing for an open file, and the file holds a use reference on its vnode until
the descriptor is closed. `fd_getvnode` hands a descriptor's vnode to the *at calls, which start a relative
path there instead of at the cwd (NetBSD `fd_nameiat` sets `ni_atdir` with NDAT; namei starts there);
`fchdir` makes it the cwd without walking. The model is one process with one table, as it has one cwd:
an importer maps each traced process's open files onto it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.vfs.vnode import VDIR, Vnode

if TYPE_CHECKING:
    from model.vfs.vfs import Vfs

FD_MAX = (1 << 31) - 1
"""The largest descriptor number (an int, as the system calls take it)."""


def fd_getvnode(vfs: Vfs, fd: int) -> Vnode | None:
    """fd_getvnode: the vnode descriptor `fd` holds, or None when no such descriptor is open (EBADF)."""
    return vfs.fds.get(fd)


def fd_unused(vfs: Vfs, fd: int) -> None:
    """OpError if descriptor `fd` is open already: checked before the walk, so a refused step changes nothing
    (the kernel hands out free numbers; the model's caller names the number, and must close it first)."""
    if fd in vfs.fds:
        raise OpError(
            f"fd {fd} is open already (on {vfs.fds[fd].id})",
            refs=(vfs.fds[fd].id,),
            hint=f"close fd={fd} first, or use another number",
        )


def fd_affix(vfs: Vfs, fd: int, vp: Vnode) -> None:
    """fd_affix: `vp` becomes descriptor `fd` (unused: see `fd_unused`); the caller's use reference
    (namei's) becomes the open file's."""
    assert fd not in vfs.fds
    vfs.fds[fd] = vp


def fd_close(vfs: Vfs, fd: int) -> list[Event]:
    """close(2) of descriptor `fd`: the file's use reference goes (vrele); EBADF if it is not open."""
    vp = vfs.fds.pop(fd, None)
    if vp is None:
        return [Event("vfs.close", f"close fd {fd}: EBADF", func="close", ret=-1, errno="EBADF")]
    events = [Event("vfs.close", f"close fd {fd}: {vp.id}", refs=(vp.id,), func="close", ret=0)]
    return events + vfs.vrele(vp)


def fchdir(vfs: Vfs, fd: int) -> list[Event]:
    """fchdir(2): descriptor `fd`'s directory becomes the cwd, with no walk; EBADF, or ENOTDIR for a file."""
    vp = fd_getvnode(vfs, fd)
    if vp is None:
        return [Event("vfs.fchdir", f"fchdir {fd}: EBADF", func="fchdir", ret=-1, errno="EBADF")]
    if vp.type != VDIR:
        return [Event("vfs.fchdir", f"fchdir {fd}: ENOTDIR", refs=(vp.id,), func="fchdir", ret=-1, errno="ENOTDIR")]
    old = vfs.cwd
    events = vfs.vref(vp, quiet=True)
    vfs.cwd = vp
    events.append(Event("vfs.fchdir", f"fchdir {fd}: cwd is {vp.id}", refs=(vp.id,), func="fchdir", ret=0))
    return events + vfs.vrele(old, quiet=True)


def bad_descriptor(call: str, path: str, fd: int) -> list[Event]:
    """The result of system call `call` whose dirfd is not open: EBADF, with nothing walked."""
    return [Event(f"vfs.{call}", f"{call} {path} at fd {fd}: EBADF", func=call, ret=-1, errno="EBADF")]
