"""Where each kernel function the VFS mechanism names comes from (§1, §2, §4; docs/kernel-rules.md).

The name cache, namei and getcwd follow NetBSD 4.0; the vnode life cycle FreeBSD 4's manual pages and
vfs_subr.c; the puffs page cache NetBSD 5.0. Registered through the mechanism spec (`sources=`).
"""

from __future__ import annotations

from model.sources import FREEBSD4, FREEBSD5, NETBSD4, NETBSD5, Source, freebsd, freebsd_man, netbsd, netbsd_man


def _nb4(file: str, *functions: str) -> dict[str, tuple[Source, ...]]:
    return {f: (netbsd(NETBSD4, file, f),) for f in functions}


def _fb4(file: str, *functions: str) -> dict[str, tuple[Source, ...]]:
    return {f: (freebsd(FREEBSD4, file, f),) for f in functions}


def _nb5(file: str, *functions: str) -> dict[str, tuple[Source, ...]]:
    return {f: (netbsd(NETBSD5, file, f),) for f in functions}


SOURCES: dict[str, tuple[Source, ...]] = {
    # §1 the name cache, namei, getcwd: NetBSD 4.0
    **_nb4("sys/kern/vfs_cache.c", "cache_lookup", "cache_enter", "cache_purge1", "cache_purgevfs",
           "cache_revlookup", "namecache_print"),
    "cache_purge": (netbsd(NETBSD4, "sys/sys/namei.h", "cache_purge"),),  # cache_purge1(vp, NULL, both flags)
    **_nb4("sys/kern/vfs_lookup.c", "namei", "lookup"),
    "getcwd": (netbsd(NETBSD4, "sys/kern/vfs_getcwd.c", "sys___getcwd"),),
    **_nb4("sys/kern/vfs_getcwd.c", "getcwd_common"),
    "VOP_LOOKUP": (netbsd(NETBSD4, "sys/ufs/ufs/ufs_lookup.c", "ufs_lookup"),),
    "VOP_CREATE": (netbsd(NETBSD4, "sys/ufs/ufs/ufs_vnops.c", "ufs_create"),),
    "VOP_MKDIR": (netbsd(NETBSD4, "sys/ufs/ufs/ufs_vnops.c", "ufs_mkdir"),),
    "VOP_REMOVE": (netbsd(NETBSD4, "sys/ufs/ufs/ufs_vnops.c", "ufs_remove"),),
    "VOP_RMDIR": (netbsd(NETBSD4, "sys/ufs/ufs/ufs_vnops.c", "ufs_rmdir"),),
    "VOP_RENAME": (netbsd(NETBSD4, "sys/ufs/ufs/ufs_vnops.c", "ufs_rename"),),
    "VOP_WHITEOUT": (netbsd(NETBSD4, "sys/ufs/ufs/ufs_vnops.c", "ufs_whiteout"),),
    # the path system calls (each verb's closing event names the call)
    "lookup": (netbsd(NETBSD4, "sys/kern/vfs_lookup.c", "lookup"),),
    "open": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_open"),),
    "create": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_open"),),  # open(O_CREAT) and close
    "mkdir": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_mkdir"),),
    "unlink": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_unlink"),),
    "rmdir": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_rmdir"),),
    "rename": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_rename"),),
    "chdir": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_chdir"),),
    "fchdir": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_fchdir"),),
    "close": (netbsd(NETBSD4, "sys/kern/kern_descrip.c", "sys_close"),),
    "whiteout": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_undelete"),),
    "mount": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_mount"),),
    "truncate": (netbsd(NETBSD4, "sys/kern/vfs_syscalls.c", "sys_truncate"),),
    "read": (netbsd(NETBSD4, "sys/kern/sys_generic.c", "sys_read"),),
    "write": (netbsd(NETBSD4, "sys/kern/sys_generic.c", "sys_write"),),
    # §2 the vnode life cycle: FreeBSD 4 (the man pages' protocol)
    **_fb4("sys/kern/vfs_subr.c", "getnewvnode", "vget", "vref", "vrele", "vput", "vrecycle", "vgone", "vgonel"),
    "vn_lock": (freebsd(FREEBSD4, "sys/kern/vfs_vnops.c", "vn_lock"),),
    "VOP_UNLOCK": (freebsd_man("VOP_LOCK", 9, "4.11", "VOP_UNLOCK"),),
    "VOP_INACTIVE": (freebsd_man("VOP_INACTIVE", 9, "4.11", "VOP_INACTIVE"),),
    "VOP_RECLAIM": (freebsd_man("VOP_RECLAIM", 9, "4.11", "VOP_RECLAIM"),),
    "VFS_VGET": (freebsd_man("VFS_VGET", 9, "4.11", "VFS_VGET"),),
    "dounmount": (freebsd(FREEBSD5, "sys/kern/vfs_mount.c", "dounmount"),),
    # §4 the puffs page and name caches: NetBSD 5.0
    **_nb5("lib/libpuffs/flush.c", "puffs_inval_namecache_dir", "puffs_inval_namecache_all",
           "puffs_inval_pagecache_node", "puffs_inval_pagecache_node_range", "puffs_flush_pagecache_node",
           "puffs_flush_pagecache_node_range"),
    "VOP_GETPAGES": (netbsd(NETBSD5, "sys/fs/puffs/puffs_vnops.c", "puffs_getpages"),),
    "VOP_PUTPAGES": (netbsd(NETBSD5, "sys/fs/puffs/puffs_vnops.c", "puffs_putpages"),),
    "VOP_READ": (netbsd(NETBSD5, "sys/fs/puffs/puffs_vnops.c", "puffs_read"),),
    "VOP_WRITE": (netbsd(NETBSD5, "sys/fs/puffs/puffs_vnops.c", "puffs_write"),),
    "VOP_SETATTR": (netbsd(NETBSD5, "sys/fs/puffs/puffs_vnops.c", "puffs_setattr"),),
    "PUFFS_VN_WRITE": (netbsd(NETBSD5, "sys/fs/puffs/puffs_msgif.h", "PUFFS_VN_WRITE"),),
    "file server": (netbsd_man("puffs", 3, "5.0", "the file server (libpuffs)"),),
    **_nb5("sys/kern/vfs_subr.c", "vclean", "vinvalbuf"),
}  # fmt: skip
