"""A big scenario file says it is being read, on a terminal only, and leaves no trace on the line."""

import io
import sys

from viz.cli import base


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _write(path, steps: int) -> None:
    path.write_text("title = 'big'\n" + "".join("[[step]]\ndo = 'lookup /usr/bin'\n" for _ in range(steps)))


def test_a_big_file_on_a_terminal_says_it_is_being_read_then_clears_it(tmp_path, monkeypatch):
    path = tmp_path / "big.toml"
    _write(path, 200)
    monkeypatch.setattr(base, "READING_NOTICE", 1024)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    scenario = base.load_or_report(str(path))
    assert scenario is not None and len(scenario.steps) == 200
    written = terminal.getvalue()
    assert written.startswith("reading big.toml (0 MiB)…") and written.endswith("\r")


def test_no_notice_for_a_small_file_a_pipe_or_a_built_in(tmp_path, monkeypatch):
    path = tmp_path / "small.toml"
    _write(path, 2)
    monkeypatch.setattr(base, "READING_NOTICE", 1 << 20)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert base.load_or_report(str(path)) is not None and base.load_or_report("tour") is not None
    assert terminal.getvalue() == ""
    monkeypatch.setattr(base, "READING_NOTICE", 1)
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    assert base.load_or_report(str(path)) is not None and pipe.getvalue() == ""


def test_a_bad_big_file_reports_on_a_line_of_its_own(tmp_path, monkeypatch):
    path = tmp_path / "bad.toml"
    path.write_text("title = 'bad'\n[[step]]\ndo = 'frobnicate /usr'\n" * 100)
    monkeypatch.setattr(base, "READING_NOTICE", 1)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert base.load_or_report(str(path)) is None
    assert "\ncachescope: " in terminal.getvalue()
