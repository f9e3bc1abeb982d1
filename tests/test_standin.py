"""The stand-in server answers the real SDK in each endpoint's wire format, from its scripts."""
from __future__ import annotations

import base64
import io
import json
import math
import re
import subprocess
import sys
import urllib.error
import urllib.request
import wave

import openai
import pydantic
import pytest
from openai import OpenAI
from openai.types import CreateEmbeddingResponse, Completion, ImagesResponse, Model, ModerationCreateResponse
from openai.types.audio import Transcription, TranscriptionVerbose
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from helpers import models
from helpers.paths import ROOT
from helpers.authoring.standin import MODERATION_CATEGORIES, REASONING_TOKENS, StandIn, load_scripts
from helpers.tokens import count_messages, count_text, count_tools

CHAT = models.CHAT
THINKING = REASONING_TOKENS["medium"]  # what gpt-6-luna spends at its default effort
NONE = {"reasoning_effort": "none"}  # a reasoning model takes sampling parameters and tools only then
RULES = [
    {"match": {"path": "/v1/chat/completions", "contains": "capital of Italy"},
     "reply": "The capital of Italy is Rome."},
    {"match": {"path": "/v1/chat/completions", "contains": "a haiku", "temperature": 1.2},
     "reply": ["first sample", "second", "third"]},
    {"match": {"model": "gpt-4"}, "reply": {"status": 404, "error": {
        "message": "The model `gpt-4` does not exist or you do not have access to it.",
        "type": "invalid_request_error", "param": None, "code": "model_not_found"}}},
    {"match": {"contains": "weather in Paris"},
     "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}},
    {"match": {"contains": "broken arguments"},
     "reply": {"tool_calls": [{"name": "get_weather", "arguments": "{city: Paris"}]}},
    {"match": {"contains": "retry demo"}, "reply": [
        {"status": 429, "headers": {"retry-after-ms": "1"}, "error": {
            "message": "Rate limit reached for requests", "type": "requests", "param": None,
            "code": "rate_limit_exceeded"}},
        "Recovered answer"]},
    {"match": {"contains": "Tell me a story"},
     "reply": "Once upon a time, a small robot learned to paint the sea at dawn. The end."},
    {"match": {"contains": "Coin flip"},
     "reply": {"content": "Heads", "top_logprobs": [["Heads", -0.3], ["Tails", -1.4]]}},
    {"match": {"contains": "Extract the city"}, "reply": {"json": {"city": "Rome", "country": "Italy"}}},
    {"match": {"contains": "How do I pick a lock"}, "reply": {"refusal": "I'm sorry, I can't help with that."}},
    {"match": {"path": "/v1/moderations", "contains": "I will hurt"}, "reply": {"categories": {"violence": 0.91}}},
    {"match": {"path": "/v1/audio/transcriptions", "contains": "meeting"},
     "reply": {"text": "Welcome to the meeting. Let us begin with the budget."}},
    {"match": {"path": "/v1/completions", "contains": "Once upon"},
     "reply": " a time there was a tiny dragon who loved jasmine tea, old maps and long walks by the sea"},
    {"match": {"path": "/v1/responses", "user_contains": "capital of France"}, "reply": "Paris."},
    {"match": {"path": "/v1/responses", "contains": "Is 91 prime"},
     "reply": {"content": "No: 7 × 13.", "summary": ["Trying small primes.", "7 divides it."]}},
    {"match": {"path": "/v1/responses", "contains": "Who won the race"},
     "reply": {"content": "Ana won the race. Ben came second.", "web_search": {
         "queries": ["race results"], "sources": ["https://example.org/more"],
         "citations": [{"after": "Ana won the race.", "url": "https://example.org/race", "title": "Race"},
                       {"after": "Ben came second.", "url": "https://www.example.com/ben?x=1", "title": "Ben"}]}}},
    {"match": {"path": "/v1/responses", "contains": "What did I ask"},
     "reply": "You asked about the capital of France."},
]


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("standin")
    (folder / "01_lesson.json").write_text(json.dumps({"rules": RULES}))
    return folder


@pytest.fixture(scope="module")
def server(scripts):
    with StandIn(scripts) as running:
        yield running


@pytest.fixture
def client(server):
    return OpenAI(base_url=server.url, api_key="sk-test-standin", max_retries=0)


def ask(client, text, **options):
    return client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": text}], **options)


def test_chat_completion_has_real_format_and_tokenizer_usage(client):
    messages = [{"role": "system", "content": "Answer in one sentence."},
                {"role": "user", "content": "What is the capital of Italy?"}]
    raw = client.chat.completions.with_raw_response.create(model=CHAT, messages=messages)
    completion = raw.parse()
    assert isinstance(completion, ChatCompletion)
    assert completion.choices[0].message.content == "The capital of Italy is Rome."
    assert completion.choices[0].finish_reason == "stop"
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", completion.id)
    assert completion.system_fingerprint is None  # GPT-6 answers carry none (models.SMOKE_TEST)
    assert re.fullmatch(r"fp_[0-9a-f]{10}", client.chat.completions.create(
        model=models.CHAT_LARGER, messages=messages).system_fingerprint)
    assert 1793491200 <= completion.created < 1796083200  # November 2026
    assert (completion.object, completion.model, completion.service_tier) == ("chat.completion", CHAT, "default")
    usage = completion.usage
    assert usage.prompt_tokens == count_messages(messages, CHAT)
    assert usage.completion_tokens == count_text("The capital of Italy is Rome.", CHAT) + THINKING
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details.model_dump(exclude_none=True) == {"cached_tokens": 0, "cache_write_tokens": 0,
                                                                        "audio_tokens": 0}
    assert usage.completion_tokens_details.reasoning_tokens == THINKING
    body = json.loads(raw.content)
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "The capital of Italy is Rome.",
                                             "refusal": None, "annotations": []}
    headers = raw.headers
    assert headers["x-kit-standin"] == "synthesized"
    assert headers["content-type"] == "application/json"
    assert re.fullmatch(r"req_[0-9a-f]{32}", headers["x-request-id"])
    assert headers["openai-version"] == "2020-10-01"
    assert int(headers["openai-processing-ms"]) > 0
    assert int(headers["x-ratelimit-remaining-tokens"]) <= int(headers["x-ratelimit-limit-tokens"]) - usage.total_tokens
    assert int(headers["x-ratelimit-remaining-requests"]) < int(headers["x-ratelimit-limit-requests"])


