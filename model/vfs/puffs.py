"""puffs_flush(3): the calls a puffs file server makes into the kernel's caches, and the server's own
changes to its files (§4). The server names a node by its cookie: here, its path on the server's tree,
found without namei or the name cache.

The page-cache calls share one body (`_doflush`) as libpuffs's do; the range rule of §4.2 is
`PageCache.check_range`, and the work is VOP_PUTPAGES (`PageCache.vop_putpages`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.vfs.pagecache import PGO_CLEANIT, PGO_FREE, runs
from model.vfs.syscalls import file_of
from model.vfs.vnode import VDIR, VREG, Vnode

if TYPE_CHECKING:
    from model.vfs.mount import Mount
    from model.vfs.vfs import Vfs


NOTHING_TO = {"puffs.flush": "flush", "puffs.inval": "invalidate", "puffs.inval_names": "purge"}
"""What a call on a node without a vnode has nothing to do, by the kind of its event."""


def puffs_cookie2vnode(
    vfs: Vfs, path: str, func: str, kind: str = "puffs.flush"
) -> tuple[Mount, Vnode | None, Event | None]:
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


def puffs_flush_pagecache_node(vfs: Vfs, path: str) -> list[Event]:
    """Queue every dirty page of the node for writing, and return at once."""
    return _doflush(vfs, path, 0, 0, "puffs_flush_pagecache_node")


def puffs_flush_pagecache_node_range(vfs: Vfs, path: str, start: int, end: int) -> list[Event]:
    """Queue the dirty pages of [start, end) (end 0: to the end of file) for writing, and return at once."""
    return _doflush(vfs, path, start, end, "puffs_flush_pagecache_node_range")


def puffs_inval_pagecache_node(vfs: Vfs, path: str) -> list[Event]:
    """Free every page of the node; dirty data not yet written is lost."""
    return _doflush(vfs, path, 0, 0, "puffs_inval_pagecache_node")


def puffs_inval_pagecache_node_range(vfs: Vfs, path: str, start: int, end: int) -> list[Event]:
    """Free the pages of [start, end) (end 0: to the end of file); dirty data not yet written is lost."""
    return _doflush(vfs, path, start, end, "puffs_inval_pagecache_node_range")


def _doflush(vfs: Vfs, path: str, start: int, end: int, func: str) -> list[Event]:
    """The page-cache calls' one body: find the vnode, check the range (§4.2), VOP_PUTPAGES."""
    verb = "inval" if func.startswith("puffs_inval") else "flush"
    _, vp, missing = puffs_cookie2vnode(vfs, path, func, f"puffs.{verb}")
    if missing is not None or vp is None:
        return [missing] if missing is not None else []
    cache = vfs.pagecache
    cache.attach(vp.id, file_of(vfs, vp))
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
    flags = PGO_FREE if verb == "inval" else PGO_CLEANIT
    return [head, *cache.vop_putpages(vp.id, file_of(vfs, vp), offlo, offhi, flags)]


def puffs_inval_namecache_dir(vfs: Vfs, path: str) -> list[Event]:
    """Purge the name-cache entries under a directory (children only: cache_purge1 with PURGE_CHILDREN)."""
    func = "puffs_inval_namecache_dir"
    _, vp, missing = puffs_cookie2vnode(vfs, path, func, "puffs.inval_names")
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
    return [head, *vfs.namecache.cache_purge1(vp, parents=False, children=True)]


def puffs_inval_namecache_all(vfs: Vfs, mnt: str | None) -> list[Event]:
    """Purge the whole puffs mount's name cache (cache_purgevfs); the mount may be left out if only one."""
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


# -- the file server's side ------------------------------------------------------------------------------


def server_write(vfs: Vfs, path: str, offset: int, length: int) -> list[Event]:
    """The file server changes a file behind the kernel's back: the kernel's cached pages go stale."""
    mount, vp, _ = puffs_cookie2vnode(vfs, path, "server-write")
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


def server_show(vfs: Vfs, path: str) -> list[Event]:
    """The file server's copy of a file beside the kernel's cached one, page by page."""
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
