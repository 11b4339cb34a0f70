"""Vnodes and the vnode table (FreeBSD VOP_INACTIVE(9), VOP_RECLAIM(9), sys/kern/vfs_subr.c).

This module keeps the bookkeeping: counts, the lock, the free list in LRU order and the
(mount, inode) -> vnode index. The life-cycle steps that touch the name cache and the disk
(vinactive, vop_reclaim, vrecycle) are in `model.vfs.lifecycle`.
"""

from __future__ import annotations

from typing import Any

from model.ids import generation_id, id_number, split_generation
from model.journal import JIndex, JList, Journaled
from model.slotcopy import slots_deepcopy
from model.tailq import TailQ

VDIR, VREG, VBAD = "VDIR", "VREG", "VBAD"
"""Vnode types: directory, regular file, and a dead vnode after a forced unmount (§2.5)."""

ACTIVE, INACTIVE, RECLAIMED, DEAD = "active", "inactive", "reclaimed", "dead"
"""Life-cycle states: in use; on the free list with its identity; on the free list without one; dead."""

VNODE_BASE, VNODE_STRIDE = 0xC1C00000, 0xD8
"""Vnodes' modelled kernel addresses: a pool of 216-byte structs, so hashes are reproducible (§1.2)."""


class Vnode(Journaled):
    """`struct vnode`: identity (mount, inode), counts, lock, and the name-cache lists that name it."""

    __slots__ = (
        "addr",
        "gen",
        "holdcount",
        "id",
        "ino",
        "locked",
        "mount",
        "mountedhere",
        "nchash_addr",
        "num",
        "state",
        "tq_next",
        "tq_prev",
        "type",
        "usecount",
        "v_dnclist",
        "v_nclist",
        "xlock",
    )
    __deepcopy__ = slots_deepcopy  # System.copy (the quiz tries ops on a copy) copies every vnode

    def __init__(self, num: int) -> None:
        self.num = num
        self.gen = 0  # identities this struct has had: the first is generation 1, shown as vp7, then vp7#2...
        self.id = f"vp{num}"  # kept, not a property: every event names vnodes; changes only in `bind`
        self.addr = VNODE_BASE + num * VNODE_STRIDE
        self.nchash_addr = self.addr >> 3  # `(uintptr_t)vp >> 3` of NCHASH and NCVHASH, kept: every lookup needs it
        self.type = VREG
        self.mount: str | None = None
        self.ino: int | None = None
        self.usecount = 0
        self.holdcount = 0
        self.locked = False
        self.xlock = False  # VXLOCK: being reclaimed right now; vget fails
        self.state = RECLAIMED
        self.mountedhere: str | None = None
        self.v_nclist: Any = None  # head of the name-cache entries whose target is this vnode (LIST_HEAD)
        self.v_dnclist: Any = None  # head of the name-cache entries whose parent is this vnode
        self.tq_prev: Vnode | None = None  # links on the free list (TAILQ_ENTRY v_freelist)
        self.tq_next: Vnode | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "generation": max(self.gen, 1),
            "addr": hex(self.addr),
            "type": self.type,
            "mount": self.mount,
            "ino": self.ino,
            "usecount": self.usecount,
            "holdcount": self.holdcount,
            "locked": self.locked,
            "xlock": self.xlock,
            "state": self.state,
            "mountedhere": self.mountedhere,
            "names": _sorted_ids(self.v_nclist, "v_next"),
            "children": _sorted_ids(self.v_dnclist, "dv_next"),
        }


def _sorted_ids(head: Any, link: str) -> list[str]:
    """The ids of a name-cache list's entries, by number (the dump does not depend on list order)."""
    nums = []
    while head is not None:
        nums.append(head.num)
        head = getattr(head, link)
    return sorted(f"nc{n}" for n in nums)


