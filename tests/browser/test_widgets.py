"""Each interactive widget, used in the page the way a learner uses it: act on a control, see the answer change.

Add a widget with one `Round(...)` line in ROUNDS (the language is in rounds.py). Offline, a widget
answers only what its lesson recorded, so a round sends a recorded combination (or a refused one).
Rounds of one notebook share one run of it, in table order, so a later round sees the earlier ones.
"""
from __future__ import annotations

import re
import time

import pytest

from .lab import NotebookPage
from .rounds import Choose, Click, Fill, Press, Round

SETUP, PARAMETERS = "notebooks/00_setup.ipynb", "notebooks/02_parameters.ipynb"
HISTORY, TOKENS, CAPSTONE = ("notebooks/03_conversation_history.ipynb", "notebooks/05_tokens_and_cost.ipynb",
                             "notebooks/12_capstone.ipynb")
LAST_HTML, FIRST_HTML = ".widget-html-content >> nth=-1", ".widget-html-content >> nth=0"
NEXT_QUESTION = "What's the weather like in Lisbon today?"  # the capstone recording's second question
FARO = "Is it warmer down in Faro?"  # its third
SECOND = "How long would all that take?"  # lesson 03's recorded follow-up
# A miss in a chat pane: the short note and the recorded message it offers, and no part of the request's wire form.
NO_WIRE = r"^(?![\s\S]*(POST|/v1/|\"role\"|Offline mode is on))[\s\S]*"
MISS_NOTE = (r"Offline, only recorded messages have answers, and this one was not recorded\. "
             r"Pick one from the Recorded list")
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
    # a message nobody recorded: a short note offering the recorded follow-up; Enter sends, here and below.
    Round("chat-miss", HISTORY, CHAT, (Fill(CHAT, "How long would all that take by bike?"), Press(CHAT, "Enter")),
          FIRST_HTML, NO_WIRE + MISS_NOTE + r"[\s\S]*• " + re.escape(SECOND)),
    Round("chat-enter", HISTORY, CHAT, (Choose("label:Recorded:", label=SECOND), Press(CHAT, "Enter")),
          FIRST_HTML, rf"user: {re.escape(SECOND)}\n(.*\n)*assistant: About three"),
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
    Round("travel_bot-miss", CAPSTONE, CHAT, (Fill(CHAT, "What about the Azores?"), Press(CHAT, "Enter")),
          FIRST_HTML, NO_WIRE + MISS_NOTE + r"[\s\S]*• " + re.escape(FARO)),
]
# What a chat pane shows of its scroll container: whether it scrolls, and whether its newest entry is in view.
JS_NEWEST_IN_VIEW = """pane => {
  const log = pane.querySelector('.kit-chat-log > div') || pane;
  const newest = log.lastElementChild;
  let box = newest.parentElement;
  while (box && box !== pane.parentElement.parentElement && !(box.scrollHeight > box.clientHeight + 1)) {
    box = box.parentElement;
  }
  const a = newest.getBoundingClientRect(), b = box.getBoundingClientRect();
  return {scrolls: box.scrollHeight > box.clientHeight + 1, text: newest.innerText.slice(0, 80),
          inView: a.bottom <= b.bottom + 1 && a.bottom > b.top};
}"""


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


@pytest.mark.parametrize("path", [HISTORY, CAPSTONE])
def test_after_run_all_a_chat_pane_shows_its_newest_message_and_no_stale_notice(path, lab, browser_context, shown,
                                                                                  timing):
    """Lessons 03 and 12 drive their chat from cells, the last of them refused ("Type a message first"):
    after Run All the pane is scrolled to the conversation's end, and that old notice is gone."""
    notebook, result = _open_and_run(shown, lab, browser_context, path, timing)
    assert result.status != "timeout", f"{path}: run-all did not finish"
    widget = Round("chat", path, CHAT).root(notebook.notebook)
    widget.wait_for(state="visible", timeout=15_000)
    widget.scroll_into_view_if_needed()
    pane = widget.locator(FIRST_HTML)
    assert "Type a message first" not in pane.inner_text()
    seen = pane.evaluate(JS_NEWEST_IN_VIEW)
    if path == CAPSTONE:
        assert seen["scrolls"], "the capstone's conversation is longer than its pane"
    assert seen["inView"], f"{path}: the newest message ({seen['text']!r}) is scrolled out of the pane"


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


def test_after_a_send_the_recorded_list_says_what_it_holds(lab, browser_context, shown, timing):
    """Never blank: its first entry names what can be sent next (the travel bot's rounds left Faro next)."""
    notebook, _ = _open_and_run(shown, lab, browser_context, CAPSTONE, timing)
    widget = Round("chat", CAPSTONE, CHAT).root(notebook.notebook)
    select = widget.get_by_label("Recorded:", exact=True)
    labels = [text.replace("\xa0", " ") for text in select.evaluate("s => [...s.options].map(o => o.text)")]
    selected = select.evaluate("s => s.selectedIndex")
    assert labels[selected] == "pick one of 1 recorded message that can be sent next"  # ipywidgets shows spaces as nbsp
    assert labels[1:] == [FARO]


def test_the_chat_is_usable_with_the_keyboard_and_named_for_screen_readers(lab, browser_context, shown, timing):
    """The pane is a log named Conversation, the box is labelled; Tab goes Recorded, box, Send, Reset; a picked
    message leaves the cursor in the box, so Enter sends it."""
    notebook, _ = _open_and_run(shown, lab, browser_context, CAPSTONE, timing)
    widget = Round("chat", CAPSTONE, CHAT).root(notebook.notebook)
    page = notebook.page
    assert widget.get_by_role("log", name="Conversation").is_visible()
    box, select = widget.get_by_label("Message", exact=True), widget.get_by_label("Recorded:", exact=True)
    assert box.get_attribute("placeholder") == CHAT.partition(":")[2]
    select.focus()
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.getAttribute('placeholder') "
                                   "|| document.activeElement.innerText.trim()"))
    assert order == [CHAT.partition(":")[2], "Send", "Reset"]
    select.select_option(label=FARO)
    page.wait_for_function("el => document.activeElement === el && el.value.length > 0", arg=box.element_handle())
    page.keyboard.press("Enter")
    widget.get_by_text(f"user: {FARO}").wait_for(timeout=15_000)
