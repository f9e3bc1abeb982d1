"""Checks for lesson 06, streaming."""
from collections.abc import Callable, Iterator
from typing import Any

from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionChunk

from .. import models
from . import Verdict, verdict

__all__ = ["check_collect_text", "check_stream_usage"]

_PIECES = ["Rivers ", "run ", "to ", "the ", "sea."]


def _chunk(choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate({
        "id": "chatcmpl-exercise", "object": "chat.completion.chunk", "created": 1764000000,
        "model": models.CHAT, "choices": choices, "usage": usage,
    })


def sample_stream() -> list[ChatCompletionChunk]:
    """The chunks of a stream with usage on: a role chunk, content, a finish chunk, a usage chunk."""
    deltas = [{"role": "assistant", "content": ""}] + [{"content": piece} for piece in _PIECES] + [{}]
    chunks = [_chunk([{"index": 0, "delta": delta, "finish_reason": "stop" if delta == {} else None}])
              for delta in deltas]
    usage = {"prompt_tokens": 12, "completion_tokens": len(_PIECES), "total_tokens": 12 + len(_PIECES)}
    return chunks + [_chunk([], usage)]


def check_collect_text(collect_text: Callable[[Iterator[ChatCompletionChunk]], object]) -> Verdict:
    """Exercise 1: a function that joins a stream's content pieces, whatever chunks it meets."""
    chunks = sample_stream()
    return verdict([
        (callable(collect_text), "`collect_text` should be a function that takes a stream."),
        (lambda: collect_text(iter(chunks[:-1])) is not None,
         "`collect_text` returns None: end it with `return` and the joined text."),
        (lambda: isinstance(collect_text(iter(chunks[:-1])), str), "Return a string: `\"\".join(parts)`."),
        (lambda: collect_text(iter(chunks[:-1])) == "".join(_PIECES),
         "Join the `chunk.choices[0].delta.content` of every chunk, skipping those that are None."),
        (lambda: collect_text(iter(chunks)) == "".join(_PIECES),
         "With usage on, the last chunk has no choices (`chunk.choices == []`): skip it with `if chunk.choices`."),
    ], "Your function joins the pieces and survives the role, finish and usage chunks.")


def check_stream_usage(usage: Any) -> Verdict:
    """Exercise 2: keep the usage that the last chunk of a stream carries."""
    complete = isinstance(usage, CompletionUsage)
    return verdict([
        (usage is not None, "`usage` is still None. Did you add `stream_options={\"include_usage\": True}`, "
                            "and keep `chunk.usage` when it is not None?"),
        (complete,
         f"`usage` should be the chunk's `usage` (a CompletionUsage), not a {type(usage).__name__}."),
        (lambda: usage.completion_tokens > 0 and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens,
         "That usage looks incomplete: keep the `usage` of the last chunk."),
    ], f"{usage.prompt_tokens} tokens in, {usage.completion_tokens} out: streaming changes when the answer "
       "arrives, not what it costs." if complete else "")
