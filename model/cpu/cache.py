"""CPU caches and the memory behind them: a set-associative LRU cache and a paged, mapped memory.

§5.4 and §5.5. `Cache` keeps, per set, the valid tags in LRU order (least recently used
first) and, per way, the tag it holds, so a line keeps its way (its stable id ``D set 5 way 1``)
until it is evicted or invalidated. The per-access path (`Cache.access`, `Cache.run`) touches only
ints and small lists; the event-producing operations in `model.cpu.cpu` build on it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from model.journal import JBytes, JDict, JList, Journaled
from model.limits import ADDRESS_SPACE, PAGE_SIZE, USER_LIMIT

PAGE_SHIFT = 12
WORD = 4
INVALID = -1


class Cache(Journaled):
    """One set-associative cache (the I-cache or the D-cache) with LRU replacement in each set.

    Attributes:
        order: per set, the valid tags, least recently used first.
        slots: per set, the tag held by each way (INVALID when the way is empty).
        dirty: per line (set * ways + way), 1 when the line holds bytes memory does not.
        data: the bytes of every line, line after line.
        last_victim, last_victim_dirty: the tag evicted by the last missing `access`, and whether it was dirty.
    """

    __slots__ = (
        "accesses",
        "data",
        "dirty",
        "hits",
        "index_bits",
        "index_mask",
        "invalidations",
        "last_victim",
        "last_victim_dirty",
        "line",
        "misses",
        "name",
        "offset_bits",
        "order",
        "sets",
        "slots",
        "ways",
        "writebacks",
    )

    def __init__(self, name: str, sets: int, ways: int, line: int) -> None:
        self.name = name
        self.sets = sets
        self.ways = ways
        self.line = line
        self.offset_bits = line.bit_length() - 1
        self.index_bits = sets.bit_length() - 1
        self.index_mask = sets - 1
        self.order: JList = JList(JList() for _ in range(sets))
        self.slots: JList = JList(JList([INVALID] * ways) for _ in range(sets))
        self.dirty = JBytes(sets * ways)
        self.data = JBytes(sets * ways * line)
        self.hits = self.misses = self.writebacks = self.invalidations = self.accesses = 0
        self.last_victim = INVALID
        self.last_victim_dirty = False

    # -- addresses ---------------------------------------------------------------------------
    def locate(self, addr: int) -> tuple[int, int]:
        """(set index, tag) of the line holding `addr`."""
        block = addr >> self.offset_bits
        return block & self.index_mask, block >> self.index_bits

    def line_addr(self, index: int, tag: int) -> int:
        """The first address of the line with this set index and tag."""
        return ((tag << self.index_bits) | index) << self.offset_bits

    def way_addr(self, index: int, way: int) -> int:
        """The first address of the line in (index, way), or INVALID for an empty way."""
        tag = self.slots[index][way]
        return INVALID if tag == INVALID else self.line_addr(index, tag)

    # -- the per-access path -----------------------------------------------------------------
    def access(self, addr: int, write: bool = False) -> bool:
        """Look `addr` up, filling on a miss (evicting the LRU way) and making it most recent; True on a hit.

        Counts hits, misses and the write-back of a dirty victim, and on a miss leaves the victim's tag
        in `last_victim` (INVALID when a way was free); moves no bytes (the caller does).
        """
        block = addr >> self.offset_bits
        index = block & self.index_mask
        tag = block >> self.index_bits
        order = self.order[index]
        self.accesses += 1
        if tag in order:
            self.hits += 1
            if order[-1] != tag:
                order.remove(tag)
                order.append(tag)
            if write:
                self.dirty[index * self.ways + self.slots[index].index(tag)] = 1
            return True
        self.misses += 1
        slots = self.slots[index]
        line = index * self.ways
        if len(order) < self.ways:
            way = slots.index(INVALID)
            self.last_victim = INVALID
        else:
            victim = order.pop(0)
            way = slots.index(victim)
            self.last_victim = victim
            self.last_victim_dirty = victim_dirty = self.dirty[line + way] == 1
            if victim_dirty:
                self.writebacks += 1
        slots[way] = tag
        order.append(tag)
        self.dirty[line + way] = 1 if write else 0
        return False

    def run(self, addrs: Iterable[int], write: bool = False) -> int:
        """Apply a whole trace of accesses (no bytes, no events) and return its hit count.

        The same replacement as `access`, with everything in locals: this is the bulk path.
        """
        shift, mask, ibits, ways = self.offset_bits, self.index_mask, self.index_bits, self.ways
        orders, all_slots, dirty = self.order, self.slots, self.dirty
        hits = misses = writebacks = 0
        for addr in addrs:
            block = addr >> shift
            index = block & mask
            tag = block >> ibits
            order = orders[index]
            if tag in order:
                hits += 1
                if order[-1] != tag:
                    order.remove(tag)
                    order.append(tag)
                if write:
                    dirty[index * ways + all_slots[index].index(tag)] = 1
                continue
            misses += 1
            slots = all_slots[index]
            if len(order) < ways:
                way = slots.index(INVALID)
            else:
                way = slots.index(order.pop(0))
                if dirty[index * ways + way]:
                    writebacks += 1
            slots[way] = tag
            order.append(tag)
            dirty[index * ways + way] = 1 if write else 0
        self.hits += hits
        self.misses += misses
        self.accesses += hits + misses
        self.writebacks += writebacks
        return hits

    # -- lines -------------------------------------------------------------------------------
    def find(self, addr: int) -> int:
        """The way holding `addr`, or INVALID; changes nothing (no LRU update, no counts)."""
        index, tag = self.locate(addr)
        slots = self.slots[index]
        return slots.index(tag) if tag in slots else INVALID

    def is_dirty(self, index: int, way: int) -> bool:
        return self.dirty[index * self.ways + way] == 1

    def line_bytes(self, index: int, way: int) -> bytes:
        """The bytes held by (index, way)."""
        start = (index * self.ways + way) * self.line
        return bytes(self.data[start : start + self.line])

    def fill(self, index: int, way: int, data: bytes) -> None:
        """Load a whole line's bytes into (index, way)."""
        start = (index * self.ways + way) * self.line
        self.data[start : start + self.line] = data

    def write_bytes(self, index: int, way: int, offset: int, data: bytes) -> None:
        """Overwrite part of the line in (index, way)."""
        start = (index * self.ways + way) * self.line + offset
        self.data[start : start + len(data)] = data

    def clean(self, index: int, way: int) -> None:
        """Mark a dirty line clean after its bytes were written back, counting the write-back."""
        self.dirty[index * self.ways + way] = 0
        self.writebacks += 1

    def invalidate(self, index: int, way: int) -> None:
        """Drop the line in (index, way) (its bytes are lost if dirty), counting the invalidation."""
        tag = self.slots[index][way]
        if tag == INVALID:
            return
        self.slots[index][way] = INVALID
        self.order[index].remove(tag)
        self.dirty[index * self.ways + way] = 0
        self.invalidations += 1

    def valid_lines(self) -> list[tuple[int, int]]:
        """(index, way) of every valid line, in set then way order."""
        return [(i, w) for i, slots in enumerate(self.slots) for w, tag in enumerate(slots) if tag != INVALID]

    def lines_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """(index, way) of the valid lines holding any byte of [start, end): every line the range touches."""
        if end <= start:
            return []
        first = start >> self.offset_bits
        last = (end - 1) >> self.offset_bits
        if last - first + 1 > self.sets * self.ways:
            return [(i, w) for i, w in self.valid_lines() if first <= self.way_addr(i, w) >> self.offset_bits <= last]
        found = []
        for block in range(first, last + 1):
            index, tag = block & self.index_mask, block >> self.index_bits
            slots = self.slots[index]
            if tag in slots:
                found.append((index, slots.index(tag)))
        return found

    def lru_rank(self, index: int, way: int) -> int:
        """Position of (index, way) in its set's LRU order: 0 is the next victim; INVALID if empty."""
        tag = self.slots[index][way]
        return INVALID if tag == INVALID else self.order[index].index(tag)

    def counters(self) -> dict[str, int]:
        """The statistics under the names `to_dict` uses."""
        return {
            "hits": self.hits,
            "misses": self.misses,
            "writebacks": self.writebacks,
            "invalidations": self.invalidations,
            "accesses": self.accesses,
        }

    def check(self) -> list[str]:
        """Invariants: LRU order holds each valid way once and nothing else; counts add up."""
        problems = []
        for index, (order, slots) in enumerate(zip(self.order, self.slots, strict=True)):
            valid = [tag for tag in slots if tag != INVALID]
            if len(set(valid)) != len(valid):
                problems.append(f"{self.name} set {index}: a tag is held by two ways")
            if sorted(order) != sorted(valid) or len(order) > self.ways:
                problems.append(f"{self.name} set {index}: LRU order {order} does not match the valid ways {slots}")
            for way, tag in enumerate(slots):
                if tag == INVALID and self.is_dirty(index, way):
                    problems.append(f"{self.name} set {index} way {way}: dirty but not valid")
        if self.hits + self.misses != self.accesses:
            problems.append(f"{self.name}: hits {self.hits} + misses {self.misses} != accesses {self.accesses}")
        return problems


