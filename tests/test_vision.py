"""Image input and prompt caching: token counts and prices against the published rules (sources named)."""
import base64
import io
import math

import pytest
from PIL import Image

from helpers import meter, prices, tokens, vision
from helpers.authoring.standin.usage import PromptCache

CHART = "visitors_chart.png"  # data/images/, 1024 x 640


def _png(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, kind)
    return out.getvalue()


def _data_url(data: bytes, media: str = "png") -> str:
    return f"data:image/{media};base64," + base64.b64encode(data).decode()


def _chat_image(url: str, detail: str | None = None) -> dict:
    image = {"url": url} if detail is None else {"url": url, "detail": detail}
    return {"type": "image_url", "image_url": image}


# --- the published rules -------------------------------------------------------------------------------

def test_gpt6_counts_patches_times_1_2_as_the_vision_guide_says():
    # vybestack/llxprt-code#3477 (quoting OpenAI's vision guide for GPT-5.2 and later, GPT-6 included):
    # image_tokens = ceil(1.2 x ceil(w/32) x ceil(h/32)) below the patch budget.
    assert vision.image_tokens(1024, 1024, "high", "gpt-6-luna") == math.ceil(1.2 * 32 * 32)
    assert vision.image_tokens(1920, 1080, "high", "gpt-6-luna") == math.ceil(1.2 * 60 * 34)
    assert vision.image_tokens(33, 1, "high", "gpt-6-sol") == math.ceil(1.2 * 2)  # a part patch is a patch


def test_auto_on_gpt6_is_the_original_size_as_measured_live():
    # vybestack/llxprt-code#3483: a 4000x2500 PNG sent with no detail to gpt-5.6-sol added 11,930 input tokens
    # to its turn (the image and a little text); Prism-Shadow/agenthub#194: auto behaves like original there.
    counted = vision.image_tokens(4000, 2500, None, "gpt-6-luna")
    assert counted == math.ceil(1.2 * 125 * 79)
    assert 11_800 <= counted <= 11_930


def test_high_fits_2048_pixels_and_the_larger_published_patch_budget():
    # Prism-Shadow/agenthub#194: high fits 2048x2048 and 2,500 patches; llxprt-code#3477 says 1,536: the kit
    # takes the larger, so it never counts low.
    assert vision.image_tokens(4000, 1000, "high", "gpt-6-luna") == math.ceil(1.2 * 64 * 16)  # 2048 x 512
    assert vision.image_tokens(4000, 3000, "high", "gpt-6-luna") == math.ceil(1.2 * 2_500)
    assert vision.image_tokens(4000, 3000, "high", "gpt-6-luna") >= math.ceil(1.2 * 1_536)


def test_low_sees_the_image_fitted_into_512_pixels():
    assert vision.image_tokens(1024, 640, "low", "gpt-6-luna") == math.ceil(1.2 * 16 * 10)
    assert vision.image_tokens(100, 100, "low", "gpt-6-luna") == math.ceil(1.2 * 4 * 4)  # never enlarged


def test_gpt54_mini_takes_the_larger_published_multiplier_and_auto_is_high():
    # omnara-ai/omnara#446: 1.62 in one version, 1.2 in the next; the kit counts 1.62.
    assert vision.image_tokens(1024, 1024, "high", "gpt-5.4-mini") == math.ceil(1.62 * 1024)
    assert vision.image_tokens(4000, 3000, "auto", "gpt-5.4-mini") == math.ceil(1.62 * 2_500)
    assert vision.image_tokens(4000, 3000, "original", "gpt-5.4-mini") == math.ceil(1.62 * 10_000)


def test_an_unknown_size_counts_the_most_its_detail_can_cost():
    for model in ("gpt-6-luna", "gpt-5.4-mini", "some-future-model"):
        for detail in ("low", "high", "auto"):
            worst = vision.image_tokens(None, None, detail, model)
            for size in ((1, 1), (512, 512), (1920, 1080), (8000, 6000), (10_000, 20)):
                assert vision.image_tokens(*size, detail, model) <= worst, (model, detail, size)


