"""Keeping a conversation short: three small strategies, shown in lesson 03 and reused by the capstone.

Each takes a messages list (dicts with a role and content) and returns a new, shorter list; none
changes the list it is given. Developer and system messages (the instructions) are always kept,
and messages are dropped a whole turn at a time (a user message with the replies and tool results
that follow it), so an assistant's tool call never loses its tool result.
"""
from __future__ import annotations

from typing import Any

from . import models
from .tokens import count_messages

__all__ = ["INSTRUCTION_ROLES", "SUMMARY_PREFIX", "SUMMARY_REQUEST", "HistoryError", "check_history", "split_turns",
           "keep_last_turns", "trim_to_budget", "transcript", "summarise_older"]

INSTRUCTION_ROLES = ("developer", "system")
SUMMARY_PREFIX = "Summary of the earlier conversation: "
SUMMARY_REQUEST = ("Summarise the conversation above in at most three sentences. Keep every fact the user "
                   "gave (places, dates, budget, preferences) and every decision made.")


class HistoryError(ValueError):
    """A history the strategies cannot shorten; the message says what is wrong and what to do."""


def check_history(messages: object) -> None:
    """Refuse what no request could use: no messages, messages that are not dicts, no user turn."""
    if not isinstance(messages, list) or not messages:
        raise HistoryError("The history is empty, so there is nothing to send. Start it with a developer "
                           "message and a user message, e.g. [{'role': 'user', 'content': 'Hello'}].")
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or "role" not in message:
            raise HistoryError(f"Message {number} is {type(message).__name__}, not a dict with a 'role'. "
                               "Append replies as {'role': 'assistant', 'content': message.content}.")
    if not any(message["role"] == "user" for message in messages):
        raise HistoryError("The history has no user turn, so the model has no question to answer. "
                           "Append {'role': 'user', 'content': ...} before sending it.")


def split_turns(messages: list[dict]) -> tuple[list[dict], list[list[dict]]]:
    """(instructions, turns): the developer/system messages, and the rest grouped into turns."""
    instructions = [m for m in messages if m["role"] in INSTRUCTION_ROLES]
    turns: list[list[dict]] = []
    for message in messages:
        if message["role"] in INSTRUCTION_ROLES:
            continue
        if message["role"] == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return instructions, turns


def _join(instructions: list[dict], turns: list[list[dict]]) -> list[dict]:
    return [*instructions, *(message for turn in turns for message in turn)]


def _check_turn_count(n: object) -> None:
    if not isinstance(n, int) or n < 1:
        raise HistoryError(f"Keep at least 1 turn (you asked for {n!r}): the newest turn holds the question.")


def keep_last_turns(messages: list[dict], n: int) -> list[dict]:
    """The instructions and the last `n` turns."""
    check_history(messages)
    _check_turn_count(n)
    instructions, turns = split_turns(messages)
    return _join(instructions, turns[-n:])


def trim_to_budget(messages: list[dict], budget: int, model: str = models.CHAT) -> list[dict]:
    """The instructions and as many of the newest turns as fit in `budget` prompt tokens."""
    check_history(messages)
    if not isinstance(budget, int) or isinstance(budget, bool):
        raise HistoryError(f"The token budget must be a whole number of tokens, like 600; got {budget!r}.")
    instructions, turns = split_turns(messages)
    needed = count_messages(instructions, model)
    if budget < needed:
        raise HistoryError(f"A budget of {budget} tokens is smaller than the developer message alone "
                           f"({needed} tokens). Raise the budget or shorten the instructions.")
    kept = turns[-1:]
    needed = count_messages(_join(instructions, kept), model)
    if budget < needed:
        raise HistoryError(f"A budget of {budget} tokens cannot hold even the newest turn ({needed} tokens "
                           "with the instructions). Raise the budget or send a shorter message.")
    for turn in reversed(turns[:-1]):  # newest first: add older turns while they fit
        if count_messages(_join(instructions, [turn, *kept]), model) > budget:
            break
        kept.insert(0, turn)
    return _join(instructions, kept)


def transcript(messages: list[dict]) -> str:
    """The messages as plain text, one 'role: content' line each, for the model to summarise."""
    lines = []
    for message in messages:
        content = message.get("content") or ""
        calls = [f"{c['function']['name']}({c['function']['arguments']})" for c in message.get("tool_calls") or []]
        if calls:
            content = (content + " " if content else "") + "[called " + ", ".join(calls) + "]"
        lines.append(f"{message['role']}: {content}")
    return "\n".join(lines)


def summarise_older(messages: list[dict], client: Any, keep_turns: int = 2, model: str = models.CHAT,
                    usages: list | None = None) -> list[dict]:
    """The instructions, one summary of the older turns (a real chat call), and the last `keep_turns` turns.

    An earlier summary is summarised again with the turns after it, so there is only ever one.
    Pass a list as `usages` to collect the summary call's usage: summaries cost tokens too.
    """
    check_history(messages)
    _check_turn_count(keep_turns)
    instructions, turns = split_turns(messages)
    earlier = [m for m in instructions if str(m.get("content", "")).startswith(SUMMARY_PREFIX)]
    instructions = [m for m in instructions if m not in earlier]
    older, recent = turns[:-keep_turns], turns[-keep_turns:]
    if not older:
        return _join(instructions + earlier, recent)
    response = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": transcript(_join(earlier, older)) + "\n\n" + SUMMARY_REQUEST}],
    )
    if usages is not None:
        usages.append(response.usage)
    summary = {"role": "developer", "content": SUMMARY_PREFIX + response.choices[0].message.content}
    return _join([*instructions, summary], recent)
