"""The local sandbox, pointed at an OpenAI-compatible server (the kit's stand-in plays the learner's Ollama):
offline, what nobody recorded goes there, marked, free and never recorded; everything else stays as it was.

The real default engine and model are tested in tests/test_sandbox_engine.py (marker `sandbox`).
"""
import json
import socket

import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from helpers import modes, models, recordings, sandbox
from helpers.meter import meter
from helpers.session import Session
from helpers.widgets.chat import ChatWidget
from helpers.widgets.travel_bot import TravelBotWidget

from . import sandbox_cells
from .conftest import OWN_RULES, run_async, serving

NOTEBOOK = "sandbox"
SPAIN = [{"role": "user", "content": sandbox_cells.CHANGED_PROMPT}]
RULES = [*OWN_RULES, {"match": {"path": "/v1/chat/completions", "contains": sandbox_cells.CHANGED_PROMPT},
                      "reply": "The capital of Spain is Madrid."}]
LOCAL_MODEL = "tiny-local:0.5b"


@pytest.fixture
def local_server(tmp_path_factory):
    """An OpenAI-compatible server on this machine, as a learner's Ollama would be."""
    with serving(RULES, tmp_path_factory.mktemp("local-server")) as server:
        yield server


@pytest.fixture
def configured(local_server, recordings_dir, monkeypatch):
    """Offline, with KIT_SANDBOX_URL pointing at the local server."""
    monkeypatch.delenv("KIT_SANDBOX", raising=False)
    monkeypatch.setenv("KIT_SANDBOX_URL", local_server.url + "/")  # .../v1/, as learners may type it
    monkeypatch.setenv("KIT_SANDBOX_MODEL", LOCAL_MODEL)
    return local_server


def record_italy(own_standin, monkeypatch) -> None:
    """One answer recorded into the temporary recordings folder, as a lesson's recording holds it."""
    monkeypatch.setenv("OPENAI_BASE_URL", own_standin.url)
    session = Session(NOTEBOOK, "record").install()
    try:
        OpenAI(api_key="sk-kit-test").chat.completions.create(model=models.CHAT, messages=[
            {"role": "user", "content": "What is the capital of Italy?"}])
    finally:
        session.uninstall()
    monkeypatch.delenv("OPENAI_BASE_URL")


def test_an_unrecorded_chat_request_is_answered_by_the_sandbox_marked_free_and_not_recorded(configured, capsys):
    modes.setup(NOTEBOOK)
    banner = capsys.readouterr().out
    assert f"answered by {LOCAL_MODEL} at {configured.url}, on this machine, not by OpenAI" in banner
    meter.reset()

    cell = sandbox_cells.run(sandbox_cells.UNRECORDED_CHAT)

    assert cell["answer"] == "The capital of Spain is Madrid."
    assert "answered on this machine by tiny-local:0.5b" in capsys.readouterr().out, "the answer is marked"
    (sent,) = configured.requests
    assert sent.json["model"] == LOCAL_MODEL, "the sandbox gets its own model's name"
    assert sent.json["messages"][0]["role"] == "system", "open models' templates know system, not developer"
    assert sent.json["max_tokens"] == 24 and "max_completion_tokens" not in sent.json
    (call,) = meter.calls
    assert call.local and not call.live and call.billed == 0 and call.cost == 0
    assert call.model.endswith("(local sandbox)")
    assert "1 answered by the local sandbox on this machine (free)" in meter.summary()
    assert not any(modes.paths.RECORDINGS.glob("*")), "nothing the sandbox answers is written as a recording"


def test_a_streamed_request_streams_from_the_sandbox_and_is_metered_as_local(configured, capsys):
    modes.setup(NOTEBOOK)
    meter.reset()
    cell = sandbox_cells.run(sandbox_cells.UNRECORDED_STREAM)
    assert cell["answer"] == "The capital of Spain is Madrid." and len(cell["pieces"]) > 1
    assert "answered on this machine" in capsys.readouterr().out
    assert configured.requests[0].json["stream"] is True
    assert [c.local for c in meter.calls] == [True]


def test_async_clients_reach_the_sandbox_too(configured, capsys):
    modes.setup(NOTEBOOK)

    async def ask():
        return await AsyncOpenAI().chat.completions.create(model=models.CHAT, messages=SPAIN)

    assert run_async(ask).choices[0].message.content == "The capital of Spain is Madrid."
    assert len(configured.requests) == 1


