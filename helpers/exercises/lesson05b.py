"""Checks for lesson 05b, prompt caching."""
import math
from collections.abc import Callable
from typing import Any

from openai.types.chat import ChatCompletion

from .. import models, prices, tokens
from . import Hints, Verdict, verdict

__all__ = ["check_saving", "check_stable_prefix"]

MODEL = models.CHAT


def check_saving(response: ChatCompletion, fourth_saving: Any) -> Verdict:
    """Exercise 1: what caching saved on one call, from its usage and the price list."""
    usage = response.usage
    # The lesson's call went to a model that caches, so its usage counts the tokens read and written.
    assert usage is not None and usage.prompt_tokens_details is not None
    read, written = usage.prompt_tokens_details.cached_tokens, usage.prompt_tokens_details.cache_write_tokens
    assert read is not None and written is not None
    full = prices.cost(MODEL, usage.prompt_tokens, usage.completion_tokens)
    cached = prices.cost(MODEL, usage.prompt_tokens, usage.completion_tokens, cached_tokens=read,
                         cache_write_tokens=written)
    expected = full - cached
    return verdict([
        (isinstance(fourth_saving, (int, float)) and not isinstance(fourth_saving, bool),
         "`fourth_saving` should be a number of dollars."),
        (lambda: fourth_saving > 0, Hints(
            "Price the call twice with `prices.cost`: once with its tokens alone, once also with its cached and "
            "written tokens, and subtract.",
            "The lesson's `call_cost(fourth)` is the second price; the first is "
            "`prices.cost(\"gpt-6-luna\", prompt_tokens, completion_tokens)`.")),
        (lambda: not math.isclose(fourth_saving, full - prices.cost(
            MODEL, usage.prompt_tokens, usage.completion_tokens, cached_tokens=read), rel_tol=1e-9),
         "Count the written tokens too: `cache_write_tokens=` is billed at its own rate."),
        (lambda: math.isclose(fourth_saving, expected, rel_tol=1e-6), "Not quite: no cache minus with the cache."),
    ], f"Caching saved {prices.usd(expected)} of {prices.usd(full)} on that call.")


def check_stable_prefix(build_messages: Callable[[str, str], Any], instructions: str) -> Verdict:
    """Exercise 2: prompts whose first message is the same whatever the question and the date."""
    a = build_messages("Where can I camp?", "Monday 1 June")
    b = build_messages("Can I swim in the lake?", "Tuesday 2 June")
    return verdict([
        (callable(build_messages), "`build_messages` should be a function of the question and the date."),
        (lambda: isinstance(a, list) and a and all(isinstance(m, dict) for m in a), "It should return a list of "
         "messages (dicts with a role and a content)."),
        (lambda: a[0] == b[0], Hints(
            "Call it for two days: the first message still differs. What in it changes from day to day?",
            "Leave the developer message as `instructions` alone, and move the date into the user message.")),
        (lambda: a[0].get("content") == instructions,
         "The first message should be the instructions, unchanged, so that it matches earlier requests."),
        (lambda: tokens.count_messages(a[:1], MODEL) >= tokens.CACHE_MIN_TOKENS,
         "The shared first message is too short to be cached."),
        (lambda: "Monday 1 June" in str(a[1:]) and "Where can I camp?" in str(a[1:]),
         "The date and the question still have to reach the model, after the instructions."),
    ], "Every request now starts with the same long developer message: it can be read from the cache.")
