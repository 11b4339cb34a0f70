"""Verbs of the VFS: path system calls, the name cache (namecache(9)) and the vnode life cycle.

Each verb declares its arguments and calls the model (`syscalls`, `getcwd`, the name cache, the vnode
life cycle); the user's own references (taken by open and vref) are the one thing kept here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.ops import COUNT, NAME, PATH, ArgKind, Param, choice_kind, command, id_kind, number
from model.vfs import syscalls
from model.vfs.fdtable import FD_MAX, bad_descriptor, fchdir, fd_close, fd_getvnode, fd_unused
from model.vfs.getcwd import getcwd
from model.vfs.vfs import FSTYPES, Vfs
from model.vfs.vnode import ACTIVE, DEAD, RECLAIMED, VDIR, Vnode

if TYPE_CHECKING:
    from model.system import System

VNODE = id_kind("vp", "a vnode", generation=True)
MOUNT = id_kind("mnt", "a mount")


def _target(text: str) -> str | None:
    if text == "-":
        return None
    return VNODE.convert(text)


TARGET = ArgKind("VPN|-", _target, lambda v: "-" if v is None else v)


def _fd(text: str) -> int:
    value = number(text)
    if not 0 <= value <= FD_MAX:
        raise ValueError(f"expected a descriptor number from 0 to {FD_MAX}, got {text!r}")
    return value


FD = ArgKind("FD", _fd)
FSTYPE = choice_kind("FSTYPE", FSTYPES)


def vfs_of(system: System) -> Vfs:
    """The VFS part of the machine."""
    return system.parts["vfs"]


# -- path system calls ---------------------------------------------------------------------------------

AT = Param("at", FD, keyword=True)
"""at=N: a relative path starts at descriptor N's directory instead of the cwd (the *at calls, §1.12)."""


def _at(system: System, call: str, path: str, at: int | None, run: Callable[[Vfs, Vnode | None], list[Event]]):
    """Run a path call from descriptor `at`'s vnode (fd_getvnode), or EBADF when it is not open."""
    vfs = vfs_of(system)
    if at is None:
        return run(vfs, None)
    start = fd_getvnode(vfs, at)
    if start is None:
        return bad_descriptor(call, path, at)
    return run(vfs, start)


@command(
    "lookup",
    Param("path", PATH),
    AT,
    summary="namei walk of PATH through the name cache, then release (at=N: from descriptor N)",
    part="vfs",
    view="namecache",
    example="lookup /usr/bin/cc",
)
def lookup_verb(system: System, path: str, at: int | None) -> list[Event]:
    return _at(system, "lookup", path, at, lambda vfs, start: syscalls.lookup(vfs, path, start))


@command(
    "open",
    Param("path", PATH),
    AT,
    Param("fd", FD, keyword=True),
    summary="open PATH: namei, and the vnode keeps a use reference (fd=N: as descriptor N)",
    part="vfs",
    view="vnodes",
    example="open /etc/passwd",
)
def open_verb(system: System, path: str, at: int | None, fd: int | None) -> list[Event]:
    if fd is not None:
        fd_unused(vfs_of(system), fd)
    return _at(system, "open", path, at, lambda vfs, start: syscalls.open(vfs, path, start, fd))


@command(
    "close",
    Param("vp", VNODE, optional=True),
    Param("fd", FD, keyword=True),
    summary="close VP or fd=N: drop its use reference (vrele); the last one runs VOP_INACTIVE",
    part="vfs",
    view="vnodes",
    example="close vp5",
)
def close_verb(system: System, vp: str | None, fd: int | None) -> list[Event]:
    vfs = vfs_of(system)
    if (vp is None) == (fd is None):
        raise OpError("close takes a vnode (close vp5) or a descriptor (close fd=3)", hint="close VP | close fd=N")
    if fd is not None:
        return fd_close(vfs, fd)
    assert vp is not None
    return syscalls.close(vfs, vfs.vnode(vp))


@command(
    "create",
    Param("path", PATH),
    AT,
    Param("fd", FD, keyword=True),
    summary="create a regular file (creat + close; fd=N: it stays open as descriptor N)",
    part="vfs",
    view="vnodes",
    example="create /tmp/new",
)
def create_verb(system: System, path: str, at: int | None, fd: int | None) -> list[Event]:
    if fd is not None:
        fd_unused(vfs_of(system), fd)
    return _at(system, "create", path, at, lambda vfs, start: syscalls.create(vfs, path, start, fd))


