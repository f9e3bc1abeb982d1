"""Checks for lesson 17, async and concurrency."""
import math
from collections.abc import Callable

from . import Hints, Verdict, verdict

__all__ = ["check_seconds"]

# Reset times as the x-ratelimit-reset-* headers and 429 messages write them (helpers/authoring/standin/ratelimits.py
# names the captures), with the seconds each means.
RESETS = {"120ms": 0.12, "1.5s": 1.5, "6m0s": 360.0, "17ms": 0.017, "9.816s": 9.816, "7m12s": 432.0, "0s": 0.0}


def _right(seconds: Callable[[str], object], reset: str) -> bool:
    value = seconds(reset)
    return isinstance(value, int | float) and math.isclose(value, RESETS[reset], abs_tol=1e-9)


def check_seconds(seconds: Callable[[str], object]) -> Verdict:
    """Exercise 1: a reset time such as "6m0s" turned into seconds."""
    return verdict([
        (callable(seconds), "`seconds` should be a function: `def seconds(reset): ...`."),
        (lambda: _right(seconds, "1.5s"), Hints(
            'Start with seconds alone: `"1.5s"` is `float("1.5")`.',
            'Find each number and its unit with `re.findall(r"([\\d.]+)(ms|h|m|s)", reset)`.')),
        (lambda: _right(seconds, "120ms") and _right(seconds, "17ms"), Hints(
            '`"120ms"` is milliseconds: a thousandth of a second each, so 0.12 s.',
            'Look for `ms` before `m` and `s`, or `"120ms"` reads as 120 minutes: '
            '`re.findall(r"([\\d.]+)(ms|h|m|s)", reset)`.')),
        (lambda: _right(seconds, "6m0s") and _right(seconds, "7m12s"), Hints(
            '`"7m12s"` has two parts, minutes and seconds: add them up.',
            'Sum each number times its unit: '
            '`sum(float(n) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[u] for n, u in re.findall(...))`.')),
        (lambda: all(_right(seconds, reset) for reset in RESETS), "Check `\"0s\"` and `\"9.816s\"` too."),
    ], "Your function reads every reset time the headers write; `await asyncio.sleep(seconds(...))` waits it out.")