class VnodeTable(Journaled):
    """All vnodes ever allocated, the free list (head = least recently freed) and the identity index."""

    __slots__ = ("by_identity", "desiredvnodes", "freelist", "vnodes")

    def __init__(self, desiredvnodes: int) -> None:
        self.desiredvnodes = desiredvnodes
        self.vnodes: JList = JList()
        self.freelist = TailQ()  # vnode_free_list: head = recycled first
        self.by_identity: JIndex = JIndex()  # (mount, inode) -> vnode

    @property
    def numvnodes(self) -> int:
        return len(self.vnodes)

    def get(self, ref: str) -> Vnode | None:
        """The vnode with id `ref`, or None: ``vp7`` names the struct whatever it stands for now, ``vp7#2``
        only that generation of it (None once the struct was reused again)."""
        vnode = self.struct(ref)
        generation = split_generation(ref)[1]
        if vnode is None or (generation is not None and generation != max(vnode.gen, 1)):
            return None
        return vnode

    def struct(self, ref: str) -> Vnode | None:
        """The vnode struct `ref` names, whatever its generation (``vp7#1`` and ``vp7#3`` are both vp7's)."""
        num = id_number(split_generation(ref)[0], "vp")
        if num is not None and 1 <= num <= len(self.vnodes):
            return self.vnodes[num - 1]
        return None

    def allocate(self) -> Vnode:
        """A brand-new vnode struct (the table is below desiredvnodes, or nothing is free)."""
        vnode = Vnode(len(self.vnodes) + 1)
        self.vnodes.append(vnode)
        return vnode

    def free_head(self) -> Vnode | None:
        """The vnode getnewvnode would recycle: the head of the free list."""
        return self.freelist.head

    def bind(self, vnode: Vnode, mount: str, ino: int, vtype: str) -> None:
        """Give a vnode its identity (the inode it stands for): a new generation of the struct, so a log
        never names two files with one id (vp6, then vp6#2 once it is reused, as FreeBSD's v_id changes)."""
        vnode.mount, vnode.ino, vnode.type = mount, ino, vtype
        vnode.gen += 1
        vnode.id = generation_id("vp", vnode.num, vnode.gen)
        self.by_identity[(mount, ino)] = vnode

    def unbind(self, vnode: Vnode) -> None:
        """Take a vnode's identity away (after VOP_RECLAIM)."""
        if vnode.mount is not None and vnode.ino is not None:
            self.by_identity.pop((vnode.mount, vnode.ino), None)
        vnode.ino = None

    def to_free_list(self, vnode: Vnode, *, head: bool = False) -> None:
        """Put a vnode on the free list: at the tail (LRU order), or the head for vnodes with no identity."""
        if vnode.num in self.freelist:
            self.freelist.remove(vnode)
        if head:
            self.freelist.insert_head(vnode)
        else:
            self.freelist.insert_tail(vnode)

    def off_free_list(self, vnode: Vnode) -> None:
        if vnode.num in self.freelist:
            self.freelist.remove(vnode)

    def to_dict(self) -> dict[str, Any]:
        return {
            "desiredvnodes": self.desiredvnodes,
            "numvnodes": self.numvnodes,
            "freelist": [v.id for v in self.freelist.values()],
            "vnodes": [v.to_dict() for v in self.vnodes],
        }

    def check(self) -> list[str]:
        """Invariants (§2): counts >= 0, free vnodes have no use references, the index is exact."""
        problems = []
        for vnode in self.vnodes:
            if vnode.usecount < 0 or vnode.holdcount < 0:
                problems.append(f"{vnode.id} has a negative count")
            on_free = vnode.num in self.freelist
            if on_free and vnode.usecount:
                problems.append(f"{vnode.id} is on the free list with usecount {vnode.usecount}")
            if on_free != (vnode.state in (INACTIVE, RECLAIMED)):
                problems.append(f"{vnode.id} is {vnode.state} but {'on' if on_free else 'off'} the free list")
            if vnode.state == ACTIVE and vnode.usecount == 0:
                problems.append(f"{vnode.id} is active with no use reference")
            if (vnode.ino is None) != (vnode.state in (RECLAIMED, DEAD)):
                problems.append(f"{vnode.id} is {vnode.state} with inode {vnode.ino}")
            if vnode.ino is not None and self.by_identity.get((vnode.mount, vnode.ino)) is not vnode:
                problems.append(f"{vnode.id} is missing from the identity index")
        if any(not 0 < num <= len(self.vnodes) or self.vnodes[num - 1] is not v for num, v in self.freelist.items()):
            problems.append("the free list holds a vnode that is not in the table")
        if len(self.by_identity) != sum(1 for v in self.vnodes if v.ino is not None):
            problems.append("the identity index holds vnodes that have no identity")
        problems += [f"free list: {problem}" for problem in self.freelist.check()]
        return problems
