"""The CPU part: user memory, the I-cache and the D-cache, and the loads, stores and fetches between them.

§5.4: the D-cache is write-back and write-allocate; the I-cache is filled from memory and does
not snoop the D-cache, so code stored and executed before a write-back and an I-cache invalidation runs
the old instruction — a stale fetch. cacheflush(2) itself lives in `model.cpu.cacheflush`.
Words are shown big-endian (the first byte is the most significant), as on big-endian MIPS and m68k.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from model.cpu.cache import INVALID, WORD, Cache, Memory
from model.errors import OpError
from model.events import Event
from model.limits import ADDRESS_SPACE, PAGE_SIZE, USER_LIMIT

MODES = ("spec", "linux", "legacy")
ABIS = ("mips", "m68k", "sh", "nds32")
DEFAULT_GEOMETRY = {"sets": 8, "ways": 2, "line": 16}

_LINE_REF = re.compile(r"([ID]) set ([0-9]{1,18}) way ([0-9]{1,18})")
_SET_REF = re.compile(r"([ID]) set ([0-9]{1,18})")
_ADDR_REF = re.compile(r"(?:mem )?(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})")
_VMA_REF = re.compile(r"vma (0x[0-9a-fA-F]{1,16}|[0-9]{1,20})")


def line_refs(cache: Cache, index: int, way: int) -> tuple[str, str]:
    """The ids of a line and of its set, e.g. ("D set 5 way 1", "D set 5")."""
    return f"{cache.name} set {index} way {way}", f"{cache.name} set {index}"


def mem_ref(addr: int) -> str:
    """The id of the memory word holding `addr`, e.g. "mem 0x400000"."""
    return f"mem {addr & ~(WORD - 1):#x}"


def word_hex(data: bytes) -> str:
    """Bytes as hex, a space between words: "24020001 00000000"."""
    return " ".join(data[i : i + WORD].hex() for i in range(0, len(data), WORD))


class CpuCaches:
    """The machine's CPU side: memory, caches, the cacheflush ABI and kernel mode in force, counters."""

    __slots__ = ("abi", "cap_sys_admin", "dcache", "flushes", "icache", "memory", "mode", "stale_fetches")

    def __init__(
        self,
        icache: Mapping[str, int] = DEFAULT_GEOMETRY,
        dcache: Mapping[str, int] = DEFAULT_GEOMETRY,
        *,
        mode: str = "linux",
        abi: str = "mips",
        cap_sys_admin: bool = False,
    ) -> None:
        self.icache = Cache("I", icache["sets"], icache["ways"], icache["line"])
        self.dcache = Cache("D", dcache["sets"], dcache["ways"], dcache["line"])
        self.memory = Memory()
        self.mode = mode
        self.abi = abi
        self.cap_sys_admin = cap_sys_admin
        self.stale_fetches = 0
        self.flushes = 0

    def cache(self, name: str) -> Cache:
        """The I-cache for "I", the D-cache for "D"."""
        return self.icache if name == "I" else self.dcache

    # -- mappings ---------------------------------------------------------------------------
    def mmap(self, addr: int, length: int, perms: str) -> list[Event]:
        """mmap(addr, length, perms, MAP_FIXED): a new mapping, page-aligned, below the user limit."""
        if addr % PAGE_SIZE:
            raise OpError(f"{addr:#x} is not page-aligned", hint=f"mappings start on a {PAGE_SIZE}-byte page boundary")
        if length <= 0:
            raise OpError("a mapping needs a length > 0")
        end = addr + -(-length // PAGE_SIZE) * PAGE_SIZE
        if end > USER_LIMIT:
            raise OpError(
                f"{addr:#x}..{end - 1:#x} reaches kernel addresses",
                hint=f"user mappings end below {USER_LIMIT:#x}",
            )
        clash = self.memory.add_map(addr, end, perms)
        if clash is not None:
            raise OpError(f"overlaps the mapping {clash[0]:#x}..{clash[1] - 1:#x}", refs=(f"vma {clash[0]:#x}",))
        return [
            Event(
                "cpu.map",
                f"mapped {addr:#x}..{end - 1:#x} ({(end - addr) // PAGE_SIZE} pages) {perms}",
                refs=(f"vma {addr:#x}",),
                func="mmap",
                created=(f"vma {addr:#x}",),
                ret=addr,
                data={"start": addr, "end": end, "perms": perms},
            )
        ]

    def fault(self, what: str, addr: int, nbytes: int, perm: str) -> Event:
        """A user access outside its mappings (or without the permission): SIGSEGV, nothing cached."""
        need = {"r": "read", "w": "write", "x": "execute"}[perm]
        return Event(
            "cpu.fault",
            f"{what} {addr:#x}: SIGSEGV, no mapping allows {need} of {nbytes} bytes there",
            refs=(mem_ref(addr),),
            explain="A program that touches memory it has not mapped with that permission gets SIGSEGV; "
            "the access never reaches the caches.",
            data={"addr": addr, "signal": "SIGSEGV", "perm": perm},
        )

    # -- the path of one access ----------------------------------------------------------------
    def touch(self, cache: Cache, addr: int, write: bool) -> tuple[list[Event], int, int]:
        """One access through `cache`: hit, or miss with eviction (and write-back) and fill from memory."""
        hit = cache.access(addr, write)
        index, tag = cache.locate(addr)
        way = cache.slots[index].index(tag)
        refs = line_refs(cache, index, way)
        base = cache.line_addr(index, tag)
        data = {"cache": cache.name, "set": index, "way": way, "tag": tag, "addr": base}
        if hit:
            hit_event = Event("cpu.hit", f"{cache.name}-cache hit: {addr:#x} in {refs[0]}", refs, data=data,
                              changed=refs[:1])  # fmt: skip
            return [hit_event], index, way
        events = [Event("cpu.miss", f"{cache.name}-cache miss: {addr:#x} (set {index}, tag {tag:#x})", refs, data=data)]
        if cache.last_victim != INVALID:
            victim = cache.line_addr(index, cache.last_victim)
            if cache.last_victim_dirty:
                self.memory.write(victim, cache.line_bytes(index, way))
                events.append(
                    Event(
                        "cpu.writeback",
                        f"{refs[0]} was dirty: written back to memory {victim:#x}",
                        refs,
                        explain="A dirty line is written back before its way is reused.",
                        data={**data, "addr": victim},
                        changed=refs[:1],
                    )
                )
            events.append(
                Event(
                    "cpu.evict",
                    f"{refs[0]} evicted (least recently used): {victim:#x} leaves the {cache.name}-cache",
                    refs,
                    data={**data, "addr": victim, "tag": cache.last_victim},
                    removed=refs[:1],
                )
            )
        cache.fill(index, way, self.memory.read(base, cache.line))
        events.append(
            Event(
                "cpu.fill",
                f"{refs[0]} filled from memory {base:#x}..{base + cache.line - 1:#x}",
                refs,
                changed=refs[:1],
            )
        )
        return events, index, way

    def _pieces(self, cache: Cache, addr: int, nbytes: int) -> list[tuple[int, int]]:
        """[addr, addr+nbytes) cut at line boundaries: (address, length) pieces."""
        pieces, end = [], addr + nbytes
        while addr < end:
            take = min(end - addr, cache.line - (addr & (cache.line - 1)))
            pieces.append((addr, take))
            addr += take
        return pieces

    def store(self, addr: int, nbytes: int, value: int) -> list[Event]:
        """A store through the write-back, write-allocate D-cache: the line becomes dirty, memory is stale."""
        _check_size(nbytes)
        if not -(1 << (8 * nbytes - 1)) <= value < 1 << (8 * nbytes):
            raise OpError(f"{value:#x} does not fit in {nbytes} bytes", hint="give a smaller VALUE or more NBYTES")
        if addr + nbytes > ADDRESS_SPACE or not self.memory.allows(addr, nbytes, "w"):
            return [self.fault("store", addr, nbytes, "w")]
        raw = (value & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "big")
        events: list[Event] = []
        refs: list[str] = []
        lines: list[str] = []
        done = 0
        for piece, take in self._pieces(self.dcache, addr, nbytes):
            touched, index, way = self.touch(self.dcache, piece, True)
            events += touched
            self.dcache.write_bytes(index, way, piece & (self.dcache.line - 1), raw[done : done + take])
            line_ids = line_refs(self.dcache, index, way)
            refs += line_ids
            lines.append(line_ids[0])
            done += take
        old = self.memory.read(addr & ~(WORD - 1), WORD)
        events.append(
            Event(
                "cpu.store",
                f"store {addr:#x} <- {raw.hex()} ({nbytes} bytes) in {refs[0]}, now dirty; "
                f"memory still holds {old.hex()}",
                (*refs, mem_ref(addr)),
                explain="The D-cache is write-back: the new bytes live only in the dirty line until it is "
                "written back.",
                data={"addr": addr, "bytes": raw.hex()},
                changed=tuple(lines),
            )
        )
        return events

    def load(self, addr: int, nbytes: int) -> list[Event]:
        """A load through the D-cache."""
        _check_size(nbytes)
        if addr + nbytes > ADDRESS_SPACE or not self.memory.allows(addr, nbytes, "r"):
            return [self.fault("load", addr, nbytes, "r")]
        events: list[Event] = []
        refs: list[str] = []
        value = b""
        for piece, take in self._pieces(self.dcache, addr, nbytes):
            touched, index, way = self.touch(self.dcache, piece, False)
            events += touched
            offset = piece & (self.dcache.line - 1)
            value += self.dcache.line_bytes(index, way)[offset : offset + take]
            refs += line_refs(self.dcache, index, way)
        events.append(
            Event(
                "cpu.load",
                f"load {addr:#x} -> {value.hex()} from {refs[0]}",
                (*refs, mem_ref(addr)),
                data={"addr": addr, "bytes": value.hex()},
            )
        )
        return events

    def exec(self, addr: int) -> list[Event]:
        """An instruction fetch through the I-cache, flagged as stale when it differs from the newest bytes."""
        if addr % WORD:
            raise OpError(f"{addr:#x} is not word-aligned", hint="instructions are 4 bytes on a 4-byte boundary")
        if not self.memory.allows(addr, WORD, "x"):
            return [self.fault("exec", addr, WORD, "x")]
        events, index, way = self.touch(self.icache, addr, False)
        offset = addr & (self.icache.line - 1)
        fetched = self.icache.line_bytes(index, way)[offset : offset + WORD]
        newest, where, where_refs = self.newest(addr)
        refs = (*line_refs(self.icache, index, way), mem_ref(addr))
        events.append(
            Event(
                "cpu.exec",
                f"exec {addr:#x}: fetched {fetched.hex()} from {refs[0]}",
                refs,
                data={"addr": addr, "bytes": fetched.hex()},
            )
        )
        if fetched != newest:
            self.stale_fetches += 1
            events.append(
                Event(
                    "cpu.stale_fetch",
                    f"stale fetch at {addr:#x}: ran {fetched.hex()}, but the newest value is {newest.hex()} ({where})",
                    (*refs, *where_refs),
                    explain="The I-cache is filled from memory and never looks in the D-cache: until the dirty D-line "
                    "is written back and the I-line invalidated, the CPU runs the old instruction "
                    "(docs/kernel-rules.md §5.4).",
                    data={"addr": addr, "fetched": fetched.hex(), "newest": newest.hex(), "where": where},
                )
            )
        return events

    def newest(self, addr: int) -> tuple[bytes, str, tuple[str, ...]]:
        """The newest value of the word at `addr` (the D-cache's copy if it has one, else memory), without
        touching LRU order or counters; with where it is and its refs."""
        way = self.dcache.find(addr)
        if way == INVALID:
            return self.memory.read(addr, WORD), "in memory", (mem_ref(addr),)
        index, _ = self.dcache.locate(addr)
        offset = addr & (self.dcache.line - 1)
        state = "dirty" if self.dcache.is_dirty(index, way) else "clean"
        refs = line_refs(self.dcache, index, way)
        return self.dcache.line_bytes(index, way)[offset : offset + WORD], f"in {refs[0]}, {state}", refs

    def copy_of(self, cache: Cache, addr: int) -> bytes | None:
        """The word at `addr` as `cache` holds it, or None when no valid line holds it (read-only)."""
        way = cache.find(addr)
        if way == INVALID:
            return None
        index, _ = cache.locate(addr)
        offset = addr & (cache.line - 1) & ~(WORD - 1)
        return cache.line_bytes(index, way)[offset : offset + WORD]

    def newest_word(self, addr: int) -> bytes:
        """The newest bytes of the word at `addr`: the D-cache's copy if it holds one, else memory."""
        word = addr & ~(WORD - 1)
        held = self.copy_of(self.dcache, word)
        return held if held is not None else self.memory.read(word, WORD)

    def is_stale(self, index: int, way: int) -> bool:
        """True when the I-line in (index, way) differs from the newest bytes of its addresses."""
        base = self.icache.way_addr(index, way)
        if base == INVALID:
            return False
        data = self.icache.line_bytes(index, way)
        return any(data[o : o + WORD] != self.newest_word(base + o) for o in range(0, self.icache.line, WORD))

    # -- the Part protocol -------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """Counters per cache (I_hits, D_writebacks...), stale fetches and cacheflush calls."""
        out = {f"I_{k}": v for k, v in self.icache.counters().items() if k not in ("writebacks", "accesses")}
        out.update({f"D_{k}": v for k, v in self.dcache.counters().items() if k != "accesses"})
        out["stale_fetches"] = self.stale_fetches
        out["cacheflush_calls"] = self.flushes
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state; the schema is in the README section "cpu"."""
        return {
            "mode": self.mode,
            "abi": self.abi,
            "cap_sys_admin": self.cap_sys_admin,
            "user_limit": USER_LIMIT,
            "page_size": PAGE_SIZE,
            "mappings": [{"start": s, "end": e, "perms": p} for s, e, p in self.memory.maps],
            "memory": [{"addr": a, "word": w.hex()} for a, w in self.memory.nonzero_words()],
            "icache": _cache_dict(self.icache),
            "dcache": _cache_dict(self.dcache),
            "stale_fetches": self.stale_fetches,
            "cacheflush_calls": self.flushes,
        }

    def check(self) -> list[str]:
        """Invariants: each cache's own, a clean valid D-line equals memory, the I-cache is never dirty."""
        problems = self.icache.check() + self.dcache.check()
        if any(value < 0 for value in self.stats().values()):
            problems.append("a CPU counter went negative")
        if any(self.icache.dirty):
            problems.append("I-cache: a line is dirty, but nothing writes through the I-cache")
        for index, way in self.dcache.valid_lines():
            base = self.dcache.way_addr(index, way)
            if not self.dcache.is_dirty(index, way) and self.dcache.line_bytes(index, way) != self.memory.read(
                base, self.dcache.line
            ):
                problems.append(f"D set {index} way {way}: clean, but differs from memory at {base:#x}")
        return problems

    def describe(self, ref: str) -> str | None:
        """Describe a line ("D set 5 way 1"), a set ("I set 3"), a mapping ("vma 0x400000") or an address."""
        if m := _LINE_REF.fullmatch(ref):
            return self._describe_line(self.cache(m[1]), int(m[2]), int(m[3]))
        if m := _SET_REF.fullmatch(ref):
            cache, index = self.cache(m[1]), int(m[2])
            if index >= cache.sets:
                return None
            lines = [self._describe_line(cache, index, way).splitlines()[0] for way in range(cache.ways)]
            order = " ".join(f"way {cache.slots[index].index(tag)}" for tag in cache.order[index]) or "empty"
            return f"{cache.name} set {index}: LRU order (next victim first) {order}\n" + "\n".join(lines)
        if m := _VMA_REF.fullmatch(ref):
            mapping = self.memory.vma(int(m[1], 0))
            return None if mapping is None else f"vma {mapping[0]:#x}..{mapping[1] - 1:#x} {mapping[2]}"
        if m := _ADDR_REF.fullmatch(ref):
            return self._describe_addr(int(m[1], 0))
        return None

    def _describe_line(self, cache: Cache, index: int, way: int) -> str:
        if index >= cache.sets or way >= cache.ways:
            size = f"{cache.sets} sets x {cache.ways} ways"
            return f"{cache.name} set {index} way {way}: no such line (the cache has {size})"
        base = cache.way_addr(index, way)
        if base == INVALID:
            return f"{cache.name} set {index} way {way}: invalid (empty)"
        state = "dirty" if cache.is_dirty(index, way) else "clean"
        return (
            f"{cache.name} set {index} way {way}: tag {cache.slots[index][way]:#x}, "
            f"{base:#x}..{base + cache.line - 1:#x}, valid {state}, LRU rank {cache.lru_rank(index, way)}\n"
            f"line   {word_hex(cache.line_bytes(index, way))}\n"
            f"memory {word_hex(self.memory.read(base, cache.line))}"
        )

    def _describe_addr(self, addr: int) -> str:
        word = addr & ~(WORD - 1)
        mapping = self.memory.vma(word)
        where = f"in vma {mapping[0]:#x} {mapping[2]}" if mapping else "not mapped"
        lines = [f"{word:#x}: {where}, memory {self.memory.read(word, WORD).hex()}"]
        for cache in (self.icache, self.dcache):
            way = cache.find(word)
            if way != INVALID:
                index, _ = cache.locate(word)
                offset = word & (cache.line - 1)
                lines.append(
                    f"{line_refs(cache, index, way)[0]}: {cache.line_bytes(index, way)[offset : offset + WORD].hex()}"
                )
        return "\n".join(lines)


def _check_size(nbytes: int) -> None:
    if not 1 <= nbytes <= 8:
        raise OpError(f"{nbytes} bytes: an access is 1 to 8 bytes", hint="e.g. store 0x400000 4 0x24020001")


def _cache_dict(cache: Cache) -> dict[str, Any]:
    lines = [
        {
            "set": index,
            "way": way,
            "tag": cache.slots[index][way],
            "addr": cache.way_addr(index, way),
            "dirty": cache.is_dirty(index, way),
            "lru": cache.lru_rank(index, way),
            "bytes": cache.line_bytes(index, way).hex(),
        }
        for index, way in cache.valid_lines()
    ]
    return {"sets": cache.sets, "ways": cache.ways, "line": cache.line, **cache.counters(), "lines": lines}
