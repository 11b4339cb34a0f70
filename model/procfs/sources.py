"""Where each kernel function the /proc mechanism names comes from (§3; docs/kernel-rules.md).

Linux v4.19 (the v3.18-v5.6 form, the default); under `proc_kernel = "v2.6.24"` the functions whose
behaviour that mode changes link to v2.6.24 instead. Registered through the mechanism spec (`sources=`).
"""

from __future__ import annotations

from model.sources import Source, linux

V419, V2624 = "v4.19", "v2.6.24"


def _both(file: str, function: str) -> tuple[Source, ...]:
    """A function whose form the v2.6.24 mode changes: that release under the mode, v4.19 otherwise."""
    return (linux(V2624, file, function, proc_kernel=V2624), linux(V419, file, function))


SOURCES: dict[str, tuple[Source, ...]] = {
    "alloc_pid": (linux(V419, "kernel/pid.c", "alloc_pid"),),
    "free_pid": (linux(V419, "kernel/pid.c", "free_pid"),),
    "create_pid_namespace": (linux(V419, "kernel/pid_namespace.c", "create_pid_namespace"),),
    "zap_pid_ns_processes": (linux(V419, "kernel/pid_namespace.c", "zap_pid_ns_processes"),),
    "put_pid_ns": (linux(V419, "kernel/pid_namespace.c", "put_pid_ns"),),
    "release_task": _both("kernel/exit.c", "release_task"),
    "proc_flush_task": _both("fs/proc/base.c", "proc_flush_task"),
    "proc_flush_task_mnt": _both("fs/proc/base.c", "proc_flush_task_mnt"),
    "pid_ns_prepare_proc": (linux(V419, "fs/proc/root.c", "pid_ns_prepare_proc"),),
    "pid_ns_release_proc": _both("fs/proc/root.c", "pid_ns_release_proc"),
    "proc_kill_sb": (linux(V419, "fs/proc/root.c", "proc_kill_sb"),),
    "proc_pid_lookup": (linux(V419, "fs/proc/base.c", "proc_pid_lookup"),),
    "proc_task_lookup": (linux(V419, "fs/proc/base.c", "proc_task_lookup"),),
    "proc_pident_lookup": (linux(V419, "fs/proc/base.c", "proc_pident_lookup"),),
    "pid_revalidate": (linux(V419, "fs/proc/base.c", "pid_revalidate"),),
    "proc_pid_status": (linux(V419, "fs/proc/array.c", "proc_pid_status"),),
    "d_lookup": (linux(V419, "fs/dcache.c", "d_lookup"),),
    "d_hash_and_lookup": (linux(V419, "fs/dcache.c", "d_hash_and_lookup"),),
    "d_invalidate": (linux(V419, "fs/dcache.c", "d_invalidate"),),
    "dput": (linux(V419, "fs/dcache.c", "dput"),),
    "dget": (linux(V419, "include/linux/dcache.h", "dget"),),
    "d_drop": (linux(V2624, "fs/dcache.c", "d_drop"),),
    "shrink_dcache_parent": (linux(V2624, "fs/dcache.c", "shrink_dcache_parent"),),
    "link_path_walk": (linux(V419, "fs/namei.c", "link_path_walk"),),
}
