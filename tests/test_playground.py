"""The parameter playground, driven headlessly: set values, click Send, check what was (not) sent.

Offline against lesson 02's recording, and live against the kit's stand-in server.
"""
from __future__ import annotations

import json

import pytest
from openai import OpenAI

from helpers import models, recordings
from helpers.modes import OFFLINE_PLACEHOLDER_KEY
from helpers.session import Session
from helpers.widgets.playground import (MAX_STOPS, Playground, Refused, build_request, describe, parse_stop,
                                        recorded_examples, settings_from_request, stop_text)

NOTEBOOK = "02_parameters"
LIVE_KEY = "sk-test"  # the stand-in wants a key that starts with sk-


@pytest.fixture
def offline(monkeypatch):
    """Offline mode for lesson 02, as its setup cell starts it; yields the recording to count replays."""
    monkeypatch.setenv("OPENAI_API_KEY", OFFLINE_PLACEHOLDER_KEY)
    session = Session(NOTEBOOK, "offline").install()
    yield session.recording
    session.uninstall()


@pytest.fixture
def live(standin, monkeypatch):
    """Live mode against the stand-in server: the playground's own OpenAI() finds it in the environment."""
    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    monkeypatch.setenv("OPENAI_API_KEY", LIVE_KEY)
    return standin


def replays(recording) -> int:
    return sum(recording.plays.values())


def chat_bodies(server) -> list[dict]:
    return [r.json for r in server.requests if r.path == "/v1/chat/completions"]


# --- bad input: refused with a message, never sent ---------------------------------------------

BAD_CONTROLS = [
    ("temperature", 3.0, "temperature must be from 0 to 2; got 3"),
    ("temperature", -0.5, "temperature must be from 0 to 2"),
    ("top_p", 1.5, "top_p must be from 0 to 1"),
    ("max_tokens", 5000, "max tokens must be from 1 to 4096; got 5000"),
    ("max_tokens", -1, "max tokens must be from 1 to 4096"),
    ("prompt", "", "The prompt is empty"),
    ("prompt", "   \n", "The prompt is empty"),
    ("stop", "a, b, c, d, e", f"at most {MAX_STOPS} stop sequences; got 5"),
]

BAD_SETTINGS = [
    ({"stop": 5}, "stop must be text (sequences separated by commas) or a list of strings; got 5"),
    ({"stop": ["a", 2]}, "stop must be text"),
    ({"stop": ["1", "2", "3", "4", "5"]}, "at most 4 stop sequences; got 5"),
    ({"temperature": "hot"}, "temperature must be a number from 0 to 2; got 'hot'"),
    ({"temperature": float("nan")}, "temperature must be a number"),
    ({"top_p": True}, "top_p must be a number"),
    ({"max_tokens": 2.5}, "max tokens must be a whole number"),
    ({"model": "gpt-4"}, "Choose one of the current chat models"),
    ({"prompt": None}, "The prompt is empty"),
    ({"seed": 1}, "Unknown setting 'seed'"),
]


def with_prompt(playground: Playground) -> Playground:
    playground.prompt.value = "Suggest a name for a new coffee shop. Reply with the name only."
    return playground


@pytest.mark.parametrize("control, value, message", BAD_CONTROLS)
def test_offline_bad_controls_are_refused_and_not_sent(offline, control, value, message):
    playground = with_prompt(Playground())
    getattr(playground, control).value = value
    playground.send_button.click()
    assert playground.status == "refused"
    assert message in playground.message
    assert message.split(";")[0] in playground.result.value
    assert playground.sent == [] and playground.last_request is None
    assert replays(offline) == 0


@pytest.mark.parametrize("control, value, message", BAD_CONTROLS)
def test_live_bad_controls_are_refused_and_not_sent(live, control, value, message):
    playground = with_prompt(Playground())
    getattr(playground, control).value = value
    playground.send_button.click()
    assert playground.status == "refused" and message in playground.message
    assert live.requests == []


