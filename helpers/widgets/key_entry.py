"""A password box for the API key: it never echoes the key, and keeps it in this kernel only.

    from helpers.widgets.key_entry import KeyEntry
    KeyEntry()

On submit the key goes into `os.environ["OPENAI_API_KEY"]` of the running kernel (nothing is
written to disk), the box is emptied, and a message says to re-run the setup cell. The key is
never shown, logged or kept in an attribute, so it cannot end up in a saved notebook.
"""
from __future__ import annotations

import html
import os
from collections.abc import MutableMapping
from typing import Any

import ipywidgets as widgets

from ..modes import SetupError, check_key_shape

__all__ = ["VARIABLE", "ACCEPTED", "key_problem", "KeyEntry"]

VARIABLE = "OPENAI_API_KEY"
ACCEPTED = ("Key set for this kernel only: it is not saved anywhere and is gone when the kernel restarts. "
            "Now re-run the setup cell at the top of the notebook, and the cells that make a client, "
            "to switch to live mode.")


def key_problem(value: str) -> str | None:
    """What is wrong with a pasted key, or None when it looks usable. The message never quotes the key."""
    if not value.strip():
        return "Nothing was entered. Paste your key (it starts with sk-) into the box, then press the button."
    if any(character.isspace() for character in value):
        return ("The key has a space or a line break in it, so something else was pasted too. "
                "Copy the key again, on its own, and paste it.")
    if any(quote in value for quote in "\"'`"):
        return "The key has quotes in it. Paste the key alone, without quotes."
    try:
        check_key_shape(value)  # the setup cell's rule: an OpenAI key starts with sk- (other servers differ)
    except SetupError as err:
        return str(err)
    return None


class KeyEntry:
    """The key form: a Password field, a button and a message line. Display it as the last line of a cell."""

    def __init__(self, environ: MutableMapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self.field = widgets.Password(description="API key", placeholder="sk-...",
                                      layout=widgets.Layout(width="28em"))
        self.button = widgets.Button(description="Use this key", button_style="primary", icon="key")
        self.message = widgets.HTML()
        self.accepted = False
        self.button.on_click(self._submit)
        self.view = widgets.VBox([widgets.HBox([self.field, self.button]), self.message])

    def _submit(self, _button: Any = None) -> None:
        value = self.field.value
        self.field.value = ""  # cleared at once, accepted or not: a saved widget state never holds it
        problem = key_problem(value)
        self.accepted = problem is None
        if self.accepted:
            self._environ[VARIABLE] = value
            self._show("✅", ACCEPTED)
        else:
            self._show("❌", f"{problem} Nothing was changed.")

    def _show(self, mark: str, text: str) -> None:
        self.message.value = f"{mark} {html.escape(text)}"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.view._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return "KeyEntry()"
