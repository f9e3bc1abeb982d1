"""Record → replay round trips against the local stand-in server, misses, and damaged files."""
import json

import httpx2
import pytest
from openai import OpenAI

from helpers import modes, recordings

from tests.conftest import PLANTED_KEY
QUESTION = [{"role": "user", "content": "What is the capital of Italy?"}]


def record_one(monkeypatch, own_standin, notebook="roundtrip", messages=QUESTION):
    monkeypatch.setenv("KIT_MODE", "record")
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", own_standin.url)
    modes.setup(notebook)
    answer = OpenAI().chat.completions.create(model="gpt-6-luna", messages=messages)
    modes.teardown()
    return answer


def go_offline(monkeypatch, notebook="roundtrip"):
    monkeypatch.setenv("KIT_MODE", "offline")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    modes.setup(notebook)
    return OpenAI()


def test_record_then_replay_offline(recordings_dir, own_standin, monkeypatch, capsys):
    live = record_one(monkeypatch, own_standin)
    assert len(own_standin.requests) == 1
    assert own_standin.requests[0].headers["authorization"] == f"Bearer {PLANTED_KEY}"  # it was really sent

    client = go_offline(monkeypatch)
    capsys.readouterr()
    replayed = client.chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    again = client.chat.completions.create(model="gpt-6-luna", messages=QUESTION)  # a re-run cell
    assert replayed.model_dump() == live.model_dump() == again.model_dump()
    assert "Recorded" not in capsys.readouterr().out, "replaying records nothing"
    assert len(own_standin.requests) == 1, "offline replay must not reach the server"


def test_recording_holds_no_key_and_no_auth_header(recordings_dir, own_standin, monkeypatch, capsys):
    record_one(monkeypatch, own_standin)
    text = (recordings_dir / "roundtrip.json").read_text()
    assert PLANTED_KEY not in text and PLANTED_KEY[3:20] not in text
    assert "authorization" not in text.lower() and "bearer" not in text.lower()
    assert PLANTED_KEY not in capsys.readouterr().out


def test_recording_is_readable_json_labelled_synthesized(recordings_dir, own_standin, monkeypatch):
    record_one(monkeypatch, own_standin)
    data = json.loads((recordings_dir / "roundtrip.json").read_text())
    assert data["format"] == recordings.FORMAT
    assert "1 synthesized by the kit's stand-in server" in data["provenance"]
    interaction = data["interactions"][0]
    assert interaction["request"] == {"method": "POST", "path": "/v1/chat/completions",
                                      "body": {"model": "gpt-6-luna", "messages": QUESTION}}
    assert interaction["response"]["body"]["json"]["object"] == "chat.completion"


def test_record_mode_reports_what_it_added(recordings_dir, own_standin, monkeypatch, capsys):
    record_one(monkeypatch, own_standin)
    out = capsys.readouterr().out
    assert "Recorded a new answer: POST /v1/chat/completions → " in out and "(1 added this session)" in out


def test_record_mode_never_overwrites_what_is_recorded(recordings_dir, own_standin, monkeypatch, capsys):
    first = record_one(monkeypatch, own_standin)
    before = (recordings_dir / "roundtrip.json").read_text()
    second = record_one(monkeypatch, own_standin)
    assert second.model_dump() == first.model_dump()
    assert len(own_standin.requests) == 1, "an already recorded request is replayed, not sent again"
    assert (recordings_dir / "roundtrip.json").read_text() == before


def test_a_miss_fails_at_once_with_the_closest_request_and_what_differs(recordings_dir, own_standin, monkeypatch):
    record_one(monkeypatch, own_standin)
    client = go_offline(monkeypatch)
    with pytest.raises(recordings.OfflineMiss) as caught:
        client.chat.completions.create(model="gpt-6-luna", messages=QUESTION, temperature=0.5)
    message = str(caught.value)
    assert message.startswith("Offline mode is on, and this exact request was not recorded")
    assert "Closest recorded request (" in message and "#1" in message
    assert "temperature: you sent 0.5, the recording has none" in message
    assert "set OPENAI_API_KEY" in message and "KIT_MODE=record" in message


def test_a_miss_is_not_retried(recordings_dir, monkeypatch):
    client = go_offline(monkeypatch, "nothing_recorded")
    calls = []
    original = recordings.OfflineMiss.__init__

    def counting(self, **kwargs):
        calls.append(1)
        original(self, **kwargs)

    monkeypatch.setattr(recordings.OfflineMiss, "__init__", counting)
    with pytest.raises(recordings.OfflineMiss, match="holds no recorded requests"):
        client.with_options(max_retries=5).chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    assert len(calls) == 1


@pytest.mark.parametrize("content, problem", [
    ('{"format": 1, "interactions": [', r"is damaged \(not valid JSON"),
    ('["not", "a", "recording"]', "is not a recording file"),
    ('{"format": 99, "interactions": []}', "written by a newer version of the kit"),
    ('{"format": 1, "interactions": [{"request": {}}]}', "interaction #1 is incomplete"),
])
def test_a_damaged_recording_file_gets_a_clear_error_naming_it(content, problem, recordings_dir):
    recordings_dir.mkdir()
    (recordings_dir / "broken.json").write_text(content)
    with pytest.raises(recordings.RecordingError, match=problem) as caught:
        modes.setup("broken")
    assert "broken.json" in str(caught.value)
    assert (recordings_dir / "broken.json").read_text() == content, "the damaged file is left as it was"


def test_multipart_uploads_match_on_fields_and_file_content_not_the_boundary():
    def upload(boundary, data):
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-transcribe\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                f"Content-Type: audio/wav\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = httpx2.Request("POST", "https://api.openai.com/v1/audio/transcriptions", content=body,
                                 headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        return recordings.Sent.of(request)

    assert upload("aaa111", b"RIFF1234") == upload("bbb222", b"RIFF1234")
    assert upload("aaa111", b"RIFF1234") != upload("aaa111", b"RIFF9999")
    assert upload("aaa111", b"RIFF1234").body["multipart"]["file"]["filename"] == "a.wav"


def test_a_fresh_interpreter_records_through_the_setup_line(tmp_path, own_standin):
    """As in a new kernel: the setup line alone makes verbatim SDK code record."""
    import os
    import subprocess
    import sys

    script = (
        "import pathlib, helpers.paths\n"
        f"helpers.paths.RECORDINGS = pathlib.Path({str(tmp_path)!r})\n"
        "from helpers import setup; setup('roundtrip')\n"
        "from openai import OpenAI\n"
        f"r = OpenAI().chat.completions.create(model='gpt-6-luna', messages={QUESTION!r})\n"
        "print(r.choices[0].message.content)\n"
    )
    env = {**os.environ, "KIT_MODE": "record", "OPENAI_API_KEY": PLANTED_KEY, "OPENAI_BASE_URL": own_standin.url}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr[-1500:]
    assert result.stdout.strip().endswith("The capital of Italy is Rome.")
    assert len(own_standin.requests) == 1 and (tmp_path / "roundtrip.json").exists()


def test_a_recording_knows_whether_it_holds_live_answers(recordings_dir, own_standin, monkeypatch):
    record_one(monkeypatch, own_standin)
    path = recordings_dir / "roundtrip.json"
    assert not recordings.holds_live_answers(path)
    data = json.loads(path.read_text())
    del data["interactions"][0]["response"]["headers"]["x-kit-standin"]  # as an answer from the real API has none
    path.write_text(json.dumps(data))
    assert recordings.holds_live_answers(path)
