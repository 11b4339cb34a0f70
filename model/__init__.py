"""cachescope's simulation model: pure, deterministic, and free of any UI import.

Every operation goes in as an `Op` (see `model.ops`) and comes out as a list of `Event`s
(see `model.events`); `model.timeline.Timeline` adds history and time travel on top.
"""

__version__ = "0.1.0"
