"""Which view (panel) a step is about: a model fact the app draws, so `play`, `record` and screenshots agree.

Each mechanism names its views in its spec (`Mechanism.views`: view name -> the event kinds it draws, as
globs); the core adds `stats`. A step's view is, in order: the `panel` its scenario step chooses; the view
its verb is about (`command(..., view=...)`) when the step's events reach that view; else the view most
of its events belong to (a tie goes to the view named first). A step with no such event (`say`, `state`)
has no view: the app keeps the panel it shows.

The verb comes before the count because most events of a path call are its walk: `write` makes 8 events
of namei, the name cache and vnodes for 1 of the page cache, and `lookup` more of vnodes than of the cache.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from fnmatch import fnmatchcase

from model.events import Event
from model.ops import VERBS
from model.parts import mechanisms
from model.timeline import Step

CORE_VIEWS: dict[str, tuple[str, ...]] = {"stats": ("stats",)}
"""Views of the core: the statistics view draws the `stats` verb's counters."""

_by_kind: dict[str, str | None] = {}


def views() -> dict[str, tuple[str, ...]]:
    """Every view name and the event-kind globs it draws: the core's, then each mechanism's, in order."""
    table = dict(CORE_VIEWS)
    for spec in mechanisms():
        table.update(spec.views)
    return table


def view_names() -> list[str]:
    """Every view name, in the order of the app's tabs."""
    return list(views())


def view_of_event(event: Event) -> str | None:
    """The view that draws events of this kind (the first whose globs match), or None."""
    kind = event.kind
    if kind not in _by_kind:
        _by_kind[kind] = next(
            (name for name, globs in views().items() if any(fnmatchcase(kind, g) for g in globs)), None
        )
    return _by_kind[kind]


def view_of(step: Step | None, events: Sequence[Event]) -> str | None:
    """The view step `step` with these `events` is about, or None to keep the one shown (see the module doc)."""
    if step is None:
        return None
    if step.panel:
        return step.panel
    counts = Counter(view for view in map(view_of_event, events) if view is not None)
    spec = VERBS.get(step.op.verb)
    if spec is not None and spec.view and counts[spec.view]:
        return spec.view
    return max(counts, key=counts.__getitem__, default=None)  # Counter keeps first-seen order: ties go first


def check_view(name: str) -> str:
    """`name` if it is a view; ValueError naming the views (and the closest one) if not."""
    names = view_names()
    if name in names:
        return name
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else f"one of {', '.join(names)}"
    raise ValueError(f"unknown panel {name!r} ({hint})")
