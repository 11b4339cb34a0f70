"""The system calls the strace importer understands: where their paths are, and what they do.

Each entry names the argument positions of (dirfd, path) pairs — dirfd None for the old calls that are
relative to the cwd only — and an action: `lookup` (a namei walk and nothing else), `create`, `mkdir`,
`unlink`, `rmdir`, `rename`, `link` (a new name), `chdir`.
"""

from __future__ import annotations

from dataclasses import dataclass

Where = tuple[int | None, int]
"""(dirfd argument index or None, path argument index)."""


@dataclass(frozen=True, slots=True)
class PathCall:
    """How one system call uses paths: its action and where its path arguments are."""

    action: str
    paths: tuple[Where, ...]


def _table() -> dict[str, PathCall]:
    table: dict[str, PathCall] = {}
    cwd_only = (
        "stat lstat stat64 lstat64 oldstat oldlstat access readlink execve statfs statfs64 truncate truncate64 "
        "chmod chown lchown chown32 lchown32 utime utimes getxattr lgetxattr setxattr lsetxattr listxattr "
        "llistxattr removexattr lremovexattr chroot uselib acct swapon swapoff open"
    )
    for name in cwd_only.split():
        table[name] = PathCall("lookup", ((None, 0),))
    at_calls = (
        "openat openat2 newfstatat fstatat64 statx faccessat faccessat2 readlinkat execveat fchmodat fchmodat2 "
        "fchownat utimensat futimesat name_to_handle_at"
    )
    for name in at_calls.split():
        table[name] = PathCall("lookup", ((0, 1),))
    table["inotify_add_watch"] = PathCall("lookup", ((None, 1),))
    table["creat"] = PathCall("create", ((None, 0),))
    table["mknod"] = PathCall("create", ((None, 0),))
    table["mknodat"] = PathCall("create", ((0, 1),))
    table["mkdir"] = PathCall("mkdir", ((None, 0),))
    table["mkdirat"] = PathCall("mkdir", ((0, 1),))
    table["unlink"] = PathCall("unlink", ((None, 0),))
    table["unlinkat"] = PathCall("unlink", ((0, 1),))
    table["rmdir"] = PathCall("rmdir", ((None, 0),))
    table["rename"] = PathCall("rename", ((None, 0), (None, 1)))
    table["renameat"] = PathCall("rename", ((0, 1), (2, 3)))
    table["renameat2"] = PathCall("rename", ((0, 1), (2, 3)))
    table["link"] = PathCall("link", ((None, 1),))
    table["linkat"] = PathCall("link", ((2, 3),))
    table["symlink"] = PathCall("link", ((None, 1),))
    table["symlinkat"] = PathCall("link", ((1, 2),))
    table["chdir"] = PathCall("chdir", ((None, 0),))
    return table


PATH_CALLS = _table()

CLONES = ("clone", "clone3", "fork", "vfork")
"""Calls whose return value is a new task's pid."""

_NO_OP = (
    "exit exit_group wait4 waitid kill tkill tgkill rt_sigqueueinfo rt_tgsigqueueinfo pidfd_open "
    "pidfd_send_signal pidfd_getfd getcwd unshare setns"
)
KNOWN_NO_OP = frozenset(_NO_OP.split())

FD_CALLS = frozenset({"close", "close_range", "dup", "dup2", "dup3", "fcntl", "fcntl64", "fchdir"})
"""Calls on descriptors that the replay follows: they change a task's table, or its cwd (fchdir)."""
"""Calls the importer reads (or knowingly skips) that make no step of their own."""

_EXISTING = (
    "EACCES EPERM EINVAL ELOOP ETXTBSY EROFS EBUSY EISDIR ENOEXEC E2BIG EFBIG EOVERFLOW ENXIO ENODATA "
    "EOPNOTSUPP ENOTSUP ENODEV ENOTTY EXDEV ENOSYS ELIBBAD"
)
EXISTING = frozenset(_EXISTING.split())
"""Errors that mean the path was found (the model's walk succeeds; the error comes from later checks)."""

MODELLED = frozenset({"ENOENT", "ENOTDIR", "EEXIST", "ENOTEMPTY", "ENAMETOOLONG"})

PROOFS = frozenset({"EEXIST", "ENOTEMPTY", "EISDIR"})
"""Errors that prove the path itself exists (the only ones a strict disk takes, with successes)."""
"""Errors the model's namei and VOPs give, so the replay is compared on them."""
