"""Each interactive widget, used in the page the way a learner uses it: act on a control, see the answer change.

Add a widget with one `Round(...)` line in ROUNDS (the language is in rounds.py). Offline, a widget
answers only what its lesson recorded, so a round sends a recorded combination (or a refused one).
"""
from __future__ import annotations

import time

import pytest

from .rounds import Choose, Click, Fill, Round

ROUNDS = [
    # 00_setup: the key box refuses a paste with a space in it, and accepts a key-like value for this kernel.
    Round("key_entry-refused", "notebooks/00_setup.ipynb", "placeholder:sk-...",
          (Fill("placeholder:sk-...", "my key"), Click("button:Use this key")), expect="space or a line break"),
    Round("key_entry-accepted", "notebooks/00_setup.ipynb", "placeholder:sk-...",
          (Fill("placeholder:sk-...", "sk-test"), Click("button:Use this key")), expect="Key set for this kernel"),
    # 02_parameters: load the first recorded example, send it; an emptied prompt is refused.
    Round("playground-send", "notebooks/02_parameters.ipynb", "placeholder:Ask something",
          (Choose("label:examples", index=1), Click("button:Send")), expect="finish_reason"),
    Round("playground-refused", "notebooks/02_parameters.ipynb", "placeholder:Ask something",
          (Fill("placeholder:Ask something", ""), Click("button:Send")), expect="Not sent: The prompt is empty"),
    # 03_conversation_history: pick a recorded message, send it, see the reply in the history pane.
    Round("chat-send", "notebooks/03_conversation_history.ipynb", "placeholder:Type a message and press Send",
          (Choose("label:Recorded:", index=1), Click("button:Send")), expect="assistant"),
]


@pytest.mark.parametrize("round_", ROUNDS, ids=[round_.name for round_ in ROUNDS])
def test_widget_round_trip(round_, lab, open_notebook, screenshots, timing):
    if not (lab.kit.root / round_.notebook).exists():
        pytest.skip(f"{round_.notebook} is not written yet")
    notebook = open_notebook(round_.notebook)
    result = notebook.run_all()
    timing["run_all"] = round(result.seconds, 2)
    assert result.status != "timeout", f"{round_.notebook}: run-all did not finish"
    root = round_.root(notebook.notebook)
    try:
        root.wait_for(state="visible", timeout=15_000)
    except Exception as error:
        found = "; ".join(str(e) for e in result.errors) or "no errors"
        raise AssertionError(f"{round_.name}: no output of {round_.notebook} shows {round_.find!r} "
                             f"(run-all: {result.status}, {found})") from error
    root.scroll_into_view_if_needed()
    started = time.monotonic()
    round_.play(root)
    timing["round_trip"] = round(time.monotonic() - started, 2)
    root.scroll_into_view_if_needed()
    notebook.screenshot(screenshots / f"widget-{round_.name}.png", root)
