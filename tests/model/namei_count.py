"""An independent count of the component lookups the kernel makes for each path system call of an strace trace.

Written from the trace and the rules of namei (docs/kernel-rules.md §1.11, §1.12), sharing no code with the
importer (model/trace/): its own line reader, its own descriptor tables and cwds, its own record of what
exists. For each call it counts the components namei looks up from the call's start directory: the root
for an absolute path, the task's cwd for a relative one (AT_FDCWD), or the directory its dirfd names. An
empty path (AT_EMPTY_PATH) looks nothing up, and `..` at the root is the root, with no lookup.

A walk that fails stops where the kernel's did. For ENOENT that is the first component the trace has not
shown to exist at that moment (a success through it or at it, before or after, that the trace did not
make or undo in between), for ENOTDIR the first component shown to be a file (else the last directory
of the path). Symbolic links are not followed: the trace does not show them, and the model has none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_LINE = re.compile(r"^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:(?:\d\d:\d\d:\d\d(?:\.\d+)?|\d+\.\d+)\s+)?(.*)$")
_START = re.compile(r"([a-z_][a-z0-9_]*)\((.*)$")
_RESUMED = re.compile(r"<\.\.\. ([a-z_][a-z0-9_]*) resumed>(.*)$")
_OCT = re.compile(r"[0-7]{1,3}")
_HEX = re.compile(r"x[0-9a-fA-F]{2}")

# (dirfd position or None, path position) of each path a call walks; symlink's target is never walked
_CWD_ONLY = str.split(
    "open creat stat lstat access readlink execve chdir mkdir rmdir unlink truncate chmod chown lchown statfs "
    "getxattr lgetxattr setxattr lsetxattr listxattr llistxattr removexattr lremovexattr utime utimes mknod"
)
_AT = str.split(
    "openat openat2 newfstatat fstatat64 statx faccessat faccessat2 readlinkat mkdirat unlinkat fchmodat "
    "fchmodat2 fchownat utimensat futimesat mknodat execveat name_to_handle_at"
)
PATHS: dict[str, tuple[tuple[int | None, int], ...]] = {
    **{name: ((None, 0),) for name in _CWD_ONLY},
    **{name: ((0, 1),) for name in _AT},
    "rename": ((None, 0), (None, 1)),
    "link": ((None, 0), (None, 1)),
    "symlink": ((None, 1),),
    "renameat": ((0, 1), (2, 3)),
    "renameat2": ((0, 1), (2, 3)),
    "linkat": ((0, 1), (2, 3)),
    "symlinkat": ((1, 2),),
    "inotify_add_watch": ((None, 1),),
}
MAKES = {"mkdir", "mkdirat", "creat", "mknod", "mknodat", "link", "linkat", "symlink", "symlinkat"}
REMOVES = {"unlink", "unlinkat", "rmdir"}


@dataclass
class Syscall:
    """One finished call: pid, name, arguments as printed, the return text, errno, and its last line."""

    pid: int
    name: str
    args: list[str]
    ret: str
    errno: str | None
    line: int


def split(text: str) -> tuple[list[str], str]:
    """The top-level arguments of ``a, "b", {c, d}, 3</x(y>) = 0`` and what follows the closing parenthesis."""
    args, depth, start, i, n = [], 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "<":  # an fd annotation: nested <char 1:3>, and a socket's ->
            level, i = 1, i + 1
            while i < n and level:
                if text.startswith("->", i):
                    i += 1
                elif text[i] == "<":
                    level += 1
                elif text[i] == ">":
                    level -= 1
                i += 1
            continue
        elif c in "([{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == ")":
            if depth == 0:
                last = text[start:i].strip()
                return [*args, last] if last or args else args, text[i + 1 :]
            depth -= 1
        elif c == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1
    return args, ""


def unquote(token: str) -> str | None:
    """The text of a quoted string argument, escapes undone; None when the argument is no string."""
    if not token.startswith('"'):
        return None
    out, i = bytearray(), 1
    while i < len(token) and token[i] != '"':
        if token[i] == "\\":
            nxt = token[i + 1]
            if m := _OCT.match(token, i + 1):
                out.append(int(m[0], 8))
                i += 1 + len(m[0])
                continue
            if m := _HEX.match(token, i + 1):
                out.append(int(m[0][1:], 16))
                i += 4
                continue
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "v": b"\v", "f": b"\f"}.get(nxt, nxt.encode())
            i += 2
        else:
            out += token[i].encode("utf-8", "surrogateescape")
            i += 1
    return out.decode("utf-8", "surrogateescape")


def annotated(token: str) -> str | None:
    """The path -y printed after an fd (``3</a\\74b\\76>`` -> ``/a<b>``), or None."""
    at = token.find("<")
    if at < 0 or not token.startswith("/", at + 1):
        return None
    inner = token[at + 1 : token.rindex(">")]
    inner = re.sub(r"<(?:char|block) \d+:\d+>$", "", inner)
    return unquote('"' + inner.replace('"', '\\"') + '"')


def read(lines: list[str]) -> list[Syscall | tuple[int, str]]:
    """The finished calls and the exits (pid, "exit") of the trace, in order, halves joined per pid."""
    out: list[Syscall | tuple[int, str]] = []
    pending: dict[int, str] = {}
    for number, raw in enumerate(lines, start=1):
        m = _LINE.match(raw.rstrip("\n"))
        pid = int(m[1] or m[2] or 1000)
        body = m[3]
        if body.startswith("+++"):
            out.append((pid, "exit"))
            continue
        if body.endswith("<unfinished ...>"):
            pending[pid] = body[: -len("<unfinished ...>")]
            continue
        if r := _RESUMED.match(body):
            body = pending.pop(pid, "") + r[2]
        s = _START.match(body)
        if s is None:
            continue
        args, rest = split(s[2])
        result = re.match(r"\s*=\s*(-?\d+|0x[0-9a-fA-F]+|\?)\S*(?:\s+([A-Z][A-Z0-9]+)\s)?", rest + " ")
        if result is None:
            continue
        out.append(Syscall(pid, s[1], args, result[1], result[2], number))
    return out


def join(base: str, path: str) -> list[str]:
    """The names of the directory a walk is in after `path` from `base` (lexically, `..` at / stays)."""
    names = [] if path.startswith("/") else [n for n in base.split("/") if n]
    for name in path.split("/"):
        if name in ("", "."):
            continue
        if name == "..":
            if names:
                names.pop()
        else:
            names.append(name)
    return names


@dataclass
class Table:
    """A task's descriptors: fd -> [path, close-on-exec]; shared by CLONE_FILES tasks (the same object)."""

    fds: dict[int, list] = field(default_factory=dict)


