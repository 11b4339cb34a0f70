"""The CPU caches and cacheflush(2): the "cpu" part, its [config] keys and its verbs (SEMANTICS §5)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model import cacheflush, cachemaint
from model.cpu import ABIS, DEFAULT_GEOMETRY, MODES, CpuCaches
from model.events import Event
from model.limits import PAGE_SIZE
from model.ops import ADDR, COUNT, ArgKind, Param, command
from model.parts import ConfigKey, Mechanism, boolean, one_of, positive_int, power_of_two, register

if TYPE_CHECKING:
    from model.system import System

MAX_CACHE_BYTES = 16 << 20
MAX_CACHE_LINES = 1 << 14
"""A cache is built whole and copied at every checkpoint: 16,384 lines is a large L2, and stays fast."""


def geometry(value: Any) -> dict[str, int]:
    """Validator: a cache geometry table { sets, ways, line }, missing keys taken from the default."""
    if not isinstance(value, Mapping):
        raise ValueError("expected a table like { sets = 8, ways = 2, line = 16 }")
    unknown = sorted(set(value) - set(DEFAULT_GEOMETRY))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (a cache has sets, ways and line)")
    merged = {**DEFAULT_GEOMETRY, **value}
    sets, ways, line = power_of_two(merged["sets"]), positive_int(merged["ways"]), power_of_two(merged["line"])
    if ways > 64:
        raise ValueError(f"ways is {ways}; at most 64")
    if not 4 <= line <= PAGE_SIZE:
        raise ValueError(f"line is {line}; a line is 4 to {PAGE_SIZE} bytes")
    if sets * ways > MAX_CACHE_LINES:
        raise ValueError(f"{sets} sets x {ways} ways is more than {MAX_CACHE_LINES} lines")
    if sets * ways * line > MAX_CACHE_BYTES:
        raise ValueError(f"{sets} x {ways} x {line} bytes is more than {MAX_CACHE_BYTES >> 20} MiB")
    return {"sets": sets, "ways": ways, "line": line}


def _factory(config: Mapping[str, Any]) -> CpuCaches:
    return CpuCaches(
        config["icache"],
        config["dcache"],
        mode=config["cacheflush_mode"],
        abi=config["cacheflush_abi"],
        cap_sys_admin=config["cacheflush_cap_sys_admin"],
    )


register(
    Mechanism(
        "cpu",
        _factory,
        order=40,
        config=(
            ConfigKey("icache", dict(DEFAULT_GEOMETRY), geometry, "instruction cache geometry { sets, ways, line }"),
            ConfigKey("dcache", dict(DEFAULT_GEOMETRY), geometry, "data cache geometry { sets, ways, line }"),
            ConfigKey("cacheflush_mode", "linux", one_of(*MODES), "cacheflush kernel behaviour: spec, linux, legacy"),
            ConfigKey("cacheflush_abi", "mips", one_of(*ABIS), "cacheflush argument order: mips, m68k, sh, nds32"),
            ConfigKey(
                "cacheflush_cap_sys_admin", False, boolean, "the process has CAP_SYS_ADMIN (m68k FLUSH_SCOPE_ALL)"
            ),
        ),
    )
)


def _perms(text: str) -> str:
    letters = set(text.lower()) - {"-"}
    if not text or letters - set("rwx"):
        raise ValueError(f"expected permissions from r, w, x (e.g. rwx, r-x, or - for none), got {text!r}")
    return "".join(p for p in "rwx" if p in letters) or "-"


def _value(text: str) -> int:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        raise ValueError(f"expected a number (decimal, or hex as 0x...), got {text!r}") from None


_NAMES = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\|[A-Za-z_][A-Za-z0-9_]*)*")


def _flush_arg(text: str) -> int | str:
    try:
        return _value(text)
    except ValueError:
        pass
    if not _NAMES.fullmatch(text):
        raise ValueError(f"expected a number or a constant name such as BCACHE or D_WB|I, got {text!r}") from None
    return text.upper()


def _show_flush_arg(value: int | str) -> str:
    if isinstance(value, str):
        return value
    return hex(value) if value >= 0x100 else str(value)


_SETTINGS = (*ABIS, *MODES, *(f"{m}-{a}" for m in MODES for a in ABIS))


def _setting(text: str) -> str:
    if text.lower() not in _SETTINGS:
        raise ValueError(
            f"expected an ABI ({', '.join(ABIS)}), a mode ({', '.join(MODES)}) or MODE-ABI such as legacy-mips, "
            f"got {text!r}"
        )
    return text.lower()


PERMS = ArgKind("PERMS", _perms)
VALUE = ArgKind("VALUE", _value, hex)
FLUSH_ARG = ArgKind("ARG", _flush_arg, _show_flush_arg)
SETTING = ArgKind("SETTING", _setting)


@command(
    "map",
    Param("addr", ADDR),
    Param("len", COUNT),
    Param("perms", PERMS),
    summary="mmap a user region (page-aligned; perms from r, w, x); what is not mapped is inaccessible",
    part="cpu",
    example="map 0x400000 4096 rwx",
)
def map_(system: System, addr: int, len: int, perms: str) -> list[Event]:
    return system.part("cpu").map(addr, len, perms)


@command(
    "store",
    Param("addr", ADDR),
    Param("nbytes", COUNT),
    Param("value", VALUE),
    summary="store NBYTES (1-8) through the write-back D-cache; the line turns dirty, memory stays old",
    part="cpu",
    example="store 0x400000 4 0x24020001",
)
def store(system: System, addr: int, nbytes: int, value: int) -> list[Event]:
    return system.part("cpu").store(addr, nbytes, value)


@command(
    "load",
    Param("addr", ADDR),
    Param("nbytes", COUNT, optional=True, default=4),
    summary="load NBYTES (default 4) through the D-cache",
    part="cpu",
    example="load 0x400000",
)
def load(system: System, addr: int, nbytes: int) -> list[Event]:
    return system.part("cpu").load(addr, nbytes)


@command(
    "exec",
    Param("addr", ADDR),
    summary="fetch the instruction at ADDR through the I-cache, which does not see dirty D-lines",
    part="cpu",
    example="exec 0x400000",
)
def exec_(system: System, addr: int) -> list[Event]:
    return system.part("cpu").exec(addr)


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
def cacheflush_(system: System, addr: int, arg2: int | str, arg3: int | str, arg4: int | str | None) -> list[Event]:
    args = (addr, arg2, arg3) if arg4 is None else (addr, arg2, arg3, arg4)
    return cacheflush.sys_cacheflush(system.part("cpu"), args)


@command(
    "clear-cache",
    Param("begin", ADDR),
    Param("end", ADDR),
    summary="__builtin___clear_cache(BEGIN, END): the portable way to make new code visible to fetches",
    part="cpu",
    example="clear-cache 0x400000 0x400004",
)
def clear_cache(system: System, begin: int, end: int) -> list[Event]:
    return cachemaint.clear_cache(system.part("cpu"), begin, end)


@command(
    "abi",
    Param("setting", SETTING),
    summary="choose the cacheflush ABI (mips, m68k, sh, nds32), the kernel mode (spec, linux, legacy), "
    "or both as MODE-ABI",
    part="cpu",
    example="abi legacy-mips",
)
def abi(system: System, setting: str) -> list[Event]:
    return cacheflush.set_abi(system.part("cpu"), setting)
