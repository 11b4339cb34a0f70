"""The registry of kernel mechanisms: one `Mechanism` spec per package under `model/`.

A mechanism package (`model/vfs/`, `model/procfs/`, `model/cpu/`) registers its spec once, from its
`__init__.py`: the factory of its part of the machine, its `[config]` keys, the id spaces it owns, its
quiz drills, its phrases for the reverse-quiz summary, its counter definitions and the viz panels that
draw it. Its verbs register themselves with `model.ops.command`. `ensure_loaded` imports every such
package it finds, so adding a mechanism edits no list; the dependency goes one way, mechanism -> core.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from model.events import Event
from model.sources import Source


class Part(Protocol):
    """What every mechanism's part of the machine offers the System."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready state of this part (schema documented with its mechanism)."""
        ...

    def stats(self) -> dict[str, int]:
        """Counters under the kernel's names (e.g. nchstats), for `stats` and the statistics view."""
        ...

    def describe(self, ref: str) -> str | None:
        """A multi-line description of the object with id `ref`, or None if it is not this part's."""
        ...

    def check(self) -> list[str]:
        """Invariant violations (empty when the state is consistent)."""
        ...


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """One `[config]` key: its default, a validator that raises ValueError, and a help line."""

    name: str
    default: Any
    validate: Callable[[Any], Any]
    summary: str


@dataclass(frozen=True, slots=True)
class IdSpace:
    """A kind of object id a mechanism owns: ``vp7`` (prefix ``vp``), ``pid 42``, ``D set 5 way 1``.

    `live(part)` yields the ids that exist now in the mechanism's part, for completion in the app;
    `example` is one id of the kind for messages (the prefix and 7 unless given).
    """

    prefix: str
    what: str
    live: Callable[[Any], Iterable[str]]
    example: str = ""


Phrase = Callable[[list[Event]], str]
"""Says, in a few words and without the op's own words, what a step's events of one kind did."""


@dataclass(frozen=True, slots=True)
class Summary:
    """A mechanism's part of the reverse-quiz summary of a step.

    Attributes:
        phrases: event kind -> the phrase for that kind's events in one step.
        results: kinds that close a system call: the last errno among them is the call's result.
    """

    phrases: Mapping[str, Phrase]
    results: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class HitRate:
    """A cache whose hit rate the statistics view plots: `outcome(event)` is True for a hit, False for a
    miss, None for an event that is not a lookup in that cache. It reads only the event's kind and func,
    so a view may work it out once per pair."""

    cache: str
    outcome: Callable[[Event], bool | None]


@dataclass(frozen=True, slots=True)
class Mechanism:
    """One kernel mechanism, as it registers itself.

    Attributes:
        name: the part's name in the System and in the state dump ("vfs", "procfs", "cpu").
        factory: builds the part from the validated `[config]`.
        order: places the part in the System, the dump and the app's tabs (smaller first).
        config: the `[config]` keys the part reads.
        ids: the id spaces the part owns (completion, `state` hints).
        drills: its quiz drills (`model.quiz.draft.Drill`: setup, proposer, questions); typed loosely
            because the registry sits below the quiz engine.
        summary: its phrases for the reverse-quiz summary of a step.
        counters: counter name -> one-line definition, for the statistics view.
        hit_rates: the caches whose hit rate the statistics view plots.
        panels: ``"module:Class"`` of the viz widgets that draw it (strings: the model never imports viz).
        sources: func -> where that kernel function comes from (`model.sources.Source`), one per mode
            where the modes differ; every func the mechanism's events name has one.
        views: view name -> the event kinds (globs) that view draws; a panel draws the view of its name,
            and a step brings forward the view it is about (`model.views.view_of`).
        kinds: every event kind its events can have (``namecache.hit``), so a breakpoint on a kind
            (`break kind`) can be checked against the kinds that exist.
        ref_prefixes: prefixes of the other names its events give in `refs` that no id space owns
            (``nchash `` for a hash chain, ``page vp`` for a cached page), so `break ref` knows them too.
    """

    name: str
    factory: Callable[[Mapping[str, Any]], Part]
    order: int
    config: tuple[ConfigKey, ...] = ()
    ids: tuple[IdSpace, ...] = ()
    drills: tuple[Any, ...] = ()
    summary: Summary | None = None
    counters: Mapping[str, str] = field(default_factory=dict)
    hit_rates: tuple[HitRate, ...] = ()
    panels: tuple[str, ...] = ()
    sources: Mapping[str, tuple[Source, ...]] = field(default_factory=dict)
    views: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    kinds: tuple[str, ...] = ()
    ref_prefixes: tuple[str, ...] = ()