def test_an_unknown_detail_is_refused_with_a_message():
    with pytest.raises(ValueError, match="detail is one of"):
        vision.image_tokens(10, 10, "ultra", "gpt-6-luna")


# --- knowing the size offline ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "WEBP"])
def test_the_size_is_read_from_a_data_url_of_each_common_format(kind):
    url = _data_url(_png(300, 170, kind), kind.lower())
    assert vision.size_of_url(url) == (300, 170)


def test_a_kit_image_url_is_sized_from_the_shipped_file_and_other_urls_are_not():
    assert vision.size_of_url(vision.kit_image_url(CHART)) == (1024, 640)
    assert vision.size_of_url("https://example.com/" + CHART) is None
    assert vision.size_of_url(vision.kit_image_url("../README.md")) is None
    assert vision.size_of_url("data:image/png;base64,not base64!") is None


# --- the token counter, the meter, the budget guard -------------------------------------------------------

def test_count_messages_counts_image_parts_in_both_apis():
    text = [{"role": "user", "content": [{"type": "text", "text": "What is this?"}]}]
    url = vision.kit_image_url(CHART)
    chat = [{"role": "user", "content": [{"type": "text", "text": "What is this?"}, _chat_image(url, "high")]}]
    responses = [{"role": "user", "content": [{"type": "input_text", "text": "What is this?"},
                                              {"type": "input_image", "image_url": url, "detail": "high"}]}]
    image = vision.image_tokens(1024, 640, "high", "gpt-6-luna")
    base = tokens.count_messages(text, "gpt-6-luna")
    assert tokens.count_messages(chat, "gpt-6-luna") == base + image
    assert tokens.count_messages(responses, "gpt-6-luna") == base + image


def test_the_budget_guard_counts_images_and_never_low_for_an_unseen_url():
    unseen = {"model": "gpt-6-luna", "messages": [{"role": "user", "content": [
        _chat_image("https://example.com/photo.jpg")]}]}
    known = {"model": "gpt-6-luna", "messages": [{"role": "user", "content": [
        _chat_image(_data_url(_png(8000, 6000)))]}]}
    assert meter.estimate(known).input_tokens <= meter.estimate(unseen).input_tokens
    assert meter.estimate(unseen).input_tokens >= vision.image_tokens(None, None, "auto", "gpt-6-luna")
    image = {"type": "input_image", "detail": "low", "image_url": vision.kit_image_url(CHART)}
    mixed = {"model": "gpt-6-luna", "input": [{"type": "function_call_output", "call_id": "c", "output": "x"},
                                              {"role": "user", "content": [image]}]}
    assert meter.estimate(mixed, "/v1/responses").input_tokens >= vision.image_tokens(1024, 640, "low", "gpt-6-luna")


# --- cached input prices ---------------------------------------------------------------------------------

def test_cached_and_cache_write_rates_follow_the_caching_guide():
    # OpenAI's prompt caching guide (affaan-m/ECC#3173): GPT-5.6 and later read at 0.1x and write at 1.25x the
    # input rate; earlier models write for free (the input rate) and read at the snapshot's cached rate.
    luna = prices.price("gpt-6-luna")
    assert luna.cached_input_per_million == pytest.approx(luna.input_per_million * 0.1)
    assert luna.cache_write_per_million == pytest.approx(luna.input_per_million * 1.25)
    mini = prices.price("gpt-5.4-mini")
    assert mini.cache_write_per_million == mini.input_per_million
    assert mini.cached_input_per_million == pytest.approx(mini.input_per_million * 0.1)


