"""Checks for lesson 11, moving old code to the current SDK."""
from typing import Any

from openai.types.chat import ChatCompletion

from helpers.models import SHUT_DOWN

from . import Check, Verdict, verdict

__all__ = ["check_new_calls", "check_replacements", "check_attributes"]

NEW_CALLS = {
    "openai.ChatCompletion.create": "client.chat.completions.create",
    "openai.Completion.create": "client.completions.create",
    "openai.Image.create": "client.images.generate",
    "openai.Audio.transcribe": "client.audio.transcriptions.create",
    "openai.Embedding.create": "client.embeddings.create",
    "openai.Moderation.create": "client.moderations.create",
}


def _call_name(text: object) -> str:
    """'client.x.create(...)', ' x.create ' and 'client.x.create' all name the same call."""
    name = str(text).strip().split("(")[0].strip()
    return name if name.startswith("client.") else "client." + name


def check_new_calls(new_calls: Any) -> Verdict:
    """Exercise 1: the current call for each removed one."""
    checks: list[Check] = [(isinstance(new_calls, dict) and set(new_calls) == set(NEW_CALLS),
               "Keep the six old names as the keys of `new_calls`; fill in the values.")]
    for old, new in NEW_CALLS.items():
        checks.append((lambda old=old, new=new: _call_name(new_calls[old]) == new,
                       f"`{old}` is not right yet: it became a method of `client` (see the mapping table)."))
    return verdict(checks, "Every removed call has its place on the client.")


def check_replacements(replacements: Any) -> Verdict:
    """Exercise 2: the current model for each shut-down one."""
    checks: list[Check] = [(isinstance(replacements, dict),
                            "`replacements` should be a dict from old name to new name.")]
    for old in ("gpt-3.5-turbo", "gpt-4", "text-davinci-003", "dall-e-3"):
        accepted = {SHUT_DOWN[old]}
        checks.append((lambda old=old, accepted=accepted: replacements.get(old) in accepted,
                       f"`{old}`: look it up in the table of old models."))
    return verdict(checks, "Current models for every old name.")


def check_attributes(response: ChatCompletion, answer: object, prompt_tokens: object) -> Verdict:
    """Exercise 3: attribute access instead of dictionary keys."""
    return verdict([
        (isinstance(answer, str), "`answer` should be the reply's text, a string."),
        (lambda: answer == response.choices[0].message.content,
         "`answer`: follow the same path with dots: `response.choices[0].message.content`."),
        (isinstance(prompt_tokens, int), "`prompt_tokens` should be a whole number."),
        (lambda: prompt_tokens == response.usage.prompt_tokens,  # type: ignore[union-attr]  # it has usage
         "`prompt_tokens`: look in `response.usage`."),
    ], "Attributes all the way down.")