def test_durations_are_written_as_the_api_writes_them():
    from helpers.authoring.standin.ratelimits import duration

    # openai/openai-python#416 (17ms), the rate-limits guide (1s, 6m0s), the 429s of FoundationAgents/MetaGPT#523
    # (9.816s) and onlybooks/llm#6 (7m12s); nothing used yet is Go's zero duration
    assert [duration(s) for s in (60 / 3500, 1, 360, 9.816, 432, 0)] == ["17ms", "1s", "6m0s", "9.816s", "7m12s", "0s"]


def test_rate_limit_headers_count_down_and_refill_over_a_minute(tmp_path):
    from helpers.authoring.standin.ratelimits import Limits

    assert Limits(requests=3500).headers(0)["x-ratelimit-reset-requests"] == "17ms"  # openai/openai-python#416
    rules = [{"match": {"contains": "count me"}, "reply": "Counted."},
             {"match": {"contains": "too fast"}, "reply": {"status": 429, "error": {
                 "message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"}}}]
    (tmp_path / "rules.json").write_text(json.dumps({"rules": rules}))
    with StandIn(tmp_path) as running:
        client = OpenAI(base_url=running.url, api_key="sk-test-standin", max_retries=0)
        answers = [client.chat.completions.with_raw_response.create(
            model=CHAT, messages=[{"role": "user", "content": "count me"}]) for _ in range(2)]
        first, second = (a.headers for a in answers)
        limit, tokens = int(first["x-ratelimit-limit-requests"]), int(first["x-ratelimit-limit-tokens"])
        used = [a.parse().usage.total_tokens for a in answers]
        assert [int(h["x-ratelimit-remaining-requests"]) for h in (first, second)] == [limit - 1, limit - 2]
        assert int(second["x-ratelimit-remaining-tokens"]) == tokens - sum(used)
        assert second["x-ratelimit-reset-requests"] == f"{round(2 * 60_000 / limit)}ms"
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model=CHAT, messages=[{"role": "user", "content": "too fast"}])
        spent = refused.value.response.headers
        assert (spent["x-ratelimit-remaining-requests"], spent["x-ratelimit-reset-requests"]) == ("0", "1m0s")
        assert int(spent["x-ratelimit-remaining-tokens"]) == tokens - sum(used)  # a refused request uses nothing


def test_list_reply_cycles_and_n_takes_successive_entries(client):
    first = ask(client, "Write a haiku", temperature=1.2, n=2, **NONE)
    assert [c.message.content for c in first.choices] == ["first sample", "second"]
    assert [c.index for c in first.choices] == [0, 1]
    assert first.usage.completion_tokens == count_text("first sample", CHAT) + count_text("second", CHAT)
    assert ask(client, "Write a haiku", temperature=1.2, **NONE).choices[0].message.content == "third"
    assert ask(client, "Write a haiku", temperature=1.2, **NONE).choices[0].message.content == "first sample"
    assert "placeholder" in ask(client, "Write a haiku", temperature=0.2, **NONE).choices[0].message.content


