"""strace replay: `strace -f -tt -e trace=%file,process` output into steps of the command language.

Every path system call becomes a namei walk (`lookup`), or the verb that changes the tree (`create`,
`mkdir`, `unlink`, `rmdir`, `rename`, `cd`); clone and exit become `spawn`, `thread` and `exit`.
Relative paths are resolved against the calling task's cwd or dirfd; when that is the model's cwd
they stay relative, so the walk starts where the kernel's did. A failed call that changes the tree is
replayed only when the model can fail the same way (ENOENT, EEXIST, ENOTDIR); otherwise it becomes a
plain lookup, so the model never changes what the real system did not. The disk is what the results
prove existed before the trace (see `strace_disk`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import closing
from typing import Any

from model.ops import make
from model.trace import TraceFormatError
from model.trace.replay import verify
from model.trace.source import Progress, lines_of
from model.trace.spool import UNCHECKED, StepSpool
from model.trace.strace_calls import CLONES, EXISTING, KNOWN_NO_OP, MODELLED, PATH_CALLS
from model.trace.strace_disk import ABSENT, ANY, DIR, FILE, Disk, Probe, disk_probe, join, walk
from model.trace.strace_parse import Call, Exited, StraceReader, c_string, decoration
from model.trace.strace_report import StraceReport, cwd_of, guess_cwd
from model.trace.strace_tasks import Task, Tasks

_MODE = re.compile(r"(?:st_mode|stx_mode)=S_IF(\w+)")
SAY_MAX = 240
NOT_STRACE = "not strace output: no line reads NAME(ARGS) = RESULT (record with strace -f -tt -o FILE ...)"


class StraceImporter:
    """Feeds strace lines through the reader and turns each record into steps on a spool."""

    def __init__(self, spool: StepSpool, *, cwd: str = "/", probe: Probe | None = None) -> None:
        self.spool = spool
        self.disk = Disk(probe)
        self.reader = StraceReader()
        self.report = StraceReport(self.reader.stats)
        self.start_cwd = walk(cwd)[1]
        self.tasks = Tasks(self._emit, self.start_cwd)
        self.model_cwd = "/"
        self.claimed: set[int] = set()  # parents whose unfinished clone already produced its child

    def _emit(self, op: Any, say: str, expect: str | None) -> None:
        self.spool.add(op, say, expect)
        self.report.steps += 1
        self.report.actions[op.verb] += 1

    def run(self, lines: Iterable[str]) -> StraceReport:
        """Read every line; returns the report (also kept as `self.report`)."""
        if self.start_cwd != "/":
            dirs, final, _ = walk(self.start_cwd)
            self.disk.walked([*dirs, final])
            self._emit(make("cd", path=final), f"the traced program starts in {final}", None)
            self.model_cwd = final
        for record in self.reader.read(self._checked(lines)):
            task = self._task(record.pid)
            if isinstance(record, Exited):
                self.tasks.exit(task.pid, f"[{task.pid}] {record.text}")
            elif isinstance(record, Call):
                self._call(task, record)
        stats = self.reader.stats
        if stats.calls == 0 and stats.exits == 0:
            raise TraceFormatError(NOT_STRACE)
        self.report.conflicts = self.disk.conflicts
        self.report.unannounced = self.tasks.unannounced
        return self.report

    def _checked(self, lines: Iterable[str]) -> Iterator[str]:
        """The lines, stopping early when they are plainly not strace output."""
        stats = self.reader.stats
        for line in lines:
            yield line
            if stats.calls == 0 and stats.unknown >= 50:
                raise TraceFormatError(NOT_STRACE)

    def config(self, namecache_max: int | None = None) -> dict[str, Any]:
        """`[config]`: the disk before the trace, and caches big enough that nothing is evicted."""
        names = self.disk.names() + 16
        size = namecache_max or max(32, names)
        return {
            "tree": self.disk.tree(),
            "namecache_max": size,
            "desiredvnodes": max(16, names),
            "nchash": _pow2(max(16, size // 2)),
            "ncvhash": _pow2(max(8, size // 8)),
        }

    # -- tasks -------------------------------------------------------------------------------------------

    def _task(self, pid: int | None) -> Task:
        pending = None
        if pid is not None and not self.tasks.is_known(pid):
            for other, half in reversed(self.reader.pending.items()):
                if other != pid and other is not None and half.name in CLONES and other not in self.claimed:
                    pending = (other, half.head.strip())
                    self.claimed.add(other)
                    break
        return self.tasks.get(pid, pending)

    def _call(self, task: Task, call: Call) -> None:
        name = call.name
        if name in CLONES:
            self.claimed.discard(task.pid)
            if call.ret is not None and call.ret > 0 and not self.tasks.is_known(call.ret):
                self.tasks.clone(task.pid, call.ret, _short(call.text))
            return
        if name == "getcwd":
            self._getcwd(task, call)
            return
        spec = PATH_CALLS.get(name)
        if spec is None:
            if name not in KNOWN_NO_OP:
                self.report.ignored[name] += 1
            return
        paths: list[tuple[str, str, str]] = []
        for dirfd_index, path_index in spec.paths:
            resolved = self._resolve(task, call, dirfd_index, path_index)
            if resolved is None:
                return
            paths.append(resolved)
        action = spec.action
        flags = call.arg(2 if name in ("openat", "openat2") else 1) or ""
        if name == "unlinkat" and "AT_REMOVEDIR" in (call.arg(2) or ""):
            action = "rmdir"
        elif name in ("open", "openat", "openat2") and "O_CREAT" in flags:
            action = "create"
        getattr(self, f"_{action}")(task, call, paths, flags)

    def _resolve(self, task: Task, call: Call, dirfd_index: int | None, path_index: int) -> tuple[str, str, str] | None:
        """(the path the op walks, the absolute path, a note saying what it was relative to), or None."""
        raw = call.arg(path_index)
        if raw is None or not raw.startswith('"'):
            self.report.fd_only += 1
            return None
        path = c_string(raw)
        if path is None:
            self.report.undecodable += 1
            return None
        if not path:
            self.report.fd_only += 1
            return None
        if path.startswith("/"):
            return path, path, ""
        token = call.arg(dirfd_index) if dirfd_index is not None else None
        if token is None or token.startswith("AT_FDCWD"):
            base, what = decoration(token) or task.cwd[0], "cwd"
        else:
            fd = re.match(r"-?\d+", token)
            base = decoration(token) or (task.fds.get(int(fd[0])) if fd else None)
            what = f"dirfd {fd[0] if fd else token}"
            if base is None:
                self.report.unresolved += 1
                return None
        absolute = join(base, path)
        if base == self.model_cwd:
            return path, absolute, ""
        return absolute, absolute, f"{path!r} relative to pid {task.pid}'s {what} {base}"

    def _say(self, task: Task, call: Call, note: str = "") -> str:
        text = f"[{task.pid}] {_short(call.text)}"
        if call.head:
            text += " (unfinished and resumed halves paired)"
        return f"{text}; {note}" if note else text

    def _expect(self, errno: str | None) -> str | None:
        if errno is None or errno in MODELLED:
            return errno
        self.report.unmodelled[errno] += 1
        return UNCHECKED

    # -- the actions -------------------------------------------------------------------------------------

    def _lookup(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        dirs, final, must_dir = walk(absolute)
        errno = call.errno
        if errno is None or errno in EXISTING:
            self.disk.walked(dirs)
            self.disk.exists(final, DIR if must_dir or "O_DIRECTORY" in flags else _kind(call))
            if call.name in ("open", "openat", "openat2") and call.ret is not None and call.ret >= 0:
                task.fds[call.ret] = final
        elif errno == "ENOENT":
            self.disk.absent(final)
        elif errno == "ENOTDIR":
            self._notdir(dirs, final, must_dir)
        expect = UNCHECKED if errno == "ENOTDIR" and must_dir else self._expect(errno)
        self._emit(make("lookup", path=op_path), self._say(task, call, note), expect)

    def _notdir(self, dirs: list[str], final: str, must_dir: bool) -> None:
        """ENOTDIR: something on the way is not a directory; the nearest unproven one is taken to be a file."""
        if must_dir:
            self.disk.walked(dirs)
            self.disk.exists(final, FILE)
        elif dirs and not any(self.disk.state(d) == FILE for d in dirs):
            self.disk.walked(dirs[:-1])
            self.disk.exists(dirs[-1], FILE)

    def _unchanged(self, task: Task, call: Call, path: tuple[str, str, str]) -> None:
        """A failed call the model cannot fail the same way: replayed as a lookup, so nothing changes."""
        self._expect(call.errno)
        self._emit(make("lookup", path=path[0]), self._say(task, call, "failed; replayed as a lookup"), UNCHECKED)

    def _create(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        dirs, final, _ = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(dirs)
            state = self.disk.state(final)
            if call.name != "mknod" and call.ret is not None and call.ret >= 0:
                task.fds[call.ret] = final
            if state in (DIR, FILE, ANY) and "O_EXCL" not in flags:
                self.disk.exists(final, FILE)
                self._emit(make("lookup", path=op_path), self._say(task, call, note or "the file was there"), None)
                return
            self.disk.absent(final)
            self.disk.make(final, FILE)
        elif errno == "EEXIST":
            self.disk.walked(dirs)
            self.disk.exists(final)
        elif errno == "ENOENT":
            if dirs and self.disk.state(dirs[-1]) is None:
                self.disk.absent(dirs[-1])
        elif errno == "ENOTDIR":
            self._notdir(dirs, final, False)
        else:
            if errno == "EISDIR":
                self.disk.exists(final, DIR)
            self._unchanged(task, call, paths[0])
            return
        self._emit(make("create", path=op_path), self._say(task, call, note), self._expect(errno))

    def _link(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        if call.errno not in (None, "EEXIST"):
            self._unchanged(task, call, paths[0])
            return
        op_path, absolute, note = paths[0]
        dirs, final, _ = walk(absolute)
        self.disk.walked(dirs)
        if call.errno is None:
            self.disk.absent(final)
            self.disk.make(final, FILE)
        else:
            self.disk.exists(final)
        note = "; ".join(filter(None, [note, "a new name, modelled as a new file"]))
        self._emit(make("create", path=op_path), self._say(task, call, note), call.errno)

    def _mkdir(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        dirs, final, _ = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(dirs)
            self.disk.absent(final)
            self.disk.make(final, DIR)
        elif errno == "EEXIST":
            self.disk.walked(dirs)
            self.disk.exists(final)
        elif errno == "ENOENT":
            if dirs and self.disk.state(dirs[-1]) is None:
                self.disk.absent(dirs[-1])
        elif errno != "ENOTDIR":
            self._unchanged(task, call, paths[0])
            return
        self._emit(make("mkdir", path=op_path), self._say(task, call, note), self._expect(errno))

    def _unlink(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        self._remove(task, call, paths[0], "unlink", FILE)

    def _rmdir(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        self._remove(task, call, paths[0], "rmdir", DIR)

    def _remove(self, task: Task, call: Call, path: tuple[str, str, str], verb: str, kind: str) -> None:
        op_path, absolute, note = path
        dirs, final, must_dir = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(dirs)
            self.disk.exists(final, kind)
            self.disk.remove(final)
        elif errno == "ENOENT":
            self.disk.absent(final)
        elif errno == "ENOTDIR" and not must_dir and verb == "unlink":
            self._notdir(dirs, final, False)
        elif errno == "ENOTDIR" and not must_dir:
            self.disk.exists(final, FILE)
        else:
            if errno in ("EISDIR", "EPERM", "ENOTEMPTY", "EEXIST"):
                self.disk.walked(dirs)
                self.disk.exists(final, DIR if errno != "EPERM" else ANY)
            self._unchanged(task, call, path)
            return
        self._emit(make(verb, path=op_path), self._say(task, call, note), self._expect(errno))

    def _rename(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        (old_op, old_abs, old_note), (new_op, new_abs, new_note) = paths
        old_dirs, old_final, _ = walk(old_abs)
        new_dirs, new_final, _ = walk(new_abs)
        errno = call.errno
        if errno is None:
            self.disk.walked(old_dirs)
            self.disk.walked(new_dirs)
            self.disk.exists(old_final)
            self.disk.move(old_final, new_final)
        elif errno == "ENOENT" and self.disk.state(old_final) in (None, ABSENT):
            self.disk.absent(old_final)
        else:
            self._unchanged(task, call, paths[0])
            return
        note = "; ".join(filter(None, [old_note, new_note]))
        self._emit(make("rename", old=old_op, new=new_op), self._say(task, call, note), self._expect(errno))

    def _chdir(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        dirs, final, _ = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(dirs)
            self.disk.exists(final, DIR)
            task.cwd[0] = final
            self.model_cwd = final
        elif errno == "ENOENT":
            self.disk.absent(final)
        elif errno == "ENOTDIR":
            self._notdir(dirs, final, True)
        else:
            self._unchanged(task, call, paths[0])
            return
        self._emit(make("cd", path=op_path), self._say(task, call, note), self._expect(errno))

    def _getcwd(self, task: Task, call: Call) -> None:
        cwd = cwd_of(call)
        if cwd is None:
            return
        dirs, final, _ = walk(cwd)
        self.disk.walked([*dirs, final])
        if task.cwd[0] != final:
            self.report.cwd_fixes += 1
            task.cwd[0] = final


def _kind(call: Call) -> str:
    """DIR or FILE from a stat result in the arguments (a symlink or no result says nothing: ANY)."""
    if call.name in ("execve", "execveat"):
        return FILE
    m = _MODE.search(" ".join(call.args))
    if m is None or m[1] == "LNK":
        return ANY
    return DIR if m[1] == "DIR" else FILE


def _short(text: str) -> str:
    return text if len(text) <= SAY_MAX else text[: SAY_MAX - 3] + "..."


def _pow2(n: int) -> int:
    return 1 << (n - 1).bit_length()


def import_strace(
    path: str,
    spool: StepSpool,
    *,
    cwd: str | None = None,
    root: str | None = None,
    namecache_max: int | None = None,
    check: bool = True,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], StraceReport]:
    """Import the strace file at `path` onto `spool`; returns the scenario's `[config]` and the report.

    The starting cwd is `cwd`, else the first task's first getcwd, else "/". With `check`, the steps are
    replayed through the model and compared with the recorded results (`report.verification`).
    """
    if cwd is None:
        with closing(lines_of(path)) as lines:
            cwd = guess_cwd(lines) or "/"
    importer = StraceImporter(spool, cwd=cwd, probe=disk_probe(root) if root else None)
    with closing(lines_of(path, progress)) as lines:
        report = importer.run(lines)
    config = importer.config(namecache_max)
    if check:
        report.verification = verify(spool.steps(), config)
    return config, report
