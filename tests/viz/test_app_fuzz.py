"""The app keeps running whatever it is fed: seeded random key presses, and random text in the `:` box.

Keys come from the app's own bindings plus arbitrary letters, digits, symbols and navigation keys
(everything but the ways to quit); text for the command box mixes verbs, debugger commands, ids,
huge and odd numbers, quotes and unicode. After each burst the app is still running, its model's
invariants hold, and a submitted line is either done or answered with an error message in the box.
"""

from __future__ import annotations

import random

import pytest
from textual.binding import Binding

from model.ops import VERBS
from model.parts import ensure_loaded
from model.scenario import loads
from tests.property.strategies import SETUP
from viz.app import CacheScopeApp
from viz.command_box import CommandBox

QUIT_KEYS = {"q", "ctrl+q", "ctrl+c", "ctrl+p"}  # quitting (or the palette's Quit) ends the run by design
OTHER_KEYS = [
    *"abcdefhijklouvwxyzACDEFGHIJKLMNOPQSTUVWXYZ0123456789",
    *("escape", "enter", "tab", "shift+tab", "up", "down", "left", "right", "pageup", "pagedown"),
    *("backspace", "delete", "home", "end", "exclamation_mark", "slash", "full_stop", "comma", "ctrl+l"),
]

STEPS = [
    *SETUP,
    "lookup /usr/bin/cc",
    "open /etc/passwd",
    "write /puffs/f 0 5000",
    "flush /puffs/f",
    "inval /puffs/f 100 3000",
    "store 0x400000 4 0x24020001",
    "exec 0x400000",
    "cat /proc/1/status ns=1",
    "hold /proc/1000/status",
    "exit 1 ns=1",
    "close vp99",
    "stats",
]


def scenario_text() -> str:
    return 'title = "fuzz"\n' + "".join(f'[[step]]\ndo = "{line}"\n' for line in STEPS)


def app_keys() -> list[str]:
    keys = {k.strip() for b in CacheScopeApp.BINDINGS if isinstance(b, Binding) for k in b.key.split(",")}
    return sorted(keys - QUIT_KEYS) + OTHER_KEYS


def random_line(rng: random.Random) -> str:
    """A command-box line: a verb or debugger command, then a few odd words."""
    ensure_loaded()
    head = rng.choice(
        [*sorted(VERBS), "break", "delete", "toggle", "breaks", "watch", "unwatch", "goto", "theme", "help", "?", ""]
    )
    pool = [
        "vp1", "vp99", "nc1", "d3", "'pid 1'", "ns1", "mnt1", "/usr/bin/cc", "/puffs/f", "/proc/1/status", "ns=1",
        "-f", "-w", "-", "0", "1", "-1", "0x400000", "0xffffffff", "99999999999999999999", "9" * 400, "1e3",
        "kind", "verb", "ref", "errno", "namecache.*", "ENOENT", "all", "dark", "light", "BCACHE", "'", '"', "#",
        "é", "名前", "\t", "${x}", "$(touch x)", "\\", "²", "٣", "9" * 5000,
    ]  # fmt: skip
    return " ".join([head, *rng.choices(pool, k=rng.randint(0, 4))]).strip()


@pytest.fixture
def in_tmp_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Screenshots (key s) land in a temporary directory, not the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def test_random_keys_never_stop_the_app(in_tmp_dir) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(10)
    keys = app_keys()
    app = CacheScopeApp(loads(scenario_text(), "fuzz.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(8):  # 200 keys
            await pilot.press(*rng.choices(keys, k=25))
            assert app.is_running
            assert app.timeline.system.check() == []
        assert 0 <= app.timeline.position <= app.timeline.length


async def test_random_text_in_the_command_box_never_stops_the_app(in_tmp_dir) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    app = CacheScopeApp(loads(scenario_text(), "fuzz.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        box = app.query_one(CommandBox)
        for _ in range(50):
            if app.screen is not app.screen_stack[0]:
                await pilot.press("escape")  # `help` and `breaks` open a screen over the app
            await pilot.press("colon")
            line = random_line(rng)
            box.value, box.border_subtitle = line, ""
            await pilot.press("enter")
            assert app.is_running
            assert app.timeline.system.check() == []
            assert line in ("", "help", "?") or box.border_subtitle, line  # "done · step i/N" or the error
        await pilot.press(*"lookup /etc", "enter")  # typed, not set: the box still takes keys
        assert app.is_running


@pytest.mark.parametrize("line", ["delete ²", "toggle ²", "goto ²", "goto " + "9" * 5000])
async def test_odd_numbers_in_debugger_commands_get_a_message(line: str) -> None:
    app = CacheScopeApp(loads(scenario_text(), "fuzz.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon")
        box = app.query_one(CommandBox)
        box.value = line
        await pilot.press("enter")
        assert app.is_running and box.border_subtitle  # a message in the box, not a crash