def test_a_call_with_cached_and_written_input_costs_each_part_at_its_rate():
    luna = prices.price("gpt-6-luna")
    expected = (500 * luna.input_per_million + 1_200 * luna.cached_input_per_million
                + 300 * luna.cache_write_per_million + 50 * luna.output_per_million) / 1e6
    assert prices.cost("gpt-6-luna", 2_000, 50, cached_tokens=1_200, cache_write_tokens=300) == pytest.approx(expected)
    with pytest.raises(ValueError, match="cannot be more"):
        prices.cost("gpt-6-luna", 100, 0, cached_tokens=80, cache_write_tokens=30)


def test_the_meter_prices_reported_cached_tokens_at_the_cached_rate():
    from helpers import traffic

    body = {"model": "gpt-6-luna", "usage": {"prompt_tokens": 2_000, "completion_tokens": 50, "total_tokens": 2_050,
                                             "prompt_tokens_details": {"cached_tokens": 1_500,
                                                                       "cache_write_tokens": 100}}}
    exchange = traffic.Exchange("POST", "/v1/chat/completions", {"model": "gpt-6-luna"}, status=200, body=body,
                                live=True)
    call = meter.call_from(exchange)
    assert (call.cached_tokens, call.cache_write_tokens) == (1_500, 100)
    assert call.cost == pytest.approx(prices.cost("gpt-6-luna", 2_000, 50, cached_tokens=1_500,
                                                  cache_write_tokens=100))
    assert call.cost < prices.cost("gpt-6-luna", 2_000, 50)


def test_the_guard_counts_a_long_prompt_as_written_to_the_cache_where_that_costs_more():
    long = {"model": "gpt-6-luna", "messages": [{"role": "user", "content": "word " * 2_000}],
            "max_completion_tokens": 10}
    worst = meter.estimate(long)
    assert worst.cost == pytest.approx(prices.cost("gpt-6-luna", worst.input_tokens, 10,
                                                   cache_write_tokens=worst.input_tokens))


# --- the stand-in's prompt cache -------------------------------------------------------------------------

GUIDE = "The park road closes at 18:00 in winter. " * 120  # well over the 1,024-token minimum


def _messages(*turns, marked=False):
    content = [{"type": "text", "text": GUIDE, "prompt_cache_breakpoint": {"mode": "explicit"}}] if marked else GUIDE
    messages = [{"role": "developer", "content": content}]
    for n, turn in enumerate(turns):
        messages.append({"role": "user" if n % 2 == 0 else "assistant", "content": turn})
    return messages


def _use(cache, model, messages):
    return cache.use("/v1/chat/completions", {"model": model}, messages, None)


def test_gpt6_writes_at_the_latest_user_message_and_the_next_turn_reads_it():
    cache = PromptCache()
    cached, written = _use(cache, "gpt-6-luna", _messages("q1"))
    prefix = tokens.count_messages(_messages("q1"), "gpt-6-luna") - tokens.TOKENS_REPLY_PRIMER_REASONING
    assert (cached, written) == (0, prefix)  # BerriAI/litellm#37628: the first call writes all but the primer
    cached, written = _use(cache, "gpt-6-luna", _messages("q1", "a1", "q2"))
    assert cached == prefix and written > 0  # valkompass-ai/valkompass-ai#16: the next turn reads the last


def test_gpt6_does_not_fall_back_to_an_unmarked_shorter_prefix_but_reads_a_marked_one():
    cache = PromptCache()
    _use(cache, "gpt-6-luna", _messages("first question"))
    assert _use(cache, "gpt-6-luna", _messages("another question"))[0] == 0
    _use(cache, "gpt-6-luna", _messages("third", marked=True))
    cached, _ = _use(cache, "gpt-6-luna", _messages("fourth", marked=True))
    assert cached == tokens.count_messages(_messages(), "gpt-6-luna") - tokens.TOKENS_REPLY_PRIMER_REASONING


