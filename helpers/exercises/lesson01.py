"""Checks for lesson 01, chat completions."""
from . import Verdict, verdict


def check_messages(messages) -> Verdict:
    """Exercise 1: a messages list with a developer message and a user question."""
    return verdict([
        (isinstance(messages, list) and len(messages) >= 2, "`messages` should be a list of at least two dicts."),
        (lambda: all(isinstance(m, dict) and {"role", "content"} <= set(m) for m in messages),
         "Each message is a dict with a 'role' and a 'content'."),
        (lambda: messages[0]["role"] in ("developer", "system"),
         "Start with a 'developer' (or 'system') message that sets the assistant's behaviour."),
        (lambda: messages[-1]["role"] == "user" and messages[-1]["content"].strip(),
         "End with a 'user' message that asks something."),
    ], "A developer message to steer, a user message to answer.")


def check_answer_text(response, text) -> Verdict:
    """Exercise 2: pull the reply's text out of a ChatCompletion."""
    return verdict([
        (isinstance(text, str), "`text` should be a string: the reply's content, not the whole response."),
        (lambda: text == response.choices[0].message.content,
         "Look in `response.choices[0].message.content`."),
    ], "That is the assistant's reply.")


def check_total_tokens(response, total) -> Verdict:
    """Exercise 3: compute the total tokens from the two parts of usage."""
    return verdict([
        (isinstance(total, int), "`total` should be a whole number of tokens."),
        (lambda: total == response.usage.prompt_tokens + response.usage.completion_tokens,
         "Add `response.usage.prompt_tokens` and `response.usage.completion_tokens`."),
    ], f"{total} tokens, the same as `response.usage.total_tokens`.")
