"""Checks for lesson 16, evaluating prompts."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import Hints, Verdict, verdict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check_misses"]


def check_misses(results: pd.DataFrame, misses: Any) -> Verdict:
    """Exercise 1: the careful prompt's rows that were not an exact match."""
    import pandas as pd

    expected = results[(results["prompt"] == "careful") & ~results["exact"].astype(bool)]
    return verdict([
        (isinstance(misses, pd.DataFrame),
         "`misses` should be a DataFrame: rows of `results`, chosen with a condition in `results[...]`."),
        (lambda: set(misses.columns) >= {"prompt", "exact"}, "Keep the columns of `results`: select rows only."),
        (lambda: (misses["prompt"] == "careful").all(),
         Hints("Only the careful prompt's rows: `results[\"prompt\"] == \"careful\"` is a condition.",
               "Combine two conditions with `&`, each in brackets.",
               "`results[(results[\"prompt\"] == \"careful\") & ~results[\"exact\"]]`")),
        (lambda: not misses["exact"].astype(bool).any(),
         Hints("Only rows that were not an exact match: `~results[\"exact\"]` is True where `exact` is False.",
               "`results[(results[\"prompt\"] == \"careful\") & ~results[\"exact\"]]`")),
        (lambda: sorted(misses.index) == sorted(expected.index),
         "Some of the careful prompt's misses are missing: select from the whole of `results`."),
    ], "These are the careful prompt's misses: read each ticket and ask what in the prompt misled the model.")
