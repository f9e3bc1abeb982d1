"""Exercise checks: each lesson has a module here whose functions answer back when run.

A check is a list of (condition, hint) pairs; the first failing one is shown as the hint, and a
pass prints what the learner got right. Checks never raise on a wrong answer: they teach.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

PASS = "✅ Correct!"
NOT_YET = "❌ Not yet:"


def verdict(checks: Iterable[tuple[Callable[[], bool] | bool, str]], success: str) -> bool:
    """Print the first hint whose condition fails, or the success message; return whether all passed.

    Conditions may be callables, so later checks can assume earlier ones passed.
    """
    for condition, hint in checks:
        try:
            ok = condition() if callable(condition) else condition
        except Exception as err:  # a half-finished answer should get a hint, not a traceback
            ok, hint = False, f"{hint} (checking it raised {type(err).__name__}: {err})"
        if not ok:
            print(NOT_YET, hint)
            return False
    print(PASS, success)
    return True
