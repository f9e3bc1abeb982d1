"""Checks for lesson 04e, moderation."""
from collections.abc import Callable
from typing import Any

from openai.types import Moderation

from . import Hints, Verdict, verdict

__all__ = ["check_flagged", "check_is_harassment"]

THRESHOLD = 0.4


def check_flagged(messages: list[str], results: list[Moderation], flagged_messages: Any) -> Verdict:
    """Exercise 1: the texts whose moderation result is flagged, in order."""
    expected = [text for text, result in zip(messages, results, strict=True) if result.flagged]
    return verdict([
        (isinstance(flagged_messages, list), "`flagged_messages` should be a list of texts."),
        (lambda: all(isinstance(t, str) for t in flagged_messages),
         "Put the texts in the list, not the results: pair them with `zip(messages, results, strict=True)`."),
        (lambda: set(flagged_messages) == set(expected),
         Hints("Each result says whether the API flagged its text: print one result to find the field.",
               "Keep the texts whose `result.flagged` is True.")),
        (lambda: flagged_messages == expected, "Right texts; keep them in the order of `messages`."),
    ], f"{len(expected)} of {len(messages)} messages are flagged.")


def _expected(result: Moderation) -> bool:
    scores = result.category_scores
    return max(scores.harassment, scores.harassment_threatening) >= THRESHOLD


def check_is_harassment(is_harassment: Callable[[Moderation], object], results: list[Moderation]) -> Verdict:
    """Exercise 2: a stricter rule on two category scores."""
    return verdict([
        (callable(is_harassment), "`is_harassment` should be a function of one moderation result."),
        (lambda: all(isinstance(is_harassment(r), bool) for r in results),
         "`is_harassment(result)` should return True or False."),
        (lambda: all(is_harassment(r) or not _expected(r) for r in results),
         Hints("Some harassing messages get through: which of the `category_scores` are about harassment?",
               "Compare both `category_scores.harassment` and `category_scores.harassment_threatening` "
               "with 0.4 (`>=`).")),
        (lambda: all(_expected(r) or not is_harassment(r) for r in results),
         "Too strict: only a harassment or harassment/threatening score of 0.4 or more counts."),
    ], f"It catches {sum(map(_expected, results))} of the {len(results)} messages.")
