"""Panels: one widget per model view. A mechanism names the panels that draw it in its spec
(``"viz.panels:NameCachePanel"``); `mechanism_panels` resolves them, so adding one edits no list here."""

import importlib

from model.parts import mechanisms
from viz.panels._base import StepView, SubsystemPanel
from viz.panels._cpucache import CpuCachePanel
from viz.panels._event_log import EventLog
from viz.panels._namecache import NameCachePanel
from viz.panels._narration import Narration
from viz.panels._pagecache import PageCachePanel
from viz.panels._proctree import ProcPanel
from viz.panels._source_bar import SourceBar
from viz.panels._vnodes import VnodePanel


def mechanism_panels() -> list[type]:
    """The panel classes (Widget + SubsystemPanel) every registered mechanism names, in mechanism order."""
    panels = []
    for spec in mechanisms():
        for ref in spec.panels:
            module, _, name = ref.partition(":")
            panels.append(getattr(importlib.import_module(module), name))
    return panels


__all__ = [
    "CpuCachePanel",
    "EventLog",
    "NameCachePanel",
    "Narration",
    "PageCachePanel",
    "ProcPanel",
    "SourceBar",
    "StepView",
    "SubsystemPanel",
    "VnodePanel",
    "mechanism_panels",
]
