"""`cachescope record`: the asciicast (valid v2, a marker per step, replayed by pyte), the SVG handout,
and recordings that are interrupted or refused leaving nothing half-written behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyte
import pytest

from model.scenario import load_file, loads
from viz import handout
from viz.atomic import atomic_dir, atomic_file
from viz.cli import main
from viz.handout import is_handout, render_index, svg_name
from viz.options import step_label

SIZE = (100, 30)
WALK = Path(__file__).with_name("walk.toml")


def _cli(*args: str, **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "viz.cli", *args], text=True, **kwargs)


def _leftovers(directory: Path) -> list[str]:
    """Temporary files or directories a recording left (they start with '.' and end with .part/.old)."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith((".part", ".old")))


@pytest.fixture(scope="module")
def walk_cast(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[list]]:
    """tests/viz/walk.toml recorded once, at a pace quick enough for CI yet slow enough for every step to be drawn."""
    out = tmp_path_factory.mktemp("cast") / "walk.cast"
    done = subprocess.run(
        [sys.executable, "-m", "viz.cli", "record", str(WALK), "-o", str(out), "--delay", "0.3", "--size", "100x30"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert _leftovers(out.parent) == []
    header, *events = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    return header, events


def test_cast_is_asciicast_v2(walk_cast):
    header, events = walk_cast
    assert header["version"] == 2 and (header["width"], header["height"]) == SIZE
    assert isinstance(header["timestamp"], int) and header["title"] == "cachescope: A short walk"
    assert header["env"]["TERM"] == "xterm-256color"
    assert all(len(e) == 3 and isinstance(e[0], float | int) and isinstance(e[2], str) for e in events)
    assert {e[1] for e in events} <= {"o", "m"}
    times = [e[0] for e in events]
    assert times == sorted(times) and times[0] >= 0


def test_cast_has_one_marker_per_step_in_order(walk_cast):
    _, events = walk_cast
    scenario = load_file(WALK)
    expected = [step_label(n, step) for n, step in enumerate(scenario.steps, start=1)]
    assert [e[2] for e in events if e[1] == "m"] == expected
    assert expected == ["step 1: say 'Ahoy: a narration-only step.'", "step 2: state", "step 3: stats"]


def _replay(header: dict, events: list[list], until: int | None = None) -> pyte.Screen:
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    for _time, code, data in events[:until]:
        if code == "o":
            stream.feed(data)
    return screen


def test_cast_replayed_shows_the_last_narration_and_each_step_at_its_marker(walk_cast):
    header, events = walk_cast
    final = "\n".join(_replay(header, events).display)
    assert "Finale: every counter." in final  # the last step's narration, on the final screen
    markers = [i for i, e in enumerate(events) if e[1] == "m"]
    for number, index in enumerate(markers, start=1):  # pausing on a marker shows that step drawn
        assert f"step {number} / 3" in _replay(header, events, index).display[0]


def test_cast_ends_on_the_final_frame_with_no_stray_characters(walk_cast):
    """The app leaves the alternate screen and pops the kitty keyboard protocol as it exits: neither is
    recorded, so a replay ends on the last frame, and pyte draws no `u` for `CSI < u`."""
    header, events = walk_cast
    output = "".join(data for _time, code, data in events if code == "o")
    assert "\x1b[?1049l" not in output and "\x1b[<u" not in output and "\x1b[>" not in output
    final = _replay(header, events).display
    assert "step 3 / 3" in final[0] and "u" not in final[1]  # the timeline bar: track, position, no stray u
    assert "Finale: every counter." in "\n".join(final)


@pytest.mark.parametrize("cut", range(1, 8))
def test_the_output_filter_drops_sequences_split_across_chunks(cut):
    from viz.cast import OutputFilter

    stream = "a\x1b[>25ub\x1b[2;5H\x1b[<u\x1b[?1049lc\x1b[?25h"
    out = OutputFilter()
    text = out.feed(stream[:cut]) + out.feed(stream[cut:]) + out.flush()
    assert text == "ab\x1b[2;5Hc\x1b[?25h"


def test_svg_handout_has_every_step_and_an_index(tmp_path, capsys):
    target = tmp_path / "handout"
    assert main(["record", str(WALK), "--svg-dir", str(target), "--size", "80x24", "--theme", "light"]) == 0
    files = sorted(p.name for p in target.iterdir() if p.name != handout.MARKER)
    assert files == ["index.html", "step-000.svg", "step-001.svg", "step-002.svg", "step-003.svg"]
    assert (target / handout.MARKER).read_text().startswith(handout.MARKER_LINE + "\n")
    assert "step 2 / 3" in (target / "step-002.svg").read_text(encoding="utf-8").replace("&#160;", " ")
    index = (target / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f"src='{name}'") for name in files[1:]]
    assert positions == sorted(positions)  # in order
    assert "Second: the machine summarised." in index and "step 3: stats" in index
    assert "http" not in index.replace("http-equiv", "")  # self-contained: relative links only
    assert _leftovers(tmp_path) == []


def test_an_earlier_handout_is_replaced_whole(tmp_path):
    target = tmp_path / "handout"
    target.mkdir()
    (target / handout.MARKER).write_text(handout.MARKER_LINE + "\n")
    (target / "step-000.svg").write_text("old")
    (target / "step-009.svg").write_text("old, from a longer scenario")
    with atomic_dir(target, is_handout) as temp:
        (temp / "step-000.svg").write_text("new")
        assert (target / "step-009.svg").exists()  # untouched until the new one is complete
    assert [(p.name, p.read_text()) for p in target.iterdir()] == [("step-000.svg", "new")]
    assert _leftovers(tmp_path) == []


def test_atomic_file_appears_only_when_complete(tmp_path):
    target = tmp_path / "walk.cast"
    with pytest.raises(RuntimeError), atomic_file(target) as out:
        out.write(b"half")
        assert not target.exists() and len(_leftovers(tmp_path)) == 1
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []
    with atomic_file(target) as out:
        out.write(b"whole")
    assert target.read_bytes() == b"whole" and _leftovers(tmp_path) == []


def test_handout_escapes_html_and_pads_names():
    scenario = loads('title = "<b>x</b>"\n[[step]]\ndo = "stats"\nsay = "a < b & \\"c\\" <script>"\n')
    index = render_index(scenario)
    assert "&lt;b&gt;x&lt;/b&gt;" in index and "a &lt; b &amp; &quot;c&quot; &lt;script&gt;" in index
    assert "<script>" not in index
    assert svg_name(7, 3) == "step-007.svg" and svg_name(7, 1200) == "step-0007.svg"


def test_interrupted_handout_leaves_no_directory(tmp_path, monkeypatch):
    async def broken(scenario, directory, size, theme):
        (directory / svg_name(0, 1)).write_text("<svg/>")
        raise KeyboardInterrupt

    monkeypatch.setattr(handout, "_screenshots", broken)
    assert main(["record", "tour", "--svg-dir", str(tmp_path / "handout")]) == 130
    assert list(tmp_path.iterdir()) == []


def test_crashing_app_leaves_no_cast(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the recorded command fails at once
    out = tmp_path / "walk.cast"
    assert main(["record", "tour", "-o", str(out), "--delay", "0.05"]) == 1
    assert "exited with status 1" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_timeout_kills_the_app_and_leaves_no_cast(tmp_path, capsys):
    out = tmp_path / "walk.cast"
    started = time.monotonic()
    assert main(["record", "tour", "-o", str(out), "--delay", "30", "--timeout", "1.5"]) == 1
    assert time.monotonic() - started < 10
    assert "still running after the timeout" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_leaves_no_cast_and_stops_the_app(tmp_path, sig):  # SIGHUP too: tests/viz/test_signals.py
    scenario = tmp_path / "slow.toml"
    scenario.write_text('[[step]]\ndo = "stats"\n[[step]]\ndo = "state"\n')
    out = tmp_path / "walk.cast"
    recorder = _cli("record", str(scenario), "-o", str(out), "--delay", "30", stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not _processes_mentioning(f"{scenario}\0--exit-at-end") or not _leftovers(tmp_path):
            assert recorder.poll() is None and time.monotonic() < deadline, "the app never started"
            time.sleep(0.05)
        time.sleep(0.5)  # let it draw: the temporary cast has output in it
        recorder.send_signal(sig)
        assert recorder.wait(timeout=10) == 128 + sig
    finally:
        if recorder.poll() is None:
            recorder.kill()
        recorder.communicate()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.toml"]
    deadline = time.monotonic() + 5
    while _processes_mentioning(f"{scenario}\0--exit-at-end") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(f"{scenario}\0--exit-at-end") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record", "tour", "-o", "x.cast", "--size", "100x"], "is not COLUMNSxLINES"),
        (["record", "tour", "-o", "x.cast", "--size", "5x5"], "out of range"),
        (["record", "tour", "-o", "x.cast", "--theme", "neon"], "invalid choice: 'neon'"),
        (["record", "tour", "-o", "x.cast", "--delay", "-1"], "must be more than 0"),
        (["record", "tour", "-o", "/nonexistent/dir/x.cast"], "no directory /nonexistent/dir"),
        (["record", "tour"], "one of the arguments -o/--output --svg-dir is required"),
        (["record", "no-such-scenario", "-o", "x.cast"], "no built-in scenario"),
        (["play", "tour", "--size", "100x"], "is not COLUMNSxLINES"),
        (["play", "tour", "--theme", "neon"], "invalid choice: 'neon'"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(args, message, capsys):
    try:
        status = main(args)
    except SystemExit as exc:
        status = exc.code
    assert status == 2
    assert message in capsys.readouterr().err


def test_output_that_is_a_directory_or_a_foreign_directory_is_refused(tmp_path, capsys):
    assert main(["record", "tour", "-o", str(tmp_path)]) == 2
    assert "it is a directory" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["record", "tour", "--svg-dir", str(tmp_path)]) == 2
    assert "no .cachescope-handout marker" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_unwritable_directory_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as for a user without write permission
    assert main(["record", "tour", "-o", str(tmp_path / "x.cast")]) == 2
    assert "no permission to write in" in capsys.readouterr().err


def test_play_size_must_match_the_terminal(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    assert main(["play", "tour", "--size", "100x30"]) == 2
    assert "the terminal is 80x24, not 100x30" in capsys.readouterr().err