MECHANISMS: dict[str, Mechanism] = {}

CORE_PACKAGES = frozenset({"quiz", "trace", "scenarios"})
"""Packages of `model/` that are core, not mechanisms: `ensure_loaded` does not import them."""

_loaded = False
_sources: dict[str, tuple[Source, ...]] | None = None


def register(mechanism: Mechanism) -> Mechanism:
    """Register a mechanism (once, from its package's `__init__`); its config keys must be new names."""
    if mechanism.name in MECHANISMS:
        raise RuntimeError(f"mechanism {mechanism.name!r} registered twice")
    known = {key.name for other in MECHANISMS.values() for key in other.config}
    for key in mechanism.config:
        if key.name in known:
            raise RuntimeError(f"config key {key.name!r} registered twice")
        known.add(key.name)
    MECHANISMS[mechanism.name] = mechanism
    global _sources
    _sources = None
    return mechanism


def unregister(name: str) -> None:
    """Forget a mechanism (for tests that register one of their own)."""
    del MECHANISMS[name]
    global _sources
    _sources = None


@contextmanager
def registered(mechanism: Mechanism) -> Iterator[Mechanism]:
    """Register `mechanism` for the duration of a `with` block (a test's own toy mechanism)."""
    ensure_loaded()
    register(mechanism)
    try:
        yield mechanism
    finally:
        unregister(mechanism.name)


def ensure_loaded() -> None:
    """Import the core verbs and every mechanism package under `model/`, which register themselves."""
    global _loaded
    if _loaded:
        return
    _loaded = True  # first: a mechanism's import may parse commands, which calls back here
    importlib.import_module("model.verbs")
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.ispkg and module.name not in CORE_PACKAGES:
            importlib.import_module(f"model.{module.name}")


def mechanisms() -> list[Mechanism]:
    """Every registered mechanism, in order."""
    ensure_loaded()
    return sorted(MECHANISMS.values(), key=lambda m: (m.order, m.name))


def mechanism(name: str) -> Mechanism | None:
    """The mechanism registered as `name`, if any."""
    ensure_loaded()
    return MECHANISMS.get(name)


def config_keys() -> dict[str, ConfigKey]:
    """Every `[config]` key by name, in mechanism order."""
    return {key.name: key for m in mechanisms() for key in m.config}


def resolve_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a `[config]` table and fill defaults; ValueError names the bad key and what is expected."""
    keys = config_keys()
    for key in raw:
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(keys))}"
            raise ValueError(f"unknown config key {key!r} ({hint})")
    resolved: dict[str, Any] = {}
    for name, key in keys.items():
        if name in raw:
            try:
                resolved[name] = key.validate(raw[name])
            except (ValueError, TypeError) as exc:
                raise ValueError(f"config key {name!r}: {exc}") from None
        else:
            resolved[name] = key.default
    return resolved


def live_ids(parts: Mapping[str, Any]) -> Iterator[str]:
    """Every id that exists now, through each mechanism's id spaces (`parts`: the System's parts by name)."""
    for spec in mechanisms():
        part = parts.get(spec.name)
        if part is not None:
            for space in spec.ids:
                yield from space.live(part)


def id_examples() -> str:
    """One example id per registered id space, e.g. "vp7, mnt7, nc7, pid 7": for error hints."""
    return ", ".join(space.example or f"{space.prefix}7" for spec in mechanisms() for space in spec.ids)


def counter_definition(part: str, name: str) -> str:
    """The definition `part`'s mechanism gives its counter `name`, or an empty string."""
    spec = mechanism(part)
    return spec.counters.get(name, "") if spec is not None else ""


