"""POST /v1/responses: output items (reasoning, messages, function calls), state and the event stream."""
from __future__ import annotations

import base64
import math
from collections.abc import Sequence

from helpers import models, refusals
from helpers.tokens import count_text

from . import conversations, file_search, files, web_search
from .call import Call, _fallback_entry, _service_tier
from .usage import _format_schema, prompt_tokens, reasoning_tokens
from helpers.endpoints import RESPONSES
from .text import _answer_text, _content_text, _pieces, _response_items, _tool_calls, limit
from .wire import Answer, ApiError, Seed, _compact, _obfuscation, json_answer, sse_answer

def answer(server, call: Call) -> Answer:
    body, model, seed = call.body, call.model, call.seed
    _check_reasoning_items(server, body)
    searched = file_search.search(server, call)  # None without a file_search tool
    entry = call.entry() or _fallback_entry(call)
    rid = "resp_" + seed.hex("id", 48)
    output, said, used, status = [], [], 0, "completed"
    most = body.get("max_output_tokens")
    reasoning = reasoning_tokens(RESPONSES, body, most)
    if reasoning:  # a reasoning model that reasons puts its reasoning item first
        output.append(_reasoning_item(seed, _summary(body, entry)))
        used += reasoning
    output += [searched.item] if searched else []
    search = entry.get("web_search") if web_search.tool(body) else None
    if search:  # the built-in tool ran before the answer was written
        output += web_search.calls(search, body, seed)
    budget = None if most is None else int(most) - reasoning
    if budget is not None and budget <= 0:  # the limit went on reasoning: no message at all
        status, entry = "incomplete", {}
    elif "tool_calls" not in entry or entry.get("content") or "refusal" in entry:  # not tool calls alone
        message, text = _message(call, entry, search, searched, budget)
        status = message["status"]
        output.append(message)
        said.append({"role": "assistant", "content": text})
        used += count_text(text, model)
    calls = _function_calls(entry, seed) if "tool_calls" in entry else []
    output += calls
    said += [{"role": "assistant", "tool_calls": [{"function": {"name": c["name"], "arguments": c["arguments"]}}]}
             for c in calls]
    used += sum(count_text(c["name"] + c["arguments"], model) for c in calls)
    cid, conversation = _remember(server, body, seed, rid, output, said)
    instructions = [{"role": "developer", "content": body["instructions"]}] if body.get("instructions") else []
    schema = _format_schema((body.get("text") or {}).get("format"))
    prompt = prompt_tokens(body, instructions + conversation, schema) + web_search.content_tokens(output)
    prompt += searched.tokens if searched else 0
    prompt += files.input_file_tokens(server, body, call.model)  # PDFs and other input_file parts
    cache = call.cache.use(call.path, body, instructions + conversation, schema)
    response = _response_object(call, rid, output, status, prompt, used, reasoning, cache)
    if cid:
        response["conversation"] = {"id": cid}
    if body.get("stream"):
        return sse_answer(_response_events(response, model), done=False, tokens=prompt + used)
    return json_answer(response, tokens=prompt + used)


