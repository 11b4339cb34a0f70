"""cacheflush(2) in four argument orders (ABIs) and three kernel modes.

§5.1 to §5.3. Each ABI turns its arguments into a `Plan` (which lines of which cache to write
back or invalidate) or an error, following its kernel source: arch/mips/mm/cache.c,
arch/m68k/kernel/sys_m68k.c (the 68040 path), arch/sh/kernel/sys_sh.c, arch/nds32/kernel/sys_nds32.c
with arch/nds32/mm/proc.c. The kernel mode changes the rules:
  linux   each architecture's Linux code (the default); on MIPS the cache argument is ignored (BCACHE),
          nbytes == 0 returns 0, and EFAULT comes only from access_ok;
  spec    the man page: EFAULT when any byte of the range is not accessible (in every ABI), and on
          MIPS EINVAL for a cache other than ICACHE, DCACHE, BCACHE, which is honoured;
  legacy  Linux before 2.6.11 (the man page's BUGS): addr, nbytes and cache ignored, the whole of both
          caches flushed, 0 returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.cpu.cache import access_ok
from model.cpu.cachemaint import (
    Plan,
    __flush_invalidate_region,
    __flush_purge_region,
    __flush_wback_region,
    apply,
    cache_flush_040,
    cpu_dcache_wbinval_all,
    cpu_dcache_wbinval_range,
    cpu_icache_inval_all,
    cpu_icache_inval_range,
    flush_cache_all,
    flush_icache_range,
    protected_blast_dcache_range,
    protected_blast_icache_range,
    refs_of,
)
from model.cpu.cpu import CpuCaches
from model.errors import OpError
from model.events import Event
from model.limits import ADDRESS_SPACE, PAGE_SIZE, USER_LIMIT

Arg = int | str
"""A cacheflush argument as written: a number, or constant names joined by '|' (``D_WB|I``)."""

ABI_PARAMS: dict[str, tuple[str, ...]] = {
    "mips": ("addr", "nbytes", "cache"),
    "m68k": ("addr", "scope", "cache", "len"),
    "sh": ("addr", "len", "op"),
    "nds32": ("start", "end", "cache"),
}
CONSTANTS: dict[str, dict[str, dict[str, int]]] = {
    "mips": {"cache": {"ICACHE": 1, "DCACHE": 2, "BCACHE": 3}},
    "m68k": {
        "scope": {"FLUSH_SCOPE_LINE": 1, "FLUSH_SCOPE_PAGE": 2, "FLUSH_SCOPE_ALL": 3, "LINE": 1, "PAGE": 2, "ALL": 3},
        "cache": {"FLUSH_CACHE_DATA": 1, "FLUSH_CACHE_INSN": 2, "FLUSH_CACHE_BOTH": 3, "DATA": 1, "INSN": 2, "BOTH": 3},
    },
    "sh": {
        "op": {
            "CACHEFLUSH_D_INVAL": 1,
            "CACHEFLUSH_D_WB": 2,
            "CACHEFLUSH_D_PURGE": 3,
            "CACHEFLUSH_I": 4,
            "D_INVAL": 1,
            "D_WB": 2,
            "D_PURGE": 3,
            "I": 4,
        }
    },
    "nds32": {"cache": {"ICACHE": 0, "DCACHE": 1, "BCACHE": 2}},
}
SIGNED = {("m68k", "scope"), ("m68k", "cache"), ("sh", "op"), ("nds32", "cache")}
"""Arguments declared `int` in the kernel; the others are unsigned 32-bit (addresses, lengths, MIPS cache)."""


@dataclass(slots=True)
class Outcome:
    """The syscall's result: 0 with a plan, or -1 with an errno; `notes` are teaching sentences."""

    ret: int
    errno: str | None = None
    plan: Plan | None = None
    notes: list[str] = field(default_factory=list)


def usage(abi: str) -> str:
    """The call's shape in `abi`, e.g. "cacheflush ADDR NBYTES CACHE"."""
    return "cacheflush " + " ".join(p.upper() for p in ABI_PARAMS[abi])


def resolve(abi: str, param: str, value: Arg) -> int:
    """The integer the kernel receives for one argument (names looked up in the ABI's constants)."""
    if isinstance(value, str):
        table = CONSTANTS[abi].get(param)
        if table is None:
            raise OpError(f"{param} takes a number in the {abi} ABI, got {value!r}", hint=usage(abi))
        total = 0
        for name in value.upper().split("|"):
            if name not in table:
                known = ", ".join(table)
                raise OpError(
                    f"{name} is not one of the {abi} {param} constants", hint=f"{param} is one of {known} or a number"
                )
            total |= table[name]
        value = total
    if (abi, param) in SIGNED:
        value &= 0xFFFFFFFF
        return value - (1 << 32) if value & 0x80000000 else value
    return value & 0xFFFFFFFF


