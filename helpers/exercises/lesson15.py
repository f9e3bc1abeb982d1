"""Checks for lesson 15, the Batch API."""
import math
from collections import Counter
from typing import Any

from openai.types import Batch
from openai.types.responses import Response

from .. import models, prices
from . import Hints, Verdict, verdict

__all__ = ["check_line", "check_tally", "check_batch_saving"]

NEW_COMMENT = "Are dogs allowed on the Ridge Trail in April?"


def check_line(line: Any, instructions: str) -> Verdict:
    """Exercise 1: one line of a batch's input file."""
    body = lambda: line.get("body") or {}  # noqa: E731
    return verdict([
        (isinstance(line, dict), "`line` should be a dict, like each of the `lines` above."),
        (lambda: line.get("custom_id") == "comment-5", "Give it the `custom_id` 'comment-5'."),
        (lambda: line.get("method") == "POST" and line.get("url") == "/v1/responses",
         Hints("A line names the HTTP method and the endpoint it calls.",
               "`method` is 'POST' and `url` is '/v1/responses', the batch's endpoint.")),
        (lambda: isinstance(body(), dict) and body().get("model") == models.CHAT,
         f"Its `body` is what you would pass to `client.responses.create`: start with `model` {models.CHAT!r}."),
        (lambda: body().get("instructions") == instructions, "Send the same `instructions` as the other lines."),
        (lambda: body().get("input") == NEW_COMMENT, f"The `input` is the comment: {NEW_COMMENT!r}."),
    ], "One more line for the file; a batch can hold up to 50,000 of them.")


def check_tally(by_id: dict[str, Response], tally: Any) -> Verdict:
    """Exercise 2: how many comments got each label."""
    expected = dict(Counter(answer.output_text.strip().lower() for answer in by_id.values()))
    return verdict([
        (isinstance(tally, dict), "`tally` should be a dict from label to count."),
        (lambda: sum(tally.values()) == len(by_id),
         Hints("Every comment has one label, so the counts add up to the number of results.",
               "Loop over `by_id.values()` and count each `answer.output_text`.")),
        (lambda: tally == expected,
         "Count the labels as the model wrote them (`output_text`, stripped and in lower case)."),
    ], "A batch's results are data: count them, store them, feed them to the next step.")


def check_batch_saving(batch: Batch, saved: Any) -> Verdict:
    """Exercise 3: what a batch saved against the same requests sent one by one."""
    used = batch.usage
    assert used is not None  # a completed batch reports its usage
    normal = prices.cost(models.CHAT, used.input_tokens, used.output_tokens)
    expected = normal - prices.batch_cost(models.CHAT, used.input_tokens, used.output_tokens)
    return verdict([
        (isinstance(saved, int | float) and not isinstance(saved, bool), "`saved` should be a number of dollars."),
        (lambda: saved > 0, "The batch costs less, so the saving is positive: the normal cost minus the batch's."),
        (lambda: math.isclose(saved, expected, rel_tol=1e-9),
         Hints("Price `batch.usage` twice: with `prices.cost` and with `prices.batch_cost`.",
               "Take the difference of the two prices of the same input and output tokens.")),
    ], f"Right: {prices.usd(expected)}, half the normal price.")
