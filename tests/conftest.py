"""Hypothesis profiles: `default` for CI (reproducible, 200 examples a test) and `long` for a soak run.

Select one with ``pytest --hypothesis-profile=long``. Property tests set only what is particular to them
(step counts, health checks), never ``max_examples``, so the profile decides how many examples run.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=10_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("default")