def test_max_tokens_and_stop_cut_the_answer(client):
    cut = ask(client, "Tell me a story", max_completion_tokens=5, **NONE)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage.completion_tokens == count_text(cut.choices[0].message.content, CHAT) == 5
    assert cut.choices[0].message.content == "Once upon a time,"
    starved = ask(client, "Tell me a story", max_completion_tokens=5)  # reasoning first: the limit goes on it
    assert (starved.choices[0].message.content, starved.choices[0].finish_reason) == ("", "length")
    assert starved.usage.completion_tokens == starved.usage.completion_tokens_details.reasoning_tokens == 5
    roomy = ask(client, "Tell me a story", max_completion_tokens=THINKING + 8)
    assert roomy.choices[0].message.content == "Once upon a time, a small robot" and roomy.usage.completion_tokens \
        == THINKING + 8
    stopped = ask(client, "Tell me a story", stop=[" robot", "."], **NONE)
    assert stopped.choices[0].message.content == "Once upon a time, a small"
    assert stopped.choices[0].finish_reason == "stop"
    seeded = [ask(client, "Tell me a story", seed=7, **NONE).choices[0].message.content for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_logprobs_cover_every_token(client):
    completion = ask(client, "Tell me a story", logprobs=True, top_logprobs=3, **NONE)
    content = completion.choices[0].logprobs.content
    assert len(content) == completion.usage.completion_tokens
    assert "".join(entry.token for entry in content) == completion.choices[0].message.content
    assert all(entry.logprob <= 0 and len(entry.top_logprobs) == 3 for entry in content)
    assert all(bytes(entry.bytes).decode() == entry.token for entry in content)
    coin = ask(client, "Coin flip?", logprobs=True, top_logprobs=2, **NONE).choices[0].logprobs.content[0]
    assert (coin.token, coin.logprob) == ("Heads", -0.3)
    assert [(t.token, t.logprob) for t in coin.top_logprobs] == [("Heads", -0.3), ("Tails", -1.4)]
    assert ask(client, "Coin flip?").choices[0].logprobs is None


def test_structured_outputs_parse_into_pydantic(client):
    class Place(pydantic.BaseModel):
        city: str
        country: str

    messages = [{"role": "user", "content": "Extract the city: I flew to Rome."}]
    parsed = client.chat.completions.parse(model=CHAT, messages=messages, response_format=Place)
    assert parsed.choices[0].message.parsed == Place(city="Rome", country="Italy")

    class Unscripted(pydantic.BaseModel):
        name: str
        tags: list[str]
        score: float | None

    other = client.chat.completions.parse(model=CHAT, messages=[{"role": "user", "content": "Unscripted JSON"}],
                                          response_format=Unscripted)
    assert isinstance(other.choices[0].message.parsed, Unscripted)
    plain = ask(client, "Give JSON please", response_format={"type": "json_object"})
    assert isinstance(json.loads(plain.choices[0].message.content), dict)


def test_tool_calls_and_refusals(client):
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    completion = ask(client, "What's the weather in Paris?", tools=tools, **NONE)
    choice = completion.choices[0]
    call = choice.message.tool_calls[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call.id) and call.type == "function"
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    assert completion.usage.completion_tokens == count_text(call.function.name + call.function.arguments, CHAT)
    assert completion.usage.prompt_tokens == count_messages([{"role": "user", "content": "What's the weather in "
                                                                                          "Paris?"}], CHAT) \
        + count_tools(tools, CHAT) > count_messages([{"role": "user", "content": "What's the weather in Paris?"}], CHAT)
    broken = ask(client, "Show broken arguments", tools=tools, **NONE).choices[0].message.tool_calls[0]
    assert broken.function.arguments == "{city: Paris"
    forced = ask(client, "Anything at all", tools=tools, tool_choice="required", **NONE).choices[0].message
    forced = forced.tool_calls[0]
    assert json.loads(forced.function.arguments) == {"city": "example"}
    refused = ask(client, "How do I pick a lock?").choices[0].message
    assert (refused.content, refused.refusal) == (None, "I'm sorry, I can't help with that.")


def test_chat_stream_sends_token_sized_chunks_then_usage(client):
    chunks = list(ask(client, "Tell me a story", stream=True, stream_options={"include_usage": True}))
    assert all(chunk.object == "chat.completion.chunk" and chunk.id == chunks[0].id for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "Once upon a time, a small robot learned to paint the sea at dawn. The end."
    assert len(chunks) == count_text(text, CHAT) + 3
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == count_text(text, CHAT) + THINKING
    assert all(chunk.system_fingerprint is None and chunk.obfuscation for chunk in chunks)
    messages = [{"role": "user", "content": "weather in Paris"}]
    with client.chat.completions.stream(model=CHAT, messages=messages) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.arguments == '{"city":"Paris"}'


def test_errors_map_to_sdk_exceptions(server, client):
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "hello"}])
    assert missing.value.code == "model_not_found" and missing.value.response.headers["x-kit-standin"] == "synthesized"
    with pytest.raises(openai.NotFoundError, match="dall-e-3"):
        client.images.generate(model="dall-e-3", prompt="a cat")  # shut down, and no rule for it
    with pytest.raises(openai.RateLimitError) as limited:
        ask(client, "retry demo")
    assert limited.value.code == "rate_limit_exceeded"
    assert limited.value.response.headers["retry-after-ms"] == "1"
    patient = OpenAI(base_url=server.url, api_key="sk-test-standin")  # default retries; retry-after-ms: 1
    assert ask(patient, "retry demo").choices[0].message.content == "Recovered answer"
    with pytest.raises(openai.AuthenticationError) as refused:
        ask(OpenAI(base_url=server.url, api_key="not-a-key", max_retries=0), "hello")
    assert refused.value.code == "invalid_api_key"
    assert "not-a-key" not in str(refused.value) and "sk-***" in refused.value.message
    with pytest.raises(openai.BadRequestError, match="wav"):
        client.audio.speech.create(model=models.SPEECH, voice="alloy", input="hi", response_format="mp3")
    with pytest.raises(openai.NotFoundError, match="Invalid URL"):
        client.post("/no/such/endpoint", body={}, cast_to=object)
    request = urllib.request.Request(server.url + "/chat/completions", data=b"{not json", method="POST")
    request.add_header("Authorization", "Bearer sk-test")
    request.add_header("Content-Type", "application/json")
    with pytest.raises(urllib.error.HTTPError) as malformed:
        urllib.request.urlopen(request)
    error = json.loads(malformed.value.read())["error"]
    assert malformed.value.code == 400 and "could not parse the JSON body" in error["message"]
    assert set(error) == {"message", "type", "param", "code"}


