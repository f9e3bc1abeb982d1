"""The key box: it sets OPENAI_API_KEY for this kernel only, never shows the key, and refuses malformed ones."""
from __future__ import annotations

import json
import logging
import os

import ipywidgets as widgets
import pytest

from helpers.widgets.key_entry import KeyEntry, key_problem

# Built here, so that no file holds a key-shaped string.
KEY = "sk-" + "proj-" + "KeyEntryTest" * 3


def all_widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from all_widgets(child)


def everything_shown(entry: KeyEntry) -> str:
    """Every value, description, placeholder and message of every widget in the view, as synced to the page."""
    states = [w.get_state() for w in all_widgets(entry.view)]
    return json.dumps(states, default=str) + repr(entry) + repr(entry.view)


def submit(entry: KeyEntry, value: str) -> None:
    entry.field.value = value
    entry.button.click()


def test_a_key_is_set_for_this_kernel_and_never_shown(capsys, caplog):
    caplog.set_level(logging.DEBUG)
    entry = KeyEntry()
    submit(entry, KEY)

    assert os.environ["OPENAI_API_KEY"] == KEY
    assert entry.accepted
    assert entry.field.value == ""
    assert "re-run the setup cell" in entry.message.value
    assert "this kernel only" in entry.message.value
    shown = everything_shown(entry)
    assert KEY not in shown and KEY[3:] not in shown
    kept = {name: value for name, value in vars(entry).items() if name != "_environ"}
    assert KEY not in str(kept)  # not kept in an attribute either
    captured = capsys.readouterr()
    assert KEY not in captured.out + captured.err
    assert KEY not in caplog.text


def test_the_view_is_a_password_field_and_a_button():
    entry = KeyEntry()
    assert isinstance(entry.field, widgets.Password)
    assert entry.button in all_widgets(entry.view)
    bundle = entry._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


@pytest.mark.parametrize("value, expected", [
    ("", "Nothing was entered"),
    ("   ", "Nothing was entered"),
    (" " + KEY, "space or a line break"),
    (KEY + "\n", "space or a line break"),
    ("sk-abc def", "space or a line break"),
    ('"' + KEY + '"', "quotes"),
    ("'" + KEY, "quotes"),
    ("my-key-" + KEY[3:], "start with 'sk-'"),
])
def test_malformed_keys_are_refused_and_nothing_changes(value, expected):
    environ = {"OPENAI_API_KEY": "unchanged"}
    entry = KeyEntry(environ=environ)
    submit(entry, value)

    assert environ == {"OPENAI_API_KEY": "unchanged"}
    assert not entry.accepted
    assert entry.field.value == ""  # cleared even when refused: it may still be most of a key
    assert expected in entry.message.value.replace("&#x27;", "'")
    assert "Nothing was changed" in entry.message.value
    if value.strip():
        assert value.strip().strip("\"'") not in everything_shown(entry)


def test_a_compatible_server_may_take_any_key(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    assert key_problem("ollama") is None
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert "sk-" in key_problem("ollama")


def test_a_second_key_replaces_the_first():
    environ = {}
    entry = KeyEntry(environ=environ)
    submit(entry, KEY)
    submit(entry, KEY + "2")
    assert environ["OPENAI_API_KEY"] == KEY + "2"
    submit(entry, "")
    assert environ["OPENAI_API_KEY"] == KEY + "2" and not entry.accepted
