"""Checks for lesson 14, File search and PDF input."""
from . import Verdict, verdict


def check_text(response, text) -> Verdict:
    """Exercise 1: the text of a chat completion."""
    return verdict([
        (isinstance(text, str), "`text` should be a string: the answer's text, not the whole response."),
        (lambda: text == response.choices[0].message.content, "Look at `response.choices[0].message.content`."),
    ], "The answer's text is in `choices[0].message.content`.")
