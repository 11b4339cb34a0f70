"""The CPU verbs: mappings, loads, stores and fetches, cacheflush(2) and __builtin___clear_cache (§5).

Each declares its arguments and calls the model (`cpu`, `cacheflush`, `cachemaint`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from model.cpu.cacheflush import set_abi, show_arg, sys_cacheflush
from model.cpu.cachemaint import __builtin___clear_cache
from model.cpu.cpu import ABIS, MODES, CpuCaches
from model.events import Event
from model.ops import ADDR, COUNT, ArgKind, Param, command, number

if TYPE_CHECKING:
    from model.system import System


def _perms(text: str) -> str:
    letters = set(text.lower()) - {"-"}
    if not text or letters - set("rwx"):
        raise ValueError(f"expected permissions from r, w, x (e.g. rwx, r-x, or - for none), got {text!r}")
    return "".join(p for p in "rwx" if p in letters) or "-"


_NAMES = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\|[A-Za-z_][A-Za-z0-9_]*)*")


def _flush_arg(text: str) -> int | str:
    try:
        return number(text)
    except ValueError:
        pass
    if not _NAMES.fullmatch(text):
        raise ValueError(f"expected a number or a constant name such as BCACHE or D_WB|I, got {text!r}") from None
    return text.upper()


_SETTINGS = (*ABIS, *MODES, *(f"{m}-{a}" for m in MODES for a in ABIS))


def _setting(text: str) -> str:
    if text.lower() not in _SETTINGS:
        raise ValueError(
            f"expected an ABI ({', '.join(ABIS)}), a mode ({', '.join(MODES)}) or MODE-ABI such as legacy-mips, "
            f"got {text!r}"
        )
    return text.lower()


PERMS = ArgKind("PERMS", _perms)
VALUE = ArgKind("VALUE", number, hex)
FLUSH_ARG = ArgKind("ARG", _flush_arg, show_arg)
SETTING = ArgKind("SETTING", _setting)


def cpu_of(system: System) -> CpuCaches:
    """The CPU part of the machine."""
    return system.part("cpu")


@command(
    "map",
    Param("addr", ADDR),
    Param("len", COUNT),
    Param("perms", PERMS),
    summary="mmap a user region (page-aligned; perms from r, w, x); what is not mapped is inaccessible",
    part="cpu",
    example="map 0x400000 4096 rwx",
)
def map_verb(system: System, addr: int, len: int, perms: str) -> list[Event]:
    return cpu_of(system).mmap(addr, len, perms)


@command(
    "store",
    Param("addr", ADDR),
    Param("nbytes", COUNT),
    Param("value", VALUE),
    summary="store NBYTES (1-8) through the write-back D-cache; the line turns dirty, memory stays old",
    part="cpu",
    example="store 0x400000 4 0x24020001",
)
def store_verb(system: System, addr: int, nbytes: int, value: int) -> list[Event]:
    return cpu_of(system).store(addr, nbytes, value)


@command(
    "load",
    Param("addr", ADDR),
    Param("nbytes", COUNT, optional=True, default=4),
    summary="load NBYTES (default 4) through the D-cache",
    part="cpu",
    example="load 0x400000",
)
def load_verb(system: System, addr: int, nbytes: int) -> list[Event]:
    return cpu_of(system).load(addr, nbytes)


@command(
    "exec",
    Param("addr", ADDR),
    summary="fetch the instruction at ADDR through the I-cache, which does not see dirty D-lines",
    part="cpu",
    example="exec 0x400000",
)
def exec_verb(system: System, addr: int) -> list[Event]:
    return cpu_of(system).exec(addr)


@command(
    "cacheflush",
    Param("addr", ADDR),
    Param("arg2", FLUSH_ARG),
    Param("arg3", FLUSH_ARG),
    Param("arg4", FLUSH_ARG, optional=True),
    summary="cacheflush(2) in the ABI in force: mips ADDR NBYTES CACHE, m68k ADDR SCOPE CACHE LEN, "
    "sh ADDR LEN OP, nds32 START END CACHE (names or numbers)",
    part="cpu",
    example="cacheflush 0x400000 4 BCACHE",
)
def cacheflush_verb(system: System, addr: int, arg2: int | str, arg3: int | str, arg4: int | str | None) -> list[Event]:
    args = (addr, arg2, arg3) if arg4 is None else (addr, arg2, arg3, arg4)
    return sys_cacheflush(cpu_of(system), args)


@command(
    "clear-cache",
    Param("begin", ADDR),
    Param("end", ADDR),
    summary="__builtin___clear_cache(BEGIN, END): the portable way to make new code visible to fetches",
    part="cpu",
    example="clear-cache 0x400000 0x400004",
)
def clear_cache_verb(system: System, begin: int, end: int) -> list[Event]:
    return __builtin___clear_cache(cpu_of(system), begin, end)


@command(
    "abi",
    Param("setting", SETTING),
    summary="choose the cacheflush ABI (mips, m68k, sh, nds32), the kernel mode (spec, linux, legacy), "
    "or both as MODE-ABI",
    part="cpu",
    example="abi legacy-mips",
)
def abi_verb(system: System, setting: str) -> list[Event]:
    return set_abi(cpu_of(system), setting)
