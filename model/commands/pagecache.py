"""Verbs of the page cache and the puffs file server (puffs_flush(3); SEMANTICS §4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from model.commands.vfs import file_result, release
from model.events import Event
from model.namei import namei
from model.ops import COUNT, PATH, Param, command, id_kind
from model.pagecache import PageCache, runs
from model.parts import ConfigKey, OpError, power_of_two, register_config
from model.vfs import Mount, Vfs
from model.vnode import VDIR, VREG, Vnode

if TYPE_CHECKING:
    from model.system import System

register_config(ConfigKey("page_size", 4096, power_of_two, "page size of the page cache, in bytes"))

MOUNT = id_kind("mnt", "a mount")


def _vfs(system: System) -> Vfs:
    return system.part("vfs")


def _opened(vfs: Vfs, verb: str, path: str) -> tuple[Vnode | None, list[Event]]:
    """namei for a read/write/truncate system call; the vnode comes back referenced (or an errno event)."""
    r = namei(vfs, path)
    if r.vp is None:
        return None, [*r.events, file_result(verb, path, r.errno, "")]
    if r.vp.type != VREG:
        return None, [*r.events, *release(vfs, r.vp), file_result(verb, path, "EISDIR", "")]
    return r.vp, r.events


def _file(vfs: Vfs, vp: Vnode) -> tuple[str, int]:
    file = vfs.file_of(vp)
    if file is None:
        raise OpError(f"{vp.id} stands for no file", refs=(vp.id,))
    return file


@command(
    "read",
    Param("path", PATH),
    Param("offset", COUNT),
    Param("length", COUNT),
    summary="read(2): absent pages are filled from the file server; cached pages are used as they are",
    part="pagecache",
    example="read /puffs/f 0 8192",
)
def read(system: System, path: str, offset: int, length: int) -> list[Event]:
    return _on_open_file(system, "read", path, lambda cache, vp, file: cache.read(vp, file, offset, length))


@command(
    "write",
    Param("path", PATH),
    Param("offset", COUNT),
    Param("length", COUNT),
    summary="write(2): pages become dirty with a new version letter; the server sees nothing yet",
    part="pagecache",
    example="write /puffs/f 4096 100",
)
def write(system: System, path: str, offset: int, length: int) -> list[Event]:
    return _on_open_file(system, "write", path, lambda cache, vp, file: cache.write(vp, file, offset, length))


@command(
    "truncate",
    Param("path", PATH),
    Param("size", COUNT),
    summary="truncate(2): set the size on the server; cached pages past it are freed",
    part="pagecache",
    example="truncate /puffs/f 4096",
)
def truncate(system: System, path: str, size: int) -> list[Event]:
    return _on_open_file(system, "truncate", path, lambda cache, vp, file: cache.truncate(vp, file, size))


def _on_open_file(
    system: System, verb: str, path: str, action: Callable[[PageCache, str, tuple[str, int]], list[Event]]
) -> list[Event]:
    """A system call on a file by path: namei, the page-cache `action` on its vnode, then release."""
    vfs = _vfs(system)
    vp, events = _opened(vfs, verb, path)
    if vp is None:
        return events
    events += action(vfs.pagecache, vp.id, _file(vfs, vp))
    return events + release(vfs, vp)


NOTHING_TO = {"puffs.flush": "flush", "puffs.inval": "invalidate", "puffs.inval_names": "purge"}
"""What a call on a node without a vnode has nothing to do, by the kind of its event."""


def _cookie(vfs: Vfs, path: str, func: str, kind: str = "puffs.flush") -> tuple[Mount, Vnode | None, Event | None]:
    """The node a puffs server names by cookie: its mount and the kernel's vnode for it, if any.

    The node is found on the server's own tree (no namei, no name-cache traffic); a node the kernel
    has no vnode for gives ENOENT, as puffs_pnode2vnode does: an event of `kind` (the call's) naming no vnode.
    """
    node = vfs.node_at(path) if path.startswith("/") else None
    if node is None:
        raise OpError(f"no node at {path!r} on any file server", hint="give an absolute path to an existing node")
    mount, ino = node
    if mount.fs.fstype != "puffs":
        raise OpError(
            f"{path} is on {mount.id} ({mount.fs.fstype}), not a puffs mount",
            hint="puffs_flush(3) is called by a puffs file server: mount one with 'mount DIR fstype=puffs'",
        )
    vp = vfs.vnodes.by_identity.get((mount.id, ino))
    if vp is None:
        return (
            mount,
            None,
            Event(
                kind,
                f"{func}({path}): the kernel has no vnode for this node",
                func=func,
                ret=-1,
                errno="ENOENT",
                explain=f"Nothing of this node is cached, so there is nothing to {NOTHING_TO.get(kind, 'do')}.",
            ),
        )
    return mount, vp, None


def _range_op(system: System, path: str, start: int | None, end: int | None, *, inval: bool) -> list[Event]:
    vfs = _vfs(system)
    if (start is None) != (end is None):
        raise OpError("give both START and END, or neither (the whole node)", hint="END 0 means to the end of file")
    whole = start is None
    start, end = start or 0, end or 0
    verb = "inval" if inval else "flush"
    func = f"puffs_{verb}_pagecache_node{'' if whole else '_range'}"
    _, vp, missing = _cookie(vfs, path, func, f"puffs.{verb}")
    if missing is not None or vp is None:
        return [missing] if missing is not None else []
    cache = vfs.pagecache
    cache.attach(vp.id, _file(vfs, vp))
    if vp.type != VREG:
        return [
            Event(
                f"puffs.{verb}",
                f"{func}({vp.id}): not a regular file",
                refs=(vp.id,),
                func=func,
                ret=-1,
                errno="EINVAL",
            )
        ]
    offlo, offhi, errno = cache.check_range(vp.id, start, end)
    asked = f"asked [{start}, {end or 'EOF'})"
    if errno is not None:
        why = (
            f"end {end} is past the file size {cache.sizes[vp.id]}"
            if end > cache.sizes[vp.id]
            else f"the rounded range [{offlo}, {offhi}) is empty"
        )
        return [
            Event(
                f"puffs.{verb}",
                f"{func}({vp.id}): {asked}: {why}",
                refs=(vp.id,),
                func=func,
                ret=-1,
                errno=errno,
                data={"start": start, "end": end, "offlo": offlo, "offhi": offhi},
            )
        ]
    rounded = f"[{offlo}, {offhi or 'EOF'})"
    head = Event(
        f"puffs.{verb}",
        f"{func}({vp.id}): {asked} -> pages {rounded}",
        refs=(vp.id,),
        func=func,
        ret=0,
        data={"vnode": vp.id, "start": start, "end": end, "offlo": offlo, "offhi": offhi},
        explain="The start is truncated to a page boundary and the end rounded up to the next; "
        "end 0 means to the end of the file.",
    )
    body = cache.invalidate(vp.id, offlo, offhi) if inval else cache.flush(vp.id, _file(vfs, vp), offlo, offhi)
    return [head, *body]


@command(
    "flush",
    Param("path", PATH),
    Param("start", COUNT, optional=True),
    Param("end", COUNT, optional=True),
    summary="puffs_flush_pagecache_node[_range]: queue dirty pages for writing and return at once",
    part="pagecache",
    example="flush /puffs/f 0 8192",
)
def flush(system: System, path: str, start: int | None, end: int | None) -> list[Event]:
    return _range_op(system, path, start, end, inval=False)


@command(
    "inval",
    Param("path", PATH),
    Param("start", COUNT, optional=True),
    Param("end", COUNT, optional=True),
    summary="puffs_inval_pagecache_node[_range]: free pages; dirty data not yet written is lost",
    part="pagecache",
    example="inval /puffs/f 100 5000",
)
def inval(system: System, path: str, start: int | None, end: int | None) -> list[Event]:
    return _range_op(system, path, start, end, inval=True)


@command(
    "server-ack",
    Param("count", COUNT, optional=True, default=1),
    summary="the file server serves COUNT queued write requests (default 1), oldest first",
    part="pagecache",
    example="server-ack 2",
)
def server_ack(system: System, count: int) -> list[Event]:
    return _vfs(system).pagecache.serve(count)


@command(
    "server-write",
    Param("path", PATH),
    Param("offset", COUNT),
    Param("length", COUNT),
    summary="the file server changes a file behind the kernel's back (cached pages go stale)",
    part="pagecache",
    example="server-write /puffs/f 0 4096",
)
def server_write(system: System, path: str, offset: int, length: int) -> list[Event]:
    vfs = _vfs(system)
    mount, vp, _ = _cookie(vfs, path, "server-write")
    node = vfs.node_at(path)
    assert node is not None
    if mount.fs.inode(node[1]).type != "reg":
        raise OpError(f"{path} is not a regular file")
    version, pages = vfs.pagecache.server_write((mount.id, node[1]), offset, length)
    stale = [i for i in pages if vp is not None and i in vfs.pagecache.pages.get(vp.id, {})]
    refs = (vp.id,) if vp is not None else ()
    return [
        Event(
            "puffs.server_write",
            f"server: {path} [{offset}, {offset + length}) is now version {version}"
            + (f"; the kernel's cached pages {runs(stale)} are now stale" if stale else ""),
            refs=refs,
            func="file server",
            explain="A file server whose files change on its side calls puffs_inval_pagecache so the kernel "
            "drops the stale pages."
            if stale
            else "",
        )
    ]


@command(
    "server-show",
    Param("path", PATH),
    summary="show the file server's copy of a file beside the kernel's",
    part="pagecache",
    example="server-show /puffs/f",
)
def server_show(system: System, path: str) -> list[Event]:
    vfs = _vfs(system)
    node = vfs.node_at(path) if path.startswith("/") else None
    if node is None:
        raise OpError(f"no node at {path!r}")
    mount, ino = node
    cache = vfs.pagecache
    server = cache.server_file((mount.id, ino))
    vp = vfs.vnodes.by_identity.get((mount.id, ino))
    pages = cache.pages.get(vp.id, {}) if vp is not None else {}
    span = max([*server.pages, *pages, -1]) + 1
    server_row = "".join(server.pages.get(i, "·") for i in range(span))
    kernel_row = "".join(pages[i].version if i in pages else " " for i in range(span))
    differ = [i for i in range(span) if i in pages and pages[i].version != server.pages.get(i, "·")]
    return [
        Event(
            "puffs.server_show",
            f"server {path}: size {server.size}, pages [{server_row}]",
            refs=(vp.id,) if vp else (),
            data={"size": server.size, "pages": server_row},
        ),
        Event(
            "puffs.server_show",
            f"kernel {vp.id if vp else '(no vnode)'}: size "
            f"{cache.sizes.get(vp.id, '-') if vp else '-'}, pages [{kernel_row}]"
            + (f"; differs at {runs(differ)}" if differ else ""),
            refs=(vp.id,) if vp else (),
            data={"pages": kernel_row, "differ": differ},
        ),
    ]


@command(
    "inval-names",
    Param("path", PATH),
    summary="puffs_inval_namecache_dir: purge the name-cache entries under a directory (children only)",
    part="pagecache",
    example="inval-names /puffs/dir",
)
def inval_names(system: System, path: str) -> list[Event]:
    vfs = _vfs(system)
    func = "puffs_inval_namecache_dir"
    _, vp, missing = _cookie(vfs, path, func, "puffs.inval_names")
    if missing is not None or vp is None:
        return [missing] if missing is not None else []
    if vp.type != VDIR:
        return [
            Event(
                "puffs.inval_names",
                f"{func}({vp.id}): not a directory",
                refs=(vp.id,),
                func=func,
                ret=-1,
                errno="EINVAL",
            )
        ]
    head = Event(
        "puffs.inval_names",
        f"{func}({vp.id}): cache_purge1(vp, NULL, PURGE_CHILDREN)",
        refs=(vp.id,),
        func=func,
        ret=0,
        explain="Only the names under the directory go; the directory's own name stays.",
    )
    return [head, *vfs.namecache.cache_purge(vp, parents=False, func="cache_purge1")]


@command(
    "inval-names-all",
    Param("mnt", MOUNT, optional=True),
    summary="puffs_inval_namecache_all: purge the whole puffs mount's name cache (cache_purgevfs)",
    part="pagecache",
    example="inval-names-all mnt1",
)
def inval_names_all(system: System, mnt: str | None) -> list[Event]:
    vfs = _vfs(system)
    puffs = [m for m in vfs.mounts.values() if m.fs.fstype == "puffs"]
    if mnt is not None:
        mount = vfs.mount_by_id(mnt)
        if mount.fs.fstype != "puffs":
            raise OpError(f"{mnt} is not a puffs mount")
    elif len(puffs) == 1:
        mount = puffs[0]
    else:
        raise OpError(
            "name the puffs mount" if puffs else "no puffs mount", hint="mount one: mount /puffs fstype=puffs"
        )
    head = Event(
        "puffs.inval_names",
        f"puffs_inval_namecache_all({mount.id}): cache_purgevfs",
        refs=(mount.id,),
        func="puffs_inval_namecache_all",
        ret=0,
    )
    return [head, *vfs.namecache.cache_purgevfs(mount.id)]
