"""The Dinero din importer: counts per label, hit/miss equal to an independent LRU, flushes, alignment."""

from collections import OrderedDict
from pathlib import Path

import pytest

from model.limits import PAGE_SIZE
from model.system import System
from model.trace import TraceFormatError, din

DATA = Path(__file__).parent.parent / "data"
GEOMETRY = {"sets": 4, "ways": 2, "line": 16}


class LRU:
    """An independent set-associative LRU cache: counts hits and misses by line number."""

    def __init__(self, sets, ways, line):
        self.sets, self.ways, self.line = sets, ways, line
        self.rows = [OrderedDict() for _ in range(sets)]
        self.hits = self.misses = 0

    def access(self, addr):
        number = addr // self.line
        row = self.rows[number % self.sets]
        if number in row:
            self.hits += 1
            row.move_to_end(number)
            return
        self.misses += 1
        if len(row) == self.ways:
            row.popitem(last=False)
        row[number] = True

    def flush(self):
        for row in self.rows:
            row.clear()


def replay(lines, **geometry):
    """Import din lines and apply the steps; returns (report, steps, system)."""
    report = din.DinReport()
    pages = din.page_perms(din.references(lines, din.DinReport()))
    steps = [*din.map_steps(pages, report), *din.access_steps(din.references(lines, report), report)]
    system = System(din.config(geometry or None, geometry or None, report.refs[din.FLUSH] > 0))
    for op, _ in steps:
        events = system.apply(op)
        assert not any(e.is_error or e.kind == "cpu.fault" for e in events), (op, events)
    return report, steps, system


def test_recorded_din_counts_each_label():
    lines = (DATA / "loop.din").read_text().splitlines()
    report, steps, _ = replay(lines)
    verbs = [op.verb for op, _ in steps]
    assert verbs.count("load") == report.refs[din.READ] - report.high == 10  # one read is at 0x80001000
    assert verbs.count("store") == report.refs[din.WRITE] == 6
    assert verbs.count("exec") == report.refs[din.FETCH] == 38
    assert verbs.count("cacheflush") == 1 and report.refs[din.UNKNOWN] == 1
    assert report.high == 1 and report.unaligned == 1 and report.bad == 0
    assert verbs[: report.maps] == ["map"] * report.maps


def test_hits_and_misses_equal_an_independent_lru():
    lines = (DATA / "loop.din").read_text().splitlines()
    _, _, system = replay(lines, **GEOMETRY)
    icache, dcache = LRU(**GEOMETRY), LRU(**GEOMETRY)
    for line in lines:
        ref = din.parse_line(line)
        if ref is None or (ref[0] != din.FLUSH and ref[1] >= 0x80000000):
            continue
        label, addr = ref
        if label == din.FETCH:
            icache.access(addr)
        elif label in (din.READ, din.WRITE):
            dcache.access(addr)
        elif label == din.FLUSH:
            icache.flush()
            dcache.flush()
    stats = system.part("cpu").stats()
    assert (stats["I_hits"], stats["I_misses"]) == (icache.hits, icache.misses)
    assert (stats["D_hits"], stats["D_misses"]) == (dcache.hits, dcache.misses)
    assert icache.misses > 0 and dcache.hits > 0


def test_pages_are_mapped_with_the_permissions_their_references_need():
    lines = ["0 1000", "1 1004", "2 2000", "0 3000", "0 4000", "1 10000000"]
    report, steps, _ = replay(lines)
    maps = [str(op) for op, _ in steps if op.verb == "map"]
    assert maps == [
        f"map {0x1000:#x} {PAGE_SIZE} rw",
        f"map {0x2000:#x} {PAGE_SIZE} x",
        f"map {0x3000:#x} {2 * PAGE_SIZE} r",
        f"map {0x10000000:#x} {PAGE_SIZE} w",
    ]
    assert report.maps == 4


def test_unaligned_fetch_is_aligned_down_within_its_line():
    _, steps, _ = replay(["2 400003", "2 0x400006"])
    execs = [op.get("addr") for op, _ in steps if op.verb == "exec"]
    assert execs == [0x400000, 0x400004]


def test_limit_and_bad_lines_are_counted():
    report = din.DinReport()
    refs = list(din.references(["0 10", "oops", "7 10", "1 20", "2 30"], report, limit=2))
    assert refs == [(0, 0x10), (1, 0x20)]
    assert report.bad == 2 and report.truncated == 1


def test_not_a_din_trace():
    with pytest.raises(TraceFormatError, match="not a din trace"):
        list(din.references(["hello world"] * 30, din.DinReport()))
    with pytest.raises(TraceFormatError):
        list(din.references([""], din.DinReport()))
