"""Each interactive widget, used in the page the way a learner uses it: act on a control, see the answer change.

Add a widget with one `Round(...)` line in ROUNDS (the language is in rounds.py). Offline, a widget
answers only what its lesson recorded, so a round sends a recorded combination (or a refused one).
Rounds of one notebook share one run of it, in table order, so a later round sees the earlier ones.
"""
from __future__ import annotations

import time

import pytest

from .lab import NotebookPage
from .rounds import Choose, Click, Fill, Round

SETUP, PARAMETERS = "notebooks/00_setup.ipynb", "notebooks/02_parameters.ipynb"
HISTORY, TOKENS, CAPSTONE = ("notebooks/03_conversation_history.ipynb", "notebooks/05_tokens_and_cost.ipynb",
                             "notebooks/12_capstone.ipynb")
LAST_HTML, FIRST_HTML = ".widget-html-content >> nth=-1", ".widget-html-content >> nth=0"
NEXT_QUESTION = "What's the weather like in Lisbon today?"  # the capstone recording's second question
KEY, PROMPT, CHAT = "placeholder:sk-...", "placeholder:Ask something", "placeholder:Type a message and press Send"
TOKENIZER, CALCULATOR = "placeholder:Type or paste text", "placeholder:Paste a prompt to count its tokens"

ROUNDS = [
    # key_entry: a paste with a space in it is refused; a key-like value is taken for this kernel only.
    Round("key_entry-refused", SETUP, KEY, (Fill(KEY, "my key"), Click("button:Use this key")),
          LAST_HTML, "space or a line break"),
    Round("key_entry-accepted", SETUP, KEY, (Fill(KEY, "sk-test"), Click("button:Use this key")),
          LAST_HTML, "Key set for this kernel only"),
    # playground: an emptied prompt is refused; the first recorded example is answered.
    Round("playground-refused", PARAMETERS, PROMPT, (Fill(PROMPT, ""), Click("button:Send")),
          LAST_HTML, "Not sent: The prompt is empty"),
    Round("playground-send", PARAMETERS, PROMPT, (Choose("label:examples", index=1), Click("button:Send")),
          LAST_HTML, r"finish_reason: stop"),
    # chat: after Reset (the lesson's cells used up the recorded conversation), a recorded message is answered.
    Round("chat-send", HISTORY, CHAT, (Click("button:Reset"), Choose("label:Recorded:", index=1), Click("button:Send")),
          FIRST_HTML, r"user: .+\n(.*\n)*assistant: "),
    # tokenizer: typing re-tokenizes at once; another encoding recounts.
    Round("tokenizer-type", TOKENS, TOKENIZER, (Fill(TOKENIZER, "Hello world"),), LAST_HTML,
          r"^2 tokens for 11 characters .* with o200k_base"),
    Round("tokenizer-encoding", TOKENS, TOKENIZER, (Choose("label:encoding", index=1),), LAST_HTML,
          r"with cl100k_base"),
    # cost_calculator: another model is priced at once, with no click; new token counts are priced; a count
    # that is not a number is refused.
    Round("cost_calculator-model", TOKENS, CALCULATOR, (Choose("label:model", label="gpt-6-sol"),),
          ".widget-html-content >> nth=-2", r"^gpt-6-sol: 500 tokens in × \$[\d.]+/M .* per request"),
    Round("cost_calculator-price", TOKENS, CALCULATOR,
          (Fill("label:tokens in", "1000"), Fill("label:requests", "1"), Click("button:Calculate")),
          ".widget-html-content >> nth=-2", r"1,000 tokens in × \$[\d.]+/M .* per request$"),
    Round("cost_calculator-refused", TOKENS, CALCULATOR, (Fill("label:requests", "many"), Click("button:Calculate")),
          ".widget-html-content >> nth=-2", r"Not calculated: Requests must be a whole number"),
    # travel_bot: the same after Reset, streamed in; then the next recorded question, and the cost line counts.
    Round("travel_bot-send", CAPSTONE, CHAT,
          (Click("button:Reset"), Choose("label:Recorded:", index=1), Click("button:Send")),
          FIRST_HTML, r"user: .+\n(.*\n)*assistant: .*[.!?]$"),
    # Chosen by its text: select_option waits until the list the previous answer refreshed has arrived.
    Round("travel_bot-next", CAPSTONE, CHAT, (Choose("label:Recorded:", label=NEXT_QUESTION), Click("button:Send")), "",
          r"(assistant: .+\n(.*\n)*){2}[\s\S]*This conversation: \$0\.0*[1-9]"),
]


@pytest.fixture(scope="module")
def shown(lab, browser_context):
    """The notebook the previous round left open and run, reused by the next round of the same notebook."""
    current: dict = {}
    yield current
    if current:
        current["page"].close()
    lab.shut_down_sessions()


def _open_and_run(shown, lab, browser_context, path, timing):
    if shown.get("path") == path:
        return shown["page"], shown["result"]
    if shown:
        shown.pop("page").close()
        lab.shut_down_sessions()
        shown.clear()
    page = NotebookPage(browser_context, lab, path)
    shown.update(path=path, page=page)
    page.open()
    shown["result"] = page.run_all()
    timing["run_all"] = round(shown["result"].seconds, 2)
    page.page.set_default_timeout(15_000)  # a control that is not there fails quickly
    return page, shown["result"]


@pytest.mark.parametrize("round_", ROUNDS, ids=[round_.name for round_ in ROUNDS])
def test_widget_round_trip(round_, lab, browser_context, shown, screenshots, timing):
    if not (lab.kit.root / round_.notebook).exists():
        pytest.skip(f"{round_.notebook} is not written yet")
    notebook, result = _open_and_run(shown, lab, browser_context, round_.notebook, timing)
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
    round_.play(root, idle=notebook.kernel_idle)
    timing["round_trip"] = round(time.monotonic() - started, 2)
    root.scroll_into_view_if_needed()
    notebook.screenshot(screenshots / f"widget-{round_.name}.png", root)
