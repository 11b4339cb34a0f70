"""NetBSD's name lookup cache (namecache(9), sys/kern/vfs_cache.c), the true-LRU design of NetBSD 3-4.

Entries live on a chain of `nchashtbl`, on the LRU list `nclruhead`, on their parent's `v_dnclist`,
on their target's `v_nclist` when positive, and on `ncvhashtbl` when they name a directory
(§1.2). As in the kernel, every one of those lists is threaded through the entries themselves, and a
lookup walks the hash chain its (directory, name) picks: no index beside them. Every operation returns
the events it caused.
"""

from __future__ import annotations

from typing import Any

from model.events import Event
from model.journal import Journaled
from model.tailq import TailQ
from model.vfs.namecache_entry import ChainTable, NameCacheEntry, chain, children_of, names_of
from model.vfs.namecache_events import (
    EnterEvent,
    EnterSkippedEvent,
    HitEvent,
    LongNameEvent,
    MissEvent,
    NegHitEvent,
    ReclaimEvent,
    RemoveEvent,
)
from model.vfs.nchash import _HASH_MEMO, CREATE, LOOKUP, MISS, NCHNAMLEN, name_length, namei_hash, nchash
from model.vfs.vnode import VDIR, Vnode

NCHSTATS = (
    "ncs_goodhits",
    "ncs_neghits",
    "ncs_badhits",
    "ncs_falsehits",
    "ncs_miss",
    "ncs_long",
    "ncs_pass2",
    "ncs_2passes",
    "ncs_revhits",
    "ncs_revmiss",
)
"""The counters of struct nchstats, in the kernel's order (§1.10)."""


