"""Exercise checks: each lesson has a module here whose functions answer back when run.

A check is a list of (condition, hint) pairs; the first failing one is shown as the hint, and a
pass prints what the learner got right. Checks never raise on a wrong answer: they teach. A hint may
be a ladder (`Hints`), from a nudge to the answer: each run that fails at the same point shows the
next step, so the answer comes only after the learner has tried.
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

    def __eq__(self, other: object) -> bool:
        return self.passed == bool(other)

    __hash__ = None  # type: ignore[assignment]  # equal to a bool, so not hashable like one

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:
        pass


class Hints(tuple):
    """Hints for one point of a check, from a nudge to the answer."""

    def __new__(cls, *steps: str) -> Hints:
        return super().__new__(cls, steps)


AGAIN = "(Run the check again for a further hint.)"
_climbed: dict[Hints, int] = {}  # how many steps of each ladder the learner has seen


def _hint_text(hint: str | Hints) -> str:
    if not isinstance(hint, Hints):
        return hint
    step = _climbed.get(hint, 0)
    _climbed[hint] = step + 1
    return hint[step] + (f" {AGAIN}" if step + 1 < len(hint) else "") if step < len(hint) else hint[-1]


# A condition is a value whose truth counts, or a callable giving one (so later checks can assume earlier ones).
Check = tuple[object, str | Hints]


def verdict(checks: Iterable[Check], success: str) -> Verdict:
    """Print the first hint whose condition fails, or the success message; return whether all passed.

    Conditions may be callables, so later checks can assume earlier ones passed.
    """
    ladders = []
    for condition, hint in checks:
        if isinstance(hint, Hints):
            ladders.append(hint)
        failure = ""
        try:
            ok = condition() if callable(condition) else condition
        except Exception as err:  # a half-finished answer should get a hint, not a traceback
            ok, failure = False, f" (checking it raised {type(err).__name__}: {err})"
        if not ok:
            print(NOT_YET, _hint_text(hint) + failure)
            return Verdict(False)
    for ladder in ladders:  # solved: next time the ladder starts from its first step
        _climbed.pop(ladder, None)
    print(PASS, success)
    return Verdict(True)
