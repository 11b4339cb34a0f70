"""Where each kernel function the CPU-cache mechanism names comes from (§5; docs/kernel-rules.md).

cacheflush(2) has one source per ABI and kernel mode: the `linux` mode follows each architecture's code
at Linux v4.19, `spec` the man page (as PA-RISC's v6.5 code mostly has it), `legacy` the man page's BUGS
(MIPS before 2.6.11). The event's `data` carries the ABI and mode in force. Registered through the
mechanism spec (`sources=`).
"""

from __future__ import annotations

from model.sources import Source, linux, linux_man

V419 = "v4.19"

SOURCES: dict[str, tuple[Source, ...]] = {
    "sys_cacheflush": (
        linux_man("cacheflush", 2, "cacheflush", "BUGS", mode="legacy"),
        linux("v6.5", "arch/parisc/kernel/cache.c", "sys_cacheflush", mode="spec"),
        linux(V419, "arch/mips/mm/cache.c", "sys_cacheflush", abi="mips"),
        linux(V419, "arch/m68k/kernel/sys_m68k.c", "sys_cacheflush", abi="m68k"),
        linux(V419, "arch/sh/kernel/sys_sh.c", "sys_cacheflush", abi="sh"),
        linux(V419, "arch/nds32/kernel/sys_nds32.c", "sys_cacheflush", abi="nds32"),
    ),
    "cache_flush_040": (linux(V419, "arch/m68k/kernel/sys_m68k.c", "cache_flush_040"),),
    "protected_blast_dcache_range": (linux(V419, "arch/mips/include/asm/r4kcache.h", "protected_blast_dcache_range"),),
    "protected_blast_icache_range": (linux(V419, "arch/mips/include/asm/r4kcache.h", "protected_blast_icache_range"),),
    "flush_cache_all": (linux(V419, "arch/mips/mm/cache.c", "flush_cache_all"),),
    "__flush_wback_region": (linux(V419, "arch/sh/mm/cache.c", "__flush_wback_region"),),
    "__flush_invalidate_region": (linux(V419, "arch/sh/mm/cache.c", "__flush_invalidate_region"),),
    "__flush_purge_region": (linux(V419, "arch/sh/mm/cache.c", "__flush_purge_region"),),
    "flush_icache_range": (linux(V419, "arch/sh/mm/cache.c", "flush_icache_range"),),
    "cpu_dcache_wbinval_range": (linux(V419, "arch/nds32/mm/proc.c", "cpu_dcache_wbinval_range"),),
    "cpu_icache_inval_range": (linux(V419, "arch/nds32/mm/proc.c", "cpu_icache_inval_range"),),
    "cpu_dcache_wbinval_all": (linux(V419, "arch/nds32/mm/proc.c", "cpu_dcache_wbinval_all"),),
    "cpu_icache_inval_all": (linux(V419, "arch/nds32/mm/proc.c", "cpu_icache_inval_all"),),
    "mmap": (linux(V419, "mm/mmap.c", "do_mmap"),),
    "__builtin___clear_cache": (
        Source(
            "GCC",
            "gcc/doc/extend.texi",
            "__builtin___clear_cache",
            "https://gcc.gnu.org/onlinedocs/gcc/Other-Builtins.html",
        ),
    ),
}
