"""Prices: every model the kit uses has a known price, per million tokens or documented otherwise."""
import math

import pytest

from helpers import models, prices

# Models the API does not price by the token, and how it prices them instead.
NOT_PER_TOKEN = {models.TRANSCRIBE: "$0.27 per hour of audio", models.MODERATION: "free of charge"}


@pytest.mark.parametrize("model", models.KIT_MODELS)
def test_every_kit_model_has_a_known_price(model):
    p = prices.price(model)
    if model in NOT_PER_TOKEN:
        assert not p.per_token and p.other == NOT_PER_TOKEN[model]
    else:
        assert p.per_token and p.input_per_million > 0 and p.other == ""


def test_transcription_is_priced_by_the_hour_of_audio():
    assert prices.cost(models.TRANSCRIBE, 0, audio_seconds=3600) == pytest.approx(0.27)
    assert prices.cost(models.TRANSCRIBE, 0, audio_seconds=60) == pytest.approx(0.0045)


def test_moderation_costs_nothing():
    assert prices.cost(models.MODERATION, 10_000) == 0


def test_prices_are_per_million_tokens_at_the_standard_tier():
    p = prices.price("gpt-6-luna")
    assert (p.input_per_million, p.output_per_million) == (0.10, 0.50)
    assert prices.cost("gpt-6-luna", 100_000) == pytest.approx(0.01)
    assert prices.cost("gpt-6-luna", 500, 200) == pytest.approx((500 * 0.10 + 200 * 0.50) / 1e6)


def test_a_long_prompt_is_billed_at_the_long_context_tier():
    # Over 272,000 input tokens the whole call costs 2x for input and 1.5x for output.
    assert prices.cost("gpt-6-luna", 300_000, 1_000) == pytest.approx((300_000 * 0.20 + 1_000 * 0.75) / 1e6)


def test_an_unknown_model_is_a_key_error_that_names_it():
    with pytest.raises(KeyError, match="no-such-model"):
        prices.price("no-such-model")
    with pytest.raises(KeyError, match="no-such-model"):
        prices.cost("no-such-model", 0, 0)


def test_the_source_names_the_genai_prices_release():
    from importlib.metadata import version

    assert f"genai-prices {version('genai-prices')}" in prices.prices_source()


@pytest.mark.parametrize("dollars, shown", [
    (0, "$0.00"), (1.5, "$1.50"), (12_345.678, "$12,345.68"), (0.05, "$0.0500"), (0.000150, "$0.000150"),
    (0.0498, "$0.0498"), (math.nan, "$nan"),
])
def test_dollars_are_shown_with_the_digits_that_matter(dollars, shown):
    assert prices.usd(dollars) == shown