def sys_cacheflush(cpu: CpuCaches, args: tuple[Arg, ...]) -> list[Event]:
    """cacheflush(2) with `args` in the ABI in force, under the kernel mode in force."""
    params = ABI_PARAMS[cpu.abi]
    if len(args) != len(params):
        raise OpError(
            f"the {cpu.abi} cacheflush takes {len(params)} arguments ({', '.join(params)}), got {len(args)}",
            hint=f"usage: {usage(cpu.abi)}; 'abi NAME' changes the ABI",
        )
    values = [resolve(cpu.abi, p, a) for p, a in zip(params, args, strict=True)]
    call = f"cacheflush({', '.join(show_arg(a) for a in args)})"
    cpu.flushes += 1
    if cpu.mode == "legacy":
        everything = Plan(0, 0, True, True, True, "the whole of both caches", (flush_cache_all,))
        note = (
            "Legacy kernel (Linux before 2.6.11, the man page's BUGS): cacheflush ignores its arguments, "
            "checks nothing and flushes the whole of both caches."
        )
        outcome = Outcome(0, None, everything, [note])
    else:
        outcome = ABI_CALLS[cpu.abi](cpu, *values)
    events = apply(cpu, outcome.plan) if outcome.plan is not None else []
    if outcome.plan is not None and not events:
        where = "Neither cache held a valid line" if outcome.plan.whole else "No line of the range was cached"
        outcome.notes.append(f"{where}: nothing to do.")
    result = "0" if outcome.errno is None else f"-1 {outcome.errno}"
    plan = outcome.plan
    events.append(
        Event(
            "cpu.cacheflush",
            f"{call} = {result}" + (f"  (acts as {plan.acts_as})" if plan and plan.acts_as else ""),
            refs=refs_of(events),
            explain=" ".join(outcome.notes),
            func="sys_cacheflush",
            ret=outcome.ret,
            errno=outcome.errno,
            data={"abi": cpu.abi, "mode": cpu.mode, "args": values, "acts_as": plan.acts_as if plan else ""},
        )
    )
    return events


def show_arg(arg: Arg) -> str:
    """An argument as it is written back: a name in capitals, a number in hex from 0x100 up."""
    if isinstance(arg, str):
        return arg.upper()
    return hex(arg) if arg >= 0x100 else str(arg)


def _fail(errno: str, note: str) -> Outcome:
    return Outcome(-1, errno, None, [note])


def _range_fault_spec(cpu: CpuCaches, addr: int, nbytes: int) -> Outcome | None:
    """The man page's EFAULT: some byte of [addr, addr+nbytes-1] is not accessible."""
    if nbytes and (addr + nbytes > ADDRESS_SPACE or not cpu.memory.allows(addr, nbytes)):
        return _fail(
            "EFAULT", f"Part of {addr:#x}..{addr + nbytes - 1:#x} is not mapped: the man page's EFAULT (spec mode)."
        )
    return None


def _mips(cpu: CpuCaches, addr: int, nbytes: int, cache: int) -> Outcome:
    """arch/mips/mm/cache.c (linux) or the man page (spec), §5.1 and §5.2."""
    if cpu.mode == "linux":
        if nbytes == 0:
            return Outcome(0, notes=["nbytes is 0: Linux/MIPS returns 0 at once and flushes nothing."])
        if not access_ok(addr, nbytes):
            return _fail(
                "EFAULT",
                f"The range reaches kernel addresses (>= {USER_LIMIT:#x}): access_ok fails. "
                "This is the only EFAULT Linux/MIPS gives.",
            )
        notes = []
        if cache != 3:
            notes.append(
                f"Linux/MIPS never looks at the cache argument ({cache}): every call acts as BCACHE, writing "
                "back and invalidating the D-lines and invalidating the I-lines of the range."
            )
        if not cpu.memory.allows(addr, nbytes):
            notes.append("Part of the range is not mapped; Linux only checks access_ok, so it returns 0 anyway.")
        work = (protected_blast_dcache_range, protected_blast_icache_range)
        return Outcome(0, None, Plan(addr, addr + nbytes, icache=True, dcache=True, acts_as="BCACHE", work=work), notes)
    if cache not in (1, 2, 3):
        return _fail("EINVAL", f"cache is {cache}, not ICACHE (1), DCACHE (2) or BCACHE (3).")
    fault = _range_fault_spec(cpu, addr, nbytes)
    if fault is not None:
        return fault
    name = {1: "ICACHE", 2: "DCACHE", 3: "BCACHE"}[cache]
    notes = []
    if cache == 1:
        notes.append("ICACHE only invalidates I-lines: a dirty D-line of the range stays dirty, memory stays old.")
    d_work = (protected_blast_dcache_range,) if cache & 2 else ()
    work = d_work + ((protected_blast_icache_range,) if cache & 1 else ())
    plan = Plan(addr, addr + nbytes, icache=bool(cache & 1), dcache=bool(cache & 2), acts_as=name, work=work)
    return Outcome(0, None, plan, notes)


