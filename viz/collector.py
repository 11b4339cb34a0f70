"""When Python's cyclic garbage collector runs while cachescope builds a lot that it keeps.

A far jump, a prefetch, reading a big file and an import all make hundreds of thousands of objects that
stay alive. The collector's passes over them find nothing to free, and its full passes walk everything
alive: with it on, the model applies a real trace's steps at 32 µs each instead of 18 (figure 13b
against 13). This module holds the collector back around the app's chunks of such work and keeps what they made
out of later passes. (An import keeps mostly strings and tuples of them, which the collector does not
track: pausing it there gained 1-2%, so the command line does not.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collections while the block runs (its new objects are kept, so a pass would free nothing);
    the collector is on again after it, as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def keep_out_of_collections() -> None:
    """After a chunk of a long jump, prefetch or read: move every object alive now (events, nodes,
    states: millions on a real trace) out of the collector's full passes, which otherwise walk them all:
    half a second that lands on whatever key comes next. They are still freed by reference counting."""
    gc.freeze()


def back_into_collections() -> None:
    """Before a long jump, when the timeline let a state or a branch go since the last time (its
    `let_go`, full of reference cycles): let the collector see the frozen objects again and reclaim
    those cycles in one full pass now, since the jump's chunks run with the collector paused and
    freeze what they leave."""
    gc.unfreeze()
    gc.collect()
