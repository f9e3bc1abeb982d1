"""Paced replay: recorded event streams arrive spread out in time, byte for byte as recorded."""
import itertools
import json
import time

import httpx2
import pytest
from openai import AsyncOpenAI, OpenAI

from helpers import pacing, paths
from helpers.session import Session
from tests.conftest import run_async

REQUEST = {"model": "gpt-6-luna", "messages": [{"role": "user", "content": "Count to three."}], "stream": True}
WORDS = ["One", ", two", ", three."]


def chunk(delta: dict, finish_reason=None) -> bytes:
    body = {"id": "chatcmpl-pacing", "object": "chat.completion.chunk", "created": 1764000000,
            "model": "gpt-6-luna", "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


SSE = (chunk({"role": "assistant", "content": ""}) + b"".join(chunk({"content": w}) for w in WORDS)
       + chunk({}, "stop") + b"data: [DONE]\n\n")


@pytest.fixture
def cassette(tmp_path, monkeypatch):
    """A recording of one streamed answer, replayed the way setup() replays lessons."""
    (tmp_path / "pacing.json").write_text(json.dumps({"format": 1, "provenance": "test", "interactions": [{
        "request": {"method": "POST", "path": "/v1/chat/completions", "body": REQUEST},
        "response": {"status": {"code": 200, "message": "OK"},
                     "headers": {"content-type": "text/event-stream; charset=utf-8"}, "body": {"text": SSE.decode()}},
    }]}))
    monkeypatch.setattr(paths, "RECORDINGS", tmp_path)
    session = Session("pacing", "offline").install()
    yield
    session.uninstall()


def raw_pieces() -> list[tuple[float, bytes]]:
    with httpx2.Client() as http, http.stream("POST", "https://api.openai.com/v1/chat/completions",
                                              json=REQUEST) as response:
        return [(time.monotonic(), piece) for piece in response.iter_raw()]


def test_split_events_keeps_every_byte():
    assert pacing.split_events(SSE) == [e + b"\n\n" for e in SSE.split(b"\n\n") if e]
    crlf = b"data: 1\r\n\r\ndata: 2\r\n\r\n"
    assert pacing.split_events(crlf) == [b"data: 1\r\n\r\n", b"data: 2\r\n\r\n"]
    assert pacing.split_events(b"data: no end") == [b"data: no end"]


def test_paced_events_arrive_spread_out_and_byte_identical(cassette, monkeypatch):
    monkeypatch.setenv(pacing.PACE_ENV, "40")
    pieces = raw_pieces()
    assert b"".join(piece for _, piece in pieces) == SSE
    assert len(pieces) == len(pacing.split_events(SSE)) == 6
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(pieces)]
    assert min(gaps) >= 0.035


def test_zero_pace_replays_at_full_speed(cassette, monkeypatch):
    monkeypatch.setenv(pacing.PACE_ENV, "0")
    start = time.monotonic()
    pieces = raw_pieces()
    assert b"".join(piece for _, piece in pieces) == SSE
    assert time.monotonic() - start < 0.5


def test_the_sdk_sees_the_recorded_chunks(cassette, monkeypatch):
    monkeypatch.setenv(pacing.PACE_ENV, "20")
    client = OpenAI(api_key="offline-test", max_retries=0)
    arrivals, text = [], []
    for event in client.chat.completions.create(**REQUEST):
        arrivals.append(time.monotonic())
        text.append(event.choices[0].delta.content or "")
    assert "".join(text) == "".join(WORDS)
    assert arrivals[-1] - arrivals[0] >= 0.015 * (len(arrivals) - 1)


def test_async_clients_are_paced_too(cassette, monkeypatch):
    monkeypatch.setenv(pacing.PACE_ENV, "20")

    async def collect():
        client = AsyncOpenAI(api_key="offline-test", max_retries=0)
        stream = await client.chat.completions.create(**REQUEST)
        return [(time.monotonic(), event.choices[0].delta.content or "") async for event in stream]

    events = run_async(collect)
    assert "".join(text for _, text in events) == "".join(WORDS)
    assert events[-1][0] - events[0][0] >= 0.015 * (len(events) - 1)


@pytest.mark.parametrize("value", ["fast", "-5", "100000"])
def test_a_bad_pace_warns_and_uses_the_default(value):
    with pytest.warns(UserWarning, match="KIT_REPLAY_PACE_MS"):
        assert pacing.pace_seconds({pacing.PACE_ENV: value}) == pacing.DEFAULT_PACE_MS / 1000
    assert pacing.pace_seconds({}) == pacing.DEFAULT_PACE_MS / 1000
    assert pacing.pace_seconds({pacing.PACE_ENV: "0"}) == 0
