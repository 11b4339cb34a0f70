"""Panels: one widget per model view. A subsystem panel is added by listing its class here."""

from viz.panels._base import StepView, SubsystemPanel
from viz.panels._cpucache import CpuCachePanel
from viz.panels._event_log import EventLog
from viz.panels._namecache import NameCachePanel
from viz.panels._narration import Narration
from viz.panels._pagecache import PageCachePanel
from viz.panels._proctree import ProcPanel
from viz.panels._vnodes import VnodePanel

SUBSYSTEM_PANELS: list[type] = [NameCachePanel, VnodePanel, PageCachePanel, ProcPanel, CpuCachePanel]
"""Subsystem panel classes (Widget + SubsystemPanel), shown as tabs in this order."""

__all__ = ["SUBSYSTEM_PANELS", "EventLog", "Narration", "StepView", "SubsystemPanel"]