def test_embeddings_are_deterministic_normalised_and_meaningful(server, client):
    texts = ["The cat sat on the mat.", "A cat was sitting on a mat.", "Quarterly tax filing deadlines"]
    response = client.embeddings.create(model=models.EMBEDDING, input=texts)  # the SDK asks for base64
    assert server.requests[-1].json["encoding_format"] == "base64"
    assert isinstance(response, CreateEmbeddingResponse)
    vectors = [item.embedding for item in response.data]
    assert [len(v) for v in vectors] == [1536] * 3
    assert all(abs(math.sqrt(sum(x * x for x in v)) - 1) < 1e-5 for v in vectors)

    def cosine(a, b):
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cosine(vectors[0], vectors[1]) > 0.3 > cosine(vectors[0], vectors[2])
    counted = sum(count_text(text, models.EMBEDDING) for text in texts)
    assert response.usage.prompt_tokens == response.usage.total_tokens == counted
    floats = client.embeddings.create(model=models.EMBEDDING, input=texts[0], encoding_format="float")
    assert floats.data[0].embedding == vectors[0]
    short = client.embeddings.create(model=models.EMBEDDING, input=texts[0], dimensions=256)
    assert len(short.data[0].embedding) == 256


def test_embeddings_are_all_minilm_l6_v2s_spread_without_changing_a_cosine(server, client):
    from helpers.authoring.standin import minilm
    from helpers.recordings import EMBEDDINGS_HEADER

    texts = ["What should I feed my dog?", "What food is best for a young dog or cat?", "Mars is a red planet."]
    model = [minilm.embed(text) for text in texts]

    def cosines(vectors):
        return [sum(x * y for x, y in zip(vectors[i], vectors[j], strict=True)) for i in range(3) for j in range(i)]

    raw = client.embeddings.with_raw_response.create(model=models.EMBEDDING, input=texts)
    assert raw.headers[EMBEDDINGS_HEADER] == minilm.MODEL_NAME
    assert raw.parse().model == models.EMBEDDING  # the body names the requested model, as the API's does
    for dimensions in (None, 768, 384):  # the full length, and prefixes of whole blocks of the model's numbers
        extra = {"dimensions": dimensions} if dimensions else {}
        vectors = [item.embedding for item in client.embeddings.create(model=models.EMBEDDING, input=texts,
                                                                        **extra).data]
        assert len(vectors[0]) == (dimensions or 1536)
        assert cosines(vectors) == pytest.approx(cosines(model), abs=1e-5)
    large = client.embeddings.create(model="text-embedding-3-large", input=texts).data
    assert len(large[0].embedding) == 3072
    assert cosines([item.embedding for item in large]) == pytest.approx(cosines(model), abs=1e-5)
    short = [item.embedding for item in client.embeddings.create(model=models.EMBEDDING, input=texts,
                                                                  dimensions=256).data]
    assert cosines(short) != pytest.approx(cosines(model), abs=1e-5)  # a part of a block: close, not exact
    assert cosines(short) == pytest.approx(cosines(model), abs=0.15)


