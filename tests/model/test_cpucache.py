"""The CPU caches and cacheflush(2): one test per rule of docs/kernel-rules.md §5, named after it and citing it."""

import json
import random

import pytest

from model.cpu.cache import INVALID, Cache
from model.limits import USER_LIMIT
from model.ops import parse, to_text
from model.scenario import ScenarioError, loads
from model.system import System

CODE = 0x400000
DATA = 0x10000000


def machine(**config):
    """A System with one rwx code page at CODE and one rw data page at DATA."""
    system = System(config)
    run(system, f"map {CODE:#x} 4096 rwx", f"map {DATA:#x} 4096 rw")
    return system


def run(system, *lines):
    """Apply command lines; return the events of the last one. Invariants must hold after each."""
    events = []
    for line in lines:
        events = system.apply(parse(line))
        assert system.check() == [], (line, system.check())
    return events


def kinds(events):
    return [e.kind for e in events]


def flush_result(events):
    (call,) = [e for e in events if e.kind == "cpu.cacheflush"]
    return call.ret, call.errno


def cpu(system):
    return system.part("cpu")


def dline(system, addr):
    """(valid, dirty) of the D-line holding addr."""
    d = cpu(system).dcache
    way = d.find(addr)
    if way == INVALID:
        return (False, False)
    index, _ = d.locate(addr)
    return (True, d.is_dirty(index, way))


def iline_valid(system, addr):
    return cpu(system).icache.find(addr) != INVALID


def memory_word(system, addr):
    return cpu(system).memory.read(addr, 4).hex()


def dirty_code(system, value="0x24020002"):
    """Code stored (dirty in the D-cache) and an I-line for it already present."""
    run(system, f"store {CODE:#x} 4 {value}", f"exec {CODE:#x}")


def stale(events):
    return "cpu.stale_fetch" in kinds(events)


# -- §5.1 the MIPS-style call, as the man page describes it (spec mode) ---------------------------


def test_5_1_icache_invalidates_only_the_instruction_lines():
    """§5.1: ICACHE invalidates the I-cache for the range; the D-cache is left alone."""
    system = machine(cacheflush_mode="spec")
    dirty_code(system)
    events = run(system, f"cacheflush {CODE:#x} 4 ICACHE")
    assert flush_result(events) == (0, None)
    assert not iline_valid(system, CODE)
    assert dline(system, CODE) == (True, True)
    assert memory_word(system, CODE) == "00000000"


def test_5_1_dcache_writes_back_and_invalidates_the_data_lines():
    """§5.1: DCACHE writes back and invalidates the D-lines of the range; I-lines stay."""
    system = machine(cacheflush_mode="spec")
    dirty_code(system)
    events = run(system, f"cacheflush {CODE:#x} 4 DCACHE")
    assert flush_result(events) == (0, None)
    assert dline(system, CODE) == (False, False)
    assert memory_word(system, CODE) == "24020002"
    assert iline_valid(system, CODE)
    assert kinds(events)[:2] == ["cpu.writeback", "cpu.invalidate"]


def test_5_1_bcache_does_both():
    """§5.1: BCACHE = ICACHE | DCACHE."""
    system = machine(cacheflush_mode="spec")
    dirty_code(system)
    run(system, f"cacheflush {CODE:#x} 4 BCACHE")
    assert (dline(system, CODE), iline_valid(system, CODE)) == ((False, False), False)
    assert memory_word(system, CODE) == "24020002"


def test_5_1_cache_numbers_equal_the_names():
    """§5.1: ICACHE = 1, DCACHE = 2, BCACHE = 3."""
    for number, name in ((1, "ICACHE"), (2, "DCACHE"), (3, "BCACHE")):
        by_number, by_name = machine(cacheflush_mode="spec"), machine(cacheflush_mode="spec")
        for system, cache in ((by_number, number), (by_name, name)):
            dirty_code(system)
            run(system, f"cacheflush {CODE:#x} 4 {cache}")
        assert by_number.to_dict()["cpu"] == by_name.to_dict()["cpu"]


