"""Command modules: importing this package imports each module in it, and each registers its verbs
(and its subsystem) with `model.ops.command` and `model.parts.register_part`."""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
