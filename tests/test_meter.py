"""The session meter and its budget guard: fed by every answer (replayed, live, streamed), exact numbers."""
import io
import math
import wave

import httpx2
import pytest
from openai import AsyncOpenAI, OpenAI

from helpers import modes, traffic
from helpers.meter import BudgetExceeded, Meter, estimate, meter
from helpers.session import Session

from tests.conftest import PLANTED_KEY, run_async, serving

# The requests these tests send, the answers their own stand-in script gives, and the usage it reports.
TOKEN = [{"role": "developer", "content": "You are a concise assistant."},
         {"role": "user", "content": "Explain in one sentence what a token is."}]  # 25 in, 29 + 76 out
COST = [{"role": "user", "content": "Name three things that make a request cost more."}]  # 16 in, 39 + 76 out
FIVE_WORDS = "In five words: why count tokens?"  # Responses API: 14 in, 6 out (+ 76 with gpt-6-luna)
# Every chat model here is a reasoning model: its reply primer is TOKENS_REPLY_PRIMER_REASONING (2, not 3).
# gpt-6-luna reasons at its default effort, medium, and spends standin.REASONING_TOKENS["medium"] = 76
# output tokens on it before the visible text; gpt-5.4-mini's default effort is none, so it spends 0.
REASONING = 76


RULES = [
    {"match": {"path": "/v1/chat/completions", "contains": "Explain in one sentence what a token is."},
     "reply": "A token is a small piece of text, often a word or part of a word, that a model reads and writes one "
              "at a time."},
    {"match": {"path": "/v1/chat/completions", "contains": "Name three things that make a request cost more."},
     "reply": "1. A longer prompt, including the conversation history you resend.\n2. A longer answer: output tokens "
              "cost more than input tokens.\n3. A larger model, which charges more per token."},
    {"match": {"path": "/v1/responses", "contains": "In five words: why count tokens?"},
     "reply": "Tokens decide cost and limits."},
]


@pytest.fixture
def standin(tmp_path_factory):
    """A stand-in server with this module's own script, so no lesson's script decides these numbers."""
    with serving(RULES, tmp_path_factory.mktemp("meter-standin")) as server:
        yield server


def per_million(input_tokens, output_tokens, input_price, output_price):
    return (input_tokens * input_price + output_tokens * output_price) / 1_000_000


@pytest.fixture
def live_meter():
    """A fresh meter, hearing every call of a live session as setup() wires one."""
    fresh = Meter()
    fresh.start("live")
    session = Session("meter", "live", guards=[fresh.check], listeners=[fresh.record]).install()
    yield fresh
    session.uninstall()


@pytest.fixture
def client(standin):
    return OpenAI(base_url=standin.url, api_key=PLANTED_KEY)


@pytest.fixture
def session_meter():
    """The meter setup() starts, emptied before and after the test."""
    meter.reset()
    meter.set_budget(None)
    yield meter
    meter.reset()
    meter.set_budget(None)


def test_live_calls_are_counted_per_model_with_exact_numbers(live_meter, client):
    client.chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    client.chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    client.responses.create(model="gpt-5.4-mini", input=FIVE_WORDS)
    client.embeddings.create(model="text-embedding-3-small", input="tokens and cost")
    table = live_meter.table()
    assert list(table.index) == ["gpt-6-luna", "gpt-5.4-mini", "text-embedding-3-small", "total"]
    assert table.loc["gpt-6-luna", ["calls", "errors", "input_tokens", "output_tokens"]].tolist() == [2, 0, 50, 210]
    assert table.loc["gpt-6-luna", "cost_usd"] == pytest.approx(per_million(50, 210, 0.10, 0.50), abs=1e-9)
    assert table.loc["gpt-5.4-mini", ["calls", "input_tokens", "output_tokens"]].tolist() == [1, 14, 6]
    assert table.loc["gpt-5.4-mini", "cost_usd"] == pytest.approx(per_million(14, 6, 0.75, 4.50), abs=1e-9)
    assert table.loc["text-embedding-3-small", ["input_tokens", "output_tokens"]].tolist() == [3, 0]
    assert table.loc["total", "calls"] == 4
    assert table.loc["total", "billed_usd"] == pytest.approx(table.loc["total", "cost_usd"])  # live: all billed
    assert all(call.live for call in live_meter.calls)


def test_a_streamed_answer_is_counted_from_its_final_usage_chunk(live_meter, client):
    stream = client.chat.completions.create(model="gpt-6-luna", messages=COST, stream=True,
                                            stream_options={"include_usage": True})
    usage = [chunk.usage for chunk in stream if chunk.usage][-1]
    (call,) = live_meter.calls
    assert (call.input_tokens, call.output_tokens, call.estimated) == (16, 115, False)
    assert (usage.prompt_tokens, usage.completion_tokens) == (16, 115)
    assert usage.completion_tokens_details.reasoning_tokens == REASONING


