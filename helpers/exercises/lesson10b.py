"""Checks for lesson 10b, streaming with the Responses API."""
from collections.abc import Callable, Iterator
from typing import Any

from openai.types.responses import ResponseStreamEvent, ResponseUsage

from . import Hints, Verdict, verdict

__all__ = ["check_delta_text", "check_completed_usage"]

_PIECES = ["Boats ", "rock ", "on ", "the ", "tide."]


def sample_events() -> list[ResponseStreamEvent]:
    """The events of a short stream from a reasoning model: a reasoning item, then a message."""
    from pydantic import TypeAdapter

    reasoning = {"id": "rs_exercise", "type": "reasoning", "summary": []}
    message = {"id": "msg_exercise", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    part = {"type": "output_text", "text": "", "annotations": []}
    where = {"item_id": "msg_exercise", "output_index": 1, "content_index": 0}
    raw = [{"type": "response.output_item.added", "output_index": 0, "item": reasoning},
           {"type": "response.output_item.done", "output_index": 0, "item": reasoning},
           {"type": "response.output_item.added", "output_index": 1, "item": message},
           {"type": "response.content_part.added", **where, "part": part}]
    raw += [{"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []} for piece in _PIECES]
    raw += [{"type": "response.output_text.done", **where, "text": "".join(_PIECES), "logprobs": []}]
    adapter = TypeAdapter(ResponseStreamEvent)
    return [adapter.validate_python({**event, "sequence_number": n}) for n, event in enumerate(raw)]


def check_delta_text(answer_text: Callable[[Iterator[ResponseStreamEvent]], object]) -> Verdict:
    """Exercise 1: a function that joins the text deltas of a stream's events, skipping the others."""
    events = sample_events()
    return verdict([
        (callable(answer_text), "`answer_text` should be a function that takes the events."),
        (lambda: isinstance(answer_text(iter(events)), str), "Return a string: `\"\".join(parts)`."),
        (lambda: answer_text(iter(events)) != "",
         Hints("The text came back empty: loop over the events and look at what kind each one is.",
               "A piece of text comes in an event whose `type` is `\"response.output_text.delta\"`, in its `delta`.",
               "`if event.type == \"response.output_text.delta\": parts.append(event.delta)`")),
        (lambda: answer_text(iter(events)) == "".join(_PIECES),
         "Keep only the `response.output_text.delta` events: the `done` event repeats the whole text."),
    ], "Your function keeps the text deltas and leaves every other event alone.")


def check_completed_usage(usage: Any) -> Verdict:
    """Exercise 2: the usage the `response.completed` event carries."""
    complete = isinstance(usage, ResponseUsage)
    return verdict([
        (usage is not None, Hints("`usage` is still None: the last event of the stream brings the finished "
                                  "response, usage and all.",
                                  "Add a branch for `event.type == \"response.completed\"`.",
                                  "In that branch: `usage = event.response.usage`.")),
        (complete, f"`usage` should be the response's `usage` (a ResponseUsage), not a {type(usage).__name__}."),
        (lambda: usage.output_tokens > 0 and usage.total_tokens == usage.input_tokens + usage.output_tokens,
         "That usage looks incomplete: keep the `usage` of the completed response."),
    ], f"{usage.input_tokens} tokens in, {usage.output_tokens} out, all in the last event."
       if complete else "")