def test_5_1_efault_when_part_of_the_range_is_not_accessible():
    """§5.1: -1 with EFAULT if part of [addr, addr+nbytes-1] is not accessible; nothing is flushed."""
    system = machine(cacheflush_mode="spec")
    dirty_code(system)
    assert flush_result(run(system, "cacheflush 0x500000 16 BCACHE")) == (-1, "EFAULT")
    assert flush_result(run(system, f"cacheflush {CODE + 0xFF0:#x} 0x20 BCACHE")) == (-1, "EFAULT")
    assert dline(system, CODE) == (True, True)
    assert iline_valid(system, CODE)


def test_5_1_prot_none_mapping_is_not_accessible():
    """§5.1: "accessible" means mapped with some permission; a PROT_NONE mapping is not."""
    system = machine(cacheflush_mode="spec")
    run(system, "map 0x600000 4096 -")
    assert flush_result(run(system, "cacheflush 0x600000 4 BCACHE")) == (-1, "EFAULT")


@pytest.mark.parametrize("cache", [0, 4, 7, -1, 0x103])
def test_5_1_einval_when_cache_is_not_one_of_the_three(cache):
    """§5.1: -1 with EINVAL if cache is not ICACHE, DCACHE or BCACHE."""
    system = machine(cacheflush_mode="spec")
    dirty_code(system)
    assert flush_result(run(system, f"cacheflush {CODE:#x} 4 {cache}")) == (-1, "EINVAL")
    assert dline(system, CODE) == (True, True)


def test_5_1_the_range_covers_every_line_it_touches():
    """§5.1 / issue 6: a range of 2 bytes straddling a line boundary flushes both lines, and no other."""
    system = machine(cacheflush_mode="spec")
    for addr in (CODE, CODE + 16, CODE + 32):
        run(system, f"store {addr:#x} 4 0x11111111")
    run(system, f"cacheflush {CODE + 15:#x} 2 DCACHE")
    assert dline(system, CODE) == (False, False)
    assert dline(system, CODE + 16) == (False, False)
    assert dline(system, CODE + 32) == (True, True)


# -- §5.2 Linux's own MIPS code, and the legacy kernel -------------------------------------------


def test_5_2_linux_is_the_default_mode_and_mips_the_default_abi():
    """§5.2: the model's default is `linux` (MIPS)."""
    state = System().to_dict()["cpu"]
    assert (state["mode"], state["abi"]) == ("linux", "mips")


def test_5_2_linux_nbytes_zero_returns_zero_at_once():
    """§5.2: nbytes == 0 returns 0 at once, even for a kernel address and a bad cache value."""
    system = machine()
    dirty_code(system)
    events = run(system, f"cacheflush {USER_LIMIT + 0x1000:#x} 0 99")
    assert kinds(events) == ["cpu.cacheflush"]
    assert flush_result(events) == (0, None)
    assert dline(system, CODE) == (True, True)


def test_5_2_linux_efault_only_when_the_range_reaches_kernel_addresses():
    """§5.2: EFAULT comes only from access_ok, for a range reaching the user address limit."""
    system = machine()
    assert flush_result(run(system, f"cacheflush {USER_LIMIT - 16:#x} 32 BCACHE")) == (-1, "EFAULT")
    assert flush_result(run(system, f"cacheflush {USER_LIMIT:#x} 4 BCACHE")) == (-1, "EFAULT")
    # __access_ok tests the end address addr + size: a range whose last byte is 0x7fffffff ends at the
    # limit itself and fails (arch/mips/include/asm/uaccess.h: seg & (addr | (addr + size) | size)).
    assert flush_result(run(system, f"cacheflush {USER_LIMIT - 16:#x} 16 BCACHE")) == (-1, "EFAULT")
    assert flush_result(run(system, f"cacheflush {USER_LIMIT - 16:#x} 15 BCACHE")) == (0, None)


def test_5_2_linux_unmapped_user_page_returns_zero():
    """§5.2: an unmapped user page does not fail under Linux/MIPS: it returns 0."""
    system = machine()
    assert flush_result(run(system, "cacheflush 0x500000 4096 BCACHE")) == (0, None)