def _m68k(cpu: CpuCaches, addr: int, scope: int, cache: int, length: int) -> Outcome:
    """arch/m68k/kernel/sys_m68k.c, the 68040 path (cache_flush_040), §5.3."""
    if not 1 <= scope <= 3 or cache & ~3:
        return _fail("EINVAL", f"scope {scope} or cache {cache} is out of range (scope 1..3, cache bits 0..3).")
    notes = []
    if scope == 3:
        if not cpu.cap_sys_admin:
            return _fail("EPERM", "FLUSH_SCOPE_ALL flushes the whole cache: only a process with CAP_SYS_ADMIN may.")
    elif cpu.mode == "spec":
        fault = _range_fault_spec(cpu, addr, length)
        if fault is not None:
            return fault
    else:
        vma = cpu.memory.vma(addr)
        if addr + length >= ADDRESS_SPACE or vma is None or addr + length > vma[1]:
            return _fail(
                "EINVAL",
                "The range is not inside one mapping: m68k answers EINVAL here, not EFAULT (vma_lookup).",
            )
    if cpu.mode == "linux" and scope < 2 and length >= 3 * PAGE_SIZE:
        scope = 2
        notes.append("len >= 3 pages: the 68040 code flushes whole pages instead of lines.")
    if cpu.mode == "linux" and scope < 3 and length >= 10 * PAGE_SIZE:
        scope = 3
        notes.append("len >= 10 pages: the 68040 code flushes the whole cache (with no CAP_SYS_ADMIN check).")
    which = cache or 3
    if cache == 0:
        notes.append("cache 0 is accepted and, on the 68040, falls to the default case: both caches.")
    name = {1: "FLUSH_CACHE_DATA", 2: "FLUSH_CACHE_INSN", 3: "FLUSH_CACHE_BOTH"}[which]
    if which == 2:
        notes.append("FLUSH_CACHE_INSN only invalidates I-lines: a dirty D-line stays dirty, memory stays old.")
    plan = Plan(addr, addr + length, scope == 3, bool(which & 2), bool(which & 1), name, (cache_flush_040,))
    if scope == 2:
        plan.start = addr & ~(PAGE_SIZE - 1)
        plan.end = -(-(addr + length) // PAGE_SIZE) * PAGE_SIZE
    return Outcome(0, None, plan, notes)


def _sh(cpu: CpuCaches, addr: int, length: int, op: int) -> Outcome:
    """arch/sh/kernel/sys_sh.c, §5.3: op bits D_INVAL 1, D_WB 2 (D_PURGE 3 = both), I 4."""
    if op <= 0 or op > 7:
        return _fail("EINVAL", f"op {op} is not a combination of D_INVAL (1), D_WB (2) and I (4): 1..7 only.")
    if cpu.mode == "spec":
        fault = _range_fault_spec(cpu, addr, length)
        if fault is not None:
            return fault
    else:
        if addr + length >= ADDRESS_SPACE:
            return _fail("EFAULT", "addr + len wraps around the address space.")
        vma = cpu.memory.vma_from(addr)
        if vma is None or addr < vma[0] or addr + length > vma[1]:
            return _fail("EFAULT", "The range is not inside one mapping of the process (find_vma).")
    d = op & 3
    names = {1: "D_INVAL", 2: "D_WB", 3: "D_PURGE"}
    name = "|".join(n for n in (names.get(d, ""), "I" if op & 4 else "") if n)
    d_work = {1: __flush_invalidate_region, 2: __flush_wback_region, 3: __flush_purge_region}.get(d)
    notes = []
    if d == 1:
        notes.append("D_INVAL invalidates without writing back: the bytes of a dirty D-line are thrown away.")
    if d == 2:
        notes.append("D_WB writes dirty D-lines back but keeps them valid (clean).")
    if op == 4:
        notes.append("I alone only invalidates I-lines: a dirty D-line stays dirty, memory stays old.")
    work = ((d_work,) if d_work else ()) + ((flush_icache_range,) if op & 4 else ())
    plan = Plan(addr, addr + length, icache=bool(op & 4), dcache=bool(d), acts_as=name, work=work)
    return Outcome(0, None, plan, notes)


def _nds32(cpu: CpuCaches, start: int, end: int, cache: int) -> Outcome:
    """arch/nds32/kernel/sys_nds32.c and cpu_cache_wbinval_range_check, §5.3: [start, end)."""
    if cpu.mode == "spec":
        if cache not in (0, 1, 2):
            return _fail("EINVAL", f"cache is {cache}, not ICACHE (0), DCACHE (1) or BCACHE (2).")
        fault = _range_fault_spec(cpu, start, max(0, end - start))
        if fault is not None:
            return fault
    notes = []
    if cpu.mode == "linux":
        vma = cpu.memory.vma_from(start)
        if vma is None:
            return _fail("EFAULT", "No mapping ends above start (find_vma found none).")
        if cache not in (0, 1, 2):
            return _fail("EINVAL", f"cache is {cache}, not ICACHE (0), DCACHE (1) or BCACHE (2).")
        if vma[0] > start:
            notes.append(
                "start is not mapped, but find_vma returns the next mapping above it and NDS32 checks no more."
            )
    name = {0: "ICACHE", 1: "DCACHE", 2: "BCACHE"}[cache]
    if cache == 0:
        notes.append("NDS32 ICACHE only invalidates I-lines: a dirty D-line stays dirty, memory stays old.")
    flushi, wbd = cache != 1, cache != 0
    line = cpu.dcache.line
    lo, hi = start & ~(line - 1), (end + line - 1) & ~(line - 1)
    whole = cpu.mode == "linux" and (hi - lo) % ADDRESS_SPACE > 8 * PAGE_SIZE
    if whole:
        notes.append("More than 8 pages: the kernel flushes the whole of the cache instead.")
    d_work = cpu_dcache_wbinval_all if whole else cpu_dcache_wbinval_range
    i_work = cpu_icache_inval_all if whole else cpu_icache_inval_range
    work = ((d_work,) if wbd else ()) + ((i_work,) if flushi else ())
    return Outcome(0, None, Plan(start, end, whole, flushi, wbd, name, work), notes)


ABI_CALLS = {"mips": _mips, "m68k": _m68k, "sh": _sh, "nds32": _nds32}


def set_abi(cpu: CpuCaches, setting: str) -> list[Event]:
    """The `abi` verb: an ABI name, a mode name, or MODE-ABI (``legacy-mips``) setting both."""
    mode, _, abi = setting.rpartition("-")
    if abi in MODES_SET:
        mode, abi = abi, ""
    if mode:
        cpu.mode = mode
    if abi:
        cpu.abi = abi
    return [
        Event(
            "cpu.abi",
            f"cacheflush ABI {cpu.abi}: {usage(cpu.abi)}; kernel mode {cpu.mode}",
            explain=MODE_NOTES[cpu.mode] if cpu.mode != "linux" else LINUX_NOTES[cpu.abi],
            data={"abi": cpu.abi, "mode": cpu.mode},
        )
    ]


MODES_SET = frozenset(("spec", "linux", "legacy"))
MODE_NOTES = {
    "spec": "spec: the man page's contract. The cache argument is honoured and checked (EINVAL), and EFAULT "
    "comes when any byte of the range is not mapped.",
    "legacy": "legacy: Linux before 2.6.11. cacheflush ignores addr, nbytes and cache and flushes the whole of "
    "both caches.",
}
LINUX_NOTES = {
    "mips": "linux: arch/mips/mm/cache.c. The cache argument is ignored (every call acts as BCACHE), nbytes 0 "
    "returns 0, and only a range reaching kernel addresses gives EFAULT.",
    "m68k": "linux: arch/m68k/kernel/sys_m68k.c (68040). scope and cache are honoured; a range outside one mapping "
    "gives EINVAL, FLUSH_SCOPE_ALL without CAP_SYS_ADMIN gives EPERM.",
    "sh": "linux: arch/sh/kernel/sys_sh.c. op bits are honoured (D_INVAL 1, D_WB 2, D_PURGE 3, I 4); a range "
    "outside one mapping gives EFAULT, op outside 1..7 EINVAL.",
    "nds32": "linux: arch/nds32/kernel/sys_nds32.c. cache is a value (ICACHE 0, DCACHE 1, BCACHE 2), the range is "
    "[start, end); EFAULT only when no mapping ends above start.",
}
