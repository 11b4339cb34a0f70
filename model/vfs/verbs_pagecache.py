"""Verbs of the page cache and the puffs file server (puffs_flush(3); §4).

Each declares its arguments and calls the model: `syscalls` for read, write and truncate by path,
`puffs` for the calls a puffs file server makes and for the server's own changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.ops import COUNT, PATH, Param, command
from model.vfs import puffs, syscalls
from model.vfs.verbs import MOUNT, vfs_of

if TYPE_CHECKING:
    from model.system import System


@command(
    "read",
    Param("path", PATH),
    Param("offset", COUNT),
    Param("length", COUNT),
    summary="read(2): absent pages are filled from the file server; cached pages are used as they are",
    part="pagecache",
    view="pagecache",
    example="read /puffs/f 0 8192",
)
def read_verb(system: System, path: str, offset: int, length: int) -> list[Event]:
    return syscalls.read(vfs_of(system), path, offset, length)


@command(
    "write",
    Param("path", PATH),
    Param("offset", COUNT),
    Param("length", COUNT),
    summary="write(2): pages become dirty with a new version letter; the server sees nothing yet",
    part="pagecache",
    view="pagecache",
    example="write /puffs/f 4096 100",
)
def write_verb(system: System, path: str, offset: int, length: int) -> list[Event]:
    return syscalls.write(vfs_of(system), path, offset, length)


@command(
    "truncate",
    Param("path", PATH),
    Param("size", COUNT),
    summary="truncate(2): set the size on the server; cached pages past it are freed",
    part="pagecache",
    view="pagecache",
    example="truncate /puffs/f 4096",
)
def truncate_verb(system: System, path: str, size: int) -> list[Event]:
    return syscalls.truncate(vfs_of(system), path, size)


def _whole_or_range(start: int | None, end: int | None) -> bool:
    """True for the whole node (neither START nor END given); an OpError for one without the other."""
    if (start is None) != (end is None):
        raise OpError("give both START and END, or neither (the whole node)", hint="END 0 means to the end of file")
    return start is None


@command(
    "flush",
    Param("path", PATH),
    Param("start", COUNT, optional=True),
    Param("end", COUNT, optional=True),
    summary="puffs_flush_pagecache_node[_range]: queue dirty pages for writing and return at once",
    part="pagecache",
    view="pagecache",
    example="flush /puffs/f 0 8192",
)
def flush_verb(system: System, path: str, start: int | None, end: int | None) -> list[Event]:
    if _whole_or_range(start, end):
        return puffs.puffs_flush_pagecache_node(vfs_of(system), path)
    return puffs.puffs_flush_pagecache_node_range(vfs_of(system), path, start or 0, end or 0)


@command(
    "inval",
    Param("path", PATH),
    Param("start", COUNT, optional=True),
    Param("end", COUNT, optional=True),
    summary="puffs_inval_pagecache_node[_range]: free pages; dirty data not yet written is lost",
    part="pagecache",
    view="pagecache",
    example="inval /puffs/f 100 5000",
)
def inval_verb(system: System, path: str, start: int | None, end: int | None) -> list[Event]:
    if _whole_or_range(start, end):
        return puffs.puffs_inval_pagecache_node(vfs_of(system), path)
    return puffs.puffs_inval_pagecache_node_range(vfs_of(system), path, start or 0, end or 0)


@command(
    "server-ack",
    Param("count", COUNT, optional=True, default=1),
    summary="the file server serves COUNT queued write requests (default 1), oldest first",
    part="pagecache",
    view="pagecache",
    example="server-ack 2",
)
def server_ack_verb(system: System, count: int) -> list[Event]:
    return vfs_of(system).pagecache.puffs_vn_write(count)


@command(
    "server-write",
    Param("path", PATH),
    Param("offset", COUNT),
    Param("length", COUNT),
    summary="the file server changes a file behind the kernel's back (cached pages go stale)",
    part="pagecache",
    view="pagecache",
    example="server-write /puffs/f 0 4096",
)
def server_write_verb(system: System, path: str, offset: int, length: int) -> list[Event]:
    return puffs.server_write(vfs_of(system), path, offset, length)


@command(
    "server-show",
    Param("path", PATH),
    summary="show the file server's copy of a file beside the kernel's",
    part="pagecache",
    view="pagecache",
    example="server-show /puffs/f",
)
def server_show_verb(system: System, path: str) -> list[Event]:
    return puffs.server_show(vfs_of(system), path)


@command(
    "inval-names",
    Param("path", PATH),
    summary="puffs_inval_namecache_dir: purge the name-cache entries under a directory (children only)",
    part="pagecache",
    view="namecache",
    example="inval-names /puffs/dir",
)
def inval_names_verb(system: System, path: str) -> list[Event]:
    return puffs.puffs_inval_namecache_dir(vfs_of(system), path)


@command(
    "inval-names-all",
    Param("mnt", MOUNT, optional=True),
    summary="puffs_inval_namecache_all: purge the whole puffs mount's name cache (cache_purgevfs)",
    part="pagecache",
    view="namecache",
    example="inval-names-all mnt1",
)
def inval_names_all_verb(system: System, mnt: str | None) -> list[Event]:
    return puffs.puffs_inval_namecache_all(vfs_of(system), mnt)
