"""Checks for lesson 03, conversation history."""
from collections.abc import Callable
from typing import Any

from . import Check, Hints, Verdict, verdict
from ..tokens import count_messages

__all__ = ["check_continued", "check_keep_last_messages", "check_saved"]


def check_continued(messages: Any, first_question: str, reply: str) -> Verdict:
    """Exercise 1: the history continued with the reply as an assistant message and a new question."""
    roles = [m.get("role") for m in messages] if isinstance(messages, list) else []
    return verdict([
        (isinstance(messages, list) and all(isinstance(m, dict) for m in messages),
         "`history` should be a list of dicts, each with a 'role' and a 'content'."),
        (len(messages) == 4, f"Expected 4 messages (developer, user, assistant, user); you have {len(messages)}."),
        (roles == ["developer", "user", "assistant", "user"],
         f"The roles should go developer, user, assistant, user; yours go {', '.join(map(str, roles))}."),
        (lambda: messages[1]["content"] == first_question, "The first user message is the question asked first."),
        (lambda: messages[2]["content"] == reply,
         "The assistant message holds the reply's text: `first.choices[0].message.content`."),
        (lambda: isinstance(messages[3]["content"], str) and messages[3]["content"].strip(),
         "End with your follow-up question as a user message."),
    ], "The model will see the whole exchange, so the follow-up can say 'there' or 'those'.")


CASES = [
    # (messages, n, expected)
    ([{"role": "developer", "content": "D"}, {"role": "user", "content": "1"}, {"role": "assistant", "content": "2"},
      {"role": "user", "content": "3"}], 2,
     [{"role": "developer", "content": "D"}, {"role": "assistant", "content": "2"}, {"role": "user", "content": "3"}]),
    ([{"role": "developer", "content": "D"}, {"role": "user", "content": "1"}], 5,
     [{"role": "developer", "content": "D"}, {"role": "user", "content": "1"}]),
    ([{"role": "system", "content": "S"}, {"role": "user", "content": "1"}, {"role": "assistant", "content": "2"}], 1,
     [{"role": "system", "content": "S"}, {"role": "assistant", "content": "2"}]),
]


def check_keep_last_messages(function: Callable[[list[dict[str, str]], int], object]) -> Verdict:
    """Exercise 2: keep the developer/system messages and the last n other messages."""
    def result(case: tuple[list[dict[str, str]], int, list[dict[str, str]]]) -> object:
        messages, n, _ = case
        copy = [dict(m) for m in messages]
        return function(copy, n)

    checks: list[Check] = [(callable(function), "`keep_last_messages` should be a function of (messages, n).")]
    for messages, n, expected in CASES:
        roles = "/".join(m["role"] for m in messages)
        checks.append((lambda case=(messages, n, expected): result(case) == case[2],
                       f"With a {roles} history and n={n}, expected {[m['content'] for m in expected]} (contents)."))
    def leaves_input_alone() -> bool:
        given = [dict(m) for m in CASES[0][0]]
        return function(given, 2) is not given and given == CASES[0][0]

    checks.append((leaves_input_alone, "Return a new list and leave the one you were given unchanged."))
    return verdict(checks, "Developer messages always stay; the oldest other messages go first.")


def check_saved(saved: object, conversation: list[dict], kept: list[dict]) -> Verdict:
    """Exercise 3: prompt tokens saved at the last turn by sending `kept` instead of `conversation`."""
    expected = count_messages(conversation) - count_messages(kept)
    return verdict([
        (isinstance(saved, int), "`saved` should be a whole number of tokens."),
        (lambda: saved == expected,
         Hints("The saving is the difference between what the whole history and the trimmed one send.",
               "`count_messages(...)` counts what a list of messages sends; count both lists.",
               "Subtract the trimmed list's count from the full list's count.")),
    ], f"{saved} fewer prompt tokens on that request alone, and again on every request after it.")