@command(
    "mkdir", Param("path", PATH), AT, summary="create a directory", part="vfs", view="vnodes", example="mkdir /tmp/d"
)
def mkdir_verb(system: System, path: str, at: int | None) -> list[Event]:
    return _at(system, "mkdir", path, at, lambda vfs, start: syscalls.mkdir(vfs, path, start))


@command(
    "unlink",
    Param("path", PATH),
    AT,
    summary="remove a name; the file's space goes when its last user lets go",
    part="vfs",
    view="vnodes",
    example="unlink /tmp/new",
)
def unlink_verb(system: System, path: str, at: int | None) -> list[Event]:
    return _at(system, "unlink", path, at, lambda vfs, start: syscalls.unlink(vfs, path, start))


@command(
    "rename",
    Param("old", PATH),
    Param("new", PATH),
    AT,
    Param("newat", FD, keyword=True),
    summary="rename OLD to NEW; cache_purge on the moved vnode (at=N, newat=M: renameat)",
    part="vfs",
    view="namecache",
    example="rename /tmp/a /tmp/b",
)
def rename_verb(system: System, old: str, new: str, at: int | None, newat: int | None) -> list[Event]:
    def run(vfs: Vfs, start: Vnode | None) -> list[Event]:
        return _at(system, "rename", new, newat, lambda _, new_start: syscalls.rename(vfs, old, new, start, new_start))

    return _at(system, "rename", old, at, run)


@command(
    "cd",
    Param("path", PATH),
    AT,
    summary="change the working directory (relative paths start there)",
    part="vfs",
    view="vnodes",
    example="cd /usr",
)
def cd_verb(system: System, path: str, at: int | None) -> list[Event]:
    return _at(system, "chdir", path, at, lambda vfs, start: syscalls.chdir(vfs, path, start))


@command(
    "fchdir",
    Param("fd", FD),
    summary="fchdir: descriptor FD's directory becomes the working directory, with no walk",
    part="vfs",
    example="fchdir 3",
)
def fchdir_verb(system: System, fd: int) -> list[Event]:
    return fchdir(vfs_of(system), fd)


@command(
    "whiteout",
    Param("path", PATH),
    summary="put a whiteout for PATH on disk (as a union mount does)",
    part="vfs",
    view="namecache",
    example="whiteout /etc/motd",
)
def whiteout_verb(system: System, path: str) -> list[Event]:
    return syscalls.whiteout(vfs_of(system), path)


@command(
    "rmdir",
    Param("path", PATH),
    AT,
    summary="remove an empty directory: DELETE lookup, VOP_RMDIR, cache_purge of the directory",
    part="vfs",
    view="namecache",
    example="rmdir /tmp/d",
)
def rmdir_verb(system: System, path: str, at: int | None) -> list[Event]:
    return _at(system, "rmdir", path, at, lambda vfs, start: syscalls.rmdir(vfs, path, start))


# -- the name cache directly ---------------------------------------------------------------------------


@command(
    "enter",
    Param("dvp", VNODE),
    Param("name", NAME),
    Param("vp", TARGET),
    Param("w", flag=True),
    summary="cache_enter (DVP, NAME) -> VP, or - for a negative entry (-w: whiteout)",
    part="vfs",
    view="namecache",
    example="enter vp1 ghost -",
)
def enter_verb(system: System, dvp: str, name: str, vp: str | None, w: bool) -> list[Event]:
    vfs = vfs_of(system)
    directory = vfs.live_vnode(dvp)
    if directory.type != VDIR:
        raise OpError(f"{dvp} is not a directory", refs=(dvp,))
    target = vfs.live_vnode(vp) if vp is not None else None
    return vfs.namecache.cache_enter(directory, target, name, whiteout=w)


@command(
    "revlookup",
    Param("vp", VNODE),
    Param("bufsize", COUNT, optional=True, default=64),
    summary="getcwd by cache_revlookup: build VP's path backwards in a BUFSIZE buffer",
    part="vfs",
    view="namecache",
    example="revlookup vp4 16",
)
def revlookup_verb(system: System, vp: str, bufsize: int) -> list[Event]:
    vfs = vfs_of(system)
    return getcwd(vfs, vfs.live_vnode(vp), bufsize)


@command(
    "purge",
    Param("vp", VNODE),
    summary="cache_purge: drop every name of VP and every name under it",
    part="vfs",
    view="namecache",
    example="purge vp3",
)
def purge_verb(system: System, vp: str) -> list[Event]:
    vfs = vfs_of(system)
    return vfs.namecache.cache_purge(vfs.vnode(vp))


