"""Verbs of the VFS: path system calls, the name cache (namecache(9)) and the vnode life cycle.

Each verb declares its arguments and calls the model (`syscalls`, `getcwd`, the name cache, the vnode
life cycle); the user's own references (taken by open and vref) are the one thing kept here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.ops import COUNT, NAME, PATH, ArgKind, Param, choice_kind, command, id_kind
from model.vfs import syscalls
from model.vfs.getcwd import getcwd
from model.vfs.vfs import FSTYPES, Vfs
from model.vfs.vnode import ACTIVE, DEAD, RECLAIMED, VDIR

if TYPE_CHECKING:
    from model.system import System

VNODE = id_kind("vp", "a vnode", generation=True)
MOUNT = id_kind("mnt", "a mount")


def _target(text: str) -> str | None:
    if text == "-":
        return None
    return VNODE.convert(text)


TARGET = ArgKind("VPN|-", _target, lambda v: "-" if v is None else v)
FSTYPE = choice_kind("FSTYPE", FSTYPES)


def vfs_of(system: System) -> Vfs:
    """The VFS part of the machine."""
    return system.part("vfs")


# -- path system calls ---------------------------------------------------------------------------------


@command(
    "lookup",
    Param("path", PATH),
    summary="namei walk of PATH through the name cache, then release",
    part="vfs",
    example="lookup /usr/bin/cc",
)
def lookup_verb(system: System, path: str) -> list[Event]:
    return syscalls.lookup(vfs_of(system), path)


@command(
    "open",
    Param("path", PATH),
    summary="open PATH: namei, and the vnode keeps a use reference",
    part="vfs",
    example="open /etc/passwd",
)
def open_verb(system: System, path: str) -> list[Event]:
    return syscalls.open(vfs_of(system), path)


@command(
    "close",
    Param("vp", VNODE),
    summary="close: drop a use reference (vrele); the last one runs VOP_INACTIVE",
    part="vfs",
    example="close vp5",
)
def close_verb(system: System, vp: str) -> list[Event]:
    vfs = vfs_of(system)
    return syscalls.close(vfs, vfs.vnode(vp))


@command(
    "create",
    Param("path", PATH),
    summary="create a regular file (creat + close)",
    part="vfs",
    example="create /tmp/new",
)
def create_verb(system: System, path: str) -> list[Event]:
    return syscalls.create(vfs_of(system), path)


@command("mkdir", Param("path", PATH), summary="create a directory", part="vfs", example="mkdir /tmp/d")
def mkdir_verb(system: System, path: str) -> list[Event]:
    return syscalls.mkdir(vfs_of(system), path)


@command(
    "unlink",
    Param("path", PATH),
    summary="remove a name; the file's space goes when its last user lets go",
    part="vfs",
    example="unlink /tmp/new",
)
def unlink_verb(system: System, path: str) -> list[Event]:
    return syscalls.unlink(vfs_of(system), path)


@command(
    "rename",
    Param("old", PATH),
    Param("new", PATH),
    summary="rename OLD to NEW; cache_purge on the moved vnode",
    part="vfs",
    example="rename /tmp/a /tmp/b",
)
def rename_verb(system: System, old: str, new: str) -> list[Event]:
    return syscalls.rename(vfs_of(system), old, new)


@command(
    "cd",
    Param("path", PATH),
    summary="change the working directory (relative paths start there)",
    part="vfs",
    example="cd /usr",
)
def cd_verb(system: System, path: str) -> list[Event]:
    return syscalls.chdir(vfs_of(system), path)


@command(
    "whiteout",
    Param("path", PATH),
    summary="put a whiteout for PATH on disk (as a union mount does)",
    part="vfs",
    example="whiteout /etc/motd",
)
def whiteout_verb(system: System, path: str) -> list[Event]:
    return syscalls.whiteout(vfs_of(system), path)


@command(
    "rmdir",
    Param("path", PATH),
    summary="remove an empty directory: DELETE lookup, VOP_RMDIR, cache_purge of the directory",
    part="vfs",
    example="rmdir /tmp/d",
)
def rmdir_verb(system: System, path: str) -> list[Event]:
    return syscalls.rmdir(vfs_of(system), path)


# -- the name cache directly ---------------------------------------------------------------------------


@command(
    "enter",
    Param("dvp", VNODE),
    Param("name", NAME),
    Param("vp", TARGET),
    Param("w", flag=True),
    summary="cache_enter (DVP, NAME) -> VP, or - for a negative entry (-w: whiteout)",
    part="vfs",
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
    @command(name, Param("vp", VNODE), summary=summary, part="vfs", example=f"{name} vp3")
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
    example="unmount mnt1 -f",
)
def unmount_verb(system: System, mnt: str, f: bool) -> list[Event]:
    vfs = vfs_of(system)
    return vfs.dounmount(vfs.mount_by_id(mnt), force=f)