@pytest.mark.parametrize("cache", ["ICACHE", "DCACHE", "BCACHE", "0", "4", "99"])
def test_5_2_linux_ignores_the_cache_argument(cache):
    """§5.2: Linux/MIPS never checks cache and always acts as BCACHE."""
    system = machine()
    dirty_code(system)
    events = run(system, f"cacheflush {CODE:#x} 4 {cache}")
    assert flush_result(events) == (0, None)
    assert (dline(system, CODE), iline_valid(system, CODE)) == ((False, False), False)
    assert memory_word(system, CODE) == "24020002"
    assert events[-1].data["acts_as"] == "BCACHE"


def test_5_2_legacy_flushes_the_whole_of_both_caches_ignoring_every_argument():
    """§5.2: before 2.6.11, addr and nbytes are ignored and both caches flushed whole (man page BUGS)."""
    system = machine(cacheflush_mode="legacy")
    dirty_code(system)
    run(system, f"store {DATA:#x} 4 0xcafef00d")
    events = run(system, "cacheflush 0x9000000 0 99")
    assert flush_result(events) == (0, None)
    assert cpu(system).dcache.valid_lines() == [] and cpu(system).icache.valid_lines() == []
    assert memory_word(system, CODE) == "24020002" and memory_word(system, DATA) == "cafef00d"


def test_5_2_modes_are_selected_by_config_and_by_the_abi_verb():
    """§5.2: three modes, chosen per scenario ([config]) or by `abi`."""
    assert cpu(System({"cacheflush_mode": "spec"})).mode == "spec"
    system = System()
    run(system, "abi legacy-mips")
    assert (cpu(system).mode, cpu(system).abi) == ("legacy", "mips")
    run(system, "abi sh")
    assert (cpu(system).mode, cpu(system).abi) == ("legacy", "sh")
    run(system, "abi spec")
    assert (cpu(system).mode, cpu(system).abi) == ("spec", "sh")


# -- §5.3 other architectures' argument orders -----------------------------------------------------


def test_5_3_m68k_argument_order_and_constants():
    """§5.3: m68k (addr, scope, cache, len); LINE 1 PAGE 2 ALL 3; DATA 1 INSN 2 BOTH 3."""
    system = machine(cacheflush_abi="m68k")
    dirty_code(system)
    run(system, f"cacheflush {CODE:#x} LINE INSN 4")
    assert not iline_valid(system, CODE) and dline(system, CODE) == (True, True)
    run(system, f"cacheflush {CODE:#x} 1 1 4")
    assert dline(system, CODE) == (False, False) and memory_word(system, CODE) == "24020002"


def test_5_3_m68k_page_scope_covers_the_whole_page():
    """§5.3: FLUSH_SCOPE_PAGE acts on every line of the pages the range touches."""
    system = machine(cacheflush_abi="m68k")
    run(system, f"store {CODE + 0x800:#x} 4 1")
    run(system, f"cacheflush {CODE:#x} PAGE DATA 4")
    assert dline(system, CODE + 0x800) == (False, False)


def test_5_3_m68k_cache_zero_is_accepted():
    """§5.3: cache 0 is accepted (on the 68040 it falls to the default case, both caches)."""
    system = machine(cacheflush_abi="m68k")
    dirty_code(system)
    assert flush_result(run(system, f"cacheflush {CODE:#x} LINE 0 4")) == (0, None)
    assert (dline(system, CODE), iline_valid(system, CODE)) == ((False, False), False)


@pytest.mark.parametrize(("scope", "cache"), [(0, 3), (4, 3), (-1, 1), (1, 4), (1, 7), (1, -1)])
def test_5_3_m68k_einval_for_other_values(scope, cache):
    """§5.3: EINVAL for a scope outside 1..3 or cache bits outside BOTH."""
    system = machine(cacheflush_abi="m68k")
    assert flush_result(run(system, f"cacheflush {CODE:#x} {scope} {cache} 4")) == (-1, "EINVAL")


