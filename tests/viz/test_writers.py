"""Writers never destroy: what `screenshot -o`, `record -o`/`--svg-dir`, `import -o` and the `s` key
may replace, and what they leave when the directory is read-only or the disk is full.

A read-only directory and a full disk are real where they can be made: a read-only (or tiny) tmpfs
mounted for the test when running as root, a mode-555 directory otherwise.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from model.scenario import load_builtin
from viz import handout
from viz.app import CacheScopeApp
from viz.atomic import UnsafeTarget, atomic_dir, atomic_file, check_target, write_new
from viz.cli import main
from viz.handout import is_handout


def _mount_tmpfs(where: Path, options: str) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


@contextlib.contextmanager
def _mounted(where: Path, options: str) -> Iterator[bool]:
    where.mkdir()
    mounted = _mount_tmpfs(where, options)
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody can create files in: a read-only tmpfs (root), or mode 555 (anyone else)."""
    where = tmp_path / "readonly"
    with _mounted(where, "ro,size=64k") as mounted:
        if mounted:
            yield where
            return
        if os.geteuid() == 0:
            pytest.skip("running as root without the right to mount a read-only tmpfs")
        where.chmod(0o555)
        try:
            yield where
        finally:
            where.chmod(0o755)


@pytest.fixture
def full_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory on a file system with 16 KiB of room (a tmpfs mounted for the test)."""
    where = tmp_path / "full"
    with _mounted(where, "size=16k") as mounted:
        if not mounted:
            pytest.skip("cannot mount a tiny tmpfs here (needs root); test_atomic_file_on_a_full_disk covers it")
        yield where


def _special_files(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, a socket, a device node (a private copy of /dev/null, where mknod is allowed) and links."""
    found = {}
    os.mkfifo(tmp_path / "fifo")
    found["fifo"] = tmp_path / "fifo"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
    found["socket"] = tmp_path / "sock"
    with contextlib.suppress(PermissionError, OSError):
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        found["device"] = tmp_path / "null"
    (tmp_path / "victim.txt").write_text("the user's own file")
    (tmp_path / "link").symlink_to(tmp_path / "victim.txt")
    found["link"] = tmp_path / "link"
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere.txt")
    found["dangling link"] = tmp_path / "dangling"
    return found


def _snapshot(directory: Path) -> dict[str, tuple[int, str]]:
    """Each entry's type bits and (for regular files) contents, links not followed."""
    shot = {}
    for entry in sorted(directory.iterdir()):
        mode = os.lstat(entry).st_mode
        text = entry.read_text() if stat.S_ISREG(mode) else os.readlink(entry) if stat.S_ISLNK(mode) else ""
        shot[entry.name] = (stat.S_IFMT(mode), text)
    return shot


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith((".part", ".old", ".tmp")))


# -- the shared check ------------------------------------------------------------------------------------


def test_check_target_allows_nothing_there_and_regular_files_only(tmp_path):
    check_target(tmp_path / "new.svg")
    (tmp_path / "old.svg").write_text("x")
    check_target(tmp_path / "old.svg")
    with pytest.raises(UnsafeTarget, match="it is a directory"):
        check_target(tmp_path, force=True)  # --force never replaces a directory
    words = {"fifo": "a FIFO", "socket": "a socket", "device": "a device node", "link": "a symbolic link"}
    for kind, path in _special_files(tmp_path).items():
        with pytest.raises(UnsafeTarget, match="--force replaces") as caught:
            check_target(path)
        assert f"it is {words[kind.removeprefix('dangling ')]}" in caught.value.strerror
        check_target(path, force=True)


def test_forced_write_replaces_the_link_never_its_target(tmp_path):
    specials = _special_files(tmp_path)
    with atomic_file(specials["link"], force=True) as out:
        out.write(b"<svg/>")
    assert not specials["link"].is_symlink() and specials["link"].read_bytes() == b"<svg/>"
    assert (tmp_path / "victim.txt").read_text() == "the user's own file"
    with atomic_file(specials["dangling link"], force=True) as out:
        out.write(b"<svg/>")
    assert not (tmp_path / "nowhere.txt").exists()


