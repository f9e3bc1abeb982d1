"""One request as an endpoint handler sees it, and what every handler shares."""
from __future__ import annotations

from dataclasses import dataclass, field

from helpers.endpoints import CHAT, COMPLETIONS
from .text import _forced_tool, example_from_schema, fallback_text
from .usage import PromptCache
from .wire import Seed

@dataclass
class Call:
    """One request as its endpoint handler sees it."""

    path: str
    body: dict
    files: dict
    text: str
    entries: list | None  # the script's answers for this request; None when no rule matched
    seed: Seed
    cache: PromptCache = field(default_factory=PromptCache)  # the server's, so later requests read what earlier wrote
    query: dict = field(default_factory=dict)  # the URL's query string, one value per name

    def entry(self, index: int = 0) -> dict:
        return self.entries[index] if self.entries else {}

    @property
    def model(self) -> str:
        return str(self.body.get("model") or "")


def _choice_count(path, body) -> int:
    if path == COMPLETIONS and isinstance(body.get("prompt"), list):
        return len(body["prompt"]) * max(1, int(body.get("n") or 1))
    return max(1, int(body.get("n") or 1)) if path in (CHAT, COMPLETIONS) else 1


def _fallback_entry(call: Call) -> dict:
    """No rule matched: call the tool the request forces, or give the generic answer."""
    tool = _forced_tool(call.body)
    if tool:
        arguments = example_from_schema(tool.get("parameters") or {}) or {}
        return {"tool_calls": [{"name": tool["name"], "arguments": arguments}]}
    return {"content": fallback_text(call.text)}


def _service_tier(body) -> str:
    return body["service_tier"] if body.get("service_tier") in ("flex", "priority") else "default"
