"""POST /v1/chat/completions: choices, reasoning tokens, usage and the streamed chunks."""
from __future__ import annotations

from helpers import models
from helpers.tokens import count_text

from .call import Call, _choice_count, _fallback_entry, _service_tier
from .usage import _format_schema, prompt_tokens, reasoning_tokens
from helpers.endpoints import CHAT
from .text import _answer_text, _pieces, _tool_calls, check_strict_schemas, limit, logprobs
from .wire import Answer, Seed, _obfuscation, json_answer, sse_answer

PROMPT_DETAILS = {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0}  # as in a GPT-6 capture
COMPLETION_DETAILS = {"audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}


def answer(call: Call) -> Answer:
    body, model = call.body, call.model
    check_strict_schemas(body)
    choices, used, reasoning = [], 0, 0
    for index in range(_choice_count(CHAT, body)):
        choice, tokens, thought = _choice(call, index)
        choices.append(choice)
        used, reasoning = used + tokens + thought, reasoning + thought
    schema = _format_schema(body.get("response_format"))
    prompt = prompt_tokens(body, body.get("messages") or [], schema)
    cached, written = call.cache.use(call.path, body, body.get("messages") or [], schema)
    completion = {
        "id": "chatcmpl-" + call.seed.alnum("id", 29), "object": "chat.completion", "created": call.seed.created,
        "model": model, "choices": choices, "usage": _chat_usage(prompt, used, reasoning, cached, written),
        "service_tier": _service_tier(body), "system_fingerprint": _fingerprint(model),
    }
    if body.get("stream"):
        return sse_answer([(None, c) for c in _chat_chunks(completion, body)], done=True, tokens=prompt + used)
    return json_answer(completion, tokens=prompt + used)


def _choice(call: Call, index: int) -> tuple[dict, int, int]:
    """One choice, the tokens of what it says, and the reasoning tokens spent before it."""
    body, model, seed = call.body, call.model, call.seed
    entry = call.entry(index) or _fallback_entry(call)
    most = body.get("max_completion_tokens", body.get("max_tokens"))
    reasoning = reasoning_tokens(CHAT, body, most)
    message = {"role": "assistant", "content": None, "refusal": None, "annotations": []}
    if "tool_calls" in entry:
        calls = _tool_calls(entry)
        message["content"] = entry.get("content")
        message["tool_calls"] = [{"id": "call_" + seed.alnum(f"call{index}:{n}", 24), "type": "function",
                                  "function": {"name": name, "arguments": arguments}}
                                 for n, (name, arguments) in enumerate(calls)]
        used = sum(count_text(name + arguments, model) for name, arguments in calls)
        used += count_text(message["content"] or "", model)
        # A call forced by naming the tool in tool_choice ends with "stop", as the real API's does
        # (models.FORCED_TOOL).
        finish = "stop" if isinstance(body.get("tool_choice"), dict) else "tool_calls"
    elif "refusal" in entry:
        message["refusal"] = entry["refusal"]
        used, finish = count_text(entry["refusal"], model), "stop"
    else:
        text = _answer_text(entry, body.get("response_format"), call.text)
        # Reasoning comes first and counts against the limit: what is left is for the visible answer.
        text, finish = limit(text, model, body.get("stop"), None if most is None else int(most) - reasoning)
        message["content"], used = text, count_text(text, model)
    chosen = None
    if body.get("logprobs") and message["content"] is not None:
        entries = logprobs(message["content"], model, seed, f"lp{index}", int(body.get("top_logprobs") or 0),
                           entry.get("top_logprobs"))
        chosen = {"content": entries, "refusal": None}
    choice = {"index": index, "message": message, "logprobs": chosen,
              "finish_reason": entry.get("finish_reason", finish)}
    return choice, used, reasoning


def _chat_usage(prompt: int, completion: int, reasoning: int = 0, cached: int = 0, written: int = 0) -> dict:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {**PROMPT_DETAILS, "cached_tokens": cached, "cache_write_tokens": written},
            "completion_tokens_details": {"reasoning_tokens": reasoning, **COMPLETION_DETAILS}}


def _fingerprint(model: str) -> str | None:
    """Stable per model, as the real one is per backend configuration; null where captures show null."""
    entry = models.model(model)
    if entry is not None and not entry.fingerprint:
        return None
    return "fp_" + Seed("fingerprint", model).hex("fp", 10)


def _chat_chunks(completion: dict, body: dict) -> list[dict]:
    """The chat.completion.chunk events that stream `completion`, token by token."""
    with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    head = {k: completion[k] for k in ("id", "object", "created", "model", "service_tier", "system_fingerprint")}
    head["object"] = "chat.completion.chunk"

    padded = (body.get("stream_options") or {}).get("include_obfuscation", True)

    def chunk(number, choices, **extra):
        text = "".join(str((c.get("delta") or {}).get("content") or "") for c in choices)
        pad = {"obfuscation": _obfuscation(text, number)} if padded else {}
        return {**head, "choices": choices, **({"usage": None} if with_usage else {}), **extra, **pad}

    deltas = [{"index": choice["index"], "delta": change, "logprobs": entries, "finish_reason": finish}
              for choice in completion["choices"]
              for change, entries, finish in _choice_deltas(choice, completion["model"])]
    chunks = [chunk(number, [delta]) for number, delta in enumerate(deltas)]
    if with_usage:
        chunks.append(chunk(len(chunks), [], usage=completion["usage"]))
    return chunks


def _choice_deltas(choice: dict, model: str) -> list[tuple[dict, dict | None, str | None]]:
    """(delta, logprobs, finish_reason) for each chunk of one choice: the role, then the text,
    tool calls or refusal piece by piece, then the finish."""
    message = choice["message"]
    deltas = [({"role": "assistant", "content": "" if message["content"] is not None else None, "refusal": None},
               None, None)]
    entries, position = (choice["logprobs"] or {}).get("content"), 0
    for piece, count in _pieces(message["content"] or "", model):
        part = {"content": entries[position:position + count], "refusal": None} if entries is not None else None
        deltas.append(({"content": piece}, part, None))
        position += count
    for n, tool_call in enumerate(message.get("tool_calls") or []):
        function = tool_call["function"]
        deltas.append(({"tool_calls": [{"index": n, "id": tool_call["id"], "type": "function",
                                        "function": {"name": function["name"], "arguments": ""}}]}, None, None))
        deltas += [({"tool_calls": [{"index": n, "function": {"arguments": piece}}]}, None, None)
                   for piece, _ in _pieces(function["arguments"], model)]
    deltas += [({"refusal": piece}, None, None) for piece, _ in _pieces(message["refusal"] or "", model)]
    deltas.append(({}, None, choice["finish_reason"]))
    return deltas
