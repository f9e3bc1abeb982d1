"""POST /v1/conversations and GET /v1/conversations/{id}/items: a conversation that OpenAI keeps.

A response created with `conversation=ID` reads the conversation's items before its input, and
afterwards the conversation holds its input and output items too (the spec: CreateResponse
`conversation`, "Input items and output items from this response are automatically added to this
conversation after this response completes"). Items are listed newest first unless `order=asc`.
"""
from __future__ import annotations

from .call import Call
from .text import _content_text, _response_items
from .wire import ApiError, Seed, json_answer

PREFIX = "/v1/conversations"


def create(server, call: Call):
    """A new conversation, optionally starting with items."""
    cid = "conv_" + call.seed.hex("conv", 48)
    items = [stored(item, call.seed, f"start{n}") for n, item in enumerate(call.body.get("items") or [])]
    with server._lock:
        server._threads[cid] = items
    return json_answer({"id": cid, "object": "conversation", "created_at": call.seed.created,
                        "metadata": call.body.get("metadata") or {}})


def list_items(server, call: Call):
    """The conversation's items, newest first unless the query asks for `order=asc`."""
    cid = call.path[len(PREFIX) + 1:].split("/")[0]
    with server._lock:
        items = list(server._threads.get(cid, []) if cid in server._threads else _missing(cid))
    if call.query.get("order") != "asc":
        items.reverse()
    return json_answer({"object": "list", "data": items, "has_more": False,
                        "first_id": items[0]["id"] if items else "", "last_id": items[-1]["id"] if items else ""})


def _missing(cid: str):
    raise ApiError(404, f"Conversation with id '{cid}' not found.", param=None)


def items_of(server, conversation) -> tuple[str | None, list[dict]]:
    """(id, items) of the conversation a Responses request names, as a string or {"id": ...}."""
    cid = conversation.get("id") if isinstance(conversation, dict) else conversation
    if cid is None:
        return None, []
    with server._lock:
        if cid not in server._threads:
            _missing(cid)
        return cid, list(server._threads[cid])


def append(server, cid: str, items: list[dict]) -> None:
    with server._lock:
        server._threads[cid].extend(items)


def stored(item: dict, seed: Seed, label: str) -> dict:
    """An input item as a conversation keeps it: with an id and a status, text as typed content parts."""
    if item.get("type", "message") != "message" or "role" not in item:
        return {"id": item.get("id") or "item_" + seed.hex(label, 48), **item}
    part = "output_text" if item["role"] == "assistant" else "input_text"
    content = item.get("content")
    parts = [{"type": part, "text": _content_text(content)}] if isinstance(content, str) else content
    return {"id": item.get("id") or "msg_" + seed.hex(label, 48), "type": "message", "status": "completed",
            "role": item["role"], "content": parts}


def input_items(body: dict, seed: Seed) -> list[dict]:
    return [stored(item, seed, f"in{n}") for n, item in enumerate(_response_items(body))]
