"""Scenario files (TOML): title, about, [config] and [[step]] tables with `do` and `say`.

Loading validates everything up front (unknown keys, bad commands, bad config values) and reports the
file, the step number and what was expected, so a teacher finds a typo before class, not during it.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from model.errors import CommandError, ScenarioError
from model.ops import Op, make, parse, to_text
from model.overrides import OverrideError, Side, sides_of_table
from model.parts import resolve_config
from model.step_reader import LaterSteps, RawStep, StepReader, scan, scan_first
from model.timeline import Step, Timeline
from model.toml_header import loads_header
from model.views import check_view

TOP_KEYS = ("title", "about", "config", "step", "compare")
STEP_KEYS = ("do", "say", "panel")
BUILTIN_PACKAGE = "model.scenarios"
DEFAULT_SCENARIO = "tour"


@dataclass(slots=True)
class Scenario:
    """A loaded, validated scenario."""

    title: str
    about: str
    config: dict[str, Any]
    steps: list[Step]
    source: str
    raw_config: dict[str, Any] = field(default_factory=dict)
    compare: list[Side] = field(default_factory=list)
    """The sides of its `[compare]` table (model/overrides.py); empty for a scenario that compares nothing."""

    def timeline(self, **options: Any) -> Timeline:
        """A fresh Timeline at position 0 over this scenario's steps."""
        return Timeline(self.steps, self.raw_config, **options)


def loads(text: str, source: str = "<string>") -> Scenario:
    """Load a scenario from TOML text; `source` names it in errors."""
    opened = _open_fast(text, source, None)
    return opened[0] if opened is not None else _loads_toml(text, source)


def opens(text: str, source: str = "<string>", first: int = 2000) -> tuple[Scenario, StepReader[Step] | None]:
    """The scenario with its first `first` steps built, and a reader that builds the rest on demand.

    The reader is None when the scenario already holds every step (a file of at most `first` steps, or
    one the fast reader does not read: model/step_reader.py). Errors in the header, the [compare] table and
    the first `first` steps are raised here, in the order `loads` raises them; a bad step after those is
    raised by the reader's `read`, with the same message and step number as `loads` gives, and so is an
    error of the whole text (not valid TOML) found only past the first steps, whose lines alone are read
    before this returns (`scan_first`).
    """
    if first < 0:
        raise ValueError(f"first must be >= 0, got {first}")
    opened = _open_fast(text, source, first)
    if opened is None:
        return _loads_toml(text, source), None
    scenario, reader = opened
    return scenario, (None if reader.done else reader)


def _loads_toml(text: str, source: str) -> Scenario:
    """Load by parsing the whole text with tomllib: the reference the fast reader must agree with."""
    return from_dict(_toml(text, source), source)


def _toml(text: str, source: str) -> dict[str, Any]:
    """The whole text parsed by tomllib, or the ScenarioError that says why not."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, f"not valid TOML: {exc}") from None
    except RecursionError:  # tomllib reads nested arrays and inline tables recursively
        raise ScenarioError(source, "not a scenario: arrays or tables nested too deeply") from None


def _open_fast(text: str, source: str, first: int | None) -> tuple[Scenario, StepReader[Step]] | None:
    """The scenario read by model/step_reader.py with its first `first` steps built (None: all), or None
    when the text is not one that reader reads (the caller then parses it all with tomllib)."""
    split = scan(text) if first is None else scan_first(text, first, lambda: _whole_steps(text, source))
    if split is None:
        return None
    try:
        data = loads_header(split.header)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None  # the whole text's parse says what is wrong, and where
    if "step" in data:
        return None  # steps in the header too (`step = ...`, `[[ step ]]`): the whole text's parse decides
    try:
        title, about, config, raw_config = _header(data, source)
        reader = StepReader(split.steps, _StepBuilder(source).many)
        steps = reader.read(reader.total if first is None else first)
        compare = _compare(data, raw_config, source)
    except ScenarioError:
        if isinstance(split.steps, LaterSteps):
            return None  # the rest is unread: the whole text's parse says which error `loads` gives first
        raise
    return Scenario(title, about, config, steps, source, dict(raw_config), compare), reader


def from_dict(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate parsed TOML data into a Scenario."""
    title, about, config, raw_config = _header(data, source)
    build = _StepBuilder(source)
    steps = [_step(raw, build, number) for number, raw in enumerate(_step_tables(data, source), start=1)]
    return Scenario(title, about, config, steps, source, dict(raw_config), _compare(data, raw_config, source))


