"""Random CPU histories (hypothesis): docs/kernel-rules.md §5.4 and §5.5 invariants hold after every command.

Loads, stores, fetches, cacheflush calls in every ABI and mode and __builtin___clear_cache over a small
machine with tiny caches (so sets fill and lines are evicted), checked with `check()` after each step,
plus: hit and miss counts equal an independent LRU reference, and a stale fetch can only happen when the
I-line differs from the newest bytes.
"""

from hypothesis import given
from hypothesis import strategies as st

from model.cpu.cache import Cache
from model.ops import parse
from model.system import System

CODE, DATA = 0x400000, 0x10000000
ADDRS = st.sampled_from([CODE + 4 * i for i in range(24)] + [DATA + 4 * i for i in range(24)] + [0x500000])
VALUE = st.integers(min_value=0, max_value=0xFFFFFFFF)
SETTING = st.sampled_from([f"{m}-{a}" for m in ("spec", "linux", "legacy") for a in ("mips", "m68k", "sh", "nds32")])
FLUSH_ARGS = {
    "mips": st.tuples(ADDRS, st.integers(0, 64), st.integers(-1, 4)).map(lambda t: f"{t[0]:#x} {t[1]} {t[2]}"),
    "m68k": st.tuples(ADDRS, st.integers(0, 4), st.integers(0, 4), st.integers(0, 64)).map(
        lambda t: f"{t[0]:#x} {t[1]} {t[2]} {t[3]}"
    ),
    "sh": st.tuples(ADDRS, st.integers(0, 64), st.integers(0, 8)).map(lambda t: f"{t[0]:#x} {t[1]} {t[2]}"),
    "nds32": st.tuples(ADDRS, st.integers(0, 64), st.integers(0, 3)).map(
        lambda t: f"{t[0]:#x} {t[0] + t[1]:#x} {t[2]}"
    ),
}


@st.composite
def histories(draw: st.DrawFn) -> list[str]:
    lines = [f"map {CODE:#x} 4096 rwx", f"map {DATA:#x} 4096 rw"]
    abi = "mips"
    for _ in range(draw(st.integers(1, 40))):
        kind = draw(st.sampled_from(["store", "load", "exec", "flush", "flush", "abi", "clear"]))
        if kind == "store":
            lines.append(f"store {draw(ADDRS):#x} 4 {draw(VALUE):#x}")
        elif kind == "load":
            lines.append(f"load {draw(ADDRS):#x}")
        elif kind == "exec":
            lines.append(f"exec {draw(ADDRS):#x}")
        elif kind == "abi":
            setting = draw(SETTING)
            abi = setting.split("-")[1]
            lines.append(f"abi {setting}")
        elif kind == "clear":
            begin = draw(ADDRS)
            lines.append(f"clear-cache {begin:#x} {begin + draw(st.integers(0, 64)):#x}")
        else:
            lines.append(f"cacheflush {draw(FLUSH_ARGS[abi])}")
    return lines


@given(histories(), st.sampled_from([{"sets": 2, "ways": 2, "line": 16}, {"sets": 4, "ways": 1, "line": 8}]))
def test_invariants_hold_after_every_command(lines: list[str], geometry: dict[str, int]) -> None:
    """§5.4/§5.5: clean D-lines equal memory, LRU order matches the valid ways, counts add up."""
    system = System({"icache": geometry, "dcache": geometry})
    cpu = system.part("cpu")
    for line in lines:
        events = system.apply(parse(line))
        assert not [e for e in events if e.is_error], (line, events)
        assert system.check() == [], (line, system.check())
        for event in events:
            if event.kind == "cpu.stale_fetch":
                assert event.data["fetched"] != event.data["newest"]
            if event.kind == "cpu.exec" and not any(e.kind == "cpu.stale_fetch" for e in events):
                assert bytes.fromhex(event.data["bytes"]) == cpu.newest_word(event.data["addr"])


@given(
    st.integers(0, 4).map(lambda n: 1 << n),
    st.integers(1, 4),
    st.integers(2, 5).map(lambda n: 1 << n),
    st.lists(st.integers(0, 1 << 12), max_size=300),
)
def test_hits_and_misses_equal_a_reference_lru_for_any_trace(sets: int, ways: int, line: int, trace: list[int]) -> None:
    """§5.5: for any trace, hits and misses equal those of a plain set-associative LRU."""
    contents: list[list[int]] = [[] for _ in range(sets)]  # per set, blocks in LRU order (oldest first)
    hits = 0
    for addr in trace:
        block = addr // line
        ways_of_set = contents[block % sets]
        if block in ways_of_set:
            hits += 1
            ways_of_set.remove(block)
        elif len(ways_of_set) == ways:
            ways_of_set.pop(0)
        ways_of_set.append(block)
    cache = Cache("D", sets, ways, line)
    assert cache.run(trace) == hits
    assert (cache.hits, cache.misses) == (hits, len(trace) - hits)
    assert cache.check() == []
