"""The one seam: a session patches httpx2's two transport methods, and puts back exactly what it found.

A request flows one way: guards → source (recording, server, or server recorded) → pacing → listeners.
"""
import json

import httpx2
import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from helpers import modes, recordings, traffic
from helpers.session import TRANSPORTS, Session

from .conftest import run_async

QUESTION = [{"role": "user", "content": "What is the capital of Italy?"}]


def seam() -> list:
    return [cls.__dict__[name] for cls, name in TRANSPORTS]


def test_setup_and_teardown_leave_no_patch_behind(recordings_dir, monkeypatch, capsys):
    before = seam()
    modes.setup("anything")
    during = seam()
    assert all(getattr(method, "kit_session", None) is modes.current for method in during)
    assert during != before
    modes.setup("anything")  # the setup cell run again replaces its session, never stacks a second one
    again = seam()
    assert all(method.kit_session is modes.current for method in again)
    assert all(modes.current._installed[key][0] is original for key, original in zip(TRANSPORTS, before,
                                                                                         strict=True))
    modes.teardown()
    assert seam() == before and not modes.current.installed


def test_uninstall_leaves_a_later_patch_in_place():
    before = seam()
    session = Session("anything", "live").install()
    cls, name = TRANSPORTS[0]
    someone_else = object()
    setattr(cls, name, someone_else)
    try:
        session.uninstall()
        assert cls.__dict__[name] is someone_else, "a patch made after the session's is not the session's to undo"
        assert seam()[1] is before[1]
    finally:
        setattr(cls, name, before[0])


def recorded(recordings_dir, own_standin, monkeypatch) -> None:
    """One answer recorded from the stand-in into the temporary recordings folder."""
    monkeypatch.setenv("OPENAI_BASE_URL", own_standin.url)
    session = Session("seam", "record", listeners=[]).install()
    try:
        OpenAI(api_key="sk-kit-test").chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    finally:
        session.uninstall()


def test_guards_run_first_and_a_refusal_stops_the_request_before_any_source(recordings_dir, own_standin, monkeypatch,
                                                                            capsys):
    recorded(recordings_dir, own_standin, monkeypatch)
    order, heard = [], []

    class Refused(Exception):
        pass

    def guard(outgoing):
        order.append(("guard", outgoing.path, outgoing.json["model"]))
        if outgoing.json.get("temperature"):
            raise Refused("no")

    for mode in ("offline", "record", "live"):
        session = Session("seam", mode, guards=[guard], listeners=[heard.append]).install()
        try:
            with pytest.raises(Refused):
                OpenAI(api_key="sk-kit-test").chat.completions.create(model="gpt-6-luna", messages=QUESTION,
                                                                      temperature=0.5, reasoning_effort="none")
        finally:
            session.uninstall()
    assert order == [("guard", "/v1/chat/completions", "gpt-6-luna")] * 3
    assert heard == [] and len(own_standin.requests) == 1, "only the recording run reached the server"