def _message(call: Call, entry: dict, search, searched, budget: int | None) -> tuple[dict, str]:
    """The assistant's message item (its text cut to the budget, cited when a tool searched) and its text."""
    status = "completed"
    if "refusal" in entry:
        part, text = {"type": "refusal", "refusal": entry["refusal"]}, entry["refusal"]
    else:
        fmt = (call.body.get("text") or {}).get("format")
        text = _answer_text(entry, fmt, call.text)
        text, annotations = web_search.cite(text, search) if search else (text, [])
        text, finish = limit(text, call.model, max_tokens=budget)
        status = "incomplete" if finish == "length" else status
        if searched:
            annotations = annotations + searched.annotations(text)
        part = {"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}
    return {"type": "message", "id": "msg_" + call.seed.hex("msg", 48), "status": status,
            "role": "assistant", "content": [part], **_phase(call.model)}, text


def _function_calls(entry: dict, seed: Seed) -> list[dict]:
    return [{"type": "function_call", "id": "fc_" + seed.hex(f"fc{n}", 48),
             "call_id": "call_" + seed.alnum(f"call{n}", 24), "name": name, "arguments": arguments,
             "status": "completed"}
            for n, (name, arguments) in enumerate(_tool_calls(entry))]


def _remember(server, body: dict, seed: Seed, rid: str, output: list[dict],
              said: list[dict]) -> tuple[str | None, list]:
    """Keep what a later request may build on (previous_response_id, a conversation, a function call's reasoning
    item); returns the conversation's id (None for none) and the earlier turns plus this input, as messages."""
    cid, thread = conversations.items_of(server, body.get("conversation"))
    with server._lock:
        for before, item in zip(output, output[1:], strict=False):
            if before["type"] == "reasoning" and item["type"] == "function_call":
                server._reasoning_before[item["id"]] = before["id"]
        earlier = _as_messages(thread) if cid else server._conversations.get(body.get("previous_response_id"), [])
        conversation = earlier + _as_messages(_response_items(body))
        server._conversations[rid] = conversation + said
    if cid:  # the conversation keeps this response's input and output items
        conversations.append(server, cid, conversations.input_items(body, seed) + output)
    return cid, conversation


def _check_reasoning_items(server, body: dict) -> None:
    """A reasoning model's function_call item sent back by its id needs the reasoning item that preceded it in
    the same input (helpers.models.FUNCTION_CALL_NEEDS_REASONING); a call sent without an id is not looked up."""
    items = body.get("input") if isinstance(body.get("input"), list) else []
    given = {item.get("id") for item in items if isinstance(item, dict) and item.get("type") == "reasoning"}
    for item in items:
        if isinstance(item, dict) and item.get("type") == "function_call":
            needed = server._reasoning_before.get(item.get("id"))
            if needed and needed not in given:
                raise ApiError(400, f"Item '{item['id']}' of type 'function_call' was provided without its "
                                    f"required 'reasoning' item: '{needed}'.", param="input")


def _as_messages(items: list) -> list[dict]:
    """Responses API input items as the chat messages they are counted as."""
    messages = []
    for item in items:
        kind = item.get("type", "message")
        if kind == "function_call":
            messages.append({"role": "assistant", "tool_calls": [{"function": {
                "name": item.get("name", ""), "arguments": item.get("arguments", "")}}]})
        elif kind == "function_call_output":
            output = item.get("output")
            messages.append({"role": "tool", "content": output if isinstance(output, str) else _compact(output)})
        elif "role" in item:  # content parts stay, so images are counted (helpers.vision)
            content = item.get("content")
            messages.append({"role": item["role"], "content": content if isinstance(content, list)
                             else _content_text(content)})
    return messages


def _summary(body: dict, entry: dict) -> list[str]:
    """The reasoning summary's parts: only when `reasoning.summary` asks for one (leookun/cursor-byok#281:
    without it no summary is streamed), and only what the script says the model summarised."""
    asked = (body.get("reasoning") or {}).get("summary")
    given = entry.get("summary")
    if asked not in ("auto", "concise", "detailed") or not given:
        return []
    return [given] if isinstance(given, str) else list(given)


def _reasoning_item(seed: Seed, summary: Sequence[str] = ()) -> dict:
    """A reasoning item as a GPT-6 capture shows it: no summary unless asked, the reasoning encrypted."""
    opaque = base64.urlsafe_b64encode(b"\x80" + seed.digest("reasoning") * 6).decode()
    return {"id": "rs_" + seed.hex("rs", 48), "type": "reasoning",
            "summary": [{"type": "summary_text", "text": text} for text in summary], "content": [],
            "encrypted_content": "gAAAAA" + opaque}


def _phase(model: str) -> dict:
    """GPT-6 message items say which phase of the answer they are (a streamed capture shows final_answer)."""
    entry = models.model(model)
    return {"phase": "final_answer"} if entry is not None and entry.family == "gpt-6" else {}


def _reasoning_echo(body: dict, model: str) -> dict:
    """The `reasoning` a response echoes: a GPT-6 capture shows context, effort (default medium) and mode."""
    effort = refusals.reasoning_effort_used(RESPONSES, body)
    if effort is None:
        return {"effort": None, "summary": None}
    asked = body.get("reasoning") or {}
    return {"context": "all_turns", "effort": effort, "mode": "standard", "summary": asked.get("summary")}


def _response_object(call: Call, rid: str, output: list, status: str, prompt: int, used: int,
                     reasoning: int = 0, cache: tuple[int, int] = (0, 0)) -> dict:
    body, seed = call.body, call.seed
    tools = [{"description": None, "strict": True, **tool} if tool.get("type") == "function"
             else web_search.echoed(tool) if tool.get("type") in web_search.TOOL_TYPES else tool
             for tool in body.get("tools") or []]
    # billing, frequency_penalty, presence_penalty and prompt_cache_retention: fields captured answers carry
    # that the spec does not list (helpers.models.RESPONSE_FIELDS).
    return {
        "id": rid, "object": "response", "created_at": seed.created, "status": status, "background": False,
        "billing": {"payer": "developer"},
        "completed_at": seed.created + math.ceil(seed.processing_ms / 1000), "error": None,
        "frequency_penalty": 0.0,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "instructions": body.get("instructions"), "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"), "model": call.model, "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True), "presence_penalty": 0.0,
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),  # echoed, like the other request settings
        "prompt_cache_retention": body.get("prompt_cache_retention"),
        "reasoning": _reasoning_echo(body, call.model), "safety_identifier": body.get("safety_identifier"),
        "service_tier": _service_tier(body), "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}, "verbosity": "medium", **(body.get("text") or {})},
        "tool_choice": body.get("tool_choice", "auto"), "tools": tools, "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0), "truncation": "disabled",
        "usage": {"input_tokens": prompt,
                  "input_tokens_details": {"cached_tokens": cache[0], "cache_write_tokens": cache[1]},
                  "output_tokens": used, "output_tokens_details": {"reasoning_tokens": reasoning},
                  "total_tokens": prompt + used},
        "user": body.get("user"), "metadata": body.get("metadata") or {},
    }


