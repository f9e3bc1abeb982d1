"""Checks for lesson 10, the Responses API."""
from typing import Any

from openai.types.responses import Response

from .. import models
from . import Verdict, verdict

__all__ = ["check_text", "check_history", "check_arguments"]

CAT_QUESTION = "Suggest a name for a grey cat."
NEW_QUESTION = "Give me two more ideas."


def check_text(response: Response, text: object) -> Verdict:
    """Exercise 1: the text of a Response."""
    return verdict([
        (isinstance(text, str), "`text` should be a string: the poem, not the whole response."),
        (lambda: text == response.output_text, "Look at `poem.output_text`."),
    ], "`output_text` joins the text of every message item.")


def _role_and_text(message: object) -> tuple[object, object]:
    """(role, text) of a message dict or of a Response output item."""
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        return message.get("role"), content
    parts = getattr(message, "content", None) or []
    return getattr(message, "role", None), "".join(getattr(part, "text", "") for part in parts)


def _is_reasoning(item: object) -> bool:
    kind = item.get("type") if isinstance(item, dict) else getattr(item, "type", None)
    return kind == "reasoning"


def check_history(first: Response, next_input: object) -> Verdict:
    """Exercise 2: the input list that continues a conversation by hand (reasoning items may ride along)."""
    messages = [m for m in next_input if not _is_reasoning(m)] if isinstance(next_input, list) else []
    turns = lambda: [_role_and_text(m) for m in messages]  # noqa: E731
    return verdict([
        (isinstance(next_input, list) and len(messages) == 3,
         "`next_input` should be a list of three messages: the first question, the reply, the new question."),
        (lambda: turns()[0] == ("user", CAT_QUESTION), f"Start with the first user message: {CAT_QUESTION!r}."),
        (lambda: turns()[1] == ("assistant", first.output_text),
         "Then the model's reply as an assistant message: its content is `first.output_text` "
         "(or append `first.output`'s item)."),
        (lambda: turns()[2] == ("user", NEW_QUESTION), f"End with the new user message: {NEW_QUESTION!r}."),
    ], "The whole conversation travels with the request: you keep the state.")


def check_arguments(arguments: Any) -> Verdict:
    """Exercise 3: a chat completion rewritten as Responses arguments."""
    question = "What should I see in Lisbon?"
    return verdict([
        (isinstance(arguments, dict), "`arguments` should be a dict of keyword arguments."),
        (lambda: "messages" not in arguments, "The Responses API takes `input`, not `messages`."),
        (lambda: arguments.get("model") == models.CHAT, f"Keep `model=\"{models.CHAT}\"`."),
        (lambda: arguments.get("instructions") == "You are a concise travel guide.",
         "Put the developer message's text in `instructions`."),
        (lambda: arguments.get("input") in (question, [{"role": "user", "content": question}]),
         "Put the user's question in `input`, as a string."),
    ], "Same request, Responses style: `client.responses.create(**arguments)`.")
