"""What lesson text claims about what a learner sees holds: the offline key, the cost table, the short dump."""
from __future__ import annotations

import os
import re

import nbformat
import openai
import pytest

from helpers import modes, paths

SETUP = paths.NOTEBOOKS / "00_setup.ipynb"
NOTE_ID = "offline-placeholder-key"


def cells(name: str):
    return nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4).cells


def plain_text(cell) -> str:
    return "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                   for o in cell.get("outputs", []))


def test_lesson_00_explains_the_placeholder_right_after_the_key_check():
    lesson = cells("00_setup")
    at = next(i for i, c in enumerate(lesson) if c.get("id") == NOTE_ID)
    exercise = lesson[at - 2]
    assert exercise.cell_type == "code" and "check_key_report" in exercise.source
    assert "placeholder" in lesson[at].source and "key_report()" in lesson[at].source


def test_what_the_note_says_is_what_offline_mode_does(recordings_dir):
    with pytest.raises(openai.OpenAIError, match="Missing credentials"):  # "refuses to start without some key"
        openai.OpenAI()
    modes.setup("01_missing_notebook")
    assert os.environ.get("OPENAI_API_KEY"), "a check of the variable alone says 'set'"
    assert modes.current.mode == "offline" and modes.choose_mode() == "offline", "it is no key"
    assert os.environ["OPENAI_API_KEY"] == modes.OFFLINE_PLACEHOLDER_KEY


def test_lesson_03_prices_whole_requests_in_its_comparison():
    """The comparison's cost of sending everything is what the 20 turns cost, answers included."""
    lesson = cells("03_conversation_history")
    whole = next(plain_text(c) for c in lesson if c.cell_type == "code" and "the whole conversation" in c.source)
    turns_cost = float(re.search(r"prompt tokens, \$([\d.]+)", whole).group(1))
    table = next(plain_text(c) for c in lesson if c.cell_type == "code" and "comparison = pd.DataFrame" in c.source)
    everything = [line for line in table.splitlines() if line.startswith("send everything")][-1]
    compared_cost = float(re.search(r"\s(\d+\.\d+)\s", everything).group(1))
    assert compared_cost == pytest.approx(turns_cost, rel=0.02)


def test_lesson_10_shows_a_response_in_a_few_lines():
    lesson = cells("10_responses_api")
    anatomy = next(c for c in lesson if c.cell_type == "code" and "type(response).__name__" in c.source)
    assert len(plain_text(anatomy).splitlines()) <= 8