def test_each_source_tells_the_listeners_whether_the_answer_was_live(recordings_dir, own_standin, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", own_standin.url)
    heard = []
    for mode in ("record", "offline", "record", "live"):
        session = Session("seam", mode, listeners=[heard.append]).install()
        try:
            answer = OpenAI(api_key="sk-kit-test").chat.completions.create(model="gpt-6-luna", messages=QUESTION)
        finally:
            session.uninstall()
        assert answer.choices[0].message.content == "The capital of Italy is Rome."
    assert [exchange.live for exchange in heard] == [True, False, False, True]  # record, replay, replay, live
    assert len(own_standin.requests) == 2 and all(isinstance(e, traffic.Exchange) for e in heard)
    assert heard[0].body == heard[1].body, "the replay is the recorded answer, byte for byte"
    data = json.loads((recordings_dir / "seam.json").read_text())
    assert len(data["interactions"]) == 1


def test_async_clients_go_through_the_same_seam(recordings_dir, own_standin, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", own_standin.url)
    heard = []

    async def ask():
        return await AsyncOpenAI(api_key="sk-kit-test", max_retries=0).chat.completions.create(
            model="gpt-6-luna", messages=QUESTION)

    for mode in ("record", "offline"):
        session = Session("seam", mode, listeners=[heard.append]).install()
        try:
            assert run_async(ask).choices[0].message.content == "The capital of Italy is Rome."
        finally:
            session.uninstall()
    assert [exchange.live for exchange in heard] == [True, False] and len(own_standin.requests) == 1
    session = Session("seam", "offline").install()
    try:
        async def miss():
            return await AsyncOpenAI(api_key="sk-kit-test").chat.completions.create(
                model="gpt-6-luna", messages=[{"role": "user", "content": "Not recorded"}])

        with pytest.raises(recordings.OfflineMiss):
            run_async(miss)
    finally:
        session.uninstall()


def test_the_kits_errors_reach_the_learner_unwrapped_and_unretried(recordings_dir, monkeypatch):
    calls = []

    def guard(outgoing):
        calls.append(outgoing)
        raise recordings.RecordingError("kept as it is")

    session = Session("seam", "offline", guards=[guard]).install()
    try:
        with pytest.raises(recordings.RecordingError, match="kept as it is"):
            OpenAI(api_key="sk-kit-test", max_retries=5).chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    finally:
        session.uninstall()
    assert len(calls) == 1
    assert not issubclass(recordings.RecordingError, (httpx2.HTTPError, openai.OpenAIError))



def _ask_all(questions, raw_header="x-ratelimit-remaining-requests"):
    """Send the questions at once from one AsyncOpenAI client, two in flight at a time (as lesson 17 does)."""
    import asyncio

    async def ask_all():
        client, gate = AsyncOpenAI(api_key="sk-kit-test", max_retries=0), asyncio.Semaphore(2)

        async def ask(text):
            async with gate:
                raw = await client.chat.completions.with_raw_response.create(
                    model="gpt-6-luna", messages=[{"role": "user", "content": text}])
                return raw.parse().choices[0].message.content, raw.headers.get(raw_header)

        return await asyncio.gather(*(ask(q) for q in questions))

    return run_async(ask_all)


def test_concurrent_async_requests_record_and_replay_each_its_own_answer(recordings_dir, tmp_path, monkeypatch,
                                                                         capsys):
    """Several different requests in flight at once: each gets its own answer, recorded and replayed, and the
    rate-limit headers are kept."""
    from .conftest import serving

    questions = [f"Question {letter}" for letter in "ABCDE"]
    rules = [{"match": {"contains": q}, "reply": q.replace("Question", "Answer")} for q in questions]
    with serving(rules, tmp_path) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        results = {}
        for mode in ("record", "offline"):
            session = Session("concurrent", mode).install()
            try:
                results[mode] = _ask_all(questions)
            finally:
                session.uninstall()
        assert len(server.requests) == len(questions), "offline, nothing reached the server"
    for answers in results.values():
        assert [text for text, _ in answers] == [q.replace("Question", "Answer") for q in questions]
    remaining = [int(left) for _, left in results["offline"]]
    assert remaining == [int(left) for _, left in results["record"]], "the rate-limit headers were kept"
    assert len(set(remaining)) == len(questions), "each answer used one more request of the minute"


def test_identical_requests_in_flight_replay_the_recorded_variants_in_turn(recordings_dir, capsys):
    sent = recordings.Sent("POST", "/v1/chat/completions",
                           {"model": "gpt-6-luna", "messages": [{"role": "user", "content": "Same question"}]})
    variants = ["first", "second", "third"]
    interactions = [{"request": sent.record(), "response": {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": "application/json", "x-kit-standin": "synthesized", "x-request-id": f"req_{n}"},
        "body": {"json": {"id": f"chatcmpl-{n}", "object": "chat.completion", "created": 1793491200,
                          "model": "gpt-6-luna", "choices": [{"index": 0, "finish_reason": "stop", "message": {
                              "role": "assistant", "content": text}}]}}}} for n, text in enumerate(variants)]
    recordings_dir.mkdir(parents=True, exist_ok=True)
    recordings.write_file(recordings_dir / "same.json", interactions)
    session = Session("same", "offline").install()
    try:
        answers = _ask_all(["Same question"] * 5, raw_header="x-request-id")
    finally:
        session.uninstall()
    assert sorted(text for text, _ in answers) == sorted(variants + variants[:2])
    assert all(f"req_{variants.index(text)}" == rid for text, rid in answers), "each answer whole, never mixed"