def test_moderation_scores_all_categories(client):
    calm = client.moderations.create(model=models.MODERATION, input="I love gardening.")
    assert isinstance(calm, ModerationCreateResponse) and calm.id.startswith("modr-")
    result = calm.results[0]
    scores = result.category_scores.model_dump(by_alias=True)
    assert set(scores) == set(MODERATION_CATEGORIES)
    assert not result.flagged and max(scores.values()) < 0.5
    assert result.category_applied_input_types.violence == ["text"]
    angry = client.moderations.create(model=models.MODERATION, input=["fine", "I will hurt them"])
    assert [r.flagged for r in angry.results] == [True, True]  # the rule matches the joined input
    assert angry.results[1].categories.violence and angry.results[1].category_scores.violence == 0.91


def test_images_are_small_valid_pngs(client):
    image = client.images.generate(model=models.IMAGE, prompt="A lighthouse at dusk", size="1024x1536", n=2)
    assert isinstance(image, ImagesResponse) and len(image.data) == 2
    data = base64.b64decode(image.data[0].b64_json)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < 8000
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (64, 96)
    assert image.data[0].b64_json != image.data[1].b64_json
    prompt = count_text("A lighthouse at dusk", models.IMAGE)
    assert image.usage.input_tokens == prompt == image.usage.input_tokens_details.text_tokens
    assert image.usage.total_tokens == image.usage.input_tokens + image.usage.output_tokens
    assert (image.size, image.quality, image.output_format) == ("1024x1536", "medium", "png")


def test_speech_and_transcription(client):
    speech = client.audio.speech.create(model=models.SPEECH, voice="alloy", input="Hello from the kit",
                                        response_format="wav")
    assert speech.response.headers["content-type"] == "audio/wav" and len(speech.content) < 100_000
    with wave.open(io.BytesIO(speech.content)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    assert 0.2 < seconds <= 1.5
    upload = ("meeting.wav", speech.content, "audio/wav")
    text = client.audio.transcriptions.create(model=models.TRANSCRIBE, file=upload)
    assert isinstance(text, Transcription)
    assert text.text == "Welcome to the meeting. Let us begin with the budget."
    assert text.usage.output_tokens == count_text(text.text, models.TRANSCRIBE)
    assert text.usage.total_tokens == text.usage.input_tokens + text.usage.output_tokens
    plain = client.audio.transcriptions.create(model=models.TRANSCRIBE, file=upload, response_format="text")
    assert plain.strip() == text.text
    verbose = client.audio.transcriptions.create(model="whisper-1", file=upload, response_format="verbose_json")
    assert isinstance(verbose, TranscriptionVerbose) and verbose.duration == pytest.approx(seconds)
    assert [s.text.strip() for s in verbose.segments] == ["Welcome to the meeting.", "Let us begin with the budget."]
    assert verbose.segments[-1].end == pytest.approx(seconds, abs=0.01) and verbose.segments[1].tokens


def test_models_list_and_retrieve(client):
    listed = {model.id for model in client.models.list()}
    assert set(models.KIT_MODELS) <= listed
    model = client.models.retrieve(models.CHAT)
    assert isinstance(model, Model) and model.owned_by == "system" and model.created > 0
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-unknown")
    assert missing.value.code == "model_not_found"


def test_legacy_completions(client):
    with pytest.raises(openai.NotFoundError) as gone:  # the endpoint's last models were shut down on 2026-09-28
        client.completions.create(model=models.INSTRUCT, prompt="Once upon")
    assert gone.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError, match="This is a chat model"):
        client.completions.create(model=CHAT, prompt="Once upon")
    # The wire format is still served, as compatible servers (vLLM, Ollama) serve it for their own models.
    local = "local-completion-model"
    completion = client.completions.create(model=local, prompt="Once upon")
    assert isinstance(completion, Completion) and completion.object == "text_completion"
    choice = completion.choices[0]
    assert (choice.finish_reason, choice.logprobs) == ("length", None)  # the endpoint's default max_tokens is 16
    assert completion.usage.completion_tokens == count_text(choice.text, local) == 16
    assert completion.usage.prompt_tokens == count_text("Once upon", local)
    whole = client.completions.create(model=local, prompt="Once upon", max_tokens=100)
    assert whole.choices[0].finish_reason == "stop" and whole.choices[0].text.endswith("by the sea")


