"""What an answer costs in tokens: its prompt (messages, tools, schema) and the reasoning before it."""
from __future__ import annotations

from helpers import refusals
from helpers.tokens import count_messages, count_schema, count_tools

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