def _header(data: Mapping[str, Any], source: str) -> tuple[str, str, dict[str, Any], Mapping[str, Any]]:
    """The title, about, resolved config and raw [config] of parsed data, each checked."""
    _reject_unknown(data, TOP_KEYS, source, None, "top-level key")
    title = _string(data, "title", source, None, default=Path(source).stem)
    about = _string(data, "about", source, None, default="")
    raw_config = data.get("config", {})
    if not isinstance(raw_config, Mapping):
        raise ScenarioError(source, "[config] must be a table", hint="e.g. [config] then key = value lines")
    try:
        config = resolve_config(raw_config)
    except ValueError as exc:
        raise ScenarioError(source, f"[config]: {exc}") from None
    return title, about, config, raw_config


def _compare(data: Mapping[str, Any], raw_config: Mapping[str, Any], source: str) -> list[Side]:
    """The `[compare]` table's sides, each checked against the scenario's own `[config]`."""
    if "compare" not in data:
        return []
    try:
        sides = sides_of_table(data["compare"], source)
        for side in sides:
            side.config(raw_config)
    except OverrideError as exc:
        raise ScenarioError(source, str(exc).removeprefix(f"{source}: ")) from None
    return sides


def _step(raw: Any, build: _StepBuilder, number: int) -> Step:
    """One parsed `[[step]]` table, its keys and their types checked, as a Step."""
    return build(_raw_step(raw, build.source, number), number)


def _raw_step(raw: Any, source: str, number: int) -> RawStep:
    """One parsed `[[step]]` table's `do`, `say` and `panel`, its keys and their types checked."""
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, "a step must be a table with 'do' and/or 'say'", step=number)
    _reject_unknown(raw, STEP_KEYS, source, number, "step key")
    say = _string(raw, "say", source, number, default="")
    do = _string(raw, "do", source, number, default="")
    panel = _string(raw, "panel", source, number, default="")
    return do, say, panel


def _whole_steps(text: str, source: str) -> tuple[list[RawStep], ScenarioError | None]:
    """The steps of a text whose later steps the fast reader does not read, by tomllib over the whole text,
    up to the first step `loads` would refuse, and that step's error (`loads`'s words and order: each
    step's keys checked, then the step built). An error of the whole text is raised."""
    tables = _step_tables(_toml(text, source), source)
    build = _StepBuilder(source)
    raws: list[RawStep] = []
    for number, table in enumerate(tables, start=1):
        try:
            raw = _raw_step(table, source, number)
            build(raw, number)
        except ScenarioError as exc:
            return raws, exc
        raws.append(raw)
    return raws, None


def _step_tables(data: Mapping[str, Any], source: str) -> list[Any]:
    """The parsed `[[step]]` tables (each still to be checked)."""
    tables = data.get("step", [])
    if not isinstance(tables, list):
        raise ScenarioError(source, "'step' must be an array of tables", hint="write each step as [[step]]")
    return tables


