"""Adding a mechanism edits no central list: a toy one, defined in this file alone, runs everywhere.

The toy is a counter with one verb (`bump`), one config key, ids ``toy0``.. for its counts, a counter
definition, a hit rate and a panel of its own. Registered (and unregistered after) by a fixture, it is
driven through `cachescope run` in-process and through the app with the pilot: its panel is a tab, `bump`
works in the `:` box, `toy0` completes and `state toy0` describes it. Nothing outside this file knows it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from textual.widgets import Static

from model.errors import OpError
from model.events import Event
from model.ops import COUNT, Param, command, unregister_verbs
from model.parts import (
    ConfigKey,
    HitRate,
    IdSpace,
    Mechanism,
    config_keys,
    counter_definition,
    mechanisms,
    positive_int,
    registered,
)
from model.scenario import load_file
from model.system import System
from viz.app import CacheScopeApp
from viz.cli import main
from viz.command_box import CommandBox
from viz.deck import PanelDeck
from viz.panels import StepView, SubsystemPanel, mechanism_panels


class Toy:
    """The toy's part of the machine: counters that `bump` raises; each count is an object ``toyN``."""

    def __init__(self, start: int) -> None:
        self.counts = [start]
        self.bumps = 0

    def bump(self, by: int) -> list[Event]:
        if by > 1000:
            raise OpError(f"{by} is too much for a toy", hint="bump by 1000 at most")
        self.counts.append(self.counts[-1] + by)
        self.bumps += 1
        ref = f"toy{len(self.counts) - 1}"
        return [Event("toy.bump", f"bump: {ref} = {self.counts[-1]}", refs=(ref,), func="toy_bump")]

    def to_dict(self) -> dict[str, Any]:
        return {"counts": list(self.counts)}

    def stats(self) -> dict[str, int]:
        return {"bumps": self.bumps}

    def describe(self, ref: str) -> str | None:
        if ref.startswith("toy") and ref[3:].isdigit() and int(ref[3:]) < len(self.counts):
            return f"{ref}: count {self.counts[int(ref[3:])]}"
        return None

    def check(self) -> list[str]:
        return [] if self.counts == sorted(self.counts) else ["a count went down"]


class ToyPanel(Static, SubsystemPanel):
    """The toy's panel: its latest count."""

    TAB_TITLE = "toy"
    PART = "toy"
    LEGEND = "# the latest count"

    def show(self, view: StepView) -> None:
        toy = view.system.part("toy")
        self.update(f"# {toy.counts[-1]} after {toy.bumps} bumps")


def _factory(config: Mapping[str, Any]) -> Toy:
    return Toy(config["toy_start"])


TOY = Mechanism(
    "toy",
    _factory,
    order=99,
    config=(ConfigKey("toy_start", 1, positive_int, "the toy's first count"),),
    ids=(IdSpace("toy", "a toy count", lambda toy: (f"toy{n}" for n in range(len(toy.counts)))),),
    counters={"bumps": "times the toy was bumped"},
    hit_rates=(HitRate("toy", lambda event: True if event.kind == "toy.bump" else None),),
    panels=(f"{__name__}:ToyPanel",),
)

SCENARIO = """
title = "A toy"
about = "Bumping a toy counter."
[config]
toy_start = 5
[[step]]
do = "bump"
[[step]]
do = "bump 10"
say = "A bigger bump."
"""


@pytest.fixture
def toy() -> Iterator[Mechanism]:
    """The toy registered with its verb for one test, and gone after it."""
    with registered(TOY):

        @command("bump", Param("by", COUNT, optional=True, default=1), summary="bump the toy", part="toy")
        def bump(system: System, by: int) -> list[Event]:
            return system.part("toy").bump(by)

        try:
            yield TOY
        finally:
            unregister_verbs("toy")


def test_the_toy_is_known_only_while_registered(toy):
    assert mechanisms()[-1] is TOY and "toy_start" in config_keys()
    assert counter_definition("toy", "bumps") == "times the toy was bumped"
    assert mechanism_panels()[-1] is ToyPanel


def test_the_toy_leaves_nothing_behind():
    """Run after the others in this module, or alone: with no fixture, nothing of the toy remains."""
    assert all(m.name != "toy" for m in mechanisms()) and "toy_start" not in config_keys()
    assert ToyPanel not in mechanism_panels()
    assert "toy" not in System().parts


def test_cachescope_run_drives_the_toy(toy, tmp_path, capsys):
    path = tmp_path / "toy.toml"
    path.write_text(SCENARIO)
    assert main(["run", str(path), "--json", "--state"]) == 0
    *steps, last = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["op"] for s in steps] == ["bump", "bump 10"]
    assert steps[1]["events"] == [{"kind": "toy.bump", "text": "bump: toy2 = 16", "refs": ["toy2"], "func": "toy_bump"}]
    assert last["state"]["toy"] == {"counts": [5, 6, 16]} and last["state"]["config"]["toy_start"] == 5


def test_a_refused_bump_exits_1_with_the_toys_own_message(toy, tmp_path, capsys):
    path = tmp_path / "toy.toml"
    path.write_text('[[step]]\ndo = "bump 5000"\n')
    assert main(["run", str(path)]) == 1
    assert "5000 is too much for a toy" in capsys.readouterr().err


async def test_the_app_shows_the_toy_and_takes_its_verb(toy, tmp_path):
    path = tmp_path / "toy.toml"
    path.write_text(SCENARIO)
    app = CacheScopeApp(load_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        deck = app.query_one(PanelDeck)
        assert "toy" in deck.titles and deck.active == "toy"  # the scenario's steps act on the toy
        await pilot.press("n", "n")
        assert "# 16 after 2 bumps" in str(app.query_one(ToyPanel).render())
        await pilot.press("colon")
        await pilot.press(*"bump", "space", "3", "enter")
        assert app.timeline.position == 3 and str(app.timeline.current_step.op) == "bump 3"
        assert "# 19 after 3 bumps" in str(app.query_one(ToyPanel).render())
        box = app.query_one(CommandBox)
        box.value = ""
        await pilot.press(*"state", "space", "t", "o")
        await pilot.pause()
        await pilot.press("tab")
        assert box.value == "state toy0"
        await pilot.press("enter")
        assert app.timeline.current_events[0].text == "toy0: count 5"