def test_a_stream_without_usage_is_counted_by_the_kit_and_says_so(live_meter, client):
    text = "".join(chunk.choices[0].delta.content or "" for chunk in
                   client.chat.completions.create(model="gpt-6-luna", messages=COST, stream=True) if chunk.choices)
    (call,) = live_meter.calls
    # Without a usage chunk the kit counts what it sees: the prompt and the visible text, not the reasoning.
    assert text and (call.input_tokens, call.output_tokens, call.estimated) == (16, 39, True)
    assert "are the kit's count" in live_meter.summary()


def test_a_streamed_responses_api_answer_is_counted(live_meter, client):
    events = list(client.responses.create(model="gpt-6-luna", input=FIVE_WORDS, stream=True))
    assert events[-1].type == "response.completed"
    (call,) = live_meter.calls
    assert (call.model, call.input_tokens, call.output_tokens) == ("gpt-6-luna", 14, 82)


def test_an_error_answer_is_a_call_with_no_tokens(live_meter, client):
    with pytest.raises(Exception, match="does not exist"):
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "Hello, old model"}])
    table = live_meter.table()
    assert table.loc["gpt-4", ["calls", "errors", "input_tokens", "output_tokens"]].tolist() == [1, 1, 0, 0]
    assert table.loc["gpt-4", "cost_usd"] == 0


def test_the_async_client_is_metered_too(live_meter, standin):
    async def ask():
        async with AsyncOpenAI(base_url=standin.url, api_key=PLANTED_KEY) as client:
            stream = await client.chat.completions.create(model="gpt-6-luna", messages=COST, stream=True,
                                                          stream_options={"include_usage": True})
            async for _chunk in stream:
                pass

    run_async(ask)
    (call,) = live_meter.calls
    assert (call.input_tokens, call.output_tokens) == (16, 115)


def test_recorded_then_replayed_answers_are_counted_and_replays_are_not_billed(
        session_meter, recordings_dir, standin, monkeypatch):
    monkeypatch.setenv("KIT_MODE", "record")
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    modes.setup("meter_roundtrip")
    OpenAI().chat.completions.create(model="gpt-6-luna", messages=TOKEN)  # sent and recorded: billed
    modes.setup("meter_roundtrip")  # a later record session replays what is recorded
    OpenAI().chat.completions.create(model="gpt-6-luna", messages=TOKEN)  # replayed in record mode: not billed
    modes.teardown()
    assert len(standin.requests) == 1
    assert [call.live for call in session_meter.calls] == [True, False]

    monkeypatch.setenv("KIT_MODE", "offline")
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")
    modes.setup("meter_roundtrip")
    stream_free = OpenAI().chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    assert stream_free.usage.prompt_tokens == 25
    table = session_meter.table()
    assert table.loc["gpt-6-luna", ["calls", "input_tokens", "output_tokens"]].tolist() == [3, 75, 315]
    assert table.loc["gpt-6-luna", "billed_usd"] == pytest.approx(per_million(25, 105, 0.10, 0.50), abs=1e-9)
    assert table.loc["gpt-6-luna", "cost_usd"] == pytest.approx(3 * per_million(25, 105, 0.10, 0.50), abs=1e-9)


def test_offline_replays_bill_nothing_and_the_summary_says_so(session_meter):
    modes.setup("05_tokens_and_cost")
    OpenAI().chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    table = session_meter.table()
    assert table.loc["total", "billed_usd"] == 0 and table.loc["total", "cost_usd"] > 0
    assert "all replayed from recordings, so nothing was billed" in str(session_meter)


# --- the budget guard ---------------------------------------------------------------------------------

def test_a_call_over_budget_is_refused_before_it_is_sent(live_meter, client, standin):
    live_meter.set_budget(0.0001)
    with pytest.raises(BudgetExceeded) as refused:
        client.chat.completions.create(model="gpt-5.4-mini", messages=TOKEN)
    assert standin.requests == []
    message = str(refused.value)
    assert "was not sent" in message and "$0.00 of your $0.000100 budget is spent already" in message
    assert "25 tokens in + up to 1,000 out" in message and "meter.set_budget" in message
    assert live_meter.calls == []


def test_a_call_that_fits_is_sent_and_its_cost_counts_toward_the_cap(live_meter, client, standin):
    worst = per_million(25, 100, 0.75, 4.50)
    live_meter.set_budget(worst * 1.2)  # room for one call, not two
    client.chat.completions.create(model="gpt-5.4-mini", messages=TOKEN, max_completion_tokens=100)
    assert len(standin.requests) == 1
    with pytest.raises(BudgetExceeded, match="spent already"):
        client.chat.completions.create(model="gpt-5.4-mini", messages=TOKEN, max_completion_tokens=100)
    assert len(standin.requests) == 1