def _response_events(response: dict, model: str) -> list[tuple[str, dict]]:
    """The Responses API event sequence that streams `response`."""
    events = []

    def emit(kind, **fields):
        events.append((kind, {"type": kind, "sequence_number": len(events), **fields}))

    pending = {**response, "status": "in_progress", "output": [], "usage": None, "completed_at": None,
               "incomplete_details": None}
    emit("response.created", response=pending)
    emit("response.in_progress", response=pending)
    for index, item in enumerate(response["output"]):
        where = {"item_id": item["id"], "output_index": index}
        if item["type"] == "function_call":
            started = {**item, "arguments": "", "status": "in_progress"}
            emit("response.output_item.added", output_index=index, item=started)
            for piece, _ in _pieces(item["arguments"], model):
                emit("response.function_call_arguments.delta", **where, delta=piece)
            emit("response.function_call_arguments.done", **where, name=item["name"], arguments=item["arguments"])
        elif item["type"] == "file_search_call":
            file_search.stream(emit, index, item)
        elif item["type"] == "web_search_call":  # the spec's three progress events, then the finished item
            emit("response.output_item.added", output_index=index, item={**item, "status": "in_progress"})
            for stage in ("in_progress", "searching", "completed"):
                emit(f"response.web_search_call.{stage}", **where)
        elif item["type"] == "reasoning":  # only a summary streams (opencode#44595 shows the sequence)
            emit("response.output_item.added", output_index=index,
                 item={**item, "summary": [], "encrypted_content": None})
            for number, part in enumerate(item["summary"]):
                at = {**where, "summary_index": number}
                emit("response.reasoning_summary_part.added", **at, part={**part, "text": ""})
                for piece, _ in _pieces(part["text"], model):
                    emit("response.reasoning_summary_text.delta", **at, delta=piece)
                emit("response.reasoning_summary_text.done", **at, text=part["text"])
                emit("response.reasoning_summary_part.done", **at, part=part)
        else:
            started = {**item, "content": [], "status": "in_progress"}
            emit("response.output_item.added", output_index=index, item=started)
            for content_index, part in enumerate(item["content"]):
                key = "text" if part["type"] == "output_text" else "refusal"
                kind, extra = (f"response.{part['type']}", {"logprobs": []} if key == "text" else {})
                emit("response.content_part.added", **where, content_index=content_index, part={**part, key: ""})
                for number, (piece, _) in enumerate(_pieces(part[key], model)):
                    emit(f"{kind}.delta", **where, content_index=content_index, delta=piece, **extra,
                         obfuscation=_obfuscation(piece, number))
                for number, annotation in enumerate(part.get("annotations", [])):
                    emit("response.output_text.annotation.added", **where, content_index=content_index,
                         annotation_index=number, annotation=annotation)
                emit(f"{kind}.done", **where, content_index=content_index, **{key: part[key]}, **extra)
                emit("response.content_part.done", **where, content_index=content_index, part=part)
        emit("response.output_item.done", output_index=index, item=item)
    emit("response.completed" if response["status"] == "completed" else "response.incomplete", response=response)
    return events
