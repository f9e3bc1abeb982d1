"""The chat widget of lesson 03, driven headlessly: live-like against the stand-in, and offline on the recording."""
import json

import pytest

from helpers import modes
from helpers.authoring.standin import StandIn
from helpers.tokens import count_messages
from helpers.widgets.chat import DEFAULT_DEVELOPER, Chat, ChatWidget
from tests.conftest import chat_bodies

DEV = {"role": "developer", "content": DEFAULT_DEVELOPER}
FIRST = "I have a free afternoon in Lisbon. Any ideas?"
SECOND = "How long would all that take?"


def test_send_sends_the_whole_history_and_shows_each_role(live):
    widget = ChatWidget()
    widget.input.value = FIRST
    widget.send_button.click()
    widget.input.value = SECOND
    widget.send_button.click()

    first_reply, second_reply = widget.messages[2]["content"], widget.messages[4]["content"]
    assert widget.messages == [DEV, {"role": "user", "content": FIRST}, {"role": "assistant", "content": first_reply},
                               {"role": "user", "content": SECOND}, {"role": "assistant", "content": second_reply}]
    assert first_reply.startswith("Ride tram 28") and second_reply.startswith("About three to four hours")
    assert chat_bodies(live) == [{"model": "gpt-6-luna", "messages": widget.messages[:2]},
                                 {"model": "gpt-6-luna", "messages": widget.messages[:4]}]
    for role in ("developer", "user", "assistant"):
        assert f">{role}</b>" in widget.pane.value
    assert "How long would all that take?" in widget.pane.value and widget.input.value == ""


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_input_is_refused_and_nothing_is_sent(live, text):
    widget = ChatWidget()
    widget.input.value = text
    widget.send_button.click()
    assert chat_bodies(live) == []
    assert widget.messages == [DEV]
    assert "Type a message first: an empty message is not sent." in widget.pane.value


def test_a_message_that_is_not_text_is_refused():
    widget = ChatWidget()
    assert widget.send(42) is None
    assert "A message is text, not int." in widget.pane.value


def test_reset_starts_over_with_the_developer_message(live):
    widget = ChatWidget(developer="Be brief.")
    widget.send(FIRST)
    widget.reset_button.click()
    assert widget.messages == [{"role": "developer", "content": "Be brief."}]
    assert "Ride tram" not in widget.pane.value and widget.notice == ""


def test_an_api_error_is_a_message_in_the_pane_and_the_history_is_kept(tmp_path, monkeypatch):
    script = {"rules": [{"match": {"contains": "boom"},
                         "reply": {"status": 400, "error": {"message": "Something was wrong with it.",
                                                            "type": "invalid_request_error"}}}]}
    (tmp_path / "error.json").write_text(json.dumps(script))
    with StandIn(scripts_dir=tmp_path) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-kit-test")
        widget = ChatWidget()
        widget.send("hello")
        before = list(widget.messages)
        turn = widget.send("boom")
    assert turn.error == "The API answered with an error (400): Something was wrong with it."
    assert widget.messages == before
    assert "Something was wrong with it." in widget.pane.value and widget.input.value == "boom"


def offered(widget) -> list[str]:
    """The Recorded list's messages, without its first entry (which says what the list holds)."""
    return [value for _, value in widget.suggestion_list.options[1:]]


def test_offline_it_offers_and_answers_the_recorded_conversation():
    modes.setup("03_conversation_history")
    widget = ChatWidget(notebook="03_conversation_history")
    assert offered(widget) == [FIRST]
    widget.suggestion_list.value = FIRST
    assert widget.input.value == FIRST
    widget.send_button.click()
    assert widget.messages[-1]["content"].startswith("Ride tram 28")
    assert offered(widget) == [SECOND]


def test_the_recorded_list_is_never_blank_and_says_what_it_holds():
    modes.setup("03_conversation_history")
    widget = ChatWidget(notebook="03_conversation_history")
    widget.send(FIRST)
    assert widget.suggestion_list.label == "pick one of 1 recorded message that can be sent next"
    assert widget.suggestion_list.layout.display is None
    widget.send(SECOND)
    widget.send("Which of those is best at sunset?")
    assert offered(widget) == []
    assert widget.suggestion_list.label == "none recorded from here on: Reset starts the recorded conversation again"
    assert widget.suggestion_list.layout.display is None, "it stays, to say why nothing is offered"