def test_5_3_m68k_eperm_for_scope_all_without_cap_sys_admin():
    """§5.3: FLUSH_SCOPE_ALL needs CAP_SYS_ADMIN (EPERM otherwise); with it, whole caches are flushed."""
    system = machine(cacheflush_abi="m68k")
    dirty_code(system)
    assert flush_result(run(system, f"cacheflush {CODE:#x} ALL BOTH 0")) == (-1, "EPERM")
    privileged = machine(cacheflush_abi="m68k", cacheflush_cap_sys_admin=True)
    dirty_code(privileged)
    assert flush_result(run(privileged, "cacheflush 0 ALL BOTH 0")) == (0, None)
    assert cpu(privileged).dcache.valid_lines() == [] and cpu(privileged).icache.valid_lines() == []


def test_5_3_m68k_range_outside_one_mapping_is_einval():
    """§5.3 (arch/m68k/kernel/sys_m68k.c): a range not inside one vma gives EINVAL, not EFAULT."""
    system = machine(cacheflush_abi="m68k")
    assert flush_result(run(system, "cacheflush 0x500000 LINE BOTH 16")) == (-1, "EINVAL")
    assert flush_result(run(system, f"cacheflush {CODE + 0xFF0:#x} LINE BOTH 32")) == (-1, "EINVAL")
    spec = machine(cacheflush_abi="m68k", cacheflush_mode="spec")
    assert flush_result(run(spec, "cacheflush 0x500000 LINE BOTH 16")) == (-1, "EFAULT")


def test_5_3_m68k_long_ranges_widen_to_pages_then_to_the_whole_cache():
    """§5.3 (sys_m68k.c, 68040): len >= 3 pages turns LINE into PAGE, len >= 10 pages into ALL (no EPERM)."""
    system = machine(cacheflush_abi="m68k")
    run(system, "map 0x800000 0x10000 rw", "store 0x800000 4 1", f"store {DATA:#x} 4 2")
    run(system, f"cacheflush 0x800800 LINE DATA {3 * 4096:#x}")
    assert dline(system, 0x800000) == (False, False), "the whole first page was flushed"
    assert dline(system, DATA) == (True, True)
    assert flush_result(run(system, f"cacheflush 0x800000 LINE DATA {10 * 4096:#x}")) == (0, None)
    assert dline(system, DATA) == (False, False), "the whole D-cache was flushed"
    spec = machine(cacheflush_abi="m68k", cacheflush_mode="spec")
    run(spec, "map 0x800000 0x10000 rw", "store 0x800000 4 1")
    run(spec, f"cacheflush 0x800800 LINE DATA {3 * 4096:#x}")
    assert dline(spec, 0x800000) == (True, True), "spec honours the scope as written"


def test_5_3_nds32_more_than_eight_pages_flushes_the_whole_cache():
    """§5.3 (cpu_cache_wbinval_range_check): a range over 8 pages flushes the whole caches."""
    system = machine(cacheflush_abi="nds32")
    run(system, "map 0x800000 0x10000 rw", f"store {DATA:#x} 4 2")
    run(system, f"cacheflush 0x800000 {0x800000 + 9 * 4096:#x} DCACHE")
    assert dline(system, DATA) == (False, False)


def test_5_3_sh_op_bits():
    """§5.3: SH (addr, len, op): D_INVAL 1 drops, D_WB 2 writes back, D_PURGE 3 both, I 4 the I-cache."""
    system = machine(cacheflush_abi="sh")
    dirty_code(system)
    run(system, f"cacheflush {CODE:#x} 4 D_WB")
    assert dline(system, CODE) == (True, False) and memory_word(system, CODE) == "24020002"
    assert iline_valid(system, CODE)
    run(system, f"cacheflush {CODE:#x} 4 I")
    assert not iline_valid(system, CODE)
    run(system, f"store {CODE:#x} 4 0x24020003", f"cacheflush {CODE:#x} 4 D_INVAL")
    assert dline(system, CODE) == (False, False) and memory_word(system, CODE) == "24020002"
    run(system, f"store {CODE:#x} 4 0x24020004", f"exec {CODE:#x}", f"cacheflush {CODE:#x} 4 7")
    assert (dline(system, CODE), iline_valid(system, CODE)) == ((False, False), False)
    assert memory_word(system, CODE) == "24020004"