def test_a_recorded_request_is_replayed_and_never_reaches_or_starts_a_sandbox(configured, own_standin, monkeypatch,
                                                                              capsys):
    record_italy(own_standin, monkeypatch)
    modes.setup(NOTEBOOK)
    answer = OpenAI().chat.completions.create(model=models.CHAT, messages=[
        {"role": "user", "content": "What is the capital of Italy?"}])
    assert answer.choices[0].message.content == "The capital of Italy is Rome."
    assert configured.requests == [] and "answered on this machine" not in capsys.readouterr().out

    monkeypatch.delenv("KIT_SANDBOX_URL")  # the default engine, "installed": still not started for a replay
    monkeypatch.setattr(sandbox, "engine_installed", lambda: True)
    started = []
    monkeypatch.setattr(sandbox.default_engine, "start", lambda *a: started.append(1) or "")
    modes.setup(NOTEBOOK)
    assert "Gemma 3 270M" in capsys.readouterr().out
    OpenAI().chat.completions.create(model=models.CHAT, messages=[
        {"role": "user", "content": "What is the capital of Italy?"}])
    assert started == []


@pytest.mark.parametrize("call, path", [
    (lambda client: client.embeddings.create(model=models.EMBEDDING, input="hello"), "/v1/embeddings"),
    (lambda client: client.moderations.create(model=models.MODERATION, input="hello"), "/v1/moderations"),
    (lambda client: client.images.generate(model=models.IMAGE, prompt="a cat"), "/v1/images/generations"),
])
def test_endpoints_the_sandbox_cannot_serve_keep_the_miss_message_which_says_so(configured, call, path, capsys):
    modes.setup(NOTEBOOK)
    with pytest.raises(recordings.OfflineMiss) as caught:
        call(OpenAI())
    assert "Offline mode is on" in str(caught.value)
    assert f"answers chat completions only, so {path} gets no answer without a recording" in str(caught.value)
    assert configured.requests == []


def test_a_request_the_api_refuses_is_not_answered_by_the_sandbox(configured, capsys):
    modes.setup(NOTEBOOK)
    with pytest.raises(recordings.OfflineMiss) as caught:
        OpenAI().chat.completions.create(model=models.CHAT, messages=SPAIN, temperature=0.7)
    assert "The live API refuses this request (400: Unsupported value: 'temperature'" in str(caught.value)
    assert configured.requests == []