@dataclass
class Counted:
    """The kernel's lookups per input line, and each (directory, name) pair looked up."""

    per_line: dict[int, int] = field(default_factory=dict)
    pairs: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.per_line.values())

    def best_hit_rate(self) -> float:
        """The most hits any cache could give: each (directory, name) pair misses the first time."""
        total = sum(self.pairs.values())
        return (total - len(self.pairs)) / total if total else 0.0


class Kernel:
    """Follows the trace's tasks, descriptors, cwds and names, and counts each call's component lookups."""

    def __init__(self, calls: list[Syscall | tuple[int, str]], cwd: str) -> None:
        self.calls = calls
        self.start = cwd
        self.parents = {
            int(c.ret): (c.pid, " ".join(c.args))
            for c in calls
            if isinstance(c, Syscall) and c.name in ("clone", "clone3", "fork", "vfork") and c.ret.isdigit()
        }
        self.cwds: dict[int, list[str]] = {}
        self.tables: dict[int, Table] = {}
        self.initial, self.files = self._facts()
        self.cwds, self.tables = {}, {}
        self.exists = set(self.initial)

    def _facts(self) -> tuple[set[str], set[str]]:
        """What existed before the trace (shown by a success before the trace made it) and what are files."""
        made: set[str] = set()
        names = [n for n in self.start.split("/") if n]
        initial = {"/" + "/".join(names[:k]) for k in range(1, len(names) + 1)}  # a cwd is a directory that exists
        files: set[str] = set()
        for syscall, index, names, ok in self._walks():
            for arg in syscall.args:  # -y names open files and cwds: they exist (unless deleted)
                if (path := annotated(arg)) is not None and not arg.endswith("(deleted)") and path not in made:
                    parts = [n for n in path.split("/") if n]
                    initial.update("/" + "/".join(parts[:k]) for k in range(1, len(parts) + 1))
            path = "/" + "/".join(names)
            prefixes = ["/" + "/".join(names[:k]) for k in range(1, len(names))]
            if ok or syscall.errno == "EEXIST":
                initial.update(p for p in prefixes if p not in made)
            if ok:
                creates = syscall.name in ("open", "openat", "creat") and "O_CREAT" in " ".join(syscall.args)
                if syscall.name in MAKES or creates or (syscall.name.startswith("rename") and index == 1):
                    made.add(path)
                elif path not in made:
                    initial.add(path)
                mode = re.search(r"st_mode=S_IF(\w+)|stx_mode=S_IF(\w+)", " ".join(syscall.args))
                if mode and (mode[1] or mode[2]) not in ("DIR", "LNK"):
                    files.add(path)
            if syscall.errno == "EEXIST" and path not in made:
                initial.add(path)
        return initial, files

    def _walks(self):
        """(call, the absolute names of each path it walks, succeeded) over the whole trace, with lexical
        positions only (for the facts; the counting pass follows descriptors itself)."""
        for item in self.calls:
            if isinstance(item, tuple):
                continue
            for index, (base, path) in enumerate(self._paths(item)):
                if path:
                    yield item, index, join(base, path), item.errno is None
            self._follow(item)

    def _task(self, pid: int) -> tuple[list[str], Table]:
        """The task's cwd and table; a task first seen now starts from its parent's (as its clone made it)."""
        if pid not in self.cwds:
            parent, flags = self.parents.get(pid, (None, ""))
            if parent is not None and parent in self.cwds:
                self._clone(parent, pid, flags)
            else:
                self.cwds[pid] = [self.start]
                self.tables[pid] = Table()
        return self.cwds[pid], self.tables[pid]

    def _clone(self, parent: int, child: int, flags: str) -> None:
        cwd, table = self.cwds[parent], self.tables[parent]
        self.cwds[child] = cwd if "CLONE_FS" in flags else [cwd[0]]
        self.tables[child] = table if "CLONE_FILES" in flags else Table({k: list(v) for k, v in table.fds.items()})

    def _paths(self, call: Syscall) -> list[tuple[str, str]]:
        """(start directory, path) of each path the call walks."""
        spec = PATHS.get(call.name)
        if spec is None:
            return []
        cwd, table = self._task(call.pid)
        out = []
        for dirfd, index in spec:
            if index >= len(call.args):
                continue
            path = unquote(call.args[index])
            if path is None:
                continue
            base = cwd[0]
            if dirfd is not None and not call.args[dirfd].startswith("AT_FDCWD") and not path.startswith("/"):
                fd = int(re.match(r"-?\d+", call.args[dirfd])[0])
                entry = table.fds.get(fd)
                base = entry[0] if entry else annotated(call.args[dirfd])
                if base is None:
                    continue
            out.append((base, path))
        return out

    def _follow(self, call: Syscall) -> None:
        """Keep the task's cwd and descriptors as the call changes them."""
        cwd, table = self._task(call.pid)
        ok = call.errno is None and call.ret != "?"
        name = call.name
        if name in ("clone", "clone3", "fork", "vfork") and ok and int(call.ret) > 0 and int(call.ret) not in self.cwds:
            self._clone(call.pid, int(call.ret), " ".join(call.args))
        if not ok:
            return
        if name in ("open", "openat", "openat2", "creat"):
            (base, path), *_ = self._paths(call) or [(None, None)]
            if path is not None:
                flags = " ".join(call.args[1:3]) if name != "creat" else ""
                table.fds[int(call.ret)] = ["/" + "/".join(join(base, path)), "O_CLOEXEC" in flags]
        elif name == "close":
            table.fds.pop(int(re.match(r"-?\d+", call.args[0])[0]), None)
        elif name in ("dup", "dup2", "dup3") or (name == "fcntl" and call.args[1].startswith("F_DUPFD")):
            old, new = int(re.match(r"-?\d+", call.args[0])[0]), int(call.ret)
            if old != new:
                entry = table.fds.get(old)
                flag = call.args[2] if name == "dup3" else call.args[1] if name == "fcntl" else ""
                cloexec = "CLOEXEC" in flag
                if entry is None:
                    table.fds.pop(new, None)
                else:
                    table.fds[new] = [entry[0], cloexec]
        elif name == "fcntl" and call.args[1] == "F_SETFD":
            entry = table.fds.get(int(re.match(r"-?\d+", call.args[0])[0]))
            if entry is not None:
                entry[1] = "FD_CLOEXEC" in call.args[2]
        elif name == "close_range":
            lo, hi = int(re.match(r"\d+", call.args[0])[0]), int(re.match(r"\d+", call.args[1])[0])
            for fd in [fd for fd in table.fds if lo <= fd <= hi]:
                if "CLOSE_RANGE_CLOEXEC" in call.args[2]:
                    table.fds[fd][1] = True
                else:
                    del table.fds[fd]
        elif name == "chdir":
            (base, path), *_ = self._paths(call)
            cwd[0] = "/" + "/".join(join(base, path))
        elif name == "fchdir":
            fd = int(re.match(r"-?\d+", call.args[0])[0])
            entry = table.fds.get(fd)
            cwd[0] = entry[0] if entry else (annotated(call.args[0]) or cwd[0])
        elif name in ("execve", "execveat"):
            fresh = Table({k: list(v) for k, v in table.fds.items() if not v[1]})
            self.tables[call.pid] = fresh

    def count(self) -> Counted:
        """The lookups of every path call, by the line where it finished."""
        out = Counted()
        for item in self.calls:
            if isinstance(item, tuple):
                continue
            walked = 0
            for base, path in self._paths(item):
                walked += self._walk(item, base, path, out)
            if item.name in PATHS:
                out.per_line[item.line] = out.per_line.get(item.line, 0) + walked
            self._change(item)
            self._follow(item)
        return out

    def _walk(self, call: Syscall, base: str, path: str, out: Counted) -> int:
        """The components namei looks up for `path` from `base`, stopping where a failure stops it."""
        names = [] if path.startswith("/") else [n for n in base.split("/") if n]
        parts = [p for p in path.split("/") if p]
        stop = self._stop(call, base, path)
        looked = 0
        for index, name in enumerate(parts):
            if name == ".." and not names:
                continue  # `..` at the root is the root
            out.pairs[("/" + "/".join(names), name)] += 1
            looked += 1
            if index == stop:
                break
            if name == "..":
                names.pop()
            elif name != ".":
                names.append(name)
        return looked

    def _stop(self, call: Syscall, base: str, path: str) -> int | None:
        """The index of the component where a failed walk stops, or None when it goes to the end."""
        parts = [p for p in path.split("/") if p]
        if call.errno not in ("ENOENT", "ENOTDIR"):
            return None
        names = [] if path.startswith("/") else [n for n in base.split("/") if n]
        last_dir = None
        for index, name in enumerate(parts):
            if name == "..":
                if names:
                    names.pop()
                continue
            if name == ".":
                continue
            names.append(name)
            here = "/" + "/".join(names)
            if call.errno == "ENOENT" and here not in self.exists:
                return index
            if call.errno == "ENOTDIR" and here in self.files and index < len(parts) - 1:
                return index
            if index < len(parts) - 1:
                last_dir = index
        return last_dir if call.errno == "ENOTDIR" else None

    def _change(self, call: Syscall) -> None:
        """What a successful call made or removed."""
        if call.errno is not None:
            return
        paths = ["/" + "/".join(join(base, path)) for base, path in self._paths(call)]
        if not paths:
            return
        creates = call.name in ("open", "openat", "creat") and "O_CREAT" in " ".join(call.args)
        if call.name in MAKES or creates:
            self.exists.add(paths[-1])
            if call.name not in ("mkdir", "mkdirat"):
                self.files.add(paths[-1])
        elif call.name in REMOVES:
            self.exists.discard(paths[0])
        elif call.name in ("rename", "renameat", "renameat2"):
            old, new = paths
            moved = {p for p in self.exists if p == old or p.startswith(old + "/")}
            self.exists -= moved
            self.exists |= {new + p[len(old) :] for p in moved}


def start_cwd(calls: list[Syscall | tuple[int, str]]) -> str:
    """The first task's cwd before any chdir: its first getcwd, or -y's AT_FDCWD annotation; else /."""
    first = next((c.pid for c in calls if isinstance(c, Syscall)), None)
    for call in calls:
        if not isinstance(call, Syscall) or call.pid != first:
            continue
        if call.name in ("chdir", "fchdir"):
            return "/"
        if call.name == "getcwd" and call.errno is None:
            return unquote(call.args[0]) or "/"
        for arg in call.args:
            if arg.startswith("AT_FDCWD<"):
                return annotated(arg) or "/"
    return "/"


def kernel_lookups(lines: list[str]) -> Counted:
    """The component lookups the kernel makes for each path call of a trace, by input line."""
    calls = read(lines)
    return Kernel(calls, start_cwd(calls)).count()
