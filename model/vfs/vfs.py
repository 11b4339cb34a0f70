"""The VFS part: mounts, the vnode table, the name cache and the page cache, the root and the cwd.

The vnode life cycle that ties them is `model.vfs.lifecycle` (a mixin of `Vfs`); the path walk is
`model.vfs.namei`, the system calls on paths `model.vfs.syscalls`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.errors import OpError
from model.events import Event
from model.ids import id_number
from model.journal import JDict, JSet
from model.limits import PATH_MAX, path_bytes
from model.vfs.fs import DIR, FileSystem, build_tree
from model.vfs.lifecycle import VnodeLifeCycle
from model.vfs.mount import Mount
from model.vfs.namecache import NameCache
from model.vfs.namecache_entry import children_of, names_of
from model.vfs.pagecache import PageCache
from model.vfs.vnode import ACTIVE, DEAD, RECLAIMED, VDIR, Vnode, VnodeTable

FSTYPES = ("ffs", "tmpfs", "puffs", "badfs")
"""File system types; `badfs` has an inactive routine that forgets to unlock (a protocol violation)."""


class Vfs(VnodeLifeCycle):
    """Everything between a path and a file: mounts, vnodes, the name cache, the root and the cwd."""

    __slots__ = (
        "cwd", "fds", "mounts", "namecache", "next_mount", "pagecache", "protocol", "rootvnode", "user_locks",
        "user_refs", "vnodes",
    )  # fmt: skip

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.vnodes = VnodeTable(config["desiredvnodes"])
        self.namecache = NameCache(config["nchash"], config["ncvhash"], config["namecache_max"])
        self.pagecache = PageCache(config["page_size"], config["max_file_pages"])
        self.protocol: str = config["vnode_protocol"]
        self.mounts: JDict = JDict()  # id -> Mount
        self.next_mount = 0
        self.user_refs: JDict = JDict()  # references the user holds through open and vref, per vnode
        self.user_locks: JSet = JSet()  # vnode structs the user locked with the `lock` verb (§1.4 check)
        fs = FileSystem("ffs")
        build_tree(fs, config["tree"])
        root_mount = self._add_mount(fs, "/")
        self.rootvnode = self._mount_root(root_mount)
        self.cwd = self.rootvnode
        self.rootvnode.usecount += 1  # the process's cwd reference
        self.fds: JDict = JDict()  # fd -> Vnode: the process's descriptor table: each open file holds its vnode (§1.12)

    # -- mounts ------------------------------------------------------------------------------------

    def _add_mount(self, fs: FileSystem, path: str) -> Mount:
        mount = Mount(f"mnt{self.next_mount}", fs, path)
        self.next_mount += 1
        self.mounts[mount.id] = mount
        return mount

    def _mount_root(self, mount: Mount) -> Vnode:
        vnode, _ = self.getnewvnode()
        self.vnodes.bind(vnode, mount.id, FileSystem.ROOT_INO, VDIR)
        vnode.usecount = 1  # held while mounted
        vnode.state = ACTIVE
        mount.root = vnode
        return vnode

    def mount(self, covered: Vnode, path: str, fstype: str) -> tuple[Mount, list[Event]]:
        """Mount a new, empty file system on directory vnode `covered` (which stays referenced)."""
        mount = self._add_mount(FileSystem(fstype), path)
        mount.covered = covered
        covered.mountedhere = mount.id
        events: list[Event] = []
        root = self._mount_root(mount)
        events.append(
            Event(
                "vfs.mount",
                f"{mount.id}: {fstype} mounted on {path} (covers {covered.id}, root {root.id})",
                refs=(mount.id, covered.id, root.id),
                func="mount",
                created=(mount.id, root.id),
                changed=(covered.id,),
                explain="Lookups that reach the covered directory continue at the new file system's root.",
            )
        )
        return mount, events

    def mount_of(self, vnode: Vnode) -> Mount | None:
        return self.mounts.get(vnode.mount) if vnode.mount else None

    def node_at(self, path: str) -> tuple[Mount, int] | None:
        """The (mount, inode) at an absolute path, read off the disks without namei or the name cache.

        This is how a file server names its own nodes (puffs cookies): no lookup, no cache entries. A path
        namei could not walk (PATH_MAX or longer) names no node.
        """
        if path_bytes(path) >= PATH_MAX:
            return None
        mount = self.mounts[self.rootvnode.mount or "mnt0"]
        ino = FileSystem.ROOT_INO
        for name in (c for c in path.split("/") if c):
            inode = mount.fs.inodes.get(ino)
            if inode is None or inode.type != DIR:
                return None
            found, _ = mount.fs.lookup(ino, name)
            if found is None:
                return None
            ino = found
            covering = next((m for m in self.mounts.values() if m.covered is not None
                             and m.covered.mount == mount.id and m.covered.ino == ino), None)  # fmt: skip
            if covering is not None:
                mount, ino = covering, FileSystem.ROOT_INO
        return mount, ino

    def file_of(self, vnode: Vnode) -> tuple[str, int] | None:
        """The (mount, inode) a vnode stands for, if that file still exists."""
        mount = self.mount_of(vnode)
        if mount is None or vnode.ino is None or vnode.ino not in mount.fs.inodes:
            return None
        return (mount.id, vnode.ino)

    def fs_of(self, vnode: Vnode) -> FileSystem:
        mount = self.mount_of(vnode)
        if mount is None or vnode.ino is None:
            raise OpError(f"{vnode.id} is {vnode.state}: it stands for no file", refs=(vnode.id,))
        return mount.fs

    # -- unmount -----------------------------------------------------------------------------------

    def dounmount(self, mount: Mount, *, force: bool) -> list[Event]:
        """dounmount: cache_purgevfs, then vflush reclaims the mount's vnodes (forced: in-use ones die, §2.5)."""
        if mount.root is self.rootvnode:
            raise OpError("cannot unmount the root file system", refs=(mount.id,))
        if any(m.covered is not None and m.covered.mount == mount.id for m in self.mounts.values()):
            raise OpError(f"{mount.id} has a file system mounted on it", errno="EBUSY", refs=(mount.id,))
        in_use = [
            v
            for v in self.vnodes.vnodes
            if v.mount == mount.id and v.ino is not None and v.usecount > (1 if v is mount.root else 0)
        ]
        if self.cwd.mount == mount.id and self.cwd not in in_use:
            in_use.append(self.cwd)
        if in_use and not force:
            return [
                Event(
                    "vfs.unmount",
                    f"unmount {mount.id}: busy ({', '.join(v.id for v in in_use)} in use)",
                    refs=(mount.id, *(v.id for v in in_use)),
                    func="dounmount",
                    ret=-1,
                    errno="EBUSY",
                    explain="Open files keep a file system busy; 'unmount -f' forces it.",
                )
            ]
        events = [
            Event(
                "vfs.unmount",
                f"unmount {mount.id}{' (forced)' if force else ''}",
                refs=(mount.id,),
                func="dounmount",
                removed=(mount.id,),
                data={"gone": {mount.id: f"{mount.fs.fstype} on {mount.path}"}},
            )
        ]
        events += self.namecache.cache_purgevfs(mount.id)
        assert mount.root is not None
        mount.root.usecount -= 1
        for vp in [v for v in self.vnodes.vnodes if v.mount == mount.id and v.ino is not None]:
            if vp.usecount == 0:
                self.vnodes.off_free_list(vp)
                events += self.vop_reclaim(vp, why="vflush at unmount")
                self.vnodes.to_free_list(vp, head=True)
            else:
                events += self.vgone(vp)
        covered = mount.covered
        if covered is not None:
            covered.mountedhere = None
            events += self.vrele(covered, quiet=True)
        del self.mounts[mount.id]
        return events

    # -- inspection -------------------------------------------------------------------------------

    def vnode(self, ref: str) -> Vnode:
        """The vnode named `ref`, or an OpError naming the ids in use."""
        vp = self.vnodes.get(ref)
        if vp is None:
            struct = self.vnodes.struct(ref)
            if struct is not None:  # vp6#1 asked for, but the struct has been reused since
                raise OpError(
                    f"{ref} is gone: its struct was reclaimed and reused, and is now {struct.id} "
                    f"({self.path_of(struct)})",
                    refs=(struct.id,),
                    hint=f"use {struct.id}, or vp{struct.num} for the struct whatever it stands for",
                )
            count = self.vnodes.numvnodes
            raise OpError(f"no vnode {ref}", hint=f"vnodes are vp1..vp{count}" if count else "no vnodes yet")
        return vp

    def live_vnode(self, ref: str) -> Vnode:
        """The vnode named `ref`, which must stand for a file (not reclaimed, not dead), or an OpError."""
        vp = self.vnode(ref)
        if vp.state in (RECLAIMED, DEAD) or vp.ino is None:
            raise OpError(f"{vp.id} is {vp.state}: it stands for no file", refs=(vp.id,))
        return vp

    def mount_by_id(self, ref: str) -> Mount:
        mount = self.mounts.get(ref)
        if mount is None:
            raise OpError(f"no mount {ref}", hint=f"mounted: {', '.join(self.mounts)}")
        return mount

    def path_of(self, vp: Vnode) -> str:
        """The vnode's path (from the disk, for display), or its state when it stands for no file."""
        mount = self.mount_of(vp)
        if mount is None or vp.ino is None:
            return f"({vp.state})"
        if vp.ino not in mount.fs.inodes:
            return "(freed)"
        inner = mount.fs.path_of(vp.ino)
        base = mount.path.rstrip("/")
        return (base + inner) if inner != "/" else (mount.path or "/")

    def describe(self, ref: str) -> str | None:
        if ref.startswith("vp"):
            vp = self.vnodes.get(ref)
            if vp is None:
                struct = self.vnodes.struct(ref)
                if struct is None:
                    return None
                return (
                    f"{ref} is gone: its struct was reclaimed and reused, and is now {struct.id} {self.path_of(struct)}"
                )
            names = self.namecache.namecache_print(vp)
            return "\n".join(
                [
                    f"{vp.id} {vp.type} {vp.state} {self.path_of(vp)}",
                    f"mount {vp.mount}  inode {vp.ino}  usecount {vp.usecount}  holdcount {vp.holdcount}",
                    f"{'locked' if vp.locked else 'unlocked'}{'  VXLOCK' if vp.xlock else ''}  address {hex(vp.addr)}",
                    *names,
                ]
            )
        if (num := id_number(ref, "nc")) is not None:
            entry = self.namecache.entry(num)
            if entry is None:
                return None
            return f"{entry.id}: ({entry.dvp.id}, {entry.name!r}) -> {entry.target_label()}\nchain {entry.bucket}"
        if ref in self.mounts:
            mount = self.mounts[ref]
            return f"{mount.id} {mount.fs.fstype} on {mount.path}\nroot {mount.root.id if mount.root else '-'}"
        return self.pagecache.describe(ref)

    def to_dict(self) -> dict[str, Any]:
        state = {
            "protocol": self.protocol,
            "rootvnode": self.rootvnode.id,
            "cwd": self.cwd.id,
            "user_refs": dict(self.user_refs),
            "mounts": {m.id: m.to_dict() for m in self.mounts.values()},
            "vnodes": self.vnodes.to_dict(),
            "namecache": self.namecache.to_dict(),
            "pagecache": self.pagecache.to_dict(),
        }
        if self.fds:  # only while descriptors are open, so the dumps of scenarios without any stay as they were
            state["fds"] = {str(fd): vp.id for fd, vp in sorted(self.fds.items())}
        return state

    def stats(self) -> dict[str, int]:
        return {
            **self.namecache.stats,
            "numcache": self.namecache.numcache,
            "numvnodes": self.vnodes.numvnodes,
            "freevnodes": len(self.vnodes.freelist),
            **self.pagecache.stats,
            "writes_pending": len(self.pagecache.queue),
        }

    def check(self) -> list[str]:
        problems = self.namecache.check() + self.vnodes.check() + self.pagecache.check()
        for ref, held in self.user_refs.items():
            vp = self.vnodes.get(ref)
            if vp is None or held <= 0 or held > vp.usecount:
                problems.append(f"the user holds {held} references on {ref}, which has usecount "
                                f"{vp.usecount if vp else '-'}")  # fmt: skip
        for vp in self.vnodes.vnodes:  # §1.4: every lock namei took is released by the call that took it
            if vp.locked and vp.num not in self.user_locks:
                problems.append(f"{vp.id} is left locked: no call released the lock it took")
        for vnode in self.pagecache.pages:
            vp = self.vnodes.get(vnode)
            if vp is None or vp.ino is None:
                problems.append(f"{vnode} has cached pages but stands for no file")
        for vp in self.vnodes.vnodes:
            if vp.ino is not None:
                mount = self.mounts.get(vp.mount or "")
                if mount is None or vp.ino not in mount.fs.inodes:
                    problems.append(f"{vp.id} names inode {vp.ino} on {vp.mount}, which does not exist")
            problems += self._check_names_of(vp)
        for mount in self.mounts.values():
            if mount.root is None or mount.root.mount != mount.id or mount.root.usecount < 1:
                problems.append(f"{mount.id}'s root is not a referenced vnode of that mount")
            if mount.covered is not None and mount.covered.mountedhere != mount.id:
                problems.append(f"{mount.id} covers {mount.covered.id}, which does not name it")
        if self.cwd.usecount < 1:
            problems.append(f"the cwd {self.cwd.id} holds no use reference")
        return problems + self._check_fds()

    def _check_fds(self) -> list[str]:
        """Each descriptor names a vnode of the table with at least as many use references as holders (§1.12)."""
        problems = []
        holders: dict[str, int] = {}
        for fd, vp in self.fds.items():
            if self.vnodes.get(vp.id) is not vp:
                problems.append(f"fd {fd} names {vp.id}, which is not in the vnode table")
            holders[vp.id] = holders.get(vp.id, 0) + 1
        for ref, count in holders.items():
            vp = self.vnodes.get(ref)
            owned = count + self.user_refs.get(ref, 0) + (self.cwd is vp)
            if vp is not None and vp.usecount < owned:
                problems.append(f"{ref} has usecount {vp.usecount}, fewer than its {owned} holders (descriptors, cwd)")
        return problems

    def _check_names_of(self, vp: Vnode) -> list[str]:
        """A vnode's two name lists hold exactly the cached entries naming it, and the entries under it (§1.2)."""
        problems = []
        for entry in names_of(vp):
            if self.namecache.entry(entry.num) is not entry or entry.vp is not vp:
                problems.append(f"{vp.id}'s list of names holds {entry.id}, which is not a cached name of it")
        for entry in children_of(vp):
            if self.namecache.entry(entry.num) is not entry or entry.dvp is not vp:
                problems.append(f"{vp.id}'s list of children holds {entry.id}, which is not a cached entry under it")
        return problems