def test_responses_api(client):
    first = client.responses.create(model=CHAT, instructions="Be brief.", input="What is the capital of France?")
    assert isinstance(first, Response) and first.status == "completed" and first.output_text == "Paris."
    assert re.fullmatch(r"resp_[0-9a-f]{48}", first.id) and first.output[-1].id.startswith("msg_")
    reasoning = first.output[0]  # a reasoning model that reasons puts its reasoning item first
    assert (reasoning.type, reasoning.summary, reasoning.id[:3]) == ("reasoning", [], "rs_")
    assert reasoning.encrypted_content and first.output[-1].phase == "final_answer"
    assert (first.reasoning.effort, first.usage.output_tokens_details.reasoning_tokens) == ("medium", THINKING)
    expected = count_messages([{"role": "developer", "content": "Be brief."},
                               {"role": "user", "content": "What is the capital of France?"}], CHAT)
    assert first.usage.input_tokens == expected
    assert first.usage.output_tokens == count_text("Paris.", CHAT) + THINKING
    assert first.usage.total_tokens == first.usage.input_tokens + first.usage.output_tokens
    follow = client.responses.create(model=CHAT, input="What did I ask?", previous_response_id=first.id)
    assert follow.output_text == "You asked about the capital of France."
    assert follow.usage.input_tokens > count_messages([{"role": "user", "content": "What did I ask?"}], CHAT)
    tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}]
    called = client.responses.create(model=CHAT, input="What's the weather in Paris?", tools=tools)
    call = called.output[1]
    assert (call.type, call.name, call.arguments) == ("function_call", "get_weather", '{"city":"Paris"}')
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call.call_id)
    starved = client.responses.create(model=CHAT, input="Tell me a story", max_output_tokens=16)
    assert starved.status == "incomplete" and starved.incomplete_details.reason == "max_output_tokens"
    assert [item.type for item in starved.output] == ["reasoning"] and starved.output_text == ""
    short = client.responses.create(model=CHAT, input="Tell me a story", max_output_tokens=16,
                                    reasoning={"effort": "none"})
    assert short.status == "incomplete" and [item.type for item in short.output] == ["message"]
    assert short.usage.output_tokens == count_text(short.output_text, CHAT) == 16


def test_responses_stream_event_sequence(client):
    events = list(client.responses.create(model=CHAT, input="Tell me a story", stream=True))
    kinds = [event.type for event in events]
    assert kinds[:7] == ["response.created", "response.in_progress", "response.output_item.added",
                         "response.output_item.done", "response.output_item.added", "response.content_part.added",
                         "response.output_text.delta"]
    assert (events[2].item.type, events[4].item.type) == ("reasoning", "message")
    assert kinds[-4:] == ["response.output_text.done", "response.content_part.done",
                          "response.output_item.done", "response.completed"]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert text == events[-1].response.output_text
    with client.responses.stream(model=CHAT, input="weather in Paris") as stream:
        final = stream.get_final_response()
    assert final.output[-1].arguments == '{"city":"Paris"}'


def test_a_reasoning_summary_comes_only_when_asked_and_streams_before_the_answer(client):
    assert client.responses.create(model=CHAT, input="Is 91 prime?").output[0].summary == []
    events = list(client.responses.create(model=CHAT, input="Is 91 prime?", reasoning={"summary": "auto"},
                                          stream=True))
    kinds = [event.type for event in events]
    first_text = kinds.index("response.output_text.delta")
    parts = [e.part.text for e in events if e.type == "response.reasoning_summary_part.done"]
    assert parts == ["Trying small primes.", "7 divides it."]
    assert max(i for i, kind in enumerate(kinds) if kind.startswith("response.reasoning_summary")) < first_text
    for n, text in enumerate(parts):
        deltas = [e.delta for e in events if e.type == "response.reasoning_summary_text.delta" and e.summary_index == n]
        assert "".join(deltas) == text
    final = events[-1].response
    assert [p.text for p in final.output[0].summary] == parts and final.reasoning.summary == "auto"


