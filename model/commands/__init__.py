"""Command modules (until each mechanism has its package): importing this package imports each module in
it, and each registers its verbs with `model.ops.command` and its mechanism with `model.parts.register`."""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
