"""Prices per million tokens, from the genai-prices snapshot (maintained, offline, dated).

No hand-typed table: a kit that quotes prices must say where they come from and how old they are,
so `prices_source()` is shown wherever a cost is. Upgrading genai-prices refreshes them.

Some models are priced by the token in tiers (a prompt over 272,000 tokens costs more per token):
`price()` gives the standard rate, `cost()` applies the tier the token counts fall in. Models not
priced by the token (transcription by the hour of audio, moderation free) say so in `Price.other`.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

PROVIDER = "openai"
# How genai-prices names the price fields that are not per million tokens, in words.
OTHER_UNITS = {"audio_hours": "hour of audio", "requests_kcount": "1,000 requests"}


@dataclass(frozen=True)
class Price:
    model: str
    input_per_million: float
    output_per_million: float
    other: str = ""  # prices that are not per token, in words ("free of charge", "$0.27 per hour of audio")

    @property
    def per_token(self) -> bool:
        return bool(self.input_per_million or self.output_per_million)


def _quote(model: str, **usage):
    from genai_prices import Usage, calc_price

    try:
        return calc_price(Usage(**usage), model_ref=model, provider_id=PROVIDER)
    except LookupError as err:
        raise KeyError(f"genai-prices has no price for {model!r}: {err}") from None


def _base_rate(value) -> float:
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
    return Price(model, input_rate, output_rate, other if not (input_rate or output_rate) else "")


def cost(model: str, input_tokens: int, output_tokens: int = 0, *, audio_seconds: float = 0) -> float:
    """What a call with these token counts (or seconds of audio) costs, in US dollars."""
    if audio_seconds:
        return float(_quote(model, audio_seconds=audio_seconds).total_price)
    if not (input_tokens or output_tokens):
        price(model)  # an unknown model is still an error
        return 0.0
    return float(_quote(model, input_tokens=input_tokens, output_tokens=output_tokens).total_price)


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