def test_a_conversation_keeps_each_responses_input_and_output_and_reads_them_first(client):
    conversation = client.conversations.create(items=[{"role": "developer", "content": "Be brief."}])
    assert conversation.id.startswith("conv_") and conversation.object == "conversation"
    first = client.responses.create(model=CHAT, conversation=conversation.id, input="What is the capital of France?")
    follow = client.responses.create(model=CHAT, conversation={"id": conversation.id}, input="What did I ask?")
    alone = client.responses.create(model=CHAT, input="What did I ask?")
    assert follow.conversation.id == conversation.id and first.output_text == "Paris."
    assert follow.usage.input_tokens > alone.usage.input_tokens  # the earlier turns are read as input
    oldest_first = client.conversations.items.list(conversation.id, order="asc").data
    assert [(item.type, getattr(item, "role", None)) for item in oldest_first] == [
        ("message", "developer"), ("message", "user"), ("reasoning", None), ("message", "assistant"),
        ("message", "user"), ("reasoning", None), ("message", "assistant")]
    assert oldest_first[1].content[0].type == "input_text" and oldest_first[3].id == first.output[-1].id
    newest_first = client.conversations.items.list(conversation.id).data
    assert [item.id for item in newest_first] == [item.id for item in reversed(oldest_first)]
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=CHAT, conversation="conv_missing", input="Hello")


def test_web_search_answers_with_its_call_and_citations_that_span_their_links(client):
    plain = client.responses.create(model=CHAT, input="Who won the race?")
    assert [item.type for item in plain.output] == ["reasoning", "message"]  # no tool offered, no search
    assert plain.output_text == "Ana won the race. Ben came second."
    response = client.responses.create(model=CHAT, input="Who won the race?", tools=[{"type": "web_search"}],
                                       include=["web_search_call.action.sources"])
    assert [item.type for item in response.output] == ["reasoning", "web_search_call", "message"]
    search = response.output[1]
    assert (search.status, search.action.type, search.action.query) == ("completed", "search", "race results")
    assert [s.url for s in search.action.sources] == ["https://example.org/race", "https://www.example.com/ben?x=1",
                                                      "https://example.org/more"]
    part = response.output[2].content[0]
    spans = [part.text[a.start_index:a.end_index] for a in part.annotations]
    assert spans == ["([example.org](https://example.org/race?utm_source=openai))",
                     "([example.com](https://www.example.com/ben?x=1&utm_source=openai))"]
    assert [a.url for a in part.annotations] == ["https://example.org/race?utm_source=openai",
                                                 "https://www.example.com/ben?x=1&utm_source=openai"]
    assert part.text.startswith("Ana won the race. ([example.org]")
    assert response.tools[0].type == "web_search" and response.tools[0].search_context_size == "medium"
    unasked = client.responses.create(model=CHAT, input="Who won the race?", tools=[{"type": "web_search"}])
    assert unasked.output[1].action.sources is None  # sources only when include asks for them
    assert unasked.usage.input_tokens >= plain.usage.input_tokens + 1_000  # the pages read count as input


def test_web_search_streams_its_progress_and_annotations(client):
    events = list(client.responses.create(model=CHAT, input="Who won the race?", tools=[{"type": "web_search"}],
                                          stream=True))
    kinds = [event.type for event in events]
    searching = kinds.index("response.web_search_call.in_progress")
    assert kinds[searching - 1:searching + 4] == [
        "response.output_item.added", "response.web_search_call.in_progress", "response.web_search_call.searching",
        "response.web_search_call.completed", "response.output_item.done"]
    added = [event.annotation for event in events if event.type == "response.output_text.annotation.added"]
    final = events[-1].response
    assert [a.url for a in added] == [a.url for a in final.output[-1].content[0].annotations]
    assert [event.sequence_number for event in events] == list(range(len(events)))


def test_answers_are_deterministic(scripts):
    def run():
        with StandIn(scripts) as fresh:
            client = OpenAI(base_url=fresh.url, api_key="sk-test", max_retries=0)
            raws = [client.chat.completions.with_raw_response.create(
                model=CHAT, messages=[{"role": "user", "content": "Tell me a story"}], logprobs=True, **NONE)
                for _ in range(2)]
            raws.append(client.responses.with_raw_response.create(model=CHAT, input="Unscripted"))
            return [(raw.content, raw.headers["x-request-id"], raw.headers["date"]) for raw in raws]

    once, again = run(), run()
    assert once == again
    assert once[0][1] != once[1][1]  # a repeated request is a new request


