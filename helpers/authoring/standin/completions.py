"""POST /v1/completions, the legacy endpoint (the catalogue refuses its shut-down models first)."""
from __future__ import annotations

from helpers.tokens import count_text

from .call import Call, _choice_count
from helpers.endpoints import CHAT
from .text import _joined, limit
from .wire import Answer, json_answer

LEGACY_DEFAULT_MAX_TOKENS = 16  # the legacy completions endpoint stops at 16 tokens unless told otherwise


def answer(call: Call) -> Answer:
    body, model = call.body, call.model
    prompts = body.get("prompt") if isinstance(body.get("prompt"), list) else [body.get("prompt") or ""]
    n = _choice_count(CHAT, body)
    choices = []
    for index in range(len(prompts) * n):
        text = call.entry(index).get("content")
        text = " and that is a placeholder continuation from the stand-in server." if text is None else text
        text, finish = limit(text, model, body.get("stop"), body.get("max_tokens", LEGACY_DEFAULT_MAX_TOKENS))
        choices.append({"text": text, "index": index, "logprobs": None, "finish_reason": finish})
    prompt = sum(count_text(_joined(p), model) for p in prompts)
    used = sum(count_text(c["text"], model) for c in choices)
    return json_answer({
        "id": "cmpl-" + call.seed.alnum("id", 29), "object": "text_completion", "created": call.seed.created,
        "model": model, "choices": choices,
        "usage": {"prompt_tokens": prompt, "completion_tokens": used, "total_tokens": prompt + used},
    }, tokens=prompt + used)
