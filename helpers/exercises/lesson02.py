"""Checks for lesson 02, parameters."""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from numbers import Real
from typing import TYPE_CHECKING, Any, cast

from openai.types.chat import ChatCompletion

from . import Hints, Verdict, verdict

if TYPE_CHECKING:
    from ..widgets.playground import Playground

__all__ = ["check_was_cut_off", "check_first_token_percent", "check_population", "check_playground", "check_accepted",
           "check_answer_tokens"]


def check_was_cut_off(was_cut_off: Callable[[ChatCompletion], object], short: ChatCompletion,
                      full: ChatCompletion) -> Verdict:
    """Exercise 1: tell an answer cut off by max_completion_tokens from a finished one."""
    return verdict([
        (callable(was_cut_off), "`was_cut_off` should be a function that takes a response."),
        (lambda: isinstance(was_cut_off(short), bool), "`was_cut_off(response)` should return True or False."),
        (lambda: was_cut_off(short) is True,
         Hints("`short` was cut off at 12 tokens, so `was_cut_off(short)` should be True. Each choice of a "
               "response says why the model stopped writing.",
               "Look at `response.choices[0].finish_reason`.")),
        (lambda: was_cut_off(full) is False,
         "`full` finished on its own, so `was_cut_off(full)` should be False. "
         "Compare `finish_reason` with \"length\"."),
    ], "finish_reason == \"length\" means the token limit cut the answer off.")


def check_first_token_percent(probs: ChatCompletion, percent: Any) -> Verdict:
    """Exercise 2: the probability of the first token, in percent, from its logprob."""
    logprobs = probs.choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None  # the lesson asked for logprobs=True
    expected = 100 * math.exp(logprobs.content[0].logprob)
    return verdict([
        (isinstance(percent, Real) and not isinstance(percent, bool), "`first_token_percent` should be a number."),
        (lambda: percent > 0, "Start from `probs.choices[0].logprobs.content[0].logprob`."),
        (lambda: not math.isclose(percent, expected / 100, abs_tol=0.001),
         "That is a fraction; multiply by 100 for percent."),
        (lambda: percent <= 100,
         "A probability in percent is at most 100. Did you exponentiate the logprob with `math.exp`?"),
        (lambda: math.isclose(percent, expected, abs_tol=0.1),
         "Turn the logprob into a probability with `math.exp(logprob)`, then multiply by 100."),
    ], f"The model gave its first token a {expected:.1f}% chance.")


def check_population(city_info: ChatCompletion, population: object) -> Verdict:
    """Exercise 3: a value out of a JSON-mode answer."""
    return verdict([
        (population is not None,
         Hints("The answer's text is JSON: parse it into a dict, then take a key.",
               "Parse `city_info.choices[0].message.content` with `json.loads`, then take a key.")),
        (not isinstance(population, str) or not population.lstrip().startswith("{"),
         "That is the whole JSON text. `json.loads` it into a dict, then take `[\"population\"]`."),
        (not isinstance(population, str), "That is text; `json.loads` gives you the number itself."),
        (lambda: population == json.loads(cast(str, city_info.choices[0].message.content))["population"],
         "Take the value of the \"population\" key."),
    ], f"{population:,} people, parsed from JSON." if isinstance(population, int) else "Parsed from JSON.")


def check_playground(playground: Playground) -> Verdict:
    """Exercise 6: the playground's last answer was cut off by max tokens."""
    response = playground.last_response
    return verdict([
        (response is not None,
         "No answer in the playground yet: choose the recorded example with max 12 tokens, then press Send."),
        (lambda: response is not None and response.choices[0].finish_reason == "length",  # asked once there is one
         "The last answer finished on its own; pick the example with max 12 tokens "
         "(or set max tokens to 12 on that prompt) and press Send."),
    ], "finish_reason is 'length': the token limit cut the answer off.")


def check_accepted(settings: Any) -> Verdict:
    """Exercise 4: make a temperature request acceptable to a reasoning model."""
    from .. import endpoints, models, refusals

    refused = refusals.refusal(endpoints.CHAT, settings) if isinstance(settings, dict) else None
    return verdict([
        (isinstance(settings, dict), "`settings` should stay a dict of keyword arguments."),
        (lambda: settings.get("model") == models.CHAT, f"Keep the model {models.CHAT}."),
        (lambda: settings.get("temperature") == 0.2, "Keep temperature 0.2: the point is to make it accepted."),
        (lambda: refused is None,
         f"The API would still answer {refused.status if refused else ''}: "
         f"{refused.message if refused else ''} Which reasoning effort means no reasoning?"),
    ], "Accepted: with reasoning_effort=\"none\" the model does not reason, so it takes temperature.")


def check_answer_tokens(response: ChatCompletion, answer_tokens: object) -> Verdict:
    """Exercise 5: the visible part of completion_tokens."""
    usage = response.usage
    # A reasoning model's usage counts its reasoning tokens.
    assert usage is not None and usage.completion_tokens_details is not None
    reasoning = usage.completion_tokens_details.reasoning_tokens
    assert reasoning is not None
    expected = usage.completion_tokens - reasoning
    return verdict([
        (isinstance(answer_tokens, int) and not isinstance(answer_tokens, bool),
         "`answer_tokens` should be a whole number, from `thinking.usage`."),
        (lambda: answer_tokens != usage.completion_tokens,
         "That is every completion token. Take away `usage.completion_tokens_details.reasoning_tokens`."),
        (lambda: answer_tokens != reasoning, "That is the reasoning; the answer is the rest of `completion_tokens`."),
        (lambda: answer_tokens == expected, "Subtract the reasoning tokens from `usage.completion_tokens`."),
    ], f"{expected} of the {usage.completion_tokens} completion tokens were the answer; "
       f"the other {reasoning} were reasoning, billed all the same.")
