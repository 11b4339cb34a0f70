"""Model tests for docs/kernel-rules.md §1.12: descriptors, walks that start at a directory descriptor, fchdir.

Which directory each component is looked up in is read from the cache_lookup events (the directory is the
ref before "nchash N"), and the vnodes are found from the disk, so the expectations come from the rule.
"""

from __future__ import annotations

from model.ops import parse, to_text
from model.system import System
from model.vfs.vnode import INACTIVE
from tests.model.test_namecache import of, probes, run, vfs_of, vp_at


def result(events):
    """The (errno, ret) of a call's closing event."""
    closing = [e for e in events if e.ret is not None and e.func != "cache_lookup"]
    return closing[-1].errno, closing[-1].ret


def lookups(system):
    return vfs_of(system).namecache.lookups


def test_1_12_a_relative_walk_starts_at_the_descriptors_directory():
    """§1.12: `lookup PATH at=N` looks the first component up in descriptor N's directory (ni_atdir), not in
    the cwd; the walk makes one cache_lookup per component of PATH, as written."""
    system = System()
    run(system, "open /usr fd=3")
    usr = vp_at(system, "/usr")
    events = run(system, "lookup bin/cc at=3")
    bin_ = vp_at(system, "/usr/bin")
    assert probes(events) == [("bin", usr.id), ("cc", bin_.id)]
    assert of(events, "namei.start")[0].refs == (usr.id,)
    events = run(system, "lookup ./bin/../lib at=3")
    assert probes(events) == [(".", usr.id), ("bin", usr.id), ("..", bin_.id), ("lib", usr.id)]
    assert result(run(system, "lookup bin at=3")) == (None, 0)
    assert system.check() == []


def test_1_12_an_absolute_path_starts_at_the_root_whatever_the_descriptor():
    """§1.12: namei starts an absolute path at the root even when a descriptor is given."""
    system = System()
    run(system, "open /usr fd=3")
    events = run(system, "lookup /etc/passwd at=3")
    assert probes(events)[0] == ("etc", vfs_of(system).rootvnode.id)


def test_1_12_a_descriptor_not_open_is_ebadf_and_nothing_is_walked():
    """§1.12: fd_getvnode fails with EBADF before namei runs: no cache_lookup, no change."""
    system = System()
    before = lookups(system)
    for line in ("lookup bin at=4", "open bin at=4", "mkdir d at=4", "unlink x at=4", "rmdir d at=4", "cd bin at=4"):
        assert result(run(system, line))[0] == "EBADF", line
    assert result(run(system, "rename a b newat=4"))[0] == "EBADF"
    assert result(run(system, "close fd=4"))[0] == "EBADF"
    assert lookups(system) == before
    assert system.check() == []


def test_1_12_a_walk_from_a_file_descriptor_is_enotdir():
    """§1.12: a relative walk from a descriptor that is not a directory fails with ENOTDIR, looking nothing up;
    fchdir to it fails the same way."""
    system = System()
    run(system, "open /etc/passwd fd=5")
    before = lookups(system)
    assert result(run(system, "lookup x at=5"))[0] == "ENOTDIR"
    assert result(run(system, "fchdir 5"))[0] == "ENOTDIR"
    assert lookups(system) == before
    assert vfs_of(system).cwd is vfs_of(system).rootvnode


def test_1_12_an_open_file_holds_its_vnode_until_closed():
    """§1.12: the descriptor holds a use reference; close drops it and the last release makes the vnode
    inactive (§2.2)."""
    system = System()
    run(system, "open /usr/lib fd=3")
    lib = vp_at(system, "/usr/lib")
    assert lib.usecount == 1 and vfs_of(system).fds == {3: lib}
    assert system.part("vfs").to_dict()["fds"] == {"3": lib.id}
    run(system, "lookup libc.so at=3")
    assert lib.usecount == 1
    events = run(system, "close fd=3")
    assert result(events) == (None, 0)
    assert lib.usecount == 0 and lib.state == INACTIVE and vfs_of(system).fds == {}
    assert "fds" not in system.part("vfs").to_dict()  # the dump has no descriptors key while none is open
    assert system.check() == []


def test_1_12_fchdir_makes_the_descriptor_the_cwd_without_a_walk():
    """§1.12: fchdir looks nothing up; the new cwd takes a reference, the old one's is dropped, and relative
    paths then start there."""
    system = System()
    run(system, "open /home/alice fd=3")
    alice = vp_at(system, "/home/alice")
    root = vfs_of(system).rootvnode
    root_refs = root.usecount
    before = lookups(system)
    assert result(run(system, "fchdir 3")) == (None, 0)
    assert lookups(system) == before
    assert vfs_of(system).cwd is alice and alice.usecount == 2 and root.usecount == root_refs - 1
    assert probes(run(system, "lookup notes.txt")) == [("notes.txt", alice.id)]
    run(system, "close fd=3")
    assert alice.usecount == 1  # the cwd's reference stays
    assert system.check() == []


def test_1_12_the_tree_changing_calls_take_at_too():
    """§1.12: create, mkdir, unlink, rmdir, cd and rename (at= for OLD, newat= for NEW) walk from their
    descriptors; create fd=N keeps the new file open as N."""
    system = System()
    run(system, "open /tmp fd=3")
    run(system, "open /var fd=4")
    tmp, var = vp_at(system, "/tmp"), vp_at(system, "/var")
    assert probes(run(system, "mkdir d at=3")) == [("d", tmp.id)]
    events = run(system, "create d/f at=3 fd=5")
    d = vp_at(system, "/tmp/d")
    assert probes(events) == [("d", tmp.id), ("f", d.id)] and result(events) == (None, 0)
    new = vp_at(system, "/tmp/d/f")
    assert vfs_of(system).fds[5] is new and new.usecount == 1
    events = run(system, "rename d/f g at=3 newat=4")
    assert [p[1] for p in probes(events)] == [tmp.id, d.id, var.id]
    assert result(events) == (None, 0) and vfs_of(system).node_at("/var/g") is not None
    assert probes(run(system, "unlink g at=4")) == [("g", var.id)]
    assert probes(run(system, "rmdir d at=3")) == [("d", tmp.id)]
    assert result(run(system, "cd log at=4")) == (None, 0) and vfs_of(system).cwd is vp_at(system, "/var/log")
    for fd in (3, 4, 5):
        run(system, f"close fd={fd}")
    assert system.check() == []


def test_1_12_a_number_already_open_is_refused_before_anything_is_walked():
    """§1.12: the caller names the descriptor; a number in use is an error, and the state does not change."""
    system = System()
    run(system, "open /usr fd=3")
    before = system.part("vfs").to_dict()
    events = system.apply(parse("open /etc fd=3"))
    assert [e.kind for e in events] == ["error"] and "close fd=3" in events[0].text + (events[0].explain or "")
    assert system.part("vfs").to_dict() == before
    assert [e.kind for e in system.apply(parse("close"))] == ["error"]  # neither a vnode nor fd=N


def test_1_12_the_parameters_are_written_back_as_they_are_read():
    """The new parameters round-trip through the command language."""
    for line in ("lookup a/b at=3", "open x at=3 fd=7", "create y fd=9", "rename a b at=3 newat=4", "close fd=2",
                 "fchdir 3", "cd .. at=3", "lookup /etc"):  # fmt: skip
        assert to_text(parse(line)) == line
