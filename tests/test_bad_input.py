"""Every bad input a learner can give the kit, and what they see: a message that says what to do.

This file is the index. Cases tested elsewhere are listed here and not repeated; the tests below add
what the other files do not cover.

Settings
- KIT_MODE misspelt ("online"): test_modes.py, test_unknown_mode_is_refused_with_the_choices
- KIT_MODE=live or record with no key: test_modes.py, test_live_or_record_mode_without_a_key_says_what_to_do
  (choose_mode alone); here: through setup(), also with offline mode's placeholder key left in the kernel
- a key with spaces or quotes around it, or not starting with sk-: test_modes.py,
  test_a_malformed_key_is_refused_before_any_request; the key form: test_key_entry.py,
  test_malformed_keys_are_refused_and_nothing_changes; here: curly quotes, a character no key has
- KIT_BUDGET_USD that is not dollars, a negative budget: test_meter.py, test_a_budget_must_be_dollars and
  test_a_bad_budget_setting_is_reported_not_raised_by_the_summary
- OPENAI_BASE_URL unreachable, without http://, or without /v1: here (the SDK's error, and preflight's)

Recordings
- a recording that is not JSON, not a recording, of a newer format, or has an incomplete interaction:
  test_recordings.py, test_a_damaged_recording_file_gets_a_clear_error_naming_it; here: an empty file,
  a truncated real recording, a binary file, a missing blob (and what happens after it)
- a recorded body the installed SDK cannot parse: here (every body in data/recordings/, and a broken one)
- a request that was not recorded, offline: test_recordings.py, test_a_miss_fails_at_once_with_the_closest_
  request_and_what_differs and test_a_miss_is_not_retried; in widgets: test_chat_widget.py and
  test_playground.py; here: a request to an endpoint the lesson never called
- a model the installed SDK marks as shut down: test_lifecycle.py (a warning, then the API's own 404)

Widgets (each: refused with a message, nothing sent)
- chat: empty or blank message, a message that is not text: test_chat_widget.py; here: not text, with a server
- travel bot: empty message, a message over the token budget: test_travel_bot.py; here: not text, a budget
  that is not a number
- playground: out-of-range temperature, top_p, max tokens; empty prompt; too many stops; wrong types;
  an old model; an unknown setting: test_playground.py; here: negative top_p, infinite temperature,
  max tokens as text, no model, a prompt that is not text
- cost calculator: negative, non-numeric, fractional, too large counts; zero requests; empty prompt; unknown
  model: test_cost_calculator.py; here: counts given as numbers of the wrong kind, no model, no prompt
- tokenizer: text that is not a str, an unknown encoding: test_tokenizer_widget.py; here: None and bytes
- key entry: empty, spaces, line breaks, quotes, not sk-: test_key_entry.py; here: curly quotes, a character
  no key has
"""
import array
import base64
import json
import math
import socket
import time

import openai
import pydantic
import httpx2
import pytest
from openai import OpenAI
from openai.pagination import SyncCursorPage, SyncPage
from openai.types import (Batch, Completion, CreateEmbeddingResponse, FileDeleted, FileObject, ImagesResponse, Model,
                          ModerationCreateResponse, VectorStore, VectorStoreDeleted)
from openai.types.vector_stores import VectorStoreFileBatch
from openai.types.audio import Transcription, TranscriptionVerbose
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.conversations import Conversation, ConversationItemList
from openai.types.responses import Response, ResponseStreamEvent
from openai.types.shared import ErrorObject

from helpers import modes, paths, preflight, recordings, traffic
from helpers.widgets import cost_calculator, key_entry, playground, tokenizer
from helpers.widgets.chat import ChatWidget
from helpers.widgets.travel_bot import TravelBotWidget

from tests.conftest import PLANTED_KEY

QUESTION = [{"role": "user", "content": "What is the capital of Italy?"}]
KIT_RECORDINGS = paths.RECORDINGS  # the recordings_dir fixture points paths.RECORDINGS elsewhere


