"""strace replay: `strace -f -tt -e trace=%file,process` output into steps of the command language.

Every path system call becomes a namei walk (`lookup`), or the verb that changes the tree (`create`,
`mkdir`, `unlink`, `rmdir`, `rename`, `cd`); clone and exit become `spawn`, `thread` and `exit`.
Relative paths are resolved against the calling task's cwd or dirfd; when that is the model's cwd
they stay relative, so the walk starts where the kernel's did. A failed call that changes the tree is
replayed only when the model can fail the same way (ENOENT, EEXIST, ENOTDIR); otherwise it becomes a
plain lookup, so the model never changes what the real system did not. The disk is what the results
prove existed before the trace (see `strace_disk`). Lines are at most LINE_MAX; a line the reader cannot
use is counted, never fatal; a path namei refuses (PATH_MAX, NAME_MAX) becomes a lookup that fails with
ENAMETOOLONG.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from model.limits import MAX_BUCKETS, too_long
from model.ops import make
from model.trace import TraceFormatError, printable
from model.trace.replay import verify
from model.trace.steps import UNCHECKED, StepSink
from model.trace.strace_calls import CLONES, EXISTING, KNOWN_NO_OP, MODELLED, PATH_CALLS
from model.trace.strace_disk import ABSENT, ANY, DIR, FILE, Disk, Probe, Walk, join, walk
from model.trace.strace_parse import Call, Exited, StraceReader, c_string, count, decoration
from model.trace.strace_report import StraceReport, cwd_of, guess_cwd
from model.trace.strace_tasks import Task, Tasks

_MODE = re.compile(r"(?:st_mode|stx_mode)=S_IF(\w+)")
SAY_MAX = 240
NOT_STRACE = "not strace output: no line reads NAME(ARGS) = RESULT (record with strace -f -tt -o FILE ...)"
"""Said when the first 50 lines that are not blank hold no system call, or the whole input holds none."""


class StraceImporter:
    """Feeds strace lines through the reader and turns each record into steps on a sink."""

    def __init__(self, sink: StepSink, *, cwd: str = "/", probe: Probe | None = None) -> None:
        self.sink = sink
        self.disk = Disk(probe)
        self.reader = StraceReader()
        self.report = StraceReport(self.reader.stats)
        self.start_cwd = walk(cwd).final
        self.tasks = Tasks(self._emit, self.start_cwd)
        self.model_cwd = "/"
        self.claimed: set[int] = set()  # parents whose unfinished clone already produced its child

    def _emit(self, op: Any, say: str, expect: str | None) -> None:
        self.sink.add(op, say, expect)
        self.report.steps += 1
        self.report.actions[op.verb] += 1

    def run(self, lines: Iterable[str]) -> StraceReport:
        """Read every line; returns the report (also kept as `self.report`)."""
        if self.start_cwd != "/":
            start = walk(self.start_cwd)
            self.disk.walked(start.parts)
            self._emit(make("cd", path=start.final), f"the traced program starts in {start.final}", None)
            self.model_cwd = start.final
        for record in self.reader.read(self._checked(lines)):
            task = self._task(record.pid)
            if isinstance(record, Exited):
                self.tasks.exit(task.pid, f"[{task.pid}] {record.text}")
            elif isinstance(record, Call):
                self._call(task, record)
        stats = self.reader.stats
        if stats.calls == 0 and stats.exits == 0:
            raise TraceFormatError(f"{NOT_STRACE} in {stats.lines} line(s)")
        self.report.conflicts = self.disk.conflicts
        self.report.unannounced = self.tasks.unannounced
        return self.report

    def _checked(self, lines: Iterable[str]) -> Iterator[str]:
        """The lines, stopping early when they are plainly not strace output."""
        stats = self.reader.stats
        for line in lines:
            yield line
            if stats.calls == 0 and stats.unknown >= 50:
                raise TraceFormatError(f"strace line {stats.lines}: {NOT_STRACE}")

    def config(self, namecache_max: int | None = None) -> dict[str, Any]:
        """`[config]`: the disk before the trace, and caches big enough that nothing is evicted.

        The hash tables get about two entries a chain, up to the model's MAX_BUCKETS: past that the chains
        grow longer, as a kernel's do when its table was sized for fewer names.
        """
        names = self.disk.names() + 16
        size = namecache_max or max(32, names)
        return {
            "tree": self.disk.tree(),
            "namecache_max": size,
            "desiredvnodes": max(16, names),
            "nchash": min(MAX_BUCKETS, _pow2(max(16, size // 2))),
            "ncvhash": min(MAX_BUCKETS, _pow2(max(8, size // 8))),
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
                count(self.report.ignored, name)
            return
        given = [c_string(call.arg(index)) for _, index in spec.paths]
        refused = next((path for path in given if path and too_long(path) is not None), None)
        if refused is not None:
            self._too_long(task, call, refused)
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
            return (path, path, "") if self._walkable(path) else None
        token = call.arg(dirfd_index) if dirfd_index is not None else None
        if token is None or token.startswith("AT_FDCWD"):
            base, what = decoration(token) or task.cwd[0], "cwd"
        else:
            fd = re.match(r"-?\d{1,10}", token)
            base = decoration(token) or (task.fds.get(int(fd[0])) if fd else None)
            what = f"dirfd {fd[0] if fd else token}"
        if base is None or not base.startswith("/"):  # an fd the trace never opened, or not a directory's
            self.report.unresolved += 1
            return None
        absolute = join(base, path)
        if not self._walkable(absolute):
            return None
        if base == self.model_cwd:
            return path, absolute, ""
        return absolute, absolute, f"{path!r} relative to pid {task.pid}'s {what} {base}"

    def _walkable(self, path: str) -> bool:
        """Whether a call's path, made absolute, is one the model's disk can hold (under PATH_MAX, names
        within NAME_MAX); counts it in the report if not. Such a call (a short relative path from a deep cwd)
        is skipped: what it proves about the disk cannot be written as a `[config] tree` path."""
        if too_long(path) is None:
            return True
        self.report.too_deep += 1
        return False

    def _too_long(self, task: Task, call: Call, path: str) -> None:
        """A path namei refuses as given (MAXPATHLEN is 1024 bytes in the model's kernel, 4096 in Linux's):
        replayed as a lookup, which fails with ENAMETOOLONG before walking; compared only when the recorded
        call failed the same way."""
        self.report.too_long += 1
        expect = "ENAMETOOLONG" if call.errno == "ENAMETOOLONG" else UNCHECKED
        self._expect(call.errno)
        note = "a path too long for namei: replayed as a lookup (ENAMETOOLONG)"
        self._emit(make("lookup", path=path), self._say(task, call, note), expect)

    def _say(self, task: Task, call: Call, note: str = "") -> str:
        text = f"[{task.pid}] {_short(call.text)}"
        if call.head:
            text += " (unfinished and resumed halves paired)"
        return printable(f"{text}; {note}" if note else text)

    def _expect(self, errno: str | None) -> str | None:
        if errno is None or errno in MODELLED:
            return errno
        count(self.report.unmodelled, errno)
        return UNCHECKED

    # -- the actions -------------------------------------------------------------------------------------

    def _lookup(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        w = walk(absolute)
        errno = call.errno
        if errno is None or errno in EXISTING:
            self.disk.walked(w.through)
            self.disk.exists(w.parts, DIR if w.must_dir or "O_DIRECTORY" in flags else _kind(call))
            if call.name in ("open", "openat", "openat2") and call.ret is not None and call.ret >= 0:
                task.fds[call.ret] = w.final
        elif errno == "ENOENT":
            self.disk.absent(w.parts)
        elif errno == "ENOTDIR":
            self._notdir(w, w.must_dir)
        expect = UNCHECKED if errno == "ENOTDIR" and w.must_dir else self._expect(errno)
        self._emit(make("lookup", path=op_path), self._say(task, call, note), expect)

    def _notdir(self, w: Walk, must_dir: bool) -> None:
        """ENOTDIR: something on the way is not a directory; the nearest unproven one is taken to be a file."""
        if must_dir:
            self.disk.walked(w.through)
            self.disk.exists(w.parts, FILE)
        else:
            self.disk.not_a_directory(w.through)

    def _parent_absent(self, w: Walk) -> None:
        """ENOENT from a call that makes a name: when nothing else is known, the parent was missing."""
        self.disk.last_unknown_absent(w.through)

    def _unchanged(self, task: Task, call: Call, path: tuple[str, str, str]) -> None:
        """A failed call the model cannot fail the same way: replayed as a lookup, so nothing changes."""
        self._expect(call.errno)
        self._emit(make("lookup", path=path[0]), self._say(task, call, "failed; replayed as a lookup"), UNCHECKED)

    def _create(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        w = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(w.through)
            state = self.disk.state(w.parts)
            if call.name != "mknod" and call.ret is not None and call.ret >= 0:
                task.fds[call.ret] = w.final
            if state in (DIR, FILE, ANY) and "O_EXCL" not in flags:
                self.disk.exists(w.parts, FILE)
                self._emit(make("lookup", path=op_path), self._say(task, call, note or "the file was there"), None)
                return
            self.disk.absent(w.parts)
            self.disk.make(w.parts, FILE)
        elif errno == "EEXIST":
            self.disk.walked(w.through)
            self.disk.exists(w.parts)
        elif errno == "ENOENT":
            self._parent_absent(w)
        elif errno == "ENOTDIR":
            self._notdir(w, False)
        else:
            if errno == "EISDIR":
                self.disk.exists(w.parts, DIR)
            self._unchanged(task, call, paths[0])
            return
        self._emit(make("create", path=op_path), self._say(task, call, note), self._expect(errno))

    def _link(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        if call.errno not in (None, "EEXIST"):
            self._unchanged(task, call, paths[0])
            return
        op_path, absolute, note = paths[0]
        w = walk(absolute)
        self.disk.walked(w.through)
        if call.errno is None:
            self.disk.absent(w.parts)
            self.disk.make(w.parts, FILE)
        else:
            self.disk.exists(w.parts)
        note = "; ".join(filter(None, [note, "a new name, modelled as a new file"]))
        self._emit(make("create", path=op_path), self._say(task, call, note), call.errno)

    def _mkdir(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        w = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(w.through)
            self.disk.absent(w.parts)
            self.disk.make(w.parts, DIR)
        elif errno == "EEXIST":
            self.disk.walked(w.through)
            self.disk.exists(w.parts)
        elif errno == "ENOENT":
            self._parent_absent(w)
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
        w = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(w.through)
            self.disk.exists(w.parts, kind)
            self.disk.remove(w.parts)
        elif errno == "ENOENT":
            self.disk.absent(w.parts)
        elif errno == "ENOTDIR" and not w.must_dir and verb == "unlink":
            self._notdir(w, False)
        elif errno == "ENOTDIR" and not w.must_dir:
            self.disk.exists(w.parts, FILE)
        else:
            if errno in ("EISDIR", "EPERM", "ENOTEMPTY", "EEXIST"):
                self.disk.walked(w.through)
                self.disk.exists(w.parts, DIR if errno != "EPERM" else ANY)
            self._unchanged(task, call, path)
            return
        self._emit(make(verb, path=op_path), self._say(task, call, note), self._expect(errno))

    def _rename(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        (old_op, old_abs, old_note), (new_op, new_abs, new_note) = paths
        old, new = walk(old_abs), walk(new_abs)
        errno = call.errno
        if errno is None:
            self.disk.walked(old.through)
            self.disk.walked(new.through)
            self.disk.exists(old.parts)
            self.disk.move(old.parts, new.parts)
        elif errno == "ENOENT" and self.disk.state(old.parts) in (None, ABSENT):
            self.disk.absent(old.parts)
        else:
            self._unchanged(task, call, paths[0])
            return
        note = "; ".join(filter(None, [old_note, new_note]))
        self._emit(make("rename", old=old_op, new=new_op), self._say(task, call, note), self._expect(errno))

    def _chdir(self, task: Task, call: Call, paths: list[tuple[str, str, str]], flags: str) -> None:
        op_path, absolute, note = paths[0]
        w = walk(absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(w.through)
            self.disk.exists(w.parts, DIR)
            task.cwd[0] = w.final
            self.model_cwd = w.final
        elif errno == "ENOENT":
            self.disk.absent(w.parts)
        elif errno == "ENOTDIR":
            self._notdir(w, True)
        else:
            self._unchanged(task, call, paths[0])
            return
        self._emit(make("cd", path=op_path), self._say(task, call, note), self._expect(errno))

    def _getcwd(self, task: Task, call: Call) -> None:
        cwd = cwd_of(call)
        if cwd is None:  # no result, or one deeper than MAXPATHLEN: the cwd stays as the trace made it
            return
        w = walk(cwd)
        self.disk.walked(w.parts)
        if task.cwd[0] != w.final:
            self.report.cwd_fixes += 1
            task.cwd[0] = w.final


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


LINE_MAX = 1 << 20
"""The longest strace line worth reading (1 MiB): strace prints a path whole (at most PATH_MAX, 4096 on Linux)
and cuts other strings at -s, so a longer line is not strace output. The reader of the input enforces it."""


def import_strace(
    lines: Iterable[str],
    sink: StepSink,
    *,
    cwd: str | None = None,
    probe: Probe | None = None,
    namecache_max: int | None = None,
    check: bool = True,
) -> tuple[dict[str, Any], StraceReport]:
    """Import strace output onto `sink`; returns the scenario's `[config]` and the report.

    `lines` is read twice when `cwd` is not given (a list, or a source that reads its input again): first
    for the starting cwd (the first task's first getcwd, else "/"). With `check`, the steps are replayed
    through the model and compared with the recorded results (`report.verification`). TraceFormatError
    says which line was wrong.
    """
    if cwd is None:
        first = iter(lines)
        try:
            cwd = guess_cwd(first) or "/"
        finally:
            close = getattr(first, "close", None)
            if close is not None:
                close()  # a pass that stops early, as a generator over a file
    importer = StraceImporter(sink, cwd=cwd, probe=probe)
    report = importer.run(lines)
    config = importer.config(namecache_max)
    if check:
        report.verification = verify(sink.steps(), config)
    return config, report
