"""Which app a scenario opens in: the compare view for one with a `[compare]` table, else the debugger.

`cachescope NAME`, `play`, `record` and `screenshot` (and so handouts) all start their app here, so a
comparison scenario is shown side by side wherever it is opened.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from model.scenario import Scenario


def app_for(scenario: Scenario, **options: Any) -> App[None]:
    """A CompareApp for a scenario with sides to compare, a CacheScopeApp (looked up now) for any other."""
    if scenario.compare:
        from viz.compare.app import CompareApp

        return CompareApp(scenario, **options)
    import viz.app  # late and by attribute: tests replace viz.app.CacheScopeApp

    return viz.app.CacheScopeApp(scenario, **options)
