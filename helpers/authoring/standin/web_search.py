"""The Responses API's built-in web search: `web_search_call` items, inline citations and their annotations.

A script rule answers a search with `{"content": ..., "web_search": {"queries": [...], "citations":
[{"after": "a sentence of content", "url": ..., "title": ...}], "sources": [more urls]}}`. The answer
is written as the live API writes it (openai/openai-go#451, a captured gpt-4.1 answer;
home-assistant/core#170566, GPT-5.x): after each cited sentence an inline markdown link
` ([domain](url?utm_source=openai))`, and a `url_citation` annotation whose start and end index
span exactly that link, title and url included. `action.sources` is sent only when the request
asks for it with `include=["web_search_call.action.sources"]`.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from .wire import Seed

TOOL_TYPES = ("web_search", "web_search_2025_08_26", "web_search_preview")
SOURCES = "web_search_call.action.sources"
# Live, the pages a search reads are billed as input tokens at the model's rate (OpenAI's web search
# guide, quoted in community.openai.com/t/search-web-using-openai-api/1363698). No public capture
# gives their size, so this is an estimate per search (helpers.models.WEB_SEARCH_COST).
SEARCH_CONTENT_TOKENS = 1_000


def tool(body: dict) -> dict | None:
    """The request's web search tool, if it offers one."""
    return next((t for t in body.get("tools") or [] if t.get("type") in TOOL_TYPES), None)


def echoed(given: dict) -> dict:
    """The tool as a response repeats it: the spec's fields, the context size at its default (medium)."""
    filters = {} if given.get("type") == "web_search_preview" else {"filters": None}  # the preview has none
    return {**filters, "search_context_size": "medium", "user_location": None, **given}


def _tracked(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "utm_source=openai"


def calls(search: dict, body: dict, seed: Seed) -> list[dict]:
    """One completed `web_search_call` item per query the script names."""
    urls = [c["url"] for c in search.get("citations", [])] + list(search.get("sources", []))
    with_sources = SOURCES in (body.get("include") or [])
    items = []
    for n, query in enumerate(search.get("queries", [])):
        action: dict = {"type": "search", "query": query}
        if with_sources:
            action["sources"] = [{"type": "url", "url": url} for url in urls]
        items.append({"id": "ws_" + seed.hex(f"ws{n}", 48), "type": "web_search_call", "status": "completed",
                      "action": action})
    return items


def cite(text: str, search: dict) -> tuple[str, list[dict]]:
    """`text` with an inline link after each cited sentence, and the annotations that point at them."""
    annotations = []
    for citation in search.get("citations", []):
        after = text.find(citation["after"])
        if after < 0:
            raise ValueError(f"web_search citation: {citation['after']!r} is not in the answer's text")
        url = _tracked(citation["url"])
        link = f"([{urlsplit(citation['url']).netloc.removeprefix('www.')}]({url}))"
        start = after + len(citation["after"]) + 1
        text = text[:start - 1] + " " + link + text[start - 1:]
        for earlier in annotations:  # a link inserted before an earlier one moves it along
            if earlier["start_index"] >= start - 1:
                earlier["start_index"] += len(link) + 1
                earlier["end_index"] += len(link) + 1
        annotations.append({"type": "url_citation", "start_index": start, "end_index": start + len(link),
                            "title": citation["title"], "url": url})
    return text, sorted(annotations, key=lambda a: a["start_index"])


def content_tokens(items: list[dict]) -> int:
    return SEARCH_CONTENT_TOKENS * sum(item["type"] == "web_search_call" for item in items)