def test_requests_and_unmatched_are_recorded(server, client):
    ask(client, "A question nobody scripted")
    received = server.requests[-1]
    assert (received.method, received.path) == ("POST", "/v1/chat/completions")
    assert received.headers["authorization"] == "Bearer sk-test-standin"
    assert received.json["messages"][0]["content"] == "A question nobody scripted"
    assert json.loads(received.body) == received.json
    assert any("A question nobody scripted" in line for line in server.unmatched)
    client.models.list()
    assert (server.requests[-1].method, server.requests[-1].json) == ("GET", None)


def test_openai_base_url_and_key_are_honoured(server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-from-env")
    assert ask(OpenAI(max_retries=0), "What is the capital of Italy?").choices[0].message.content.endswith("Rome.")


def test_scripts_merge_in_file_name_order(tmp_path):
    (tmp_path / "02_later.json").write_text(json.dumps({"rules": [{"match": {"contains": "x"}, "reply": "later"}]}))
    (tmp_path / "01_first.json").write_text(json.dumps({"rules": [{"match": {"contains": "x"}, "reply": "first"}]}))
    assert [rule["reply"] for rule in load_scripts(tmp_path)] == ["first", "later"]
    (tmp_path / "03_bad.json").write_text(json.dumps({"rules": [{"reply": "no match"}]}))
    with pytest.raises(ValueError, match="03_bad.json"):
        load_scripts(tmp_path)
    load_scripts(ROOT / "data" / "standin")  # the kit's own scripts load


def test_command_line_serves_until_stopped():
    process = subprocess.Popen([sys.executable, "-m", "helpers.authoring.standin", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/v1", process.stdout.readline()).group(0)
        client = OpenAI(base_url=url, api_key="sk-test", max_retries=0)
        assert models.CHAT in {model.id for model in client.models.list()}
    finally:
        process.terminate()
        process.wait(timeout=5)


WEATHER_TOOL = {"type": "function", "name": "get_weather", "description": "Get the current weather in a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string", "description":
                               "The city's name in English, e.g. Madrid"}}, "required": ["city"],
                               "additionalProperties": False}, "strict": True}


def test_a_function_call_sent_back_without_its_reasoning_item_is_refused(standin):
    """A reasoning model's function_call item, sent back by id, needs the reasoning item that came before it
    (continuedev/continue#10018, #12056: "Item 'fc_...' of type 'function_call' was provided without its required
    'reasoning' item: 'rs_...'.", param input, code null)."""
    client = OpenAI(base_url=standin.url, api_key="sk-test", max_retries=0)  # lesson 10c's script answers
    question = "What's the weather like in Madrid right now?"
    first = client.responses.create(model=CHAT, input=question, tools=[WEATHER_TOOL])
    reasoning, call = first.output[0], first.output[1]
    assert (reasoning.type, call.type) == ("reasoning", "function_call")
    result = {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=CHAT, tools=[WEATHER_TOOL], input=[
            {"role": "user", "content": question}, call.model_dump(exclude_none=True), result])
    assert caught.value.body == {
        "message": f"Item '{call.id}' of type 'function_call' was provided without its required 'reasoning' item: "
                   f"'{reasoning.id}'.", "type": "invalid_request_error", "param": "input", "code": None}
    kept = [{"role": "user", "content": question}, *[item.model_dump(exclude_none=True) for item in first.output],
            result]
    assert client.responses.create(model=CHAT, tools=[WEATHER_TOOL], input=kept).output_text
    bare = {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments}
    assert client.responses.create(model=CHAT, tools=[WEATHER_TOOL], input=[
        {"role": "user", "content": question}, bare, result]).output_text  # no id: nothing to look up


def test_a_response_carries_the_fields_captured_answers_carry_and_echoes_its_settings(standin):
    """Two captured Responses answers (a batch output of 2025-12 and an Agents SDK run of 2026-02, quoted in
    public code: helpers.models.RESPONSE_FIELDS) carry billing, prompt_cache_retention and, in the later one,
    frequency_penalty and presence_penalty, none of which the spec lists; the request's own settings come back."""
    client = OpenAI(base_url=standin.url, api_key="sk-test", max_retries=0)
    raw = client.responses.with_raw_response.create(model=CHAT, input="What's the weather like in Madrid right now?",
                                                    max_tool_calls=2, safety_identifier="user-7",
                                                    tools=[WEATHER_TOOL])
    body = json.loads(raw.text)
    assert body["billing"] == {"payer": "developer"} and body["prompt_cache_retention"] is None
    assert (body["frequency_penalty"], body["presence_penalty"]) == (0.0, 0.0)
    assert (body["max_tool_calls"], body["safety_identifier"]) == (2, "user-7")