@pytest.mark.parametrize("op", [0, -1, 8, 15])
def test_5_3_sh_einval_for_op_out_of_range(op):
    """§5.3: SH gives EINVAL for op <= 0 or > 7."""
    system = machine(cacheflush_abi="sh")
    assert flush_result(run(system, f"cacheflush {CODE:#x} 4 {op}")) == (-1, "EINVAL")


def test_5_3_sh_efault_outside_one_mapping():
    """§5.3 (arch/sh/kernel/sys_sh.c): a range not inside one vma gives EFAULT."""
    system = machine(cacheflush_abi="sh")
    assert flush_result(run(system, "cacheflush 0x500000 4 7")) == (-1, "EFAULT")
    assert flush_result(run(system, f"cacheflush {CODE + 0xFFC:#x} 8 7")) == (-1, "EFAULT")


def test_5_3_nds32_values_not_bits():
    """§5.3: NDS32 (start, end, cache) with ICACHE 0, DCACHE 1, BCACHE 2 as values; 3 is EINVAL."""
    system = machine(cacheflush_abi="nds32")
    dirty_code(system)
    run(system, f"cacheflush {CODE:#x} {CODE + 4:#x} 0")
    assert not iline_valid(system, CODE) and dline(system, CODE) == (True, True)
    run(system, f"exec {CODE:#x}", f"cacheflush {CODE:#x} {CODE + 4:#x} 1")
    assert iline_valid(system, CODE) and dline(system, CODE) == (False, False)
    run(system, f"store {CODE:#x} 4 5", f"cacheflush {CODE:#x} {CODE + 4:#x} BCACHE")
    assert (dline(system, CODE), iline_valid(system, CODE)) == ((False, False), False)
    assert flush_result(run(system, f"cacheflush {CODE:#x} {CODE + 4:#x} 3")) == (-1, "EINVAL")


def test_5_3_nds32_range_is_start_to_end_exclusive():
    """§5.3: NDS32 takes an end address, not a length: [start, end) and every line it touches."""
    system = machine(cacheflush_abi="nds32")
    run(system, f"store {CODE:#x} 4 1", f"store {CODE + 16:#x} 4 2")
    run(system, f"cacheflush {CODE:#x} {CODE + 16:#x} DCACHE")
    assert dline(system, CODE) == (False, False) and dline(system, CODE + 16) == (True, True)


def test_5_3_nds32_efault_only_when_no_mapping_ends_above_start():
    """§5.3 (sys_nds32.c): find_vma(start) must find a mapping; one above start is enough."""
    system = machine(cacheflush_abi="nds32")
    assert flush_result(run(system, "cacheflush 0x20000000 0x20000010 BCACHE")) == (-1, "EFAULT")
    assert flush_result(run(system, "cacheflush 0x300000 0x300010 BCACHE")) == (0, None)


def test_5_3_arguments_are_named_or_numbered_and_checked_against_the_abi():
    """§5.3: a call with the wrong number of arguments or an unknown constant is refused (it would not compile)."""
    system = machine(cacheflush_abi="m68k")
    assert kinds(run(system, f"cacheflush {CODE:#x} 4 BCACHE")) == ["error"]
    assert kinds(run(system, f"cacheflush {CODE:#x} DCACHE BOTH 4")) == ["error"]
    run(system, "abi mips")
    assert kinds(run(system, f"cacheflush {CODE:#x} 4 BCACHE 4")) == ["error"]


def test_5_3_clear_cache_is_the_portable_way_in_every_abi_and_mode():
    """§5.3: __builtin___clear_cache(begin, end) makes new code visible whatever the kernel's cacheflush."""
    for setting in ("spec-mips", "linux-m68k", "legacy-sh", "spec-nds32"):
        system = machine()
        run(system, f"abi {setting}")
        dirty_code(system)
        events = run(system, f"clear-cache {CODE:#x} {CODE + 4:#x}")
        assert events[-1].func == "__builtin___clear_cache"
        assert not stale(run(system, f"exec {CODE:#x}"))


