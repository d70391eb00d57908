"""The alerts app writes nothing: its reads are in :mod:`dangvu.alerts.selectors`.

Kept so that ``from dangvu.alerts.services import alerts_for`` (older callers) still works.
"""

from .selectors import GATHERERS, alerts_for

__all__ = ["GATHERERS", "alerts_for"]
