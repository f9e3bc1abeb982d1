"""What an answer costs in tokens: its prompt (messages, tools, schema, images), what of it the prompt cache
holds, and the reasoning before the answer."""
from __future__ import annotations

import hashlib
import json
import threading

from helpers import models, refusals
from helpers.tokens import CACHE_MIN_TOKENS, CACHE_STEP, _reply_primer, count_messages, count_schema, count_tools

REASONING_TOKENS = {"none": 0, "minimal": 8, "low": 24, "medium": 76, "high": 192, "xhigh": 448, "max": 960}


def _format_schema(fmt) -> dict | None:
    """The JSON schema of a structured-output format, in the Chat (nested) or Responses (flat) shape."""
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return None
    return fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")


def prompt_tokens(body: dict, messages: list, schema: dict | None) -> int:
    """Input tokens as the API counts them: the messages, the function definitions and the output schema."""
    model = str(body.get("model") or "")
    return count_messages(messages, model) + count_tools(body.get("tools"), model) + count_schema(schema, model)


def reasoning_tokens(path: str, body: dict, most=None) -> int:
    """The reasoning tokens an answer spends (REASONING_TOKENS), never more than the request's limit."""
    effort = refusals.reasoning_effort_used(path, body)
    spent = REASONING_TOKENS.get(effort, 0) if effort else 0
    return spent if most is None else min(spent, int(most))


# --- prompt caching ----------------------------------------------------------------------------------
# OpenAI's prompt caching guide, quoted in affaan-m/ECC#3173 and tleyden/arty#146: a prefix is cached from
# 1,024 tokens. GPT-5.6 and later families cache at breakpoints, by default an implicit one at the latest
# user or tool message; a request writes its prefix up to that breakpoint (`cache_write_tokens`) and reads
# the longest prefix an earlier request wrote (`cached_tokens`). Captures: BerriAI/litellm#37628 (gpt-5.6
# chat: the first call writes 7,537 of 7,540 tokens, later calls read the shared prefix and write the rest),
# valkompass-ai/valkompass-ai#16 (gpt-5.6-luna: the second turn reads 8,532 of the first turn's 8,535). A
# content part's `prompt_cache_breakpoint` marks another breakpoint, and `prompt_cache_options.mode` "explicit"
# drops the implicit one (the guide, quoted in iii-hq/workers#1202; both in the spec's schemas). The guide: "it
# does not automatically fall back to the longest matching unmarked prefix before that breakpoint", so a prefix
# is read only where an earlier request wrote it.
# ax-llm/ax#573 reports an append-only conversation that read only its system message on every turn;
# the two captures above, which read the previous turn, are followed. Earlier models cache automatically,
# with no write fee, in 128-token steps from 1,024 (docs.apiyi.com's copy of the guide; 64bit/async-openai#272
# shows 1,920 cached of 2,006).
BREAKPOINT_FAMILIES = ("gpt-5.6", "gpt-6")
BREAKPOINT_ROLES = ("user", "tool")


class PromptCache:
    """The prefixes earlier requests to one server wrote, so a build's later requests read them."""

    def __init__(self):
        self._written: dict[tuple, int] = {}  # (path, model, digest of the prefix) -> its tokens
        self._lock = threading.Lock()

    def use(self, path: str, body: dict, messages: list, schema: dict | None) -> tuple[int, int]:
        """(cached_tokens, cache_write_tokens) for a request, and remember what it writes."""
        model = str(body.get("model") or "")
        entry = models.model(model)
        # What comes before the messages (tool definitions, the output schema) is the first part of the prefix.
        head = count_tools(body.get("tools"), model) + count_schema(schema, model)
        digest = hashlib.sha256(json.dumps([body.get("tools"), schema], sort_keys=True).encode())
        keys, sizes = [], []
        for n, message in enumerate(messages):
            digest.update(json.dumps(_rendered(message), sort_keys=True).encode())
            keys.append((path, model, digest.hexdigest()))
            sizes.append(head + count_messages(messages[:n + 1], model) - _reply_primer(model))
        with self._lock:
            if entry is not None and entry.family in BREAKPOINT_FAMILIES:
                return self._at_breakpoints(body, messages, keys, sizes)
            return self._automatic(keys, sizes)

    def _at_breakpoints(self, body: dict, messages: list, keys: list, sizes: list) -> tuple[int, int]:
        """GPT-5.6 and later: read the longest prefix written at one of this request's breakpoints, and write
        the others (from the minimum on)."""
        marks = [n for n, message in enumerate(messages) if _marked(message)]
        implicit = (body.get("prompt_cache_options") or {}).get("mode") != "explicit"
        ends = [n for n, message in enumerate(messages) if message.get("role") in BREAKPOINT_ROLES]
        points = sorted(set(marks + (ends[-1:] if implicit else [])))
        reach = points[-1] + 1 if points else 0  # a prefix an earlier request wrote, up to the last breakpoint
        cached = max((self._written[keys[n]] for n in range(reach) if keys[n] in self._written), default=0)
        new = [n for n in points if keys[n] not in self._written and sizes[n] >= CACHE_MIN_TOKENS]
        for n in new:
            self._written[keys[n]] = sizes[n]
        return cached, max((sizes[n] - cached for n in new), default=0)

    def _automatic(self, keys: list, sizes: list) -> tuple[int, int]:
        """Earlier models: any prefix an earlier request sent, in 128-token steps; writing is free."""
        cached = max((self._written[key] for key in keys if key in self._written), default=0)
        for key, size in zip(keys, sizes, strict=True):
            if size >= CACHE_MIN_TOKENS:
                self._written.setdefault(key, CACHE_MIN_TOKENS + (size - CACHE_MIN_TOKENS) // CACHE_STEP * CACHE_STEP)
        return cached, 0


def _rendered(message: dict) -> list:
    """What of a message the model reads: a breakpoint mark, or text given as one part rather than a string,
    does not change the prefix."""
    content = message.get("content")
    parts = content if isinstance(content, list) else [{"text": content or ""}]
    kept = [{k: v for k, v in part.items() if k not in ("prompt_cache_breakpoint", "type")}
            for part in parts if isinstance(part, dict)]
    return [message.get("role"), message.get("name"), message.get("tool_calls"), kept]


def _marked(message: dict) -> bool:
    """A message with an explicit cache breakpoint on one of its content parts."""
    content = message.get("content")
    return isinstance(content, list) and any(isinstance(part, dict) and part.get("prompt_cache_breakpoint")
                                             for part in content)