FIXES = {
    ("mips", "ICACHE", "BCACHE"): "{a} 4 {c}",
    ("m68k", "INSN", "BOTH"): "{a} LINE {c} 4",
    ("sh", "I", "D_PURGE|I"): "{a} 4 {c}",
    ("nds32", "ICACHE", "BCACHE"): "{a} {e} {c}",
}


@pytest.mark.parametrize("mode", ["spec", "linux", "legacy"])
@pytest.mark.parametrize(("abi", "insn_only", "both", "shape"), [(*k, v) for k, v in FIXES.items()])
def test_5_3_the_stale_fetch_and_its_fix_in_every_abi_and_mode(mode, abi, insn_only, both, shape):
    """§5.1-§5.4: in every ABI and mode a stale fetch is fixed by the both-caches call; an I-cache-only call
    fixes it only where the kernel ignores the argument (linux MIPS, legacy)."""
    system = machine(cacheflush_abi=abi, cacheflush_mode=mode)
    dirty_code(system)
    assert stale(run(system, f"exec {CODE:#x}"))
    run(system, "cacheflush " + shape.format(a=hex(CODE), e=hex(CODE + 4), c=insn_only))
    ignores_argument = mode == "legacy" or (mode == "linux" and abi == "mips")
    assert stale(run(system, f"exec {CODE:#x}")) is not ignores_argument
    run(system, "cacheflush " + shape.format(a=hex(CODE), e=hex(CODE + 4), c=both))
    assert not stale(run(system, f"exec {CODE:#x}"))


# -- §5.4 the caches -----------------------------------------------------------------------------


def test_5_4_dcache_is_write_back():
    """§5.4: a store leaves memory old and the D-line dirty until a write-back."""
    system = machine()
    events = run(system, f"store {CODE:#x} 4 0x24020001")
    assert kinds(events) == ["cpu.miss", "cpu.fill", "cpu.store"]
    assert dline(system, CODE) == (True, True)
    assert memory_word(system, CODE) == "00000000"
    assert run(system, f"load {CODE:#x}")[-1].data["bytes"] == "24020001"


def test_5_4_dcache_is_write_allocate():
    """§5.4: a store miss allocates the line (filled from memory, then written)."""
    system = machine()
    run(system, f"store {CODE + 4:#x} 4 0x11223344")
    run(system, f"store {CODE:#x} 2 0xabcd")
    assert kinds(run(system, f"load {CODE:#x} 8"))[0] == "cpu.hit"
    assert run(system, f"load {CODE:#x} 8")[-1].data["bytes"] == "abcd000011223344"


def test_5_4_icache_does_not_see_dirty_dlines_a_stale_fetch():
    """§5.4: code stored and executed before write-back and I-invalidation runs the old instruction."""
    system = machine()
    run(system, f"store {CODE:#x} 4 0x24020001", f"cacheflush {CODE:#x} 4 BCACHE", f"exec {CODE:#x}")
    events = run(system, f"store {CODE:#x} 4 0x24020002", f"exec {CODE:#x}")
    (event,) = [e for e in events if e.kind == "cpu.stale_fetch"]
    assert event.data["fetched"] == "24020001" and event.data["newest"] == "24020002"
    assert "D set 0 way 0" in event.refs and "I set 0 way 0" in event.refs
    assert cpu(system).stale_fetches == 1


def test_5_4_the_icache_fills_from_memory_not_from_the_dcache():
    """§5.4: after an I-invalidation alone, the refill comes from memory, which is still old."""
    system = machine(cacheflush_mode="spec")
    dirty_code(system)
    run(system, f"cacheflush {CODE:#x} 4 ICACHE")
    events = run(system, f"exec {CODE:#x}")
    assert "cpu.fill" in kinds(events) and stale(events)


def test_5_4_an_old_iline_is_stale_after_the_dline_was_written_back():
    """§5.4: the write-back alone is not enough either: the I-line still holds the old bytes."""
    system = machine(cacheflush_mode="spec")
    dirty_code(system)
    run(system, f"cacheflush {CODE:#x} 4 DCACHE")
    events = run(system, f"exec {CODE:#x}")
    assert stale(events)
    assert next(e for e in events if e.kind == "cpu.stale_fetch").data["where"] == "in memory"


