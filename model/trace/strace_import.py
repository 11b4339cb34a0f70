"""strace replay: `strace -f -tt -y` output into steps of the command language that walk as the kernel did.

Every path system call becomes a namei walk (`lookup`, or `open ... fd=N` when it opened something), or
the verb that changes the tree (`create`, `mkdir`, `unlink`, `rmdir`, `rename`, `cd`); clone and exit
become `spawn`, `thread` and `exit`. Each walk starts where the kernel's did: an absolute path at the root,
a relative one at the calling task's cwd (AT_FDCWD) or at its dirfd's directory. The replay keeps each
task's descriptor table (`strace_tasks`): open and openat results, dup/dup2/dup3, fcntl F_DUPFD and
F_DUPFD_CLOEXEC, close and close_range, tables shared by CLONE_FILES and copied otherwise, and close-on-exec
at execve. Each open file is a descriptor of the model (`open PATH fd=N`), so a dirfd walk is `lookup
NAME at=N` and fchdir is `fchdir N`: the component lookups of the replay are the kernel's for the same
calls.

A failed call that changes the tree is replayed only when the model can fail the same way (ENOENT, EEXIST,
ENOTDIR); otherwise it becomes a plain lookup, so the model never changes what the real system did not.
The disk is what the results prove existed before the trace (see `strace_disk`). Lines are at most
LINE_MAX; a line the reader cannot use is counted, never fatal; a path namei refuses (PATH_MAX, NAME_MAX)
becomes a lookup that fails with ENAMETOOLONG.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from model.limits import MAX_BUCKETS, too_long
from model.ops import Op, make
from model.trace import TraceFormatError, printable
from model.trace.replay import Progress, verify
from model.trace.steps import UNCHECKED, StepSink
from model.trace.strace_calls import CLONES, EXISTING, FD_CALLS, KNOWN_NO_OP, MODELLED, PATH_CALLS
from model.trace.strace_disk import ABSENT, ANY, DIR, FILE, Disk, Probe, Walk, join, walk
from model.trace.strace_parse import Call, Exited, FdArg, StraceReader, c_string, count, fd_arg
from model.trace.strace_report import (
    FAILED,
    NO_EFFECT,
    NOT_A_FILE,
    NOT_MODELLED,
    ON_FD,
    TOO_DEEP,
    UNDECODABLE,
    UNKNOWN_FD,
    StraceReport,
    cwd_of,
    guess_cwd,
)
from model.trace.strace_tasks import Cwd, Files, OpenFile, Task, Tasks

_MODE = re.compile(r"(?:st_mode|stx_mode)=S_IF(\w+)")
_NUMBER = re.compile(r"-?\d{1,10}")
SAY_MAX = 240
NOT_STRACE = "not strace output: no line reads NAME(ARGS) = RESULT (record with strace -f -tt -y -o FILE ...)"
"""Said when the first 50 lines that are not blank hold no system call, or the whole input holds none."""
OPENS = frozenset({"open", "openat", "openat2", "creat"})
"""Path calls that return a descriptor."""


@dataclass(frozen=True, slots=True)
class Where:
    """Where one path argument's walk goes: the path the op walks (as given, or absolute when the start
    cannot be had), the absolute path (for the disk), a note for the say line, and the model descriptor
    the walk starts at (None: the root for an absolute path, the model's cwd for a relative one)."""

    path: str
    absolute: str
    note: str = ""
    at: int | None = None


@dataclass(frozen=True, slots=True)
class Cause:
    """What is making steps right now: the system call and its line (None: a synthetic step), its say line,
    and what a close it causes is expected to return."""

    call: str | None
    line: int | None
    say: str
    expect: str | None = UNCHECKED


SYNTHETIC = Cause(None, None, "")


class StraceImporter:
    """Feeds strace lines through the reader and turns each record into steps on a sink.

    With `strict`, the disk holds only what a success (or EEXIST) proves, so the replay predicts every
    failure instead of having it built in (see `strace_disk.Disk`).
    """

    def __init__(self, sink: StepSink, *, cwd: str = "/", probe: Probe | None = None, strict: bool = False) -> None:
        self.sink = sink
        self.disk = Disk(probe, strict=strict)
        self.reader = StraceReader()
        self.report = StraceReport(self.reader.stats)
        self.start_cwd = walk(cwd).final
        self.files = Files(self._closed)
        self.tasks = Tasks(self._emit_task, self.start_cwd, self.files, self._gone)
        self.model_cwd = "/"
        self.claimed: set[int] = set()  # parents whose unfinished clone already produced its child
        self.cause = SYNTHETIC

    def _emit(self, op: Op, say: str, expect: str | None, cause: Cause | None = None) -> None:
        """Put a step on the sink, made by `cause` (the current one by default)."""
        cause = cause or self.cause
        self.sink.add(op, say, expect, cause.call, cause.line)
        self.report.steps += 1
        self.report.synthetic += cause.call is None
        self.report.actions[op.verb] += 1

    def _emit_task(self, op: Op, say: str, expect: str | None) -> None:
        """A task op: a clone's spawn is compared (it succeeded); a start or an exit is synthetic."""
        self._emit(op, say, expect if self.cause.call is not None else UNCHECKED)

    def run(self, lines: Iterable[str]) -> StraceReport:
        """Read every line; returns the report (also kept as `self.report`)."""
        if self.start_cwd != "/":
            start = walk(self.start_cwd)
            self.disk.walked(start.parts)
            self._emit(make("cd", path=start.final), f"the traced program starts in {start.final}", UNCHECKED)
            self.model_cwd = start.final
        for record in self.reader.read(self._checked(lines)):
            line = self.reader.stats.lines
            task = self._task(record.pid, line)  # any line may be a new task's first, an unfinished half too
            if isinstance(record, Exited):
                self.cause = SYNTHETIC
                self.tasks.exit(task.pid, f"[{task.pid}] {record.text}")
            elif isinstance(record, Call):
                self.cause = Cause(record.name, line, self._say(task, record), None)
                before = self.report.steps - self.report.synthetic
                self._call(task, record)
                self.report.calls += self.report.steps - self.report.synthetic > before
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

    def _task(self, pid: int | None, line: int) -> Task:
        pending = None
        if pid is not None and not self.tasks.is_known(pid):
            for other, half in reversed(self.reader.pending.items()):
                if other != pid and other is not None and half.name in CLONES and other not in self.claimed:
                    pending = (other, half.head.strip())
                    self.claimed.add(other)
                    self.cause = Cause(half.name, line, "", None)  # the clone's step, made before it returns
                    break
            else:
                self.cause = SYNTHETIC
        return self.tasks.get(pid, pending)

    def _gone(self, task: Task) -> None:
        """A task exits: what it closes by going is synthetic (no system call of the trace closes it)."""
        self.cause = Cause(None, None, f"[{task.pid}] exits")

    def _call(self, task: Task, call: Call) -> None:
        name = call.name
        if name in CLONES:
            self.claimed.discard(task.pid)
            if call.ret is not None and call.ret > 0 and not self.tasks.is_known(call.ret):
                self.tasks.clone(task.pid, call.ret, _short(call.text))
            else:
                self.report.followed[name] += 1
            return
        if name == "getcwd":
            self._getcwd(task, call)
            return
        if name in FD_CALLS:
            self._fd_call(task, call)
            return
        spec = PATH_CALLS.get(name)
        if spec is None:
            self.report.skip(NO_EFFECT if name in KNOWN_NO_OP else NOT_MODELLED, name)
            return
        given = [c_string(call.arg(index)) for _, index in spec.paths]
        refused = next((path for path in given if path and too_long(path) is not None), None)
        if refused is not None:
            self._too_long(task, call, refused)
            return
        wheres: list[Where] = []
        for dirfd_index, path_index in spec.paths:
            where = self._where(task, call, dirfd_index, path_index)
            if where is None:
                return
            wheres.append(where)
        action = spec.action
        flags = call.arg(2 if name in ("openat", "openat2") else 1) or ""
        if name == "unlinkat" and "AT_REMOVEDIR" in (call.arg(2) or ""):
            action = "rmdir"
        elif name in ("open", "openat", "openat2") and "O_CREAT" in flags:
            action = "create"
        getattr(self, f"_{action}")(task, call, wheres, flags)
        if name in ("execve", "execveat") and call.errno is None:
            self._exec(task)

    # -- where a walk starts -----------------------------------------------------------------------------

    def _where(self, task: Task, call: Call, dirfd_index: int | None, path_index: int) -> Where | None:
        """Where the walk of one path argument goes, or None (counted) when the call makes no step."""
        raw = call.arg(path_index)
        if raw is None or not raw.startswith('"'):
            self.report.skip(ON_FD, call.name)
            return None
        path = c_string(raw)
        if path is None:
            self.report.skip(UNDECODABLE, call.name)
            return None
        if not path:
            self.report.skip(ON_FD, call.name)
            return None
        if path.startswith("/"):
            return Where(path, path) if self._walkable(path, call) else None
        dirfd = fd_arg(call.arg(dirfd_index)) if dirfd_index is not None else FdArg(None)
        if dirfd is not None and dirfd.cwd:
            return self._from_cwd(task, call, path)
        file = self._open_file(task, dirfd) if dirfd is not None else None
        if file is None:
            self.report.skip(UNKNOWN_FD, call.name)
            return None
        absolute = join(file.path, path)
        return Where(path, absolute, "", file.handle) if self._walkable(absolute, call) else None

    def _from_cwd(self, task: Task, call: Call, path: str) -> Where | None:
        """A relative path from the task's cwd: the model's cwd when they are the same directory, else a
        descriptor the replay holds on the task's cwd."""
        cwd = task.cwd
        absolute = join(cwd.path, path)
        if not self._walkable(absolute, call):
            return None
        if cwd.path == self.model_cwd:
            return Where(path, absolute)
        held = self._hold_cwd(task, cwd)
        return Where(path, absolute, f"from pid {task.pid}'s cwd {cwd.path} (fd {held.handle})", held.handle)

    def _hold_cwd(self, task: Task, cwd: Cwd) -> OpenFile:
        """A model descriptor on `cwd` (a task's cwd that is not the model's), opened once (synthetic)."""
        if cwd.held is None:
            cwd.held = self.files.new(1 << 16, cwd.path)
            cwd.held.refs = 1
            self.disk.walked(walk(cwd.path).parts)
            say = f"pid {task.pid}'s cwd is {cwd.path}, not the model's: a descriptor on it, for its relative walks"
            self._emit(make("open", path=cwd.path, fd=cwd.held.handle), printable(say), UNCHECKED, SYNTHETIC)
        return cwd.held

    def _open_file(self, task: Task, arg: FdArg) -> OpenFile | None:
        """The open file descriptor `arg.fd` of the task names; one opened before the trace began is opened
        now (a synthetic step) from its -y path. None when the replay cannot know it."""
        assert arg.fd is not None
        slot = task.fds.slots.get(arg.fd)
        if slot is not None:
            return slot.file
        if arg.path is None or arg.deleted or not self._walkable(arg.path, None):
            return None
        file = self.files.new(arg.fd, arg.path)
        w = walk(arg.path)
        self.disk.walked(w.through)
        self.disk.exists(w.parts)
        say = f"fd {arg.fd} of pid {task.pid} was opened before the trace: -y names it {arg.path}"
        self._emit(make("open", path=arg.path, fd=file.handle), printable(say), UNCHECKED, SYNTHETIC)
        self.files.put(task.fds, arg.fd, file)
        return file

    def _walkable(self, path: str, call: Call | None) -> bool:
        """Whether a call's path, made absolute, is one the model's disk can hold (under PATH_MAX, names
        within NAME_MAX); counts the call in the report if not. Such a call (a short relative path from a deep
        cwd) is skipped: what it proves about the disk cannot be written as a `[config] tree` path."""
        if too_long(path) is None:
            return True
        if call is not None:
            self.report.skip(TOO_DEEP, call.name)
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

    # -- descriptors -------------------------------------------------------------------------------------

    def _fd_call(self, task: Task, call: Call) -> None:
        """close, close_range, dup, dup2, dup3, fcntl and fchdir: the task's table follows the call."""
        name = call.name
        if call.errno is not None or call.ret is None:
            self.report.skip(FAILED, name)
            return
        arg = fd_arg(call.arg(0))
        if name == "close_range":
            self._close_range(task, call)
            return
        if arg is None or arg.fd is None:
            self.report.skip(NOT_A_FILE, name)
            return
        slot = task.fds.slots.get(arg.fd)
        if name == "fchdir":
            self._fchdir(task, call, arg)
        elif name == "close":
            before = self.report.steps
            if not self.files.drop(task.fds, arg.fd):
                self.report.skip(NOT_A_FILE, name)
            elif self.report.steps == before:
                self.report.followed[name] += 1  # a duplicate went: the open file stays open
        elif name in ("dup", "dup2", "dup3") or self._dupfd(call):
            cloexec = "O_CLOEXEC" in (call.arg(2) or "") if name == "dup3" else call.arg(1) == "F_DUPFD_CLOEXEC"
            if call.ret != arg.fd:
                self.cause = Cause(name, self.cause.line, self.cause.say + "; the descriptor it replaced closes")
                if slot is None:
                    self.files.drop(task.fds, call.ret)  # the new descriptor names something the replay does not hold
                else:
                    self.files.put(task.fds, call.ret, slot.file, cloexec)
            self._followed(name, slot)
        elif name in ("fcntl", "fcntl64") and (call.arg(1) or "") == "F_SETFD":
            if slot is not None:
                slot.cloexec = "FD_CLOEXEC" in (call.arg(2) or "")
            self._followed(name, slot)
        else:
            self.report.followed[name] += 1  # F_GETFL and the rest change no descriptor

    def _followed(self, name: str, slot: object) -> None:
        if slot is None:
            self.report.skip(NOT_A_FILE, name)
        else:
            self.report.followed[name] += 1

    @staticmethod
    def _dupfd(call: Call) -> bool:
        return call.name in ("fcntl", "fcntl64") and (call.arg(1) or "") in ("F_DUPFD", "F_DUPFD_CLOEXEC")

    def _close_range(self, task: Task, call: Call) -> None:
        """close_range(FIRST, LAST, FLAGS): close (or mark close-on-exec) the descriptors in the range."""
        first, last = (_NUMBER.match(call.arg(i) or "") for i in (0, 1))
        if first is None or last is None:
            self.report.skip(FAILED, call.name)
            return
        lo, hi = int(first[0]), int(last[0]) % (1 << 32)
        cloexec = "CLOSE_RANGE_CLOEXEC" in (call.arg(2) or "")
        inside = [fd for fd in sorted(task.fds.slots) if lo <= fd <= hi]
        if "CLOSE_RANGE_UNSHARE" in (call.arg(2) or "") and task.fds.users > 1:
            self._unshare(task)
        for fd in inside:
            if cloexec:
                task.fds.slots[fd].cloexec = True
            else:
                self.files.drop(task.fds, fd)
        self.report.followed[call.name] += 1

    def _fchdir(self, task: Task, call: Call, arg: FdArg) -> None:
        file = self._open_file(task, arg)
        if file is None:
            self.report.skip(UNKNOWN_FD, call.name)
            return
        w = walk(file.path)
        self.disk.walked(w.parts)
        self._emit(make("fchdir", fd=file.handle), self.cause.say, None)
        self._chdir_to(task, file.path)

    def _chdir_to(self, task: Task, path: str) -> None:
        """The task's cwd (and the model's, which follows the last chdir) is now `path`."""
        cwd = task.cwd
        cwd.path = path
        self.model_cwd = path
        if cwd.held is not None:  # the cwd is the model's now: the descriptor held on the old one goes
            held, cwd.held = cwd.held, None
            self.files.unref(held)

    def _unshare(self, task: Task) -> None:
        """The task gets a table of its own (execve, close_range's CLOSE_RANGE_UNSHARE)."""
        shared = task.fds
        task.fds = self.files.copy(shared)
        shared.users -= 1

    def _exec(self, task: Task) -> None:
        """execve: the table is unshared, and the close-on-exec descriptors close (synthetic steps)."""
        if task.fds.users > 1:
            self._unshare(task)
        self.cause = Cause(None, None, f"[{task.pid}] close-on-exec at execve")
        for fd in sorted(task.fds.slots):
            if task.fds.slots[fd].cloexec:
                self.files.drop(task.fds, fd)

    def _closed(self, file: OpenFile) -> None:
        """The last descriptor naming `file` went: the model's descriptor closes."""
        cause = self.cause
        say = cause.say or f"fd {file.handle} closes"
        self._emit(make("close", fd=file.handle), say, cause.expect, cause)

    def _install(self, task: Task, call: Call, path: str, flags: str) -> int | None:
        """The descriptor an open returned, as a new open file of the replay; its model number."""
        if call.name not in OPENS or call.ret is None or call.ret < 0:
            return None
        if call.ret in task.fds.slots:  # the trace never showed this descriptor close (close is not traced)
            self.report.unseen_closes += 1
            cause, self.cause = self.cause, Cause(None, None, f"[{task.pid}] fd {call.ret} was closed unseen")
            self.files.drop(task.fds, call.ret)
            self.cause = cause
        file = self.files.new(call.ret, path)
        self.files.put(task.fds, call.ret, file, "O_CLOEXEC" in flags)
        return file.handle

    # -- the actions -------------------------------------------------------------------------------------

    def _lookup(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        where = wheres[0]
        w = walk(where.absolute)
        errno = call.errno
        fd = None
        if errno is None or (errno in EXISTING and self.disk.proves(errno)):
            self.disk.walked(w.through)
            self.disk.exists(w.parts, DIR if w.must_dir or "O_DIRECTORY" in flags else _kind(call))
            fd = self._install(task, call, w.final, flags)
        elif errno == "ENOENT":
            self.disk.absent(w.parts)
        elif errno == "ENOTDIR":
            self._notdir(w, w.must_dir)
        expect = UNCHECKED if errno == "ENOTDIR" and w.must_dir else self._expect(errno)
        if fd is not None:
            op = make("open", path=where.path, at=where.at, fd=fd)
        else:
            op = make("lookup", path=where.path, at=where.at)
        self._emit(op, self._say(task, call, where.note), expect)

    def _notdir(self, w: Walk, must_dir: bool) -> None:
        """ENOTDIR: something on the way is not a directory; the nearest unproven one is taken to be a file."""
        if must_dir:
            self.disk.walked(w.through)
            self.disk.exists(w.parts, FILE, proof="ENOTDIR")
        else:
            self.disk.not_a_directory(w.through)

    def _parent_absent(self, w: Walk) -> None:
        """ENOENT from a call that makes a name: when nothing else is known, the parent was missing."""
        self.disk.last_unknown_absent(w.through)

    def _unchanged(self, task: Task, call: Call, where: Where) -> None:
        """A failed call the model cannot fail the same way: replayed as a lookup, so nothing changes."""
        self._expect(call.errno)
        note = "; ".join(filter(None, [where.note, "failed; replayed as a lookup"]))
        self._emit(make("lookup", path=where.path, at=where.at), self._say(task, call, note), UNCHECKED)

    def _create(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        where = wheres[0]
        w = walk(where.absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(w.through)
            state = self.disk.state(w.parts)
            fd = self._install(task, call, w.final, flags)
            if state in (DIR, FILE, ANY) and "O_EXCL" not in flags:
                self.disk.exists(w.parts, FILE)
                note = where.note or "the file was there"
                op = make("open", path=where.path, at=where.at, fd=fd) if fd is not None else None
                op = op or make("lookup", path=where.path, at=where.at)
                self._emit(op, self._say(task, call, note), None)
                return
            self.disk.absent(w.parts)
            self.disk.make(w.parts, FILE)
            self._emit(make("create", path=where.path, at=where.at, fd=fd), self._say(task, call, where.note), None)
            return
        if errno == "EEXIST":
            self.disk.walked(w.through)
            self.disk.exists(w.parts, proof=errno)
        elif errno == "ENOENT":
            self._parent_absent(w)
        elif errno == "ENOTDIR":
            self._notdir(w, False)
        else:
            if errno == "EISDIR":
                self.disk.exists(w.parts, DIR, proof=errno)
            self._unchanged(task, call, where)
            return
        self._emit(make("create", path=where.path, at=where.at), self._say(task, call, where.note), self._expect(errno))

    def _link(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        where = wheres[0]
        if call.errno not in (None, "EEXIST"):
            self._unchanged(task, call, where)
            return
        w = walk(where.absolute)
        self.disk.walked(w.through)
        if call.errno is None:
            self.disk.absent(w.parts)
            self.disk.make(w.parts, FILE)
        else:
            self.disk.exists(w.parts, proof=call.errno)
        note = "; ".join(filter(None, [where.note, "a new name, modelled as a new file"]))
        self._emit(make("create", path=where.path, at=where.at), self._say(task, call, note), call.errno)

    def _mkdir(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        where = wheres[0]
        w = walk(where.absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(w.through)
            self.disk.absent(w.parts)
            self.disk.make(w.parts, DIR)
        elif errno == "EEXIST":
            self.disk.walked(w.through)
            self.disk.exists(w.parts, proof=errno)
        elif errno == "ENOENT":
            self._parent_absent(w)
        elif errno != "ENOTDIR":
            self._unchanged(task, call, where)
            return
        self._emit(make("mkdir", path=where.path, at=where.at), self._say(task, call, where.note), self._expect(errno))

    def _unlink(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        self._remove(task, call, wheres[0], "unlink", FILE)

    def _rmdir(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        self._remove(task, call, wheres[0], "rmdir", DIR)

    def _remove(self, task: Task, call: Call, where: Where, verb: str, kind: str) -> None:
        w = walk(where.absolute)
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
            self.disk.exists(w.parts, FILE, proof=errno)
        else:
            if errno in ("EISDIR", "EPERM", "ENOTEMPTY", "EEXIST") and self.disk.proves(errno):
                self.disk.walked(w.through)
                self.disk.exists(w.parts, DIR if errno != "EPERM" else ANY, proof=errno)
            self._unchanged(task, call, where)
            return
        self._emit(make(verb, path=where.path, at=where.at), self._say(task, call, where.note), self._expect(errno))

    def _rename(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        old_where, new_where = wheres
        old, new = walk(old_where.absolute), walk(new_where.absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(old.through)
            self.disk.walked(new.through)
            self.disk.exists(old.parts)
            self.disk.move(old.parts, new.parts)
        elif errno == "ENOENT" and self.disk.state(old.parts) in (None, ABSENT):
            self.disk.absent(old.parts)
        else:
            self._unchanged(task, call, old_where)
            return
        note = "; ".join(filter(None, [old_where.note, new_where.note]))
        op = make("rename", old=old_where.path, new=new_where.path, at=old_where.at, newat=new_where.at)
        self._emit(op, self._say(task, call, note), self._expect(errno))

    def _chdir(self, task: Task, call: Call, wheres: list[Where], flags: str) -> None:
        where = wheres[0]
        w = walk(where.absolute)
        errno = call.errno
        if errno is None:
            self.disk.walked(w.through)
            self.disk.exists(w.parts, DIR)
        elif errno == "ENOENT":
            self.disk.absent(w.parts)
        elif errno == "ENOTDIR":
            self._notdir(w, True)
        else:
            self._unchanged(task, call, where)
            return
        self._emit(make("cd", path=where.path, at=where.at), self._say(task, call, where.note), self._expect(errno))
        if errno is None:
            self._chdir_to(task, w.final)

    def _getcwd(self, task: Task, call: Call) -> None:
        cwd = cwd_of(call)
        if cwd is None:  # no result, or one deeper than MAXPATHLEN: the cwd stays as the trace made it
            self.report.followed[call.name] += 1
            return
        w = walk(cwd)
        self.disk.walked(w.parts)
        self.report.followed[call.name] += 1
        if task.cwd.path != w.final:
            self.report.cwd_fixes += 1
            task.cwd.path = w.final
            if task.cwd.held is not None:  # held on the directory the replay wrongly thought it was
                held, task.cwd.held = task.cwd.held, None
                self.files.unref(held)


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
AHEAD_LINES = 200_000
AHEAD_BYTES = 64 << 20
"""At most this much of the input is held back while the starting cwd is looked for (a getcwd, or -y's
``AT_FDCWD</dir>``); a trace that tells it later starts at /."""


def _ahead(lines: Iterator[str], kept: list[str]) -> Iterator[str]:
    """The first lines of `lines`, each kept in `kept` as it goes by, up to AHEAD_LINES and AHEAD_BYTES."""
    size = 0
    while len(kept) < AHEAD_LINES and size < AHEAD_BYTES:
        line = next(lines, None)
        if line is None:
            return
        kept.append(line)
        size += len(line)
        yield line


def import_strace(
    lines: Iterable[str],
    sink: StepSink,
    *,
    cwd: str | None = None,
    probe: Probe | None = None,
    namecache_max: int | None = None,
    check: bool = True,
    strict: bool = False,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], StraceReport]:
    """Import strace output onto `sink`; returns the scenario's `[config]` and the report.

    `lines` is read once: when `cwd` is not given, the lines up to the first that tells the first task's cwd
    are held back and then replayed (see AHEAD_LINES). With `check`, the steps are replayed through the model
    and compared with the recorded results (`report.verification`), telling `progress(done, total)`. With
    `strict`, the disk is only what the trace proves existed. TraceFormatError says which line was wrong.
    """
    source = iter(lines)
    kept: list[str] = []
    if cwd is None:
        cwd = guess_cwd(_ahead(source, kept)) or "/"
    importer = StraceImporter(sink, cwd=cwd, probe=probe, strict=strict)
    report = importer.run(chain(kept, source))
    config = importer.config(namecache_max)
    if check:
        report.verification = verify(sink.steps(), config, progress=progress, total=report.steps)
    return config, report