@command(
    "purgevfs",
    Param("mnt", MOUNT),
    summary="cache_purgevfs: drop every entry whose directory is on MNT",
    part="vfs",
    view="namecache",
    example="purgevfs mnt1",
)
def purgevfs_verb(system: System, mnt: str) -> list[Event]:
    vfs = vfs_of(system)
    return vfs.namecache.cache_purgevfs(vfs.mount_by_id(mnt).id)


@command(
    "print",
    Param("vp", VNODE),
    summary="namecache_print: the names of VP, then of its parent (DDB format)",
    part="vfs",
    view="namecache",
    example="print vp5",
)
def print_verb(system: System, vp: str) -> list[Event]:
    vfs = vfs_of(system)
    vnode = vfs.vnode(vp)
    return [
        Event("namecache.print", line, refs=(vnode.id,), func="namecache_print")
        for line in vfs.namecache.namecache_print(vnode)
    ]


# -- vnode life cycle -----------------------------------------------------------------------------------


@command(
    "recycle",
    Param("vp", VNODE),
    summary="recycle an unused vnode now: VOP_RECLAIM, which calls cache_purge",
    part="vfs",
    view="vnodes",
    example="recycle vp6",
)
def recycle_verb(system: System, vp: str) -> list[Event]:
    vfs = vfs_of(system)
    vnode = vfs.vnode(vp)
    if vnode.state == ACTIVE or vnode.state == DEAD:
        raise OpError(
            f"{vp} is in use (usecount {vnode.usecount})",
            refs=(vp,),
            hint="only a vnode on the free list can be recycled; close it first",
        )
    if vnode.state == RECLAIMED:
        raise OpError(f"{vp} is already reclaimed", refs=(vp,))
    return vfs.vrecycle(vnode)


def _vnode_verb(name: str, summary: str, method: str) -> None:
    @command(name, Param("vp", VNODE), summary=summary, part="vfs", view="vnodes", example=f"{name} vp3")
    def handler(system: System, vp: str) -> list[Event]:
        vfs = vfs_of(system)
        vnode = vfs.vnode(vp)
        if vnode.state == RECLAIMED:
            raise OpError(f"{vp} is reclaimed: it stands for no file", refs=(vp,))
        if method in ("vrele", "vput"):
            vfs.unhold(vnode, name)
        events = getattr(vfs, method)(vnode)
        if method == "vref":
            vfs.hold(vnode)
        if method == "vn_lock" and vnode.locked:
            vfs.user_locks.add(vnode.num)
        elif method in ("vop_unlock", "vput"):
            vfs.user_locks.discard(vnode.num)
        return events


_vnode_verb("vref", "vref: take a use reference", "vref")
_vnode_verb("vrele", "vrele: drop a use reference (vnode unlocked)", "vrele")
_vnode_verb("vput", "vput: unlock and drop a use reference (vnode locked)", "vput")
_vnode_verb("lock", "vn_lock: lock the vnode exclusively", "vn_lock")
_vnode_verb("unlock", "VOP_UNLOCK: unlock the vnode", "vop_unlock")


@command(
    "xlock",
    Param("vp", VNODE),
    summary="mark VP as being reclaimed (VXLOCK), as another CPU would: vget fails",
    part="vfs",
    view="vnodes",
    example="xlock vp4",
)
def xlock_verb(system: System, vp: str) -> list[Event]:
    vfs = vfs_of(system)
    return vfs.vgonel(vfs.live_vnode(vp))


# -- mounts --------------------------------------------------------------------------------------------


@command(
    "mount",
    Param("path", PATH),
    Param("fstype", FSTYPE, keyword=True, default="ffs"),
    summary="mount a new empty file system on directory PATH (fstype=ffs|tmpfs|puffs|badfs)",
    part="vfs",
    view="vnodes",
    example="mount /mnt fstype=tmpfs",
)
def mount_verb(system: System, path: str, fstype: str) -> list[Event]:
    return syscalls.mount(vfs_of(system), path, fstype)


@command(
    "unmount",
    Param("mnt", MOUNT),
    Param("f", flag=True),
    summary="unmount MNT: cache_purgevfs and reclaim its vnodes (-f: even those in use)",
    part="vfs",
    view="vnodes",
    example="unmount mnt1 -f",
)
def unmount_verb(system: System, mnt: str, f: bool) -> list[Event]:
    vfs = vfs_of(system)
    return vfs.dounmount(vfs.mount_by_id(mnt), force=f)
