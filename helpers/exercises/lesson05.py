"""Checks for lesson 05, tokens and cost."""
from numbers import Integral, Real
from typing import Any

from openai.types.chat import ChatCompletion

from .. import models, prices, tokens
from . import Hints, Verdict, verdict

__all__ = ["check_token_count", "check_workload_cost", "check_prediction", "check_meter_reading"]

WORKLOAD_MODEL, WORKLOAD_REQUESTS, WORKLOAD_INPUT, WORKLOAD_OUTPUT = models.CHAT_LARGER, 1_000, 1_200, 300


def check_token_count(text: str, count: object) -> Verdict:
    """Exercise 1: the number of o200k_base tokens in a text."""
    expected = tokens.count_text(text)
    return verdict([
        (isinstance(count, Integral) and not isinstance(count, bool), "`count` should be a whole number of tokens."),
        (count != len(text), "That is the number of characters: count tokens with `len(enc.encode(text))`."),
        (count != len(text.split()), "That is the number of words: count tokens with `len(enc.encode(text))`."),
        (count == expected,
         Hints("A model reads token ids, not characters or words: turn the text into ids with an encoding.",
               "gpt-6-luna's encoding is o200k_base: get it from tiktoken and encode the text.",
               "`len(tiktoken.get_encoding(\"o200k_base\").encode(text))`")),
    ], f"{expected} tokens for {len(text)} characters and {len(text.split())} words.")


def check_workload_cost(dollars: Any) -> Verdict:
    """Exercise 2: what the WORKLOAD_* workload costs, from the price per million tokens."""
    one = prices.cost(WORKLOAD_MODEL, WORKLOAD_INPUT, WORKLOAD_OUTPUT)
    expected = one * WORKLOAD_REQUESTS

    def close(value: Any, target: float) -> bool:
        return abs(value - target) <= 1e-9 + 1e-6 * abs(target)

    return verdict([
        (isinstance(dollars, Real) and not isinstance(dollars, bool), "`dollars` should be a number of dollars."),
        (not close(dollars, expected * 1000),
         "That is 1,000 times too much: prices are quoted per million tokens, not per 1,000."),
        (not close(dollars, one), "That is the cost of one request; multiply by the number of requests."),
        (lambda: close(dollars, expected),
         "Multiply each token count by its price per million, divide by 1,000,000, add input and output, "
         "then multiply by the number of requests."),
    ], f"{prices.usd(expected)} for {WORKLOAD_REQUESTS:,} requests on {WORKLOAD_MODEL}.")


def check_prediction(predicted: object, response: ChatCompletion, messages: list[dict]) -> Verdict:
    """Exercise 3: count a messages list before sending it, by the published formula."""
    published = tokens.count_messages(messages)  # 3 per message, 3 for the reply (no model: the published count)
    assert response.usage is not None  # a chat completion reports its usage
    counted = response.usage.prompt_tokens
    return verdict([
        (isinstance(predicted, Integral) and not isinstance(predicted, bool),
         "`predicted` should be a whole number: call your counting function on `messages`."),
        (lambda: predicted == published,
         f"You predicted {predicted}. Count every message's role and content, add 3 per message and 3 for the "
         "reply."),
    ], f"{predicted} prompt tokens by the published count; the API counted {counted}"
       + ("" if counted == published else f" ({published - counted} fewer: {response.model} is a reasoning model, "
                                          "whose reply is primed with one token less)") + ".")


def check_meter_reading(total_tokens: object) -> Verdict:
    """Exercise 4: read gpt-6-luna's tokens in and out so far from the session meter."""
    from ..meter import meter

    table = meter.table()
    row = table.loc[models.CHAT] if models.CHAT in table.index else None
    return verdict([
        (row is not None, "The meter has no gpt-6-luna calls yet: run the lesson's cells above first."),
        (isinstance(total_tokens, Integral) and not isinstance(total_tokens, bool),
         "`total_tokens` should be a whole number."),
        (lambda: row is not None and total_tokens == row["input_tokens"] + row["output_tokens"],
         Hints("The table has a row per model; the gpt-6-luna row holds its tokens in and out.",
               "`table.loc[\"gpt-6-luna\", \"input_tokens\"]` reads one cell; add the output tokens to it.")),
    ], "That is what the session has used on gpt-6-luna so far.")