def test_atomic_file_on_a_full_disk_leaves_nothing(tmp_path, monkeypatch):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)  # the data did not fit: the kernel says so at the latest here
    with pytest.raises(OSError, match="No space left"), atomic_file(tmp_path / "out.svg") as out:
        out.write(b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


# -- screenshot -o, record -o, import -o -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "socket", "device", "link", "dangling link"])
def test_screenshot_refuses_special_targets_and_changes_nothing(tmp_path, capsys, kind):
    specials = _special_files(tmp_path)
    if kind not in specials:
        pytest.skip("mknod is not allowed here")
    before = _snapshot(tmp_path)
    assert main(["screenshot", "tour", "-o", str(specials[kind])]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {specials[kind]}" in err and "--force" in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_screenshot_force_replaces_a_link_not_its_target(tmp_path, capsys):
    specials = _special_files(tmp_path)
    assert main(["screenshot", "tour", "-o", str(specials["link"]), "--force"]) == 0
    assert "<svg" in specials["link"].read_text() and not specials["link"].is_symlink()
    assert (tmp_path / "victim.txt").read_text() == "the user's own file"


@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_record_refuses_special_targets(tmp_path, capsys, kind):
    specials = _special_files(tmp_path)
    if kind not in specials:
        pytest.skip("mknod is not allowed here")
    before = _snapshot(tmp_path)
    assert main(["record", "tour", "-o", str(specials[kind])]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["record", "tour", "--svg-dir", str(specials[kind])]) == 2
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["fifo", "device", "link"])
def test_import_refuses_special_targets(tmp_path, capsys, kind):
    specials = _special_files(tmp_path)
    if kind not in specials:
        pytest.skip("mknod is not allowed here")
    trace = tmp_path / "t.din"
    trace.write_text("0 1000\n1 2000\n2 3000\n")
    before = _snapshot(tmp_path)
    assert main(["import", "din", str(trace), "-o", str(specials[kind])]) == 2
    err = capsys.readouterr().err
    assert f"{specials[kind]}: cannot write: it is a" in err
    assert _snapshot(tmp_path) == before


def test_import_checks_its_output_before_reading_its_input(tmp_path, capsys):
    specials = _special_files(tmp_path)
    missing_input = tmp_path / "no-such.din"
    assert main(["import", "din", str(missing_input), "-o", str(specials["link"])]) == 2
    assert f"{specials['link']}: cannot write" in capsys.readouterr().err  # the output, not the input


def test_import_force_replaces_a_link_not_its_target(tmp_path, capsys):
    specials = _special_files(tmp_path)
    trace = tmp_path / "t.din"
    trace.write_text("0 1000\n1 2000\n2 3000\n")
    assert main(["import", "din", str(trace), "-o", str(specials["link"]), "--force"]) == 0
    assert "[[step]]" in specials["link"].read_text() and not specials["link"].is_symlink()
    assert (tmp_path / "victim.txt").read_text() == "the user's own file"


def test_screenshot_in_a_read_only_directory_exits_2(readonly_dir, capsys):
    assert main(["screenshot", "tour", "-o", str(readonly_dir / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {readonly_dir / 'x.svg'}" in err and "Traceback" not in err
    assert list(readonly_dir.iterdir()) == []


def test_screenshot_on_a_full_disk_exits_2_and_leaves_no_temporary_file(full_dir, capsys):
    (full_dir / "x.svg").write_text("the screenshot of last week")
    assert main(["screenshot", "tour", "-o", str(full_dir / "x.svg"), "--size", "300x100"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert [p.name for p in full_dir.iterdir()] == ["x.svg"]
    assert (full_dir / "x.svg").read_text() == "the screenshot of last week"


# -- handouts --------------------------------------------------------------------------------------------


def test_a_directory_holding_the_users_index_is_never_taken_for_a_handout(tmp_path, capsys):
    mine = tmp_path / "site"
    mine.mkdir()
    (mine / "index.html").write_text("<h1>my page</h1>")
    assert main(["record", "tour", "--svg-dir", str(mine)]) == 2
    assert "no .cachescope-handout marker" in capsys.readouterr().err
    assert (mine / "index.html").read_text() == "<h1>my page</h1>"
    with pytest.raises(UnsafeTarget), atomic_dir(mine, is_handout):
        pass
    assert [p.name for p in mine.iterdir()] == ["index.html"]


def test_a_marked_handout_with_a_file_of_the_users_is_kept(tmp_path, capsys):
    target = tmp_path / "handout"
    target.mkdir()
    (target / handout.MARKER).write_text(handout.MARKER_LINE + "\n")
    (target / "step-000.svg").write_text("old")
    (target / "notes.txt").write_text("mine")
    assert main(["record", "tour", "--svg-dir", str(target)]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (target / "notes.txt").read_text() == "mine"


def test_a_forged_or_linked_marker_is_not_ours(tmp_path):
    target = tmp_path / "handout"
    target.mkdir()
    (target / handout.MARKER).write_text("something else\n")
    assert not is_handout(target)
    (target / handout.MARKER).unlink()
    (target / handout.MARKER).symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_text(handout.MARKER_LINE + "\n")
    assert not is_handout(target)


# -- the s key -------------------------------------------------------------------------------------------


def _toasts(app: CacheScopeApp) -> list[tuple[str, str]]:
    return [(n.severity, str(n.message)) for n in app._notifications]


async def test_s_in_a_read_only_directory_shows_an_error_and_the_app_goes_on(readonly_dir, monkeypatch):
    monkeypatch.chdir(readonly_dir)
    app = CacheScopeApp(load_builtin("tour"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert any(severity == "error" and "screenshot not saved" in text for severity, text in _toasts(app))
        await pilot.press("n")
        assert app.timeline.position == 1 and app.is_running
    assert list(readonly_dir.iterdir()) == []


async def test_s_never_follows_a_link_nor_overwrites_an_earlier_screenshot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file")
    (tmp_path / "cachescope-step-000.svg").symlink_to(victim)
    (tmp_path / "cachescope-step-001.svg").symlink_to(tmp_path / "nowhere.svg")
    app = CacheScopeApp(load_builtin("tour"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s", "s", "n", "s")
        await pilot.pause()
    assert victim.read_text() == "the user's own file" and not (tmp_path / "nowhere.svg").exists()
    saved = sorted(p.name for p in tmp_path.iterdir() if p.is_file() and not p.is_symlink() and p != victim)
    assert saved == ["cachescope-step-000-2.svg", "cachescope-step-000-3.svg", "cachescope-step-001-2.svg"]
    assert all("<svg" in (tmp_path / name).read_text() for name in saved)
    assert _leftovers(tmp_path) == []


def test_write_new_picks_the_next_free_name(tmp_path):
    first = write_new(tmp_path, "shot", ".svg", b"1")
    second = write_new(tmp_path, "shot", ".svg", b"2")
    assert (first.name, second.name) == ("shot.svg", "shot-2.svg")
    assert first.read_bytes() == b"1" and second.read_bytes() == b"2" and _leftovers(tmp_path) == []