def test_enter_in_the_box_sends(live):
    widget = ChatWidget()
    widget.input.value = FIRST
    widget.input._handle_custom_msg({"event": "submit"}, [])  # what the browser sends on Enter
    assert widget.messages[1:] == [{"role": "user", "content": FIRST},
                                   {"role": "assistant", "content": widget.messages[2]["content"]}]
    assert widget.input.value == ""


def test_offline_an_unrecorded_message_gets_a_short_note_and_the_recorded_messages():
    modes.setup("03_conversation_history")
    widget = ChatWidget(notebook="03_conversation_history")
    widget.send(FIRST)
    turn = widget.send("How long would all that take by bike?")
    assert turn.missed and turn.error == (
        "Offline, only recorded messages have answers, and this one was not recorded. Pick a recorded message, "
        "or go live with your own key (lesson 00).")
    assert widget.notice == ("Offline, only recorded messages have answers, and this one was not recorded. Pick one "
                             "from the Recorded list, or go live with your own key (lesson 00):\n"
                             f"  • {SECOND}")
    assert offered(widget) == [SECOND]
    for wire in ("POST", "/v1/", '"role"', "{", "Traceback", "Offline mode is on"):
        assert wire not in widget.pane.value
    assert widget.messages[-1]["content"].startswith("Ride tram 28") and widget.input.value.endswith("by bike?")


def test_offline_a_miss_past_the_recorded_conversation_says_how_to_go_on():
    modes.setup("03_conversation_history")
    widget = ChatWidget(notebook="03_conversation_history")
    for text in (FIRST, SECOND, "Which of those is best at sunset?"):
        widget.send(text)
    widget.send("And after that?")
    assert widget.notice == ("Offline, only recorded messages have answers, and this one was not recorded. The "
                             "recorded conversation goes no further from here: press Reset, or go live with your "
                             "own key (lesson 00).")


def test_offline_a_chat_with_nothing_recorded_to_offer_says_to_go_live():
    modes.setup("01_chat_completions")
    widget = ChatWidget(notebook="01_chat_completions")  # that lesson records no conversation for this chat
    widget.send("Hello")
    assert widget.notice == ("Offline, only recorded messages have answers, and this one was not recorded. Nothing "
                             "recorded can be sent from here: go live with your own key (lesson 00).")
    assert widget.suggestion_list.layout.display == "none"


def test_the_pane_is_a_log_that_keeps_its_newest_message_in_view(live):
    widget = ChatWidget()
    widget.send(FIRST)
    log = widget.pane.value
    assert log.startswith('<div class="kit-chat-log" role="log" aria-live="polite" aria-label="Conversation"')
    assert "flex-direction:column-reverse" in log and "overflow-y:auto" in log  # the browser check is in tests/browser
    assert widget.input.description == "Message" and "Enter" in widget.send_button.tooltip


def test_a_notice_is_gone_once_another_cell_runs(monkeypatch):
    import IPython
    from IPython.core.events import EventManager

    class Shell:
        events = EventManager(None, {"pre_run_cell"})

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell)
    widget = ChatWidget()
    widget.send("   ")  # a cell demonstrates the refusal
    assert "Type a message first" in widget.notice and "Type a message first" in widget.pane.value
    Shell.events.trigger("pre_run_cell", None)  # the next cell of a Run All
    assert widget.notice == "" and "Type a message first" not in widget.pane.value


def test_the_logic_runs_without_any_view(live):
    chat = Chat(developer="", model="gpt-6-luna")
    turn = chat.send(FIRST)
    assert chat.messages == [{"role": "user", "content": FIRST}, {"role": "assistant", "content": turn.reply}]
    assert repr(turn).startswith(f"user: {FIRST}\nassistant: Ride tram 28")
    sent = live.requests[-1].json
    assert sent["model"] == "gpt-6-luna" and turn.prompt_tokens == count_messages(sent["messages"], sent["model"])
