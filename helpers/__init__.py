"""The kit's helpers: modes and recordings, tokens and cost, widgets and exercise checks."""
from .modes import setup

__all__ = ["setup"]
