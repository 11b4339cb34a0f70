"""The objects of a state dump (`System.to_dict`) by id, so two machines' states can be compared object by
object: a vnode `vp3`, a name-cache entry `nc7`, a mount `mnt1`, a dentry `d5`, a task `pid 42`, a
namespace `ns1`, a cached page `page vp4:0`, the server's copy `server mnt1:3`, a cache line
`D set 5 way 1`, a memory word `mem 0x400000` and a mapping `vma 0x400000`: the ids the panels show.

An object is the dict the dump holds for it (without its id). An I-cache line also gets `stale`: whether
its bytes differ from the newest bytes of its addresses (a D-cache line's if one holds them, else
memory's), as the cpu panel's `!` shows it (docs/kernel-rules.md §5.4). Counters, configuration and
lists of ids (the free list, the LRU order) are not objects: the events and the objects say what they
count or order. Pure: it reads the dump, never the machine.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

WORD = 4


def objects(state: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every object of a state dump by id (a part the function does not know gives its `id`-keyed lists)."""
    out: dict[str, dict[str, Any]] = {}
    for part, value in state.items():
        if part in ("schema", "config") or not isinstance(value, Mapping):
            continue
        if part == "cpu":
            out.update(_cpu(value))
        else:
            out.update(_with_ids(value))
            if part == "vfs":
                out.update(_vfs_extra(value))
    return out


def _with_ids(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every dict with an `id` found in lists anywhere below `value`, by that id."""
    if isinstance(value, Mapping):
        for child in value.values():
            yield from _with_ids(child)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                yield item["id"], {k: v for k, v in item.items() if k != "id"}
            else:
                yield from _with_ids(item)


def _vfs_extra(vfs: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Mounts (keyed by id in the dump), each cached page, each file's copy on the puffs server."""
    for mount, data in vfs.get("mounts", {}).items():
        yield mount, dict(data)
    pagecache = vfs.get("pagecache", {})
    for vnode, file in pagecache.get("files", {}).items():
        for page, data in file.get("pages", {}).items():
            yield f"page {vnode}:{page}", {"size": file.get("size"), **data}
    for key, file in pagecache.get("server", {}).items():
        yield f"server {key}", dict(file)


def _cpu(cpu: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Cache lines, nonzero memory words and mappings, by the ids the cpu panel and the events use."""
    memory = {int(w["addr"]): bytes.fromhex(w["word"]) for w in cpu.get("memory", [])}
    held = {}
    for line in cpu.get("dcache", {}).get("lines", []):
        data = bytes.fromhex(line["bytes"])
        for offset in range(0, len(data), WORD):
            held[line["addr"] + offset] = data[offset : offset + WORD]
    for letter, cache in (("I", cpu.get("icache", {})), ("D", cpu.get("dcache", {}))):
        for line in cache.get("lines", []):
            fields = {k: v for k, v in line.items() if k not in ("set", "way")}
            if letter == "I":
                data = bytes.fromhex(line["bytes"])
                fields["stale"] = any(
                    data[o : o + WORD] != held.get(line["addr"] + o, memory.get(line["addr"] + o, bytes(WORD)))
                    for o in range(0, len(data), WORD)
                )
            yield f"{letter} set {line['set']} way {line['way']}", fields
    for addr, word in memory.items():
        yield f"mem {addr:#x}", {"word": word.hex()}
    for mapping in cpu.get("mappings", []):
        yield f"vma {mapping['start']:#x}", {k: v for k, v in mapping.items() if k != "start"}
