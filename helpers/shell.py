"""The IPython shell a lesson runs in, for the kit's display and event hooks."""
from __future__ import annotations

from typing import Any


def running_shell() -> Any:
    """The running IPython shell, or None in plain Python, where the hooks then do nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