@pytest.fixture
def sent(monkeypatch):
    """Every request the SDK sends from now on, whatever answers it (the kit's recording or a server)."""
    seen = []
    send, async_send = httpx2.Client.send, httpx2.AsyncClient.send

    def observed(client, request, **options):
        seen.append(traffic.Outgoing(request.method, request.url.path, None))
        return send(client, request, **options)

    async def async_observed(client, request, **options):
        seen.append(traffic.Outgoing(request.method, request.url.path, None))
        return await async_send(client, request, **options)

    monkeypatch.setattr(httpx2.Client, "send", observed)
    monkeypatch.setattr(httpx2.AsyncClient, "send", async_observed)
    return seen


def closed_port_url() -> str:
    """The address of a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


# --- settings ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, modes.OFFLINE_PLACEHOLDER_KEY])
def test_live_mode_with_no_key_is_refused_by_the_setup_cell(key, monkeypatch, sent):
    """Also when offline mode's placeholder is still in the kernel: it is no key."""
    monkeypatch.setenv("KIT_MODE", "live")
    if key:
        monkeypatch.setenv("OPENAI_API_KEY", key)
    with pytest.raises(modes.SetupError) as caught:
        modes.setup("01_chat_completions")
    assert str(caught.value) == ("KIT_MODE=live needs a real key, because it sends real requests. Set OPENAI_API_KEY "
                                 "(lesson 00 shows how), or unset KIT_MODE to work offline.")
    assert sent == []