def test_5_4_a_dirty_victim_is_written_back_on_eviction():
    """§5.4: write-back: evicting a dirty line writes its bytes to memory first."""
    system = machine()
    d = cpu(system).dcache
    stride = d.sets * d.line
    run(system, f"store {CODE:#x} 4 0x01020304", f"store {CODE + stride:#x} 4 5")
    events = run(system, f"store {CODE + 2 * stride:#x} 4 6")
    assert kinds(events)[:3] == ["cpu.miss", "cpu.writeback", "cpu.evict"]
    assert memory_word(system, CODE) == "01020304"
    assert d.writebacks == 1


def test_5_4_accesses_outside_the_mappings_fault_and_touch_no_cache():
    """§5.4 / issue 6: what is not mapped (or lacks the permission) is inaccessible: SIGSEGV, no cache access."""
    system = machine()
    assert kinds(run(system, "load 0x500000")) == ["cpu.fault"]
    assert kinds(run(system, f"exec {DATA:#x}")) == ["cpu.fault"]
    run(system, "map 0x600000 4096 rx")
    assert kinds(run(system, "store 0x600000 4 1")) == ["cpu.fault"]
    assert cpu(system).dcache.accesses == 0 and cpu(system).icache.accesses == 0


# -- §5.5 LRU replacement ------------------------------------------------------------------------


def test_5_5_lru_replacement_evicts_the_least_recently_used_way():
    """§5.5: replacement in each set is LRU: a hit makes a line the most recently used."""
    system = machine()
    d = cpu(system).dcache
    stride = d.sets * d.line
    a, b, c = CODE, CODE + stride, CODE + 2 * stride
    run(system, f"load {a:#x}", f"load {b:#x}", f"load {a:#x}")
    events = run(system, f"load {c:#x}")
    evicted = next(e for e in events if e.kind == "cpu.evict")
    assert evicted.data["addr"] == b
    assert d.find(a) != INVALID and d.find(b) == INVALID


class ReferenceLRU:
    """An independent set-associative LRU cache: each set maps tag -> time of last use."""

    def __init__(self, sets, ways, line):
        self.sets, self.ways, self.line = sets, ways, line
        self.contents = [{} for _ in range(sets)]
        self.clock = self.hits = self.misses = 0

    def access(self, addr):
        self.clock += 1
        block = addr // self.line
        tags = self.contents[block % self.sets]
        tag = block // self.sets
        if tag in tags:
            self.hits += 1
        else:
            self.misses += 1
            if len(tags) == self.ways:
                del tags[min(tags, key=tags.get)]
        tags[tag] = self.clock


@pytest.mark.parametrize(("sets", "ways", "line"), [(8, 2, 16), (1, 4, 32), (64, 1, 64), (16, 8, 8), (256, 4, 64)])
def test_5_5_hit_and_miss_counts_equal_a_reference_lru_on_a_seeded_trace(sets, ways, line):
    """§5.5: hit and miss counts for any trace equal those of a standard set-associative LRU cache."""
    rng = random.Random(sets * 1000 + ways * 10 + line)
    hot = [rng.randrange(0, 1 << 20) for _ in range(sets * ways * 2)]
    trace = [rng.choice(hot) if rng.random() < 0.7 else rng.randrange(0, 1 << 24) for _ in range(20000)]
    reference = ReferenceLRU(sets, ways, line)
    for addr in trace:
        reference.access(addr)
    one_by_one = Cache("D", sets, ways, line)
    for addr in trace:
        one_by_one.access(addr, write=addr % 3 == 0)
    bulk = Cache("D", sets, ways, line)
    bulk.run(trace)
    for cache in (one_by_one, bulk):
        assert (cache.hits, cache.misses) == (reference.hits, reference.misses)
        assert cache.check() == []


def test_5_5_the_model_counts_match_the_reference_through_loads():
    """§5.5: the same holds for the D-cache of the whole machine driven by `load` ops."""
    system = System({"dcache": {"sets": 4, "ways": 2, "line": 16}})
    run(system, "map 0x100000 0x10000 rw")
    rng = random.Random(5)
    reference = ReferenceLRU(4, 2, 16)
    for _ in range(500):
        addr = 0x100000 + rng.randrange(0, 0x1000) * 4
        system.apply(parse(f"load {addr:#x}"))
        reference.access(addr)
    state = system.to_dict()["cpu"]["dcache"]
    assert (state["hits"], state["misses"]) == (reference.hits, reference.misses)
    assert state["hits"] + state["misses"] == state["accesses"]