def test_a_short_prompt_is_never_cached_and_earlier_models_cache_in_128_token_steps():
    cache = PromptCache()
    assert _use(cache, "gpt-6-luna", [{"role": "user", "content": "hi"}]) == (0, 0)
    assert _use(cache, "gpt-6-luna", [{"role": "user", "content": "hi"}]) == (0, 0)
    assert _use(cache, "gpt-5.4-mini", _messages("q1")) == (0, 0)  # no write fee, so nothing reported written
    cached, written = _use(cache, "gpt-5.4-mini", _messages("q1", "a1", "q2"))
    assert written == 0 and cached >= tokens.CACHE_MIN_TOKENS and (cached - tokens.CACHE_MIN_TOKENS) % 128 == 0


def test_the_stand_in_reports_image_and_cached_tokens_in_both_apis(tmp_path):
    from openai import OpenAI

    from helpers.authoring.standin import StandIn
    from tests.conftest import PLANTED_KEY

    (tmp_path / "rules.json").write_text('{"rules": []}', encoding="utf-8")
    url = vision.kit_image_url(CHART)
    with StandIn(tmp_path) as server:
        client = OpenAI(base_url=server.url, api_key=PLANTED_KEY, max_retries=0)
        text = client.chat.completions.create(model="gpt-6-luna", messages=[
            {"role": "user", "content": [{"type": "text", "text": "What is this?"}]}])
        image = client.chat.completions.create(model="gpt-6-luna", messages=[
            {"role": "user", "content": [{"type": "text", "text": "What is this?"}, _chat_image(url, "low")]}])
        assert image.usage.prompt_tokens - text.usage.prompt_tokens == vision.image_tokens(1024, 640, "low",
                                                                                           "gpt-6-luna")
        first = client.responses.create(model="gpt-6-luna", input=[{"role": "developer", "content": GUIDE},
                                                                   {"role": "user", "content": "q1"}])
        again = client.responses.create(model="gpt-6-luna", input=[{"role": "developer", "content": GUIDE},
                                                                   {"role": "user", "content": "q1"}])
    assert first.usage.input_tokens_details.cached_tokens == 0
    assert first.usage.input_tokens_details.cache_write_tokens > tokens.CACHE_MIN_TOKENS
    assert again.usage.input_tokens_details.cached_tokens == first.usage.input_tokens_details.cache_write_tokens


def test_an_image_over_the_patch_limit_at_its_own_size_is_refused_as_the_api_does():
    # Prism-Shadow/agenthub#194 quotes the 400: "The image you provided requires 53800 patches after processing,
    # exceeding the limit of 30000. Please resize the image and try again."
    from helpers import refusals

    huge = _data_url(_png(8000, 6000))  # 250 x 188 = 47,000 patches
    body = {"model": "gpt-6-luna", "messages": [{"role": "user", "content": [_chat_image(huge)]}]}
    refused = refusals.refusal("/v1/chat/completions", body)
    assert refused is not None and refused.status == 400
    assert refused.message == ("The image you provided requires 47000 patches after processing, exceeding the limit "
                               "of 30000. Please resize the image and try again.")
    assert refusals.refusal("/v1/chat/completions", {**body, "messages": [
        {"role": "user", "content": [_chat_image(huge, "high")]}]}) is None  # high shrinks it
    assert refusals.refusal("/v1/chat/completions", {**body, "model": "gpt-5.4-mini"}) is None  # shrinks it too


def test_the_cost_calculator_prices_cached_input_at_the_cached_rate():
    from helpers.widgets.cost_calculator import CostCalculator, Refused, estimate

    plain, cached = estimate("gpt-6-luna", 2_000, 100), estimate("gpt-6-luna", 2_000, 100, cached_tokens=1_500)
    assert cached.per_request == pytest.approx(prices.cost("gpt-6-luna", 2_000, 100, cached_tokens=1_500))
    assert cached.per_request < plain.per_request and "1,500 cached" in cached.text()
    with pytest.raises(Refused, match="at most 2,000"):
        estimate("gpt-6-luna", 2_000, 100, cached_tokens=2_001)
    calculator = CostCalculator(input_tokens=2_000, output_tokens=100)
    calculator.cached_tokens.value = "1500"
    assert calculator.last == cached
