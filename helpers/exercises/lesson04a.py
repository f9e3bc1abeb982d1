"""Checks for lesson 04a, legacy completions and the models list."""
from typing import Any

import openai
from openai.types import Model

from . import Hints, Verdict, verdict

__all__ = ["check_error_code", "check_ported_messages", "check_retiring_ids"]


def check_error_code(error: openai.APIStatusError, code: object) -> Verdict:
    """Exercise 1: the error code of the API's answer to a shut-down model."""
    return verdict([
        (isinstance(code, str), "`code` should be a string: the error's `.code`, not the whole error."),
        (lambda: code != str(error.status_code), "That is the HTTP status; the error also has a `.code`."),
        (lambda: code == error.code, "Read it from the error object: `refusals[...].code`."),
    ], f"`{error.code}`: the model is gone, so no retry will help. Port the call to chat completions.")


def check_ported_messages(messages: Any, prompt: str) -> Verdict:
    """Exercise 2: a legacy prompt carried over into chat messages."""
    return verdict([
        (isinstance(messages, list) and messages, "`messages` should be a non-empty list of dicts."),
        (lambda: all(isinstance(m, dict) and {"role", "content"} <= set(m) for m in messages),
         "Each message is a dict with a 'role' and a 'content'."),
        (lambda: messages[-1]["role"] == "user", "The prompt becomes the last message, with the role 'user'."),
        (lambda: messages[-1]["content"] == prompt, f"The user message's content should be the prompt: {prompt!r}."),
    ], "`prompt=...` becomes a user message; the rest of the call stays the same.")


def check_retiring_ids(models: list[Model], retiring: Any) -> Verdict:
    """Exercise 3: the sorted ids of the models with an announced shutdown date."""
    expected = sorted(m.id for m in models if m.shutdown_date)
    return verdict([
        (isinstance(retiring, list), "`retiring` should be a list of model ids (strings)."),
        (lambda: all(isinstance(i, str) for i in retiring), "Put the ids (`m.id`) in the list, not the Model objects."),
        (lambda: set(retiring) <= {m.id for m in models}, "Some of those ids are not in `models`."),
        (lambda: set(retiring) == set(expected),
         Hints("Every model in `models` has a `shutdown_date`: look at a few of them.",
               "It is None while no shutdown is announced; keep the models where it is set.",
               "`[m.id for m in models if m.shutdown_date]`")),
        (lambda: retiring == expected, "Right ids; now sort them (`sorted(...)`)."),
    ], f"{len(expected)} models to move away from before they go: {', '.join(expected)}.")