def test_a_key_in_curly_quotes_is_refused(monkeypatch):
    """Pasted from a word processor: it no longer starts with sk-."""
    key = "“" + PLANTED_KEY + "”"
    assert "quotes" in key_entry.key_problem(key)
    monkeypatch.setenv("KIT_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with pytest.raises(modes.SetupError, match="spaces or quotes"):
        modes.setup("01_chat_completions")


@pytest.mark.parametrize("key", [PLANTED_KEY[:20] + "…", PLANTED_KEY[:-1] + "é"])
def test_a_key_with_a_character_no_key_has_is_refused(key, monkeypatch):
    """A copy cut short in a display ("sk-proj-abc…"), or a key retyped with an accent."""
    assert key_entry.key_problem(key) is not None
    monkeypatch.setenv("KIT_MODE", "live")
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with pytest.raises(modes.SetupError, match="OPENAI_API_KEY"):
        modes.setup("01_chat_completions")


def test_an_unreachable_server_fails_at_once_with_the_sdks_connection_error(monkeypatch, capsys):
    url = closed_port_url()
    monkeypatch.delenv("KIT_MODE")
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    modes.setup("01_chat_completions")
    assert f"Live mode: requests go to {url}" in capsys.readouterr().out
    start = time.monotonic()
    with pytest.raises(openai.APIConnectionError, match="^Connection error.$") as caught:
        OpenAI(max_retries=0).chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    assert time.monotonic() - start < 5
    assert "Connection refused" in str(caught.value.__cause__)


def test_preflight_says_what_to_check_when_the_server_is_unreachable(monkeypatch):
    url = closed_port_url()
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    check = preflight.check_key(timeout=2)
    assert not check.ok
    assert str(check).splitlines() == [
        f"❌ cannot reach {url}",
        "   → Check OPENAI_BASE_URL (the address, the port and the /v1 at its end) and that the server is running; "
        "unset OPENAI_BASE_URL to use api.openai.com."]
    assert PLANTED_KEY not in str(check)


def test_a_server_address_without_http_is_a_connection_error_naming_the_cause(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "localhost:11434/v1")
    with pytest.raises(openai.APIConnectionError) as caught:
        OpenAI(max_retries=0).models.list()
    assert "unsupported protocol" in str(caught.value.__cause__)
    assert preflight.check_key(timeout=2).summary == "cannot reach localhost:11434/v1"


def test_a_server_address_without_v1_gets_preflights_hint(live, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", live.url.removesuffix("/v1"))
    check = preflight.check_key(timeout=2)
    assert not check.ok and "should end in /v1" in check.fix


# --- recordings ----------------------------------------------------------------------------------------

def damaged(recordings_dir, content: bytes, name="broken"):
    recordings_dir.mkdir(exist_ok=True)
    (recordings_dir / f"{name}.json").write_bytes(content)
    return name


def truncated_recording() -> bytes:
    whole = (KIT_RECORDINGS / "01_chat_completions.json").read_bytes()
    return whole[: len(whole) // 2]


@pytest.mark.parametrize("content, problem", [
    (lambda: b"", r"is damaged \(not valid JSON"),  # a copy or a merge that went wrong
    (truncated_recording, r"is damaged \(not valid JSON"),
    (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not a text file"),
], ids=["empty", "truncated", "binary"])
def test_an_empty_truncated_or_binary_recording_is_named_with_what_to_do(recordings_dir, content, problem, sent):
    name = damaged(recordings_dir, content())
    with pytest.raises(recordings.RecordingError, match=problem) as caught:
        modes.setup(name)
    assert f"{name}.json" in str(caught.value) and "git checkout" in str(caught.value)
    assert sent == []


@pytest.mark.parametrize("mode", ["offline", "record"])
def test_after_a_damaged_recording_stops_the_setup_cell_no_request_leaves(mode, recordings_dir, standin, monkeypatch):
    """The setup cell fails on a hand-edited file; the learner runs the next cell anyway. Offline, the
    request must not reach a server (with the placeholder key it would go to api.openai.com); in
    record mode it must not be sent, billed and left unrecorded."""
    data = json.loads((KIT_RECORDINGS / "01_chat_completions.json").read_text())
    data["interactions"][0]["response"]["status"]["code"] = "200"  # a status written as a string
    name = damaged(recordings_dir, json.dumps(data).encode(), name="01_chat_completions")
    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    if mode == "record":
        monkeypatch.setenv("KIT_MODE", "record")
        monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    with pytest.raises(recordings.RecordingError, match="interaction #1 has the status '200'"):
        modes.setup(name)
    with pytest.raises(recordings.RecordingError, match="interaction #1 has the status '200'"):
        OpenAI(max_retries=0).chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    assert standin.requests == []


@pytest.fixture
def missing_blob(recordings_dir, standin, monkeypatch):
    """A recording whose audio file is missing, with a server to catch any request that gets past it."""
    interaction = {"request": {"method": "POST", "path": "/v1/audio/speech",
                               "body": {"model": "gpt-4o-mini-tts", "input": "Hello", "voice": "alloy"}},
                   "response": {"status": {"code": 200, "message": "OK"}, "headers": {"content-type": "audio/wav"},
                                "body": {"blob": "blobs/0123456789abcdef", "bytes": 44}}}
    name = damaged(recordings_dir, json.dumps({"format": 1, "provenance": "x", "interactions": [interaction]}).encode())
    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    modes.setup(name)  # the file itself reads fine; the blob is needed at the first request
    yield name
    modes.teardown()  # whatever state the failure left behind


def speak():
    return OpenAI(max_retries=0).audio.speech.create(model="gpt-4o-mini-tts", input="Hello", voice="alloy")


def test_a_missing_blob_is_named_at_the_request_that_needs_it(missing_blob, recordings_dir):
    with pytest.raises(recordings.RecordingError) as caught:
        speak()
    assert str(caught.value) == (f"{recordings.shown(recordings_dir / 'broken.json')} refers to "
                                 "blobs/0123456789abcdef, which is missing. Restore it from git "
                                 "(git checkout -- data/) or record again.")


def test_after_a_recording_fails_to_load_offline_requests_still_never_leave(missing_blob, standin):
    with pytest.raises(recordings.RecordingError):
        speak()
    with pytest.raises(recordings.RecordingError):  # again, not sent to OPENAI_BASE_URL or api.openai.com
        speak()
    assert standin.requests == []


def test_after_a_recording_fails_to_load_the_setup_cell_runs_again(missing_blob, capsys):
    with pytest.raises(recordings.RecordingError):
        speak()
    modes.setup(missing_blob)  # the learner restores the blob, or not, and re-runs the setup cell
    assert capsys.readouterr().out.splitlines()[-1].startswith("Offline mode: answers are replayed from")


def response_type(request: dict, status: int):
    """The SDK type the SDK itself would parse this recorded answer into."""
    if status >= 400:
        return ErrorObject
    path, body = request["path"], request.get("body") or request.get("multipart") or {}
    if path == "/v1/audio/transcriptions":
        return TranscriptionVerbose if body.get("response_format") == "verbose_json" else Transcription
    if path.startswith("/v1/models/"):
        return Model
    stored = _stored_object_type(request["method"], path)
    if stored is not None:
        return stored
    if path == "/v1/conversations":
        return Conversation
    if path.startswith("/v1/conversations/") and path.endswith("/items"):
        return ConversationItemList
    types = {"/v1/chat/completions": (ChatCompletion, ChatCompletionChunk), "/v1/completions": (Completion, Completion),
             "/v1/responses": (Response, ResponseStreamEvent), "/v1/embeddings": (CreateEmbeddingResponse, None),
             "/v1/moderations": (ModerationCreateResponse, None), "/v1/images/generations": (ImagesResponse, None),
             "/v1/models": (SyncPage[Model], None)}
    whole, chunk = types[path]
    return chunk if body.get("stream") else whole


def _stored_object_type(method: str, path: str):
    """Files, vector stores and batches: the type by method and the path's shape."""
    parts = path.removeprefix("/v1/").split("/")
    if parts[0] == "files":
        return {1: SyncCursorPage[FileObject] if method == "GET" else FileObject,
                2: FileDeleted if method == "DELETE" else FileObject}.get(len(parts))
    if parts[0] == "vector_stores":
        if len(parts) > 2 and parts[2] == "file_batches":
            return VectorStoreFileBatch
        return VectorStoreDeleted if method == "DELETE" else VectorStore
    return Batch if parts[0] == "batches" else None


def recorded_bodies():
    for path in sorted(paths.RECORDINGS.glob("*.json")):
        for number, interaction in enumerate(recordings.read_file(path)["interactions"], start=1):
            yield pytest.param(interaction, id=f"{path.stem}#{number}")


def parse(kind, value):
    return pydantic.TypeAdapter(kind).validate_python(value)


def decoded_embeddings(body: dict) -> dict:
    """The SDK asks for base64 by default and decodes it to floats after parsing: do the same first."""
    data = [{**item, "embedding": array.array("f", base64.b64decode(item["embedding"])).tolist()}
            if isinstance(item.get("embedding"), str) else item for item in body["data"]]
    return {**body, "data": data}


@pytest.mark.parametrize("interaction", list(recorded_bodies()))
def test_every_recorded_body_parses_into_the_sdks_own_type(interaction):
    request, response = interaction["request"], interaction["response"]
    status, body = response["status"]["code"], response.get("body") or {}
    if "blob" in body:  # audio, or a file's content: binary, beside the recording
        assert request["path"] == "/v1/audio/speech" or request["path"].endswith("/content")
        return
    kind = response_type(request, status)
    if "text" in body:  # a stream: every event must parse, and it must end as the API ends it
        assert body["text"].rstrip().endswith("data: [DONE]") or request["path"] == "/v1/responses"
        events = traffic.parse_events(body["text"].encode())
        assert events
        for event in events:
            parse(kind, event)
        return
    assert "json" in body, f"a {status} answer with no JSON body"
    if status >= 400:
        parse(kind, body["json"]["error"])
    elif kind is CreateEmbeddingResponse:
        parse(kind, decoded_embeddings(body["json"]))
    else:
        parse(kind, body["json"])


def test_a_body_missing_a_required_field_fails_with_a_clear_error():
    """What the test above reports when a recorded answer lacks a field the SDK's type requires."""
    data = recordings.read_file(paths.RECORDINGS / "01_chat_completions.json")
    body = next(i["response"]["body"]["json"] for i in data["interactions"]
                if i["request"]["path"] == "/v1/chat/completions" and i["response"]["status"]["code"] == 200)
    ChatCompletion.model_validate(body)
    del body["choices"]
    with pytest.raises(pydantic.ValidationError) as caught:
        ChatCompletion.model_validate(body)
    assert caught.value.errors()[0]["loc"] == ("choices",) and caught.value.errors()[0]["type"] == "missing"
    assert "choices\n  Field required" in str(caught.value)


def test_a_request_to_an_endpoint_the_lesson_never_called_shows_where_its_recordings_go(sent):
    modes.setup("01_chat_completions")
    with pytest.raises(recordings.OfflineMiss) as caught:
        OpenAI().embeddings.create(model="text-embedding-3-small", input="hello")
    lines = str(caught.value).splitlines()
    assert lines[0] == "Offline mode is on, and this exact request was not recorded, so there is no answer to replay."
    assert lines[1].startswith("  You sent: POST /v1/embeddings ")
    assert "    it goes to POST /v1/chat/completions instead" in lines
    assert [(s.method, s.path) for s in sent] == [("POST", "/v1/embeddings")]  # it reached the recording, no further


# --- widgets: refused with a message, nothing sent -------------------------------------------------------

@pytest.mark.parametrize("value, message", [(None, "A message is text, not NoneType."),
                                            (["Hi"], "A message is text, not list.")])
@pytest.mark.parametrize("widget", [ChatWidget, TravelBotWidget])
def test_chat_and_travel_bot_refuse_a_message_that_is_not_text(live, sent, widget, value, message):
    chat = widget()
    before = list(chat.messages)
    assert chat.send(value) is None
    assert message in chat.pane.value
    assert chat.messages == before and sent == [] and live.requests == []


@pytest.mark.parametrize("budget", [None, "600"])
def test_a_travel_bot_budget_that_is_not_a_number_is_refused(live, sent, budget):
    turn = TravelBotWidget(budget=budget).send("Where should I stay in Lisbon?")
    assert turn.error and "budget" in turn.error and sent == []


@pytest.mark.parametrize("settings, message", [
    ({"top_p": -0.1}, "top_p must be from 0 to 1; got -0.1."),
    ({"temperature": math.inf}, "temperature must be from 0 to 2; got inf."),
    ({"max_tokens": "100"}, "max tokens must be a whole number from 1 to 4096; got '100'."),
    ({"model": None}, "Choose one of the current chat models: gpt-6-luna, gpt-5.4-mini; got None."),
    ({"prompt": 42}, "The prompt is empty."),
])
def test_playground_refuses_more_bad_settings(live, sent, settings, message):
    widget = playground.Playground()
    assert widget.send({"prompt": "Hello", **settings}) is None
    assert widget.status == "refused" and message in widget.message
    assert sent == [] and live.requests == []


@pytest.mark.parametrize("arguments, message", [
    ((cost_calculator.models.CHAT, 2.5, 10), "Tokens in must be a whole number from 0 to 10,000,000; got 2.5."),
    ((cost_calculator.models.CHAT, 10, -5), "Tokens out must be a whole number from 0 to 10,000,000; got -5."),
    ((cost_calculator.models.CHAT, math.nan, 10), "got nan."),
    ((cost_calculator.models.CHAT, None, 10), "got None."),
    ((cost_calculator.models.CHAT, "1e3", 10), "got '1e3'."),
    ((None, 10, 10), "Choose one of gpt-6-luna"),
])
def test_cost_calculator_refuses_counts_of_the_wrong_kind(sent, arguments, message):
    with pytest.raises(cost_calculator.Refused) as caught:
        cost_calculator.estimate(*arguments)
    assert message in str(caught.value)
    with pytest.raises(cost_calculator.Refused, match="The prompt is empty"):
        cost_calculator.prompt_tokens(None, cost_calculator.models.CHAT)
    assert sent == []


@pytest.mark.parametrize("text, message", [(None, "got NoneType."), (b"hello", "got bytes.")])
def test_tokenizer_refuses_what_is_not_text(text, message):
    with pytest.raises(ValueError, match="The tokenizer reads text") as caught:
        tokenizer.tokenize(text)
    assert str(caught.value).endswith(message)
