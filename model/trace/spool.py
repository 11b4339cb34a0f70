"""Where importers put their steps: a spool on disk, written out as an atomic scenario TOML or a Scenario.

Steps go to a temporary file as they are made, so a trace of millions of lines never sits in memory;
`[config]` (which an importer knows only at the end, e.g. the disk tree) is written before the steps.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from model.ops import Op, parse, to_text
from model.parts import resolve_config
from model.scenario import Scenario
from model.timeline import Step

UNCHECKED = "?"
"""Expectation of a step whose result is not compared with the model (a result the model cannot give)."""


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes, plus DEL, which TOML also wants escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


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


@dataclass(frozen=True, slots=True)
class SpooledStep:
    """One step read back from the spool: the op, its narration and what the real system answered."""

    op: Op
    say: str
    expect: str | None


class StepSpool:
    """An append-only file of steps (one JSON line each) that can be replayed and written out."""

    def __init__(self) -> None:
        self._file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self.count = 0

    def add(self, op: Op, say: str = "", expect: str | None = UNCHECKED) -> None:
        """Append a step; `expect` is the errno the real system gave (None: success; "?": not compared)."""
        self._file.write(json.dumps([to_text(op), say, expect], ensure_ascii=False) + "\n")
        self.count += 1

    def _records(self) -> Iterator[tuple[str, str, str | None]]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            text, say, expect = json.loads(line)
            yield text, say, expect
        self._file.seek(0, os.SEEK_END)

    def steps(self) -> Iterator[SpooledStep]:
        """The steps in order, parsed back from their text (so what is checked is what is written)."""
        for text, say, expect in self._records():
            yield SpooledStep(parse(text), say, expect)

    def write(self, path: str | Path, title: str, about: str, config: Mapping[str, Any]) -> None:
        """Write the scenario TOML atomically: a temporary file in the same directory, then rename."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(f"title = {toml_string(title)}\nabout = {toml_string(about)}\n")
                if config:
                    out.write("\n[config]\n")
                    out.writelines(f"{key} = {toml_value(value)}\n" for key, value in config.items())
                for text, say, _ in self._records():
                    out.write(f"\n[[step]]\ndo = {toml_string(text)}\n")
                    if say:
                        out.write(f"say = {toml_string(say)}\n")
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def scenario(self, title: str, about: str, config: Mapping[str, Any], source: str) -> Scenario:
        """The steps as an in-memory Scenario (for opening the app without writing a file)."""
        steps = [Step(s.op, s.say) for s in self.steps()]
        return Scenario(title, about, resolve_config(config), steps, source, dict(config))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> StepSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