@pytest.mark.parametrize("settings, message", BAD_SETTINGS)
def test_bad_settings_from_code_are_refused_and_not_sent(live, settings, message):
    playground = Playground()
    assert playground.send({"prompt": "Hello", **settings}) is None
    assert playground.status == "refused" and message in playground.message
    assert live.requests == [] and playground.sent == []


def test_a_combination_the_api_refuses_is_explained_and_not_sent(live):
    playground = Playground()
    playground.prompt.value = "Hello"
    playground.temperature.value = 0.5  # gpt-6-luna reasons by default, and then refuses temperature
    playground.send_button.click()
    assert playground.status == "refused" and live.requests == []
    assert playground.message == (
        "Not sent: the API would answer 400: Unsupported value: 'temperature' does not support 0.5 with this model. "
        "Only the default (1) value is supported. Set reasoning effort to none (no reasoning) to use it.")
    playground.effort.value = "none"
    playground.send_button.click()
    assert playground.status == "answered"
    assert live.requests[-1].json == {"model": models.CHAT, "messages": [{"role": "user", "content": "Hello"}],
                                      "reasoning_effort": "none", "temperature": 0.5}


def test_a_refusal_keeps_the_last_answer(offline):
    playground = Playground()
    playground.load_example(0)
    response = playground.send()
    playground.temperature.value = 3.0
    playground.send_button.click()
    assert playground.status == "refused"
    assert playground.last_response is response


# --- offline: every recorded combination answers, anything else is a readable miss --------------

def test_examples_are_the_lessons_recorded_combinations():
    examples = recorded_examples(NOTEBOOK)
    labels = [describe(e) for e in examples]
    assert len(examples) == len({json.dumps(e, sort_keys=True) for e in examples})  # no duplicates
    for wanted in ("temperature 0 ", "temperature 0.7", "temperature 1.2", "max 12 tokens", "stop 4.", r"stop \n"):
        assert any(wanted in label for label in labels), wanted
    body_of = {json.dumps(build_request(**e), sort_keys=True) for e in examples}
    recorded = {json.dumps(r["body"], sort_keys=True) for r in recordings.recorded_requests(NOTEBOOK)}
    assert body_of <= recorded


def test_offline_every_recorded_example_is_answered(offline):
    playground = Playground()
    assert len(playground.examples) >= 6
    recorded = recordings.recorded_requests(NOTEBOOK)
    for index, settings in enumerate(playground.examples):
        playground.example.value = index  # what choosing it in the dropdown does
        assert playground.settings() == settings
        before = replays(offline)
        playground.send_button.click()
        assert playground.status == "answered", playground.message
        assert replays(offline) == before + 1
        assert playground.last_request in [r["body"] for r in recorded]
        choice = playground.last_response.choices[0]
        assert choice.message.content in playground.message
        assert f"finish_reason: {choice.finish_reason}" in playground.message
        assert f"{playground.last_response.usage.total_tokens} tokens" in playground.message
        assert "finish_reason:" in playground.result.value and "usage:" in playground.result.value


def test_offline_the_cut_off_example_ends_with_length(offline):
    playground = Playground()
    index = next(i for i, e in enumerate(playground.examples) if e["max_tokens"] == 12)
    playground.load_example(index)
    response = playground.send()
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 12
    assert playground.last_request["max_completion_tokens"] == 12


def first_example(playground, **settings) -> int:
    return next(i for i, e in enumerate(playground.examples) if settings.items() <= e.items())


def test_offline_an_unrecorded_combination_shows_the_miss_message(offline):
    playground = Playground()
    playground.load_example(first_example(playground, effort="none"))
    playground.temperature.value = 0.3
    playground.send_button.click()
    assert playground.status == "miss"
    assert "Offline mode is on" in playground.message
    assert "temperature: you sent 0.3" in playground.message
    assert "Traceback" not in playground.result.value
    assert "Offline mode is on" in playground.result.value
    assert playground.last_response is None
    assert replays(offline) == 0


