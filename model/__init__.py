"""cachescope's simulation model: pure, deterministic, and free of any UI import.

Every operation goes in as an `Op` (see `model.ops`) and comes out as a list of `Event`s
(see `model.events`); `model.timeline.Timeline` adds history and time travel on top. The core sits here
at the top; each kernel mechanism is a package (`model.vfs`, `model.procfs`, `model.cpu`) that registers
itself with `model.parts`. Section numbers in docstrings and comments (§1.4) are those of
docs/kernel-rules.md, the kernel rules the model follows.
"""

__version__ = "0.1.0"