class _StepBuilder:
    """Builds the Steps of one load from their `do`, `say` and `panel` strings, checking each.

    An Op is frozen and its arguments are immutable values, so a `do` text that many steps repeat
    (`close fd=3`) is parsed once per load and its Op shared; panels already checked are remembered too.
    """

    __slots__ = ("_ops", "_panels", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._ops: dict[str, Op] = {}
        self._panels: set[str] = set()

    def __call__(self, raw: RawStep, number: int) -> Step:
        """The step numbered `number` (from 1) in the file."""
        return self.many([raw], number - 1)[0]

    def many(self, raws: Sequence[RawStep], before: int) -> list[Step]:
        """The steps numbered `before + 1` on, in one loop: the fast reader's hundred thousand steps."""
        ops, panels = self._ops, self._panels
        steps: list[Step] = []
        append = steps.append
        for number, (do, say, panel) in enumerate(raws, start=before + 1):
            if panel and panel not in panels:
                self._check_panel(do, say, panel, number)
            if do:
                op = ops.get(do)
                if op is None:
                    op = self._parse(do, number)
                append(Step(op, say, panel))
            elif say:
                append(Step(make("say", text=say), say, panel))
            else:
                raise self._empty(number)
        return steps

    def _empty(self, number: int) -> ScenarioError:
        return ScenarioError(self.source, "a step needs 'do' (a command) or 'say' (narration)", step=number)

    def _check_panel(self, do: str, say: str, panel: str, number: int) -> None:
        if not do and not say:
            raise self._empty(number)  # the emptiness is reported first, as for a step without a panel
        try:
            check_view(panel)
        except ValueError as exc:
            raise ScenarioError(self.source, f"'panel = {panel}': {exc}", step=number) from None
        self._panels.add(panel)

    def _parse(self, do: str, number: int) -> Op:
        try:
            op = parse(do)
        except CommandError as exc:
            raise ScenarioError(self.source, f"'do = {do}': {exc.message}", step=number, hint=exc.hint) from None
        self._ops[do] = op
        return op


def _string(data: Mapping[str, Any], key: str, source: str, step: int | None, *, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(source, f"{key!r} must be a string, got {type(value).__name__}", step=step)
    return value


def _reject_unknown(data: Mapping[str, Any], known: tuple[str, ...], source: str, step: int | None, what: str) -> None:
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(known)}"
            raise ScenarioError(source, f"unknown {what} {key!r}", step=step, hint=hint)


# -- writing a scenario back ------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest kept as UTF-8."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_value(value: Any) -> str:
    """A config value as TOML: a string, a boolean, a number, an array or an inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
            if not math.isfinite(value)
            else repr(value)
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise ValueError(f"a config value TOML cannot hold: {value!r}")


def dumps(scenario: Scenario) -> str:
    """The scenario as TOML text that `loads` reads back to the same title, about, [config] and steps.

    A narration-only step (a `say` whose text is the step's narration) is written as `say` alone, as a
    teacher writes it; any other step as its op's canonical text (`do`), with its `say` and `panel` when
    they are not empty. The [config] is the one the scenario was written with, not its defaults.
    """
    lines = [f"title = {toml_string(scenario.title)}"]
    if scenario.about:
        lines.append(f"about = {toml_string(scenario.about)}")
    if scenario.raw_config:
        lines += ["", "[config]"]
        lines += [f"{_toml_key(key)} = {toml_value(value)}" for key, value in scenario.raw_config.items()]
    for step in scenario.steps:
        lines += ["", "[[step]]"]
        if step.op.verb != "say" or step.op.get("text") != step.say or not step.say:
            lines.append(f"do = {toml_string(to_text(step.op))}")
        if step.say:
            lines.append(f"say = {toml_string(step.say)}")
        if step.panel:
            lines.append(f"panel = {toml_string(step.panel)}")
    return "\n".join(lines) + "\n"


SCENARIO_MAX = 64 << 20
"""The largest scenario file read (64 MiB, about two million short steps): a bigger one, or a stream that
goes on past it (/dev/zero), is refused before more is read. Importers stop at the same size."""


def load_file(path: str | Path) -> Scenario:
    """Load a scenario file, with clear errors for a missing file, a directory, undecodable bytes or one too big."""
    text, source = _read_text(path)
    return loads(text, source)


def open_file(path: str | Path, first: int = 2000) -> tuple[Scenario, StepReader[Step] | None]:
    """Open a scenario file with its first `first` steps built and a reader for the rest (`opens`), so an
    app can draw a 100,000-step file before its last steps are built."""
    text, source = _read_text(path)
    return opens(text, source, first)


def _read_text(path: str | Path) -> tuple[str, str]:
    """The file's text and its name for errors; a ScenarioError for a file that cannot be read as text."""
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise ScenarioError(source, "is a directory, not a scenario file", hint="give a .toml file")
    try:
        data = _read_capped(path, source)
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError(source, "no such file", hint="'cachescope --list' shows the built-in scenarios") from None
    except OSError as exc:
        raise ScenarioError(source, f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # e.g. a NUL byte in the name, which no file name can hold
        raise ScenarioError(repr(source), "not a usable file name") from None
    try:
        return data.decode("utf-8"), source
    except UnicodeDecodeError:
        raise ScenarioError(source, "not a text file (not UTF-8)") from None


def _read_capped(path: Path, source: str) -> bytes:
    """The file's bytes, at most SCENARIO_MAX; a regular file is sized first, anything else read up to the cap."""
    too_big = ScenarioError(source, "larger than 64 MiB, the most a scenario file may be")
    if path.stat().st_size > SCENARIO_MAX:  # a FIFO or a device says 0 here: the read below is capped
        raise too_big
    with path.open("rb") as f:
        data = f.read(SCENARIO_MAX + 1)
    if len(data) > SCENARIO_MAX:
        raise too_big
    return data


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the package."""
    files = resources.files(BUILTIN_PACKAGE)
    return sorted(f.name[:-5] for f in files.iterdir() if f.name.endswith(".toml"))


def load_builtin(name: str) -> Scenario:
    """Load a built-in scenario by name."""
    if name not in builtin_names():
        close = difflib.get_close_matches(name, builtin_names(), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "'cachescope --list' shows them"
        raise ScenarioError(name, "no built-in scenario of that name", hint=hint)
    text = resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return loads(text, f"{name}.toml")


def is_file_argument(arg: str) -> bool:
    """Whether a command-line argument names a scenario file rather than a built-in scenario."""
    if "/" not in arg and not arg.endswith(".toml") and arg in builtin_names():
        return False
    return Path(arg).exists() or "/" in arg or arg.endswith(".toml")


def resolve(arg: str | None) -> Scenario:
    """A scenario from a command-line argument: a built-in name, a path, or None for the default."""
    if arg is None:
        return load_builtin(DEFAULT_SCENARIO)
    return load_file(arg) if is_file_argument(arg) else load_builtin(arg)