def test_a_sandbox_that_does_not_answer_gives_the_miss_at_once_with_what_to_do(recordings_dir, monkeypatch, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    monkeypatch.delenv("KIT_SANDBOX", raising=False)
    monkeypatch.setenv("KIT_SANDBOX_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("KIT_SANDBOX_MODEL", LOCAL_MODEL)
    modes.setup(NOTEBOOK)
    with pytest.raises(recordings.OfflineMiss) as caught:
        OpenAI().chat.completions.create(model=models.CHAT, messages=SPAIN)
    assert "The local sandbox did not answer either" in str(caught.value) and "ollama serve" in str(caught.value)
    assert not isinstance(caught.value, openai.APIConnectionError), "the kit's miss, not a retried connection error"


@pytest.mark.parametrize("cell", [sandbox_cells.UNRECORDED_CHAT, sandbox_cells.UNRECORDED_STREAM])
def test_without_the_extra_the_same_cells_give_the_miss_message(cell, recordings_dir, monkeypatch, capsys):
    monkeypatch.delenv("KIT_SANDBOX", raising=False)
    monkeypatch.setattr(sandbox, "engine_installed", lambda: False)
    modes.setup(NOTEBOOK)
    banner = capsys.readouterr().out
    assert "on this machine, not by OpenAI" not in banner
    with pytest.raises(recordings.OfflineMiss) as caught:
        sandbox_cells.run(cell)
    assert "Offline mode is on" in str(caught.value) and "answered on this machine" not in capsys.readouterr().out
    assert "set up a local sandbox model: docs/sandbox.md" in str(caught.value), "the miss says how to get one"


def test_kit_sandbox_off_turns_it_off(configured, monkeypatch, capsys):
    monkeypatch.setenv("KIT_SANDBOX", "off")
    modes.setup(NOTEBOOK)
    with pytest.raises(recordings.OfflineMiss) as caught:
        OpenAI().chat.completions.create(model=models.CHAT, messages=SPAIN)
    assert configured.requests == [] and "local sandbox" not in str(caught.value)


def test_a_url_without_a_model_stops_setup_with_the_fix(recordings_dir, monkeypatch):
    monkeypatch.delenv("KIT_SANDBOX", raising=False)
    monkeypatch.setenv("KIT_SANDBOX_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.delenv("KIT_SANDBOX_MODEL", raising=False)
    with pytest.raises(sandbox.SandboxError, match="KIT_SANDBOX_MODEL must name the model"):
        modes.setup(NOTEBOOK)
    assert sandbox.SandboxError in modes.KIT_ERRORS, "shown as its message alone in a notebook"


def test_record_mode_never_uses_the_sandbox_and_keeps_only_the_apis_answers(configured, own_standin, monkeypatch,
                                                                            capsys):
    monkeypatch.setenv("KIT_MODE", "record")
    monkeypatch.setenv("OPENAI_BASE_URL", own_standin.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-kit-test")
    modes.setup(NOTEBOOK)
    assert modes.current.sandbox is None and "on this machine, not by OpenAI" not in capsys.readouterr().out
    OpenAI().chat.completions.create(model=models.CHAT, messages=[
        {"role": "user", "content": "What is the capital of Italy?"}])
    assert configured.requests == [] and len(own_standin.requests) == 1
    saved = json.loads((modes.paths.RECORDINGS / f"{NOTEBOOK}.json").read_text())
    assert sandbox.MARK_HEADER not in json.dumps(saved)


def test_record_mode_refuses_to_keep_an_answer_a_sandbox_gave(recordings_dir, monkeypatch, capsys):
    import httpx2

    session = Session(NOTEBOOK, "record")
    sent = recordings.Sent("POST", "/v1/chat/completions", {"model": models.CHAT, "messages": SPAIN})
    request = httpx2.Request("POST", "http://127.0.0.1:1/v1/chat/completions")
    relayed = httpx2.Response(200, headers={sandbox.MARK_HEADER: "tiny"}, json={"ok": 1}, request=request)
    assert "answered by a local sandbox" in session._not_kept(sent, request, relayed)


@pytest.mark.parametrize("make", [ChatWidget, TravelBotWidget], ids=["chat", "travel_bot"])
def test_the_widget_panes_say_the_reply_came_from_the_sandbox(make, configured, capsys):
    modes.setup(NOTEBOOK)
    widget = make(notebook=NOTEBOOK)
    turn = widget.send(sandbox_cells.CHANGED_PROMPT)
    assert turn.reply == "The capital of Spain is Madrid."
    assert "answered on this machine by tiny-local:0.5b" in widget.pane_html()
    assert "not by OpenAI" in widget.pane_html()


def test_the_default_engine_is_chosen_only_when_its_extra_is_installed(monkeypatch):
    monkeypatch.setattr(sandbox, "engine_installed", lambda: True)
    found = sandbox.find({})
    assert found is not None and found.engine is sandbox.default_engine and "base model" in found.label
    monkeypatch.setattr(sandbox, "engine_installed", lambda: False)
    assert sandbox.find({}) is None
    assert sandbox.find({"KIT_SANDBOX": "off", "KIT_SANDBOX_URL": "http://x/v1", "KIT_SANDBOX_MODEL": "m"}) is None


def test_the_extra_in_pyproject_is_the_pinned_sandbox_requirements():
    import tomllib

    from helpers.authoring import lock
    from helpers.preflight import pinned

    extra = tomllib.loads((modes.paths.ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {line.split("==")[0]: line.split("==")[1] for line in extra["sandbox"]} == \
        pinned(lock.SANDBOX_REQUIREMENTS)
    assert sandbox.MODEL_PACKAGE.replace("_", "-") in pinned(lock.SANDBOX_REQUIREMENTS)


def test_a_default_engine_that_stops_gives_the_miss_with_its_log_and_is_not_restarted_for_the_message(
        recordings_dir, monkeypatch, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = []
    monkeypatch.delenv("KIT_SANDBOX", raising=False)
    monkeypatch.setattr(sandbox, "engine_installed", lambda: True)
    monkeypatch.setattr(sandbox.default_engine, "start", lambda *a: started.append(1) or f"http://127.0.0.1:{port}/v1")
    modes.setup(NOTEBOOK)
    with pytest.raises(recordings.OfflineMiss) as caught:
        OpenAI().chat.completions.create(model=models.CHAT, messages=SPAIN)
    assert "The kit's sandbox engine stopped without answering" in str(caught.value)
    assert str(sandbox.default_engine.log) in str(caught.value) and started == [1]


def test_the_default_engine_leaves_tools_and_structured_output_to_the_miss_message(local_server, recordings_dir,
                                                                                 monkeypatch, capsys):
    """Its base model knows no tools, and its server refuses tool-call messages with a validation error."""
    monkeypatch.delenv("KIT_SANDBOX", raising=False)
    monkeypatch.setattr(sandbox, "engine_installed", lambda: True)
    monkeypatch.setattr(sandbox.default_engine, "start", lambda *a: local_server.url)
    modes.setup(NOTEBOOK)
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    called = {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}
    for extra in ({"tools": [weather]}, {"response_format": {"type": "json_object"}},
                  {"messages": [*SPAIN, called, {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]}):
        with pytest.raises(recordings.OfflineMiss) as caught:
            OpenAI().chat.completions.create(**{"model": models.CHAT, "messages": SPAIN, **extra})
        assert "answers plain chat only, so a request with tools or structured output" in str(caught.value)
    assert local_server.requests == []
    assert sandbox_cells.run(sandbox_cells.UNRECORDED_CHAT)["answer"] == "The capital of Spain is Madrid."