def hit_rates() -> list[HitRate]:
    """Every cache with a plotted hit rate, in mechanism order."""
    return [rate for spec in mechanisms() for rate in spec.hit_rates]


def phrases() -> tuple[dict[str, Phrase], frozenset[str]]:
    """Every mechanism's summary phrases by event kind, and the union of their result kinds."""
    table: dict[str, Phrase] = {}
    results: set[str] = set()
    for spec in mechanisms():
        if spec.summary is not None:
            table.update(spec.summary.phrases)
            results |= spec.summary.results
    return table, frozenset(results)


def sources() -> dict[str, tuple[Source, ...]]:
    """Every mechanism's sources by func (a func two mechanisms name keeps both's, in mechanism order)."""
    global _sources
    if _sources is None:
        table: dict[str, tuple[Source, ...]] = {}
        for spec in mechanisms():
            for func, found in spec.sources.items():
                table[func] = table.get(func, ()) + tuple(found)
        _sources = table
    return _sources


def source_of(event: Event, config: Mapping[str, Any] | None = None) -> Source | None:
    """The source of the kernel function `event` names, in the mode the event's data or `config` says."""
    if not event.func:
        return None
    candidates = sources().get(event.func, ())
    settings = config or {}
    data = event.data if isinstance(event.data, Mapping) else {}
    return next((source for source in candidates if source.applies(data, settings)), None)


def drills() -> list[Any]:
    """Every mechanism's quiz drills, in mechanism order."""
    return [drill for spec in mechanisms() for drill in spec.drills]


CORE_KINDS = ("say", "stats", "state", "error")
"""The kinds of the core verbs' events (`model.verbs`) and of a refused op (`model.events.error`)."""


def event_kinds() -> list[str]:
    """Every event kind the model declares: the core's, then each mechanism's, in mechanism order."""
    return list(dict.fromkeys([*CORE_KINDS, *(kind for spec in mechanisms() for kind in spec.kinds)]))


def ref_prefixes() -> list[str]:
    """Every prefix of an id or name the model's events can give in `refs`: the id spaces' prefixes
    (``vp``, ``pid ``, ``D set ``), then the other names the mechanisms declare (``nchash ``)."""
    spaces = [space.prefix for spec in mechanisms() for space in spec.ids]
    return list(dict.fromkeys([*spaces, *(prefix for spec in mechanisms() for prefix in spec.ref_prefixes)]))


# -- validators for config keys ----------------------------------------------------------------------


def positive_int(value: Any) -> int:
    """Validator: an integer > 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"expected a whole number > 0, got {value!r}")
    return value


def power_of_two(value: Any) -> int:
    """Validator: a power of two (hash table sizes, cache sets, line sizes)."""
    value = positive_int(value)
    if value & (value - 1):
        raise ValueError(f"expected a power of two, got {value}")
    return value


def at_most(limit: int, validate: Callable[[Any], int] = positive_int) -> Callable[[Any], int]:
    """Validator factory: `validate`, and no more than `limit` (for tables the model allocates up front)."""

    def check(value: Any) -> int:
        value = validate(value)
        if value > limit:
            raise ValueError(f"expected at most {limit}, got {value}")
        return value

    return check


def one_of(*choices: str) -> Callable[[Any], str]:
    """Validator factory: a string out of `choices`."""

    def validate(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    return validate


def boolean(value: Any) -> bool:
    """Validator: true or false."""
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value