class Memory(Journaled):
    """User memory: mappings (vm areas) with permissions, and the bytes of the pages written so far."""

    __slots__ = ("maps", "pages")

    def __init__(self) -> None:
        self.maps: JList = JList()  # (start, end, perms), sorted, non-overlapping
        self.pages: JDict = JDict()  # page number -> JBytes; absent pages read as zeros

    def add_map(self, start: int, end: int, perms: str) -> tuple[int, int, str] | None:
        """Add a mapping; return the existing mapping it overlaps instead (and add nothing).

        The list stays sorted and non-overlapping, so only the neighbours of the insertion point can
        overlap: a binary search, not a scan (a trace maps thousands of scattered pages).
        """
        maps = self.maps
        at = bisect.bisect_left(maps, start, key=_start)
        for mapping in maps[max(at - 1, 0) : at + 1]:
            if mapping[0] < end and start < mapping[1]:
                return mapping
        maps.insert(at, (start, end, perms))
        return None

    def vma(self, addr: int) -> tuple[int, int, str] | None:
        """The mapping containing `addr` (vma_lookup), or None."""
        at = bisect.bisect_right(self.maps, addr, key=_start) - 1
        if at >= 0 and addr < self.maps[at][1]:
            return self.maps[at]
        return None

    def vma_from(self, addr: int) -> tuple[int, int, str] | None:
        """The first mapping ending above `addr` (find_vma: it may start above `addr`), or None."""
        at = bisect.bisect_right(self.maps, addr, key=_end)
        return self.maps[at] if at < len(self.maps) else None

    def allows(self, addr: int, nbytes: int, perm: str = "") -> bool:
        """True when every byte of [addr, addr+nbytes) is mapped, with `perm` if given (any if "")."""
        end = addr + nbytes
        while addr < end:
            mapping = self.vma(addr)
            if mapping is None or (perm and perm not in mapping[2]) or (not perm and mapping[2] == "-"):
                return False
            addr = mapping[1]
        return True

    def read(self, addr: int, nbytes: int) -> bytes:
        """Bytes of memory (not the caches); `addr .. addr+nbytes` stays within one page."""
        page = self.pages.get(addr >> PAGE_SHIFT)
        if page is None:
            return bytes(nbytes)
        offset = addr & (PAGE_SIZE - 1)
        return bytes(page[offset : offset + nbytes])

    def write(self, addr: int, data: bytes) -> None:
        """Store bytes into memory (a write-back); `data` stays within one page."""
        number = addr >> PAGE_SHIFT
        page = self.pages.get(number)
        if page is None:
            page = self.pages[number] = JBytes(PAGE_SIZE)
        offset = addr & (PAGE_SIZE - 1)
        page[offset : offset + len(data)] = data

    def nonzero_words(self) -> list[tuple[int, bytes]]:
        """(address, word) of every word of memory that is not zero, in address order."""
        words = []
        for number in sorted(self.pages):
            page = self.pages[number]
            for offset in range(0, PAGE_SIZE, WORD):
                word = bytes(page[offset : offset + WORD])
                if any(word):
                    words.append(((number << PAGE_SHIFT) + offset, word))
        return words


def _start(mapping: tuple[int, int, str]) -> int:
    return mapping[0]


def _end(mapping: tuple[int, int, str]) -> int:
    return mapping[1]


def access_ok(addr: int, nbytes: int) -> bool:
    """Linux/MIPS32 `__access_ok` (arch/mips/include/asm/uaccess.h): no bit of USER_DS's mask set in addr,
    in addr + size or in size, all as 32-bit unsigned longs.

    The mask is USER_LIMIT (0x80000000, `__UA_LIMIT`), so the test is on the end *address* addr + size,
    one past the last byte: a range whose last byte is 0x7fffffff ends at 0x80000000 and fails.
    """
    end = (addr + nbytes) & (ADDRESS_SPACE - 1)  # unsigned long arithmetic wraps on 32 bits
    return (USER_LIMIT & (addr | end | nbytes)) == 0
