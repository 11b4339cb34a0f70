"""Where the importers put their steps: a spool on disk, written out as an atomic scenario TOML or a Scenario.

Steps go to a temporary file as they are made, so a trace of millions of lines never sits in memory;
`[config]` (which an importer knows only at the end, e.g. the disk tree) is written before the steps.
A `StepSpool` is the `model.trace.steps.StepSink` the CLI hands the parsers.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from json.encoder import encode_basestring as json_string  # json.dumps's own (C) string encoder
from pathlib import Path
from typing import IO, Any

from model.ops import Op, parse, to_text
from model.parts import resolve_config
from model.scenario import SCENARIO_MAX, Scenario
from model.timeline import Step
from model.trace import TraceFormatError
from model.trace.steps import UNCHECKED, ImportedStep, StepList, StepSink
from viz.cli.host.source import size_text


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes, plus DEL, which TOML also wants escaped."""
    return json_string(text).replace("\x7f", "\\u007f")  # json_string: what json.dumps(text, ensure_ascii=False) gives


def toml_value(value: Any) -> str:
    """A TOML value for the config types importers use: str, bool, int, list and inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        if len(value) > 4:
            return "[\n" + "".join(f"    {toml_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


class SpoolFull(TraceFormatError):
    """The steps would make a scenario larger than a scenario file may be (SCENARIO_MAX)."""


STEP_TOML = len('\n[[step]]\ndo = ""\nsay = ""\n') - len('["", "", null]\n')
"""How much longer a step is in the scenario file than in the spool."""


def _json_item(value: str | int | None) -> str:
    """A string, a line number or None as `json.dumps` writes it inside a list."""
    if value is None:
        return "null"
    return json_string(value) if isinstance(value, str) else str(int(value))


PARSE_MEMO = 65_536
"""The most distinct step texts `StepSpool.steps` keeps parsed at once (a few MB), whatever the import's size."""


class StepSpool:
    """An append-only file of steps (one JSON line each) that can be replayed and written out.

    It holds at most what a scenario file may (SCENARIO_MAX): `add` past that raises SpoolFull, so an
    import of an endless or huge input stops at once instead of making a scenario nothing could load.
    """

    def __init__(self, limit: int = SCENARIO_MAX) -> None:
        self._file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self.count = 0
        self.size = 0
        self.limit = limit

    def add(
        self, op: Op, say: str = "", expect: str | None = UNCHECKED, call: str | None = None, line: int | None = None
    ) -> None:
        """Append a step; `expect` is the errno the real system gave (None: success; "?": not compared); `call`
        and `line` name the recorded system call that made it (None: a synthetic step)."""
        step = f"[{json_string(to_text(op))}, {json_string(say)}, {_json_item(expect)}]"  # json.dumps's text
        made_by = "" if call is None else f"{json_string(call)}, {_json_item(line)}"
        size = len(step) if step.isascii() else len(step.encode("utf-8"))
        self._append(f"{step[:-1]}, {made_by}]\n" if made_by else step + "\n", size + 1)

    def extend(self, other: StepSink) -> None:
        """Append every step of `other`, in order."""
        if not isinstance(other, StepSpool):
            for step in other.steps():
                self.add(step.op, step.say, step.expect, step.call, step.line)
            return
        other._file.flush()
        other._file.seek(0)
        for line in other._file:
            text, say, expect, *_ = json.loads(line)
            self._append(line, len(json.dumps([text, say, expect], ensure_ascii=False).encode("utf-8")) + 1)
        other._file.seek(0, os.SEEK_END)

    def _append(self, line: str, size: int) -> None:
        """Write one step's line; `size` is that of its [text, say, expect] part, which the TOML step follows."""
        self.size += size + STEP_TOML
        if self.size > self.limit:
            raise SpoolFull(self._full())
        self._file.write(line)
        self.count += 1

    def _full(self) -> str:
        return (
            f"the scenario would pass {size_text(self.limit)} after {self.count:,} steps, the most a scenario "
            "file may be: import a shorter trace (or part of one)"
        )

    def _records(self) -> Iterator[list[Any]]:
        """[text, say, expect] of each step, then [call, line] for a step a system call made."""
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)
        self._file.seek(0, os.SEEK_END)

    def steps(self) -> Iterator[ImportedStep]:
        """The steps in order, parsed back from their text (so what is checked is what is written). A text
        seen among the last PARSE_MEMO distinct ones is parsed once (ops are values): a trace repeats
        `close fd=3` and its like, and the check read back 117,000 steps in 1.8 s parsing each."""
        parsed: dict[str, Op] = {}
        for text, say, expect, *made_by in self._records():
            op = parsed.get(text)
            if op is None:
                if len(parsed) >= PARSE_MEMO:
                    parsed.clear()
                op = parsed[text] = parse(text)
            yield ImportedStep(op, say, expect, *made_by)

    def write(self, path: str | Path, title: str, about: str, config: Mapping[str, Any]) -> None:
        """Write the scenario TOML atomically: a temporary file in the same directory, then rename."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                out = _Capped(f, self.limit, self._full)
                out.write(f"title = {toml_string(title)}\nabout = {toml_string(about)}\n")
                if config:
                    out.write("\n[config]\n")
                    for key, value in config.items():
                        out.write(f"{key} = {toml_value(value)}\n")
                for text, say, *_ in self._records():
                    step = f"\n[[step]]\ndo = {toml_string(text)}\n"
                    out.write(f"{step}say = {toml_string(say)}\n" if say else step)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> StepSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Capped:
    """A text file that refuses to grow past `limit` bytes (SpoolFull with `why()`)."""

    def __init__(self, file: IO[str], limit: int, why: Callable[[], str]) -> None:
        self.file = file
        self.limit = limit
        self.why = why
        self.size = 0

    def write(self, text: str) -> None:
        self.size += len(text) if text.isascii() else len(text.encode("utf-8"))
        if self.size > self.limit:
            raise SpoolFull(self.why())
        self.file.write(text)


MEMORY_STEPS = 2_000_000
"""The most steps a `StepMemory` keeps: about what a scenario file of SCENARIO_MAX holds."""


class StepMemory(StepList):
    """A sink that keeps the steps as made, for `cachescope FILE.strace`: the app takes the ops themselves,
    with no text written and parsed back (a sixth of a big import, and the parse of every step). It holds
    at most MEMORY_STEPS, as a spool holds at most what a scenario file may."""

    def add(
        self, op: Op, say: str = "", expect: str | None = UNCHECKED, call: str | None = None, line: int | None = None
    ) -> None:
        if len(self.items) >= MEMORY_STEPS:
            raise SpoolFull(f"more than {MEMORY_STEPS:,} steps, the most the app opens: import a shorter trace")
        self.items.append(ImportedStep(op, say, expect, call, line))

    def scenario(self, title: str, about: str, config: Mapping[str, Any], source: str) -> Scenario:
        """The steps as an in-memory Scenario."""
        steps = [Step(s.op, s.say) for s in self.items]
        return Scenario(title, about, resolve_config(config), steps, source, dict(config))