def test_the_cap_can_come_from_the_environment(live_meter, client, standin, monkeypatch):
    monkeypatch.setenv("KIT_BUDGET_USD", "0.00001")
    with pytest.raises(BudgetExceeded, match=r"\$0.0000100 budget"):
        client.chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    monkeypatch.setenv("KIT_BUDGET_USD", "ten dollars")
    with pytest.raises(BudgetExceeded, match="not an amount of dollars"):
        client.chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    assert standin.requests == []


def test_offline_mode_is_never_refused(session_meter):
    session_meter.set_budget(0)
    modes.setup("05_tokens_and_cost")
    OpenAI().chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    assert len(session_meter.calls) == 1


@pytest.mark.parametrize("bad", [-1, "5", math.nan, math.inf, True])
def test_a_budget_must_be_dollars(bad):
    with pytest.raises(ValueError, match="amount of US dollars"):
        Meter().set_budget(bad)


def test_the_estimate_uses_the_request_limit_or_a_default():
    assert estimate({"model": "gpt-6-luna", "messages": TOKEN}).output_tokens == 1_000
    limited = estimate({"model": "gpt-6-luna", "messages": TOKEN, "max_completion_tokens": 50, "n": 2})
    assert (limited.input_tokens, limited.output_tokens) == (25, 100)
    assert limited.cost == pytest.approx(per_million(25, 100, 0.10, 0.50))
    assert estimate({"model": "gpt-6-luna", "input": "Hi", "max_output_tokens": 7}, "/v1/responses").output_tokens == 7
    assert estimate({"model": "text-embedding-3-small", "input": "Hi"}, "/v1/embeddings").output_tokens == 0


# --- what the meter hears from the session ------------------------------------------------------------

def test_a_live_stream_passes_through_the_tee_chunk_by_chunk_and_is_heard_once_at_the_end():
    produced, seen = [], []

    def events():
        for number in range(3):
            produced.append(number)
            yield f"data: {{\"n\": {number}}}\n\n".encode()
        yield b"data: [DONE]\n\n"

    outgoing = traffic.Outgoing("POST", "/v1/chat/completions", {"model": "gpt-6-luna"})
    response = httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=_IteratorStream(events()))
    response.stream = traffic.tee([seen.append], outgoing, response, traffic.TeeStream)
    chunks = response.iter_raw()
    next(chunks)
    assert produced == [0] and seen == []  # the first event arrived before the others were made
    list(chunks)
    response.close()
    (exchange,) = seen
    assert exchange.events == [{"n": 0}, {"n": 1}, {"n": 2}] and exchange.json == {"model": "gpt-6-luna"}
    assert exchange.live is True


class _IteratorStream(httpx2.SyncByteStream):
    def __init__(self, iterator):
        self._iterator = iterator

    def __iter__(self):
        yield from self._iterator


def test_a_failing_listener_never_breaks_the_call(client, standin):
    def broken(exchange):
        raise RuntimeError("meter bug")

    session = Session("meter", "live", listeners=[broken]).install()
    try:
        with pytest.warns(UserWarning, match="your call itself is not affected"):
            answer = client.chat.completions.create(model="gpt-6-luna", messages=TOKEN)
    finally:
        session.uninstall()
    assert answer.usage.prompt_tokens == 25


def one_second_of_silence() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * 8000)
    return buffer.getvalue()


def test_an_upload_is_metered_with_its_model_and_priced_by_the_second(live_meter, client):
    client.audio.transcriptions.create(model="gpt-transcribe", file=("silence.wav", one_second_of_silence()),
                                       response_format="verbose_json")
    (call,) = live_meter.calls
    assert call.model == "gpt-transcribe" and call.path == "/v1/audio/transcriptions"
    assert call.cost == pytest.approx(0.27 / 3600)  # $0.27 per hour of audio, one second


def test_the_guard_counts_tool_definitions_as_input():
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                               "parameters": {"type": "object",
                                                              "properties": {"city": {"type": "string"}}}}}]
    plain = estimate({"model": "gpt-6-luna", "messages": TOKEN})
    with_tools = estimate({"model": "gpt-6-luna", "messages": TOKEN, "tools": tools})
    assert with_tools.input_tokens > plain.input_tokens + 20


def test_a_bad_budget_setting_is_reported_not_raised_by_the_summary(monkeypatch):
    monkeypatch.setenv("KIT_BUDGET_USD", "ten dollars")
    assert "not an amount of dollars" in Meter().summary()
    monkeypatch.setenv("KIT_BUDGET_USD", "0.5")
    assert "Budget: $0.500, $0.00 spent" in Meter().summary()