# --- live: anything in range is sent, exactly as built ---------------------------------------------

def test_live_sends_exactly_the_settings(live):
    playground = Playground()
    playground.model.value = models.CHAT_LARGER
    playground.prompt.value = "Write a haiku about unit tests."
    playground.temperature.value = 0.3
    playground.top_p.value = 0.9
    playground.max_tokens.value = 20
    playground.stop.value = r"END, \n"
    playground.send_button.click()
    assert playground.status == "answered", playground.message
    assert chat_bodies(live) == [{
        "model": models.CHAT_LARGER,
        "messages": [{"role": "user", "content": "Write a haiku about unit tests."}],
        "temperature": 0.3, "top_p": 0.9, "max_completion_tokens": 20, "stop": ["END", "\n"],
    }]
    assert playground.sent == chat_bodies(live)
    assert playground.last_response.model == models.CHAT_LARGER


def test_live_defaults_are_left_out(live):
    playground = Playground()
    playground.prompt.value = "Hello"
    playground.send_button.click()
    assert chat_bodies(live) == [{"model": models.CHAT, "messages": [{"role": "user", "content": "Hello"}]}]


def test_live_max_tokens_cuts_the_answer(live):
    playground = Playground()
    playground.prompt.value = "Explain what an API is, for a beginner, in three sentences."
    playground.max_tokens.value = 5
    response = playground.send()
    assert response.choices[0].finish_reason == "length" and response.usage.completion_tokens == 5
    assert "finish_reason: length" in playground.message


def test_live_api_errors_are_shown_as_messages(tmp_path, monkeypatch):
    from helpers.authoring.standin import StandIn

    (tmp_path / "rules.json").write_text(json.dumps({"rules": [{"match": {"contains": "refuse me"}, "reply": {
        "status": 400, "error": {"message": "This request was refused.", "type": "invalid_request_error",
                                 "param": None, "code": None}}}]}))
    with StandIn(scripts_dir=tmp_path) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", LIVE_KEY)
        playground = Playground()
        playground.prompt.value = "Please refuse me."
        playground.send_button.click()
    assert playground.status == "error"
    assert "The API answered 400: This request was refused." in playground.message


def test_an_unreachable_server_is_a_message_not_a_traceback():
    client = OpenAI(base_url="http://127.0.0.1:9/v1", api_key=LIVE_KEY, max_retries=0)
    playground = Playground(client=client)
    playground.prompt.value = "Hello"
    playground.send_button.click()
    assert playground.status == "error" and "Could not reach the API" in playground.message


# --- the pieces -----------------------------------------------------------------------------------

def test_stop_text_round_trips():
    assert parse_stop(r"4., \n, END") == ["4.", "\n", "END"]
    assert parse_stop("") == [] and parse_stop([]) == []
    assert parse_stop(stop_text(["4.", "\n"])) == ["4.", "\n"]
    with pytest.raises(Refused):
        parse_stop(("a",) * 5)


def test_requests_the_playground_cannot_send_are_not_examples():
    user = [{"role": "user", "content": "Hi"}]
    assert settings_from_request({"model": models.CHAT, "messages": user, "n": 3}) is None
    assert settings_from_request({"model": models.CHAT, "messages": user, "temperature": 1}) is None  # default sent
    assert settings_from_request({"model": models.CHAT, "messages": user, "stop": "4."}) is None  # a bare string
    assert settings_from_request({"model": "gpt-4", "messages": user}) is None
    steered = [{"role": "developer", "content": "x"}] + user
    assert settings_from_request({"model": models.CHAT, "messages": steered}) is None
    assert settings_from_request({"model": models.CHAT, "messages": user, "temperature": 0}) is None  # API refuses it
    settings = settings_from_request({"model": models.CHAT, "messages": user, "reasoning_effort": "none",
                                      "temperature": 0, "stop": ["\n"]})
    assert settings["temperature"] == 0 and settings["stop"] == r"\n" and settings["effort"] == "none"
