"""Exercise checks: each lesson has a module here whose functions answer back when run.

A check is a list of (condition, hint) pairs; the first failing one is shown as the hint, and a
pass prints what the learner got right. Checks never raise on a wrong answer: they teach.
"""
from __future__ import annotations

from collections.abc import Iterable

PASS = "✅ Correct!"
NOT_YET = "❌ Not yet:"


class Verdict:
    """Whether a check passed. True or false like a bool, but shows nothing as a cell's result:
    the printed hint or praise is the feedback."""

    def __init__(self, passed: bool) -> None:
        self.passed = passed

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other) -> bool:
        return self.passed == bool(other)

    __hash__ = None  # type: ignore[assignment]  # equal to a bool, so not hashable like one

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:
        pass


# A condition is a value whose truth counts, or a callable giving one (so later checks can assume earlier ones).
Check = tuple[object, str]


def verdict(checks: Iterable[Check], success: str) -> Verdict:
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
            return Verdict(False)
    print(PASS, success)
    return Verdict(True)