# -- the part protocol and the command language ---------------------------------------------------


def test_to_dict_is_json_ready_with_the_documented_statistics():
    system = machine()
    dirty_code(system)
    state = json.loads(json.dumps(system.to_dict()))["cpu"]
    for cache in ("icache", "dcache"):
        assert {"sets", "ways", "line", "hits", "misses", "writebacks", "invalidations", "lines"} <= set(state[cache])
    (line,) = state["dcache"]["lines"]
    assert line == {
        "set": 0,
        "way": 0,
        "tag": line["tag"],
        "addr": CODE,
        "dirty": True,
        "lru": 0,
        "bytes": line["bytes"],
    }
    assert line["bytes"].startswith("24020002")
    assert state["mappings"][0] == {"start": CODE, "end": CODE + 4096, "perms": "rwx"}
    assert system.stats()["cpu"]["D_misses"] == 1


def test_describe_names_lines_sets_addresses_and_mappings():
    system = machine()
    dirty_code(system)
    assert "dirty" in system.describe("D set 0 way 0")
    assert "invalid" in system.describe("D set 0 way 1")
    assert system.describe("I set 0").startswith("I set 0: LRU order")
    assert "D set 0 way 0: 24020002" in system.describe("0x400000")
    assert system.describe(f"vma {CODE:#x}").endswith("rwx")
    assert system.describe("vp7") is None


def test_check_reports_a_clean_dline_that_differs_from_memory():
    system = machine()
    run(system, f"load {CODE:#x}")
    d = cpu(system).dcache
    d.write_bytes(0, 0, 0, b"\x01")
    assert any("clean, but differs from memory" in p for p in system.check())


def test_time_travel_restores_the_caches():
    scenario = loads(
        '[[step]]\ndo = "map 0x400000 4096 rwx"\n[[step]]\ndo = "store 0x400000 4 1"\n'
        '[[step]]\ndo = "cacheflush 0x400000 4 BCACHE"\n'
    )
    timeline = scenario.timeline()
    timeline.goto(2)
    before = timeline.system.to_dict()
    timeline.goto(3)
    timeline.goto(2)
    assert timeline.system.to_dict() == before


@pytest.mark.parametrize(
    "line",
    [
        "map 0x400000 4096 r-x",
        "store 0x400000 4 0x24020001",
        "load 0x400000 2",
        "exec 0x400000",
        "cacheflush 0x400000 4 BCACHE",
        "cacheflush 0x400000 LINE flush_cache_both 16",
        "cacheflush 0x400000 16 D_WB|I",
        "cacheflush 0x400000 4 -1",
        "clear-cache 0x400000 0x400010",
        "abi legacy-mips",
    ],
)
def test_commands_round_trip_through_their_canonical_text(line):
    op = parse(line)
    assert parse(to_text(op)) == op


def test_refused_operations_become_error_events():
    system = machine()
    for line in (
        "map 0x400001 16 rw",
        "map 0x7ffff000 0x2000 rw",
        f"map {CODE:#x} 16 rw",
        "store 0x400000 9 1",
        "store 0x400000 1 0x100",
        "exec 0x400002",
    ):
        assert kinds(run(system, line)) == ["error"], line


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ("icache = { sets = 6 }", "power of two"),
        ("dcache = { sets = 8, ways = 2, lines = 16 }", "unknown key 'lines'"),
        ("dcache = { line = 2 }", "4 to 4096"),
        ('cacheflush_mode = "posix"', "spec, linux, legacy"),
        ('cacheflush_abi = "arm"', "mips, m68k, sh, nds32"),
        ('cacheflush_cap_sys_admin = "yes"', "true or false"),
    ],
)
def test_bad_config_is_rejected_with_a_reason(config, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        loads(f"[config]\n{config}\n")
