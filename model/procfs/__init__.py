"""The procfs mechanism: Linux /proc per PID namespace, its tasks, namespaces, proc mounts and dentries,
and what a task's exit does to them (proc_flush_task). Section numbers (§3.3) are those of
docs/kernel-rules.md.

Importing the package registers its one spec and its verbs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from model.events import Event
from model.parts import ConfigKey, HitRate, IdSpace, Mechanism, one_of, register
from model.procfs import verbs  # noqa: F401  (imported for its verbs)
from model.procfs.procfs import KERNELS, Procfs
from model.procfs.quiz import DRILL, SUMMARY
from model.procfs.sources import SOURCES

COUNTERS = {
    "nr_dentry": "dentries in all proc mounts",
    "nr_unused": "dentries with no reference (could be freed under memory pressure)",
    "nr_stale": "dentries unhashed by an invalidation but kept alive by a reference",
    "lookups": "path components looked up in a proc mount",
    "dcache_hits": "components found in the dcache (d_lookup)",
    "d_alloc": "dentries created by proc lookups",
    "enoent": "lookups that failed with ENOENT (no dentry is left behind)",
    "d_invalidate": "dentries invalidated (by proc_flush_task or a failed revalidation)",
    "dentry_kill": "dentries freed",
    "revalidate_fail": "dcache hits whose task had gone (pid_revalidate said no)",
}
"""One-line definitions of the counters `Procfs.stats` gives (Linux dcache, as /proc sees it)."""


def dcache_outcome(event: Event) -> bool | None:
    """A proc lookup's outcome: True for a dcache hit, False for a new dentry, None for any other event."""
    if event.kind == "proc.lookup" and event.func == "d_lookup":
        return True
    return False if event.kind == "proc.dentry.new" else None


def _factory(config: Mapping[str, Any]) -> Procfs:
    return Procfs(config["proc_kernel"])


def _tasks(fs: Procfs) -> Iterable[str]:
    return (t.ref for t in fs.tasks.values())


_KINDS = (
    "spawn thread unshare mount open read hold lookup d_hash_and_lookup revalidate dentry.new dentry.free dput exit "
    "flush flush.mnt d_invalidate zap free_pid release_mnt mount.free ns.free shrink"
)
KINDS = tuple(f"proc.{name}" for name in _KINDS.split())
"""Every kind of event /proc gives (a test runs the scenarios and checks that each kind they emit is here)."""

MECHANISM = register(
    Mechanism(
        "procfs",
        _factory,
        order=20,
        config=(
            ConfigKey(
                "proc_kernel",
                "v4.19",
                one_of(*KERNELS),
                "which proc_flush_task: v4.19 (the v3.18-v5.6 form) or v2.6.24 (tgid for leaders only, d_drop)",
            ),
        ),
        ids=(
            IdSpace("pid ", "a task", _tasks, example="pid 42"),
            IdSpace("ns", "a PID namespace", lambda fs: (ns.ref for ns in fs.namespaces.values())),
            IdSpace("d", "a dentry", lambda fs: (d.ref for d in fs.in_order())),
        ),
        drills=(DRILL,),
        summary=SUMMARY,
        counters=COUNTERS,
        hit_rates=(HitRate("dcache", dcache_outcome),),
        panels=("viz.panels:ProcPanel",),
        sources=SOURCES,
        views={"proc": ("proc.*",)},
        kinds=KINDS,
    )
)
