"""The hit-rate contract the statistics view relies on (model.parts.HitRate): an outcome reads only an
event's kind and func, so the view works it out once per pair."""

from model.parts import hit_rates
from model.scenario import builtin_names, load_builtin
from model.system import System


def test_every_outcome_is_fixed_by_kind_and_func_over_every_builtin_scenario():
    seen: dict[tuple[str, str, str], bool | None] = {}
    lookups = 0
    for name in builtin_names():
        scenario = load_builtin(name)
        system = System(dict(scenario.raw_config))
        for step in scenario.steps:
            for event in system.apply(step.op):
                for rate in hit_rates():
                    outcome = rate.outcome(event)
                    key = (rate.cache, event.kind, event.func)
                    assert seen.setdefault(key, outcome) == outcome, key
                    lookups += outcome is not None
    assert lookups > 100 and {cache for cache, _, _ in seen} == {rate.cache for rate in hit_rates()}
