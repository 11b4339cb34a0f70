"""A jump over more new steps than one chunk runs in chunks with a progress bar; Escape stops it."""

from model.scenario import load_builtin
from model.system import System
from viz import jump
from viz.app import CacheScopeApp
from viz.jump import JumpProgress


def _replayed(scenario, n: int) -> dict:
    system = System(dict(scenario.raw_config))
    for step in scenario.steps[:n]:
        system.apply(step.op)
    return system.to_dict()


async def test_end_runs_in_chunks_with_a_bar_and_escape_stops_where_it_got(monkeypatch):
    monkeypatch.setattr(jump, "JUMP_CHUNK", 3)
    monkeypatch.setattr(jump, "JUMP_PAUSE", 0.3)  # slow enough for the test to see the jump under way
    scenario = load_builtin("tour")
    app = CacheScopeApp(scenario)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("end")
        assert app.query(JumpProgress) and app.timeline.position < scenario_length(app)
        await pilot.press("n")  # a step key waits: it would race the jump
        await pilot.press("escape")
        await pilot.pause()
        stopped = app.timeline.position
        assert not app.query(JumpProgress) and 0 <= stopped < scenario_length(app)
        assert app.timeline.system.to_dict() == _replayed(scenario, stopped)
        monkeypatch.setattr(jump, "JUMP_PAUSE", 0.001)
        await pilot.press("end")
        while app._jump_target is not None:
            await pilot.pause(0.01)
        await pilot.pause()
        assert app.timeline.position == scenario_length(app) and not app.query(JumpProgress)
        assert app.timeline.system.to_dict() == _replayed(scenario, scenario_length(app))
        await pilot.press("home")  # back over computed steps: at once, no bar
        assert app.timeline.position == 0 and not app.query(JumpProgress)


def scenario_length(app: CacheScopeApp) -> int:
    return app.timeline.length


def test_only_jumps_over_more_new_steps_than_a_chunk_are_chunked():
    chunk = jump.JUMP_CHUNK
    assert not jump.needs_chunks(chunk) and jump.needs_chunks(chunk + 1)


async def test_the_app_prefetches_a_long_scenario_so_end_applies_only_the_last_window(monkeypatch):
    """While the first step is shown, the app advances a parked state toward the end; `End` takes it back
    without a progress bar, and a jump far back past the recorded window gets the bar again."""
    monkeypatch.setattr(jump, "PREFETCH_MIN", 5)
    monkeypatch.setattr(jump, "PREFETCH_CHUNK", 2)
    monkeypatch.setattr(jump, "JUMP_CHUNK", 3)
    monkeypatch.setattr(jump, "JUMP_PAUSE", 0.3)
    scenario = load_builtin("tour")
    app = CacheScopeApp(scenario)
    async with app.run_test(size=(120, 40)) as pilot:
        app.timeline.window = 3
        goal = scenario_length(app) - 3
        while app.timeline.parked is None or app.timeline.parked.position < goal:
            await pilot.pause(0.05)
        assert app.timeline.position == 0
        await pilot.press("end")
        assert not app.query(JumpProgress) and app.timeline.position == scenario_length(app)
        assert app.timeline.swaps == 1
        assert app.timeline.system.to_dict() == _replayed(scenario, scenario_length(app))
        app.goto(10)
        assert app.query(JumpProgress) and app._jump_target == 10
        while app._jump_target is not None:
            await pilot.pause(0.05)
        assert app.timeline.position == 10
        assert app.timeline.system.to_dict() == _replayed(scenario, 10)
