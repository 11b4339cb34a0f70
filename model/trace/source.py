"""Reading an input file line by line, with a progress callback, so a trace of any size streams."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

Progress = Callable[[int, int], None]
"""Called as progress(bytes_done, bytes_total) every few thousand lines and once at the end."""

EVERY = 8192


def lines_of(path: str, progress: Progress | None = None) -> Iterator[str]:
    """The lines of `path`, decoded as UTF-8 (bytes that are not kept as surrogates, never an error)."""
    total = os.path.getsize(path)
    done = 0
    with open(path, "rb") as f:
        for count, raw in enumerate(f, start=1):
            done += len(raw)
            if progress is not None and count % EVERY == 0:
                progress(done, total)
            yield raw.decode("utf-8", "surrogateescape")
    if progress is not None:
        progress(done, total)
