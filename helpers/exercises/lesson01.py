"""Checks for lesson 01, chat completions."""
import re
from typing import Any

from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from . import Hints, Verdict, verdict

__all__ = ["check_messages", "check_answer_text", "check_total_tokens"]

TWO_LINES = re.compile(r"\b(two|2)[- ]lines?\b", re.I)


def _text(message: dict[str, Any]) -> str:
    return message["content"] if isinstance(message.get("content"), str) else ""


def check_messages(messages: Any) -> Verdict:
    """Exercise 1: a messages list with a developer message and a user question."""
    return verdict([
        (isinstance(messages, list) and len(messages) >= 2, "`messages` should be a list of at least two dicts."),
        (lambda: all(isinstance(m, dict) and {"role", "content"} <= set(m) for m in messages),
         "Each message is a dict with a 'role' and a 'content'."),
        (lambda: messages[0]["role"] in ("developer", "system"),
         "Start with a 'developer' (or 'system') message that sets the assistant's behaviour."),
        (lambda: messages[-1]["role"] == "user" and _text(messages[-1]).strip(),
         "End with a 'user' message that asks something."),
        (lambda: "poem" in _text(messages[0]).lower() or "poet" in _text(messages[0]).lower(),
         "The developer message sets the assistant's job: say that it writes short poems."),
        (lambda: "sea" in _text(messages[-1]).lower(), "The user message should ask for a poem about the sea."),
        (lambda: TWO_LINES.search(_text(messages[-1])),
         "The exercise asks for a poem of two lines: say so in the user message (\"two lines\", \"two-line\")."),
    ], "A developer message to steer, a user message that asks for exactly what you want.")


def check_answer_text(response: ChatCompletion, text: object) -> Verdict:
    """Exercise 2: pull the reply's text out of a ChatCompletion."""
    return verdict([
        (isinstance(text, str), "`text` should be a string: the reply's content, not the whole response."),
        (lambda: text == response.choices[0].message.content,
         Hints("The reply is in the response's first choice: print `poem.choices[0]` to see what it holds.",
               "The choice has a `message`, and the message has the text.",
               "`poem.choices[0].message.content`")),
    ], "That is the assistant's reply.")


def check_total_tokens(response: Response | ChatCompletion, total: object) -> Verdict:
    """Exercise 3: compute the total tokens from the two parts of usage (a Response's or a chat completion's)."""
    usage = response.usage
    sent, got = ("input_tokens", "output_tokens") if hasattr(usage, "input_tokens") else \
        ("prompt_tokens", "completion_tokens")
    name = "answer" if sent == "input_tokens" else "poem"
    parts = (getattr(usage, sent), getattr(usage, got))
    return verdict([
        (isinstance(total, int), "`total` should be a whole number of tokens."),
        (lambda: total not in parts, "That is one of the two parts; add the other one."),
        (lambda: total == sum(parts),
         Hints(f"Print `{name}.usage`: it counts the tokens you sent and the tokens that came back.",
               f"You sent the input (`{name}.usage.{sent}`) and got back the output; add the two.",
               f"`total = {name}.usage.{sent} + {name}.usage.{got}`")),
    ], f"{total} tokens, the same as `{name}.usage.total_tokens`.")