class NameCache(Journaled):
    """The cache: nchashtbl chains (newest first), ncvhashtbl chains, the LRU list, and nchstats."""

    __slots__ = ("capacity", "lookups", "lru", "mask", "nchashtbl", "ncvhashtbl", "next_num", *NCHSTATS)

    def __init__(self, nchash: int, ncvhash: int, capacity: int) -> None:
        self.nchashtbl = ChainTable(nchash, "h_next")
        self.ncvhashtbl = ChainTable(ncvhash, "vh_next")
        self.mask = nchash - 1  # nchash is a power of two
        self.lru = TailQ(indexed=False)  # nclruhead: head = least recently used
        self.capacity = capacity
        self.next_num = 1
        for counter in NCHSTATS:  # struct nchstats, one field each: a slot is the cheapest counter
            setattr(self, counter, 0)
        self.lookups = 0  # cache_lookup calls; the first six nchstats counters sum to it (§1.10)

    # -- hashing ---------------------------------------------------------------------------------

    def nchash(self, dvp: Vnode, name: str) -> int:
        """NCHASH: the nchashtbl bucket of (dvp, name)."""
        return nchash(namei_hash(name), dvp.addr, self.mask)

    def ncvhash(self, vp: Vnode) -> int:
        """NCVHASH: the ncvhashtbl bucket of a target vnode."""
        return vp.nchash_addr & (len(self.ncvhashtbl) - 1)

    @property
    def stats(self) -> dict[str, int]:
        """struct nchstats as a dict, in the kernel's order (§1.10)."""
        return {counter: getattr(self, counter) for counter in NCHSTATS}

    @property
    def numcache(self) -> int:
        return len(self.lru)

    def entry(self, num: int) -> NameCacheEntry | None:
        """The entry numbered `num` (`ncN`), if cached: a walk of the LRU list, for the user's ids."""
        return self.lru.get(num)

    def entries(self, nums: set[int]) -> dict[int, NameCacheEntry]:
        """The cached entries among `nums`, in one walk of the LRU list (for a panel's marks)."""
        return {e.num: e for e in self.lru.values() if e.num in nums} if nums else {}

    def find(self, dvp: Vnode, name: str) -> NameCacheEntry | None:
        """The entry for (dvp, name), if cached: the walk of its nchashtbl chain that cache_lookup does."""
        entry = self.nchashtbl.heads[self.nchash(dvp, name)]
        while entry is not None and (entry.dvp is not dvp or entry.name != name):
            entry = entry.h_next
        return entry

    # -- cache_lookup ----------------------------------------------------------------------------

    # No `*` before nameiop: CPython 3.11 inlines a call (no new C frame) only to a function without keyword-only
    # parameters, and called positionally (namei and the replays do).
    def cache_lookup(
        self, dvp: Vnode, name: str, nameiop: str = LOOKUP, makeentry: bool = True, islastcn: bool = True
    ) -> tuple[int | str, NameCacheEntry | None, list[Event]]:
        """cache_lookup (§1.4): returns (0 | "ENOENT" | MISS, the entry hit or None, events).

        One call, one outcome, one event. A positive entry whose vnode `vget(vp, LK_NOWAIT)` cannot have
        (VXLOCK: being reclaimed) is a false hit: -1, ncs_falsehits, the entry stays (moved to the LRU
        tail first, as vfs_cache.c does before its vget). A good hit (0) hands the vnode back for the
        caller to reference and lock (`lookup_once`).
        """
        self.lookups += 1
        try:  # namei_hash(name), inlined: the memo's subscript, and the call only for a name not seen yet
            hashed = _HASH_MEMO[name]
        except KeyError:
            hashed = namei_hash(name)
        bucket = (hashed ^ dvp.nchash_addr) & self.mask  # NCHASH(namei_hash(name), dvp)
        entry = self.nchashtbl.heads[bucket]
        while entry is not None and (entry.dvp is not dvp or entry.name != name):
            entry = entry.h_next
        if entry is None:
            # A long name is never entered, so only a miss can be one (name_length, inlined: every miss).
            length = len(name) if name.isascii() else name_length(name)
            if length > NCHNAMLEN:
                self.ncs_long += 1
                return MISS, None, [LongNameEvent(dvp.id, name, bucket, length)]
            self.ncs_miss += 1
            return MISS, None, [MissEvent(dvp.id, name, bucket)]
        if not makeentry:
            return (
                MISS,
                None,
                self._badhit(
                    dvp,
                    name,
                    entry,
                    f"hit on {entry.id} but the caller does not want it cached ({nameiop}, last component): removed",
                    "For the last component of a DELETE or RENAME the name is about to change, so the entry goes.",
                ),
            )
        vp = entry.vp
        if vp is None:
            if nameiop == CREATE and islastcn:
                return (
                    MISS,
                    None,
                    self._badhit(
                        dvp,
                        name,
                        entry,
                        f"negative entry {entry.id} hit by the last component of a CREATE: removed",
                        "The name is about to be created, so the negative entry would soon be wrong.",
                    ),
                )
            self.ncs_neghits += 1
            self.lru.move_to_tail(entry)
            return "ENOENT", entry, [NegHitEvent(entry)]
        lru = self.lru  # TAILQ_REMOVE, TAILQ_INSERT_TAIL: lru.move_to_tail, inlined on the hottest path
        tail = lru.tail
        if entry is not tail:
            prev, nxt = entry.tq_prev, entry.tq_next
            if prev is None:
                lru.head = nxt
            else:
                prev.tq_next = nxt
            nxt.tq_prev = prev
            entry.tq_prev = tail
            entry.tq_next = None
            tail.tq_next = entry
            lru.tail = entry
        if vp.xlock:  # vget(vp, LK_NOWAIT) fails with EBUSY: "this vnode is being cleaned out"
            self.ncs_falsehits += 1
            return MISS, entry, [self._false_hit(entry)]
        self.ncs_goodhits += 1
        # While an entry lives its vnodes keep their ids (a reclaim purges the entry first), so each of
        # its hits reads the same: one immutable event serves them all.
        event = entry.hit
        if event is None:
            event = entry.hit = HitEvent(entry)
        return 0, entry, [event]

    def _badhit(self, dvp: Vnode, name: str, entry: NameCacheEntry, text: str, explain: str) -> list[Event]:
        """A hit the caller cannot use (ncs_badhits): the entry is removed and the lookup is a miss (§1.4)."""
        self.ncs_badhits += 1
        event = self._lookup_event("namecache.badhit", dvp, name, entry, MISS, text, explain)
        return [event, *self.remove(entry, reason="cache_lookup")]

    def _false_hit(self, entry: NameCacheEntry) -> Event:
        """The event of a false hit (§1.4): the entry named a vnode vget could not have; -1, the entry stays."""
        assert entry.vp is not None
        return Event(
            "namecache.falsehit",
            f"false hit on {entry.id}: {entry.vp.id} is being reclaimed (VXLOCK), vget fails; moved to the LRU tail",
            refs=(entry.id, entry.vp.id, f"nchash {entry.bucket}"),
            changed=(entry.id,),  # moved to the LRU tail before the vget
            func="cache_lookup",
            ret=MISS,
            explain="The entry named a vnode that vget could not have (VXLOCK); the lookup falls back to the "
            "file system and the entry stays.",
            data={"bucket": entry.bucket, "hash": namei_hash(entry.name), "name": entry.name},
        )

    def _lookup_event(
        self,
        kind: str,
        dvp: Vnode,
        name: str,
        entry: NameCacheEntry | None,
        ret: int | None,
        text: str,
        explain: str,
        *,
        errno: str | None = None,
    ) -> Event:
        hashed = namei_hash(name)
        if entry is None:
            bucket = nchash(hashed, dvp.addr, self.mask)
            refs: tuple[str, ...] = (dvp.id, f"nchash {bucket}")
        else:
            bucket = entry.bucket  # the entry was put on the chain its hash picks
            vp = entry.vp
            refs = (entry.id, dvp.id, f"nchash {bucket}") + (() if vp is None else (vp.id,))
        data = {"bucket": bucket, "hash": hashed, "name": name}
        return Event(kind, text, refs, explain, "cache_lookup", ret, errno, data)

    # -- cache_enter ----------------------------------------------------------------------------

    # No `*` before whiteout, as in cache_lookup: CPython 3.11 inlines calls only to functions without one.
    def cache_enter(self, dvp: Vnode, vp: Vnode | None, name: str, whiteout: bool = False) -> list[Event]:
        """cache_enter (§1.5): a positive or negative entry at the LRU tail and the head of its chain."""
        if (len(name) if name.isascii() else name_length(name)) > NCHNAMLEN:  # name_length, inlined: every enter
            return [EnterSkippedEvent(dvp.id, name)]
        events: list[Event] = []
        try:  # namei_hash(name), inlined as in cache_lookup
            hashed = _HASH_MEMO[name]
        except KeyError:
            hashed = namei_hash(name)
        bucket = (hashed ^ dvp.nchash_addr) & self.mask  # NCHASH(namei_hash(name), dvp)
        old = self.nchashtbl.heads[bucket]
        while old is not None and (old.dvp is not dvp or old.name != name):
            old = old.h_next
        if old is not None:
            events.append(self.cache_remove(old, "cache_enter (replaced by the newer entry)"))
        lru = self.lru
        if lru.count >= self.capacity:  # len(lru) without the call
            victim = lru.head
            events.append(ReclaimEvent(self.capacity, victim))
            events.append(self.cache_remove(victim, "cache_enter (LRU reuse)"))  # no list to extend by: every reuse
        num = self.next_num
        self.next_num = num + 1
        entry = NameCacheEntry(num, dvp, vp, name, whiteout and vp is None, bucket)
        tail = lru.tail  # TAILQ_INSERT_TAIL: lru.insert_tail, inlined as in cache_lookup (the LRU has no index)
        entry.tq_prev = tail
        if tail is None:
            lru.head = entry
        else:
            tail.tq_next = entry
        lru.tail = entry
        lru.count += 1
        heads = self.nchashtbl.heads  # LIST_INSERT_HEAD(&nchashtbl[bucket], ncp, nc_hash)
        first = heads[bucket]
        if first is not None:
            entry.h_next = first
            first.h_prev = entry
        heads[bucket] = entry
        first = dvp.v_dnclist  # LIST_INSERT_HEAD(&dvp->v_dnclist, ncp, nc_dvlist)
        if first is not None:
            entry.dv_next = first
            first.dv_prev = entry
        dvp.v_dnclist = entry
        if vp is not None:
            first = vp.v_nclist  # LIST_INSERT_HEAD(&vp->v_nclist, ncp, nc_vlist)
            if first is not None:
                entry.v_next = first
                first.v_prev = entry
            vp.v_nclist = entry
            if vp.type == VDIR and vp is not dvp and name not in (".", ".."):
                vbucket = entry.vbucket = self.ncvhash(vp)
                vheads = self.ncvhashtbl.heads
                first = vheads[vbucket]
                if first is not None:
                    entry.vh_next = first
                    first.vh_prev = entry
                vheads[vbucket] = entry
        events.append(EnterEvent(entry))
        return events

    # -- removal ---------------------------------------------------------------------------------

    def remove(self, entry: NameCacheEntry, reason: str) -> list[Event]:  # no `*`: as cache_lookup
        """cache_remove, its event in a list: for the callers that gather events in lists."""
        return [self.cache_remove(entry, reason)]

    def cache_remove(self, entry: NameCacheEntry, reason: str) -> Event:
        """Take an entry off every list it is on; its one event.

        As LIST_REMOVE and TAILQ_REMOVE do, the entry's own links are left as they were: it is on no list
        now and nothing walks from it again (every LRU reuse removes one, so the ten writes counted).
        """
        lru = self.lru  # TAILQ_REMOVE: lru.remove, inlined (every LRU reuse; the LRU has no index)
        prev, nxt = entry.tq_prev, entry.tq_next
        if prev is None:
            lru.head = nxt
        else:
            prev.tq_next = nxt
        if nxt is None:
            lru.tail = prev
        else:
            nxt.tq_prev = prev
        lru.count -= 1
        event = RemoveEvent(entry, reason)
        prev, nxt = entry.h_prev, entry.h_next  # LIST_REMOVE(ncp, nc_hash)
        if prev is None:
            self.nchashtbl.heads[entry.bucket] = nxt
        else:
            prev.h_next = nxt
        if nxt is not None:
            nxt.h_prev = prev
        prev, nxt = entry.dv_prev, entry.dv_next  # LIST_REMOVE(ncp, nc_dvlist)
        if prev is None:
            entry.dvp.v_dnclist = nxt
        else:
            prev.dv_next = nxt
        if nxt is not None:
            nxt.dv_prev = prev
        if entry.vp is not None:
            prev, nxt = entry.v_prev, entry.v_next  # LIST_REMOVE(ncp, nc_vlist)
            if prev is None:
                entry.vp.v_nclist = nxt
            else:
                prev.v_next = nxt
            if nxt is not None:
                nxt.v_prev = prev
        if entry.vbucket is not None:
            prev, nxt = entry.vh_prev, entry.vh_next  # LIST_REMOVE(ncp, nc_vhash)
            if prev is None:
                self.ncvhashtbl.heads[entry.vbucket] = nxt
            else:
                prev.vh_next = nxt
            if nxt is not None:
                nxt.vh_prev = prev
        return event

    def cache_purge(self, vp: Vnode) -> list[Event]:
        """cache_purge (§1.7): every name of vp and every name under it (PURGE_PARENTS | PURGE_CHILDREN)."""
        return self.cache_purge1(vp, parents=True, children=True, func="cache_purge")

    def cache_purge1(self, vp: Vnode, *, parents: bool, children: bool, func: str = "cache_purge1") -> list[Event]:
        """cache_purge1 (§1.7): drop entries naming vp (PURGE_PARENTS) and/or entries under it (PURGE_CHILDREN).

        `func` names the caller in the events: cache_purge is cache_purge1 with both flags, as in NetBSD.
        """
        victims: dict[int, NameCacheEntry] = {}
        if parents:
            victims.update((e.num, e) for e in names_of(vp))
        if children:
            victims.update((e.num, e) for e in children_of(vp))
        victims = dict(sorted(victims.items()))  # oldest first, whatever order the lists hold them in
        events = [
            Event(
                "namecache.purge",
                f"{func}({vp.id}): {len(victims)} entr{'y' if len(victims) == 1 else 'ies'}",
                refs=(vp.id, *(e.id for e in victims.values())),
                func=func,
                explain="Purging a vnode drops every name that leads to it and every name under it.",
                data={"entries": len(victims)},
            )
        ]
        for entry in sorted(victims.values(), key=lambda e: e.num):
            events += self.remove(entry, reason=func)
        return events

    def cache_purgevfs(self, mount_id: str) -> list[Event]:
        """cache_purgevfs (§1.8): drop every entry whose parent directory belongs to the mount."""
        victims = [e for e in self.lru.values() if e.dvp.mount == mount_id]
        events = [
            Event(
                "namecache.purgevfs",
                f"cache_purgevfs({mount_id}): {len(victims)} entries",
                refs=(mount_id, *(e.id for e in victims)),
                func="cache_purgevfs",
                explain="At unmount every name whose directory is on that file system is dropped.",
                data={"entries": len(victims)},
            )
        ]
        for entry in victims:
            events += self.remove(entry, reason="cache_purgevfs")
        return events

    # -- reverse lookup and printing -------------------------------------------------------------

    def cache_revlookup(self, vp: Vnode, buf: bytearray, bp: int) -> tuple[int | str, Vnode | None, int, Event]:
        """cache_revlookup (§1.6): (0 | "ERANGE" | MISS, parent, new bp, event); the name goes before bp."""
        bucket = self.ncvhash(vp)
        for entry in chain(self.ncvhashtbl.heads[bucket], "vh_next"):
            if entry.vp is vp and entry.dvp is not vp and entry.name not in (".", ".."):
                self.ncs_revhits += 1
                raw = entry.name.encode("utf-8", "surrogateescape")
                refs = (entry.id, vp.id, entry.dvp.id, f"ncvhash {bucket}")
                if bp - len(raw) <= 0:
                    return (
                        "ERANGE",
                        None,
                        bp,
                        Event(
                            "namecache.revhit",
                            f"{vp.id} is {entry.name!r} in {entry.dvp.id}, but it does not fit before bp={bp}",
                            refs=refs,
                            func="cache_revlookup",
                            errno="ERANGE",
                            data={"bucket": bucket},
                            explain="The hit is counted, then the name does not fit in the buffer: ERANGE.",
                        ),
                    )
                bp -= len(raw)
                buf[bp : bp + len(raw)] = raw
                return (
                    0,
                    entry.dvp,
                    bp,
                    Event(
                        "namecache.revhit",
                        f"{vp.id} is {entry.name!r} in {entry.dvp.id} ({entry.id}); copied before bp, bp={bp}",
                        refs=refs,
                        func="cache_revlookup",
                        ret=0,
                        data={"bucket": bucket},
                    ),
                )
        self.ncs_revmiss += 1
        return (
            MISS,
            None,
            bp,
            Event(
                "namecache.revmiss",
                f"no directory entry names {vp.id} on ncvhash chain {bucket}",
                refs=(vp.id, f"ncvhash {bucket}"),
                func="cache_revlookup",
                ret=MISS,
                data={"bucket": bucket},
                explain="getcwd would now read '..' and scan the parent directory.",
            ),
        )

    def namecache_print(self, vp: Vnode) -> list[str]:
        """namecache_print (§1.9): the lines DDB prints — names of vp, then names of its parent."""
        lines: list[str] = []
        dvp: Vnode | None = None
        for entry in self.lru.values():
            if entry.vp is vp:
                lines.append(f"name {entry.name}")
                dvp = entry.dvp
        if dvp is None:
            return ["name not found"]
        lines += [f"parent {entry.name}" for entry in self.lru.values() if entry.vp is dvp]
        return lines

    # -- inspection --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "nchash": len(self.nchashtbl),
            "ncvhash": len(self.ncvhashtbl),
            "capacity": self.capacity,
            "numcache": self.numcache,
            "nchstats": dict(self.stats),
            "lookups": self.lookups,
            "lru": [e.id for e in self.lru.values()],
            "chains": {str(i): [e.id for e in chain] for i, chain in enumerate(self.nchashtbl) if chain},
            "vchains": {str(i): [e.id for e in chain] for i, chain in enumerate(self.ncvhashtbl) if chain},
            "entries": [e.to_dict() for e in self.lru.values()],
        }

    def _check_links(self) -> list[str]:
        """Each intrusive chain's prev links point back along its next links."""
        problems = []
        for table, prev_link in ((self.nchashtbl, "h_prev"), (self.ncvhashtbl, "vh_prev")):
            for bucket, head in enumerate(table.heads):
                prev = None
                for entry in chain(head, table.link):
                    if getattr(entry, prev_link) is not prev:
                        problems.append(f"{entry.id}: {prev_link} does not point back on chain {bucket}")
                    prev = entry
        return problems

    def check(self) -> list[str]:
        """Invariants: chains, LRU and per-vnode lists hold the same entries (§1.2)."""
        problems: list[str] = []
        on_chains = {e.num for chain in self.nchashtbl for e in chain}
        if on_chains != set(self.lru) or sum(map(len, self.nchashtbl)) != len(self.lru):
            problems.append("hash chains and the LRU list do not hold the same entries exactly once")
        if len(self.lru) > self.capacity:
            problems.append(f"{len(self.lru)} entries exceed the capacity {self.capacity}")
        for entry in self.lru.values():
            if entry.bucket != self.nchash(entry.dvp, entry.name) or entry not in self.nchashtbl[entry.bucket]:
                problems.append(f"{entry.id} is not on the chain its hash picks")
            if self.find(entry.dvp, entry.name) is not entry:
                problems.append(f"{entry.id} is not what a lookup of its (dvp, name) finds")
            if entry not in children_of(entry.dvp):
                problems.append(f"{entry.id} missing from {entry.dvp.id}'s list of children")
            if entry.vp is not None and entry not in names_of(entry.vp):
                problems.append(f"{entry.id} missing from {entry.vp.id}'s list of names")
            for vnode in (entry.dvp, entry.vp):
                if vnode is not None and vnode.ino is None:
                    problems.append(f"{entry.id} names reclaimed vnode {vnode.id}")
            wants_v = (
                entry.vp is not None
                and entry.vp.type == VDIR
                and entry.vp is not entry.dvp
                and entry.name not in (".", "..")
            )
            if wants_v != (entry.vbucket is not None) or (
                entry.vp is not None
                and entry.vbucket is not None
                and (entry.vbucket != self.ncvhash(entry.vp) or entry not in self.ncvhashtbl[entry.vbucket])
            ):
                problems.append(f"{entry.id} is wrongly on or off ncvhashtbl")
        if sum(map(len, self.ncvhashtbl)) != sum(1 for e in self.lru.values() if e.vbucket is not None):
            problems.append("ncvhashtbl holds entries that are not in the cache")
        problems += self._check_links()
        problems += [f"LRU list: {problem}" for problem in self.lru.check()]
        if any(value < 0 for value in self.stats.values()):
            problems.append("a counter went negative")
        outcomes = sum(self.stats[name] for name in NCHSTATS[:6])
        if outcomes != self.lookups:
            problems.append(f"the six lookup counters sum to {outcomes}, but cache_lookup ran {self.lookups} times")
        return problems
