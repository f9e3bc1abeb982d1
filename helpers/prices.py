"""Prices per million tokens, from the genai-prices snapshot (maintained, offline, dated).

No hand-typed table: a kit that quotes prices must say where they come from and how old they are,
so `prices_source()` is shown wherever a cost is. Upgrading genai-prices refreshes them.

Some models are priced by the token in tiers (a prompt over 272,000 tokens costs more per token):
`price()` gives the standard rate, `cost()` applies the tier the token counts fall in. Models not
priced by the token (transcription by the hour of audio, moderation free) say so in `Price.other`.

Prompt caching has its own rates (OpenAI's prompt caching guide, quoted in affaan-m/ECC#3173 and
BerriAI/litellm#37628): input tokens read from the cache (`cached_tokens`) cost the cached-input rate,
a tenth of the input rate on current models; on GPT-5.6 and later families, tokens written to the cache
(`cache_write_tokens`) cost 1.25 times the input rate. Both rates come from the same snapshot; a model
with no cache-write rate there bills written tokens at the input rate (earlier models write for free).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

__all__ = ["PROVIDER", "OTHER_UNITS", "Price", "price", "cost", "web_search_price", "usd", "prices_source",
           "BATCH_DISCOUNT_PERCENT", "FILE_SEARCH_PER_1000_CALLS", "VECTOR_STORAGE_PER_GB_DAY",
           "VECTOR_STORAGE_FREE_GB", "GB", "batch_cost", "file_search_cost", "vector_storage_cost"]

PROVIDER = "openai"
# How genai-prices names the price fields that are not per million tokens, in words.
OTHER_UNITS = {"audio_hours": "hour of audio", "requests_kcount": "1,000 requests"}


@dataclass(frozen=True)
class Price:
    model: str
    input_per_million: float
    output_per_million: float
    other: str = ""  # prices that are not per token, in words ("free of charge", "$0.27 per hour of audio")
    cached_input_per_million: float = 0.0  # input read from the prompt cache
    cache_write_per_million: float = 0.0  # input written to the prompt cache (the input rate where none is set)

    @property
    def per_token(self) -> bool:
        return bool(self.input_per_million or self.output_per_million)


def _quote(model: str, **usage: float) -> Any:
    from genai_prices import Usage, calc_price

    try:
        return calc_price(Usage(**usage), model_ref=model, provider_id=PROVIDER)
    except LookupError as err:
        raise KeyError(f"genai-prices has no price for {model!r}: {err}") from None


def _base_rate(value: Any) -> float:
    """A per-million price, or the standard tier's price when the price is tiered."""
    if value is None:
        return 0.0
    return float(getattr(value, "base", value))


def _other_prices(fields: dict) -> str:
    other = [f"${value} per {OTHER_UNITS.get(name, name)}" for name, value in fields.items()
             if name in OTHER_UNITS and value is not None]
    return "; ".join(other)


@functools.cache
def price(model: str) -> Price:
    """The model's standard price per million input and output tokens; KeyError names an unknown model."""
    fields = vars(_quote(model, input_tokens=1).model_price)
    input_rate, output_rate = _base_rate(fields.get("input_mtok")), _base_rate(fields.get("output_mtok"))
    other = _other_prices(fields)
    if not (input_rate or output_rate or other):
        other = "free of charge"
    cached = _base_rate(fields.get("cache_read_mtok")) if fields.get("cache_read_mtok") is not None else input_rate
    write = _base_rate(fields.get("cache_write_mtok")) if fields.get("cache_write_mtok") is not None else input_rate
    return Price(model, input_rate, output_rate, other if not (input_rate or output_rate) else "", cached, write)


def cost(model: str, input_tokens: int, output_tokens: int = 0, *, audio_seconds: float = 0,
         cached_tokens: int = 0, cache_write_tokens: int = 0) -> float:
    """What a call with these token counts (or seconds of audio) costs, in US dollars.

    `input_tokens` is all the input, as `usage` reports it; `cached_tokens` of it were read from the prompt
    cache and `cache_write_tokens` written to it, each billed at its own rate."""
    if audio_seconds:
        return float(_quote(model, audio_seconds=audio_seconds).total_price)
    if not (input_tokens or output_tokens):
        price(model)  # an unknown model is still an error
        return 0.0
    if cached_tokens < 0 or cache_write_tokens < 0 or cached_tokens + cache_write_tokens > input_tokens:
        raise ValueError(f"cached ({cached_tokens:,}) and cache-write ({cache_write_tokens:,}) tokens are parts of "
                         f"the {input_tokens:,} input tokens, so together they cannot be more.")
    return float(_quote(model, input_tokens=input_tokens, output_tokens=output_tokens,
                        cache_read_tokens=cached_tokens, cache_write_tokens=cache_write_tokens).total_price)


def web_search_price(model: str) -> float:
    """US dollars per 1,000 calls of the Responses API's web search tool with `model`: the searches
    themselves, on top of the tokens (the pages read count as input tokens)."""
    value = vars(_quote(model, input_tokens=1).model_price).get("web_searches_kcount")
    if value is None:
        raise KeyError(f"genai-prices has no web search price for {model!r}")
    return float(value)


def usd(dollars: float) -> str:
    """Dollars for people: cents from a dollar up, three significant digits below (a budget's last cents matter)."""
    if dollars == 0 or math.isnan(dollars) or abs(dollars) >= 1:
        return f"${dollars:,.2f}"
    return f"${dollars:.{2 - math.floor(math.log10(abs(dollars)))}f}"


def prices_source() -> str:
    """Which price snapshot the kit uses: the genai-prices release bundles its prices."""
    from importlib.metadata import version

    return f"genai-prices {version('genai-prices')} (prices bundled with that release, read offline)"


# --- prices that are not per token of a model ------------------------------------------------------
# genai-prices has no Batch API or built-in tool prices, so these few are typed here with their source.
# Batch API: "Each model will be offered at 50% cost discount vs. the synchronous APIs" (OpenAI's Batch
# API FAQ, help.openai.com/en/articles/9197833), on input and output tokens alike.
BATCH_DISCOUNT_PERCENT = 50
# File search (OpenAI's pricing page, as quoted by modelcostwatch.com/openai/tool-costs/file-search, checked
# 2026-03-12): tool calls $2.50 per 1,000 (Responses API only); vector storage $0.10 per GB a day, the first
# GB free, a GB being 2**30 bytes.
FILE_SEARCH_PER_1000_CALLS = 2.50
VECTOR_STORAGE_PER_GB_DAY = 0.10
VECTOR_STORAGE_FREE_GB = 1
GB = 2**30


def batch_cost(model: str, input_tokens: int, output_tokens: int = 0) -> float:
    """What the same tokens cost through the Batch API: the model's price less the batch discount."""
    return cost(model, input_tokens, output_tokens) * (100 - BATCH_DISCOUNT_PERCENT) / 100


def file_search_cost(calls: int) -> float:
    """What `calls` file_search tool calls cost, on top of the model's tokens."""
    return calls * FILE_SEARCH_PER_1000_CALLS / 1000


def vector_storage_cost(usage_bytes: int, days: float = 1) -> float:
    """What keeping vector stores of `usage_bytes` in all costs for `days`, after the free gigabyte."""
    billed_gb = max(0.0, usage_bytes / GB - VECTOR_STORAGE_FREE_GB)
    return billed_gb * VECTOR_STORAGE_PER_GB_DAY * days
