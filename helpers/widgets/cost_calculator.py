"""A cost calculator: pick a model, give tokens in and out (or a prompt to count), see the dollars.
Tokens in that the prompt cache holds ("of which cached") are priced at the cached-input rate.

    from helpers.widgets.cost_calculator import CostCalculator
    CostCalculator()

Prices come from the genai-prices snapshot (`helpers.prices`) and nothing is sent to the API.
`estimate` is the logic, a plain function a test calls directly; values that are not whole
numbers of tokens in range are refused with a message. `CostCalculator` is the view around it.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .. import models, prices, tokens

__all__ = ["MODELS", "MAX_TOKENS", "MAX_REQUESTS", "Refused", "Estimate", "whole_number", "prompt_tokens", "estimate",
           "CostCalculator"]

MODELS = (models.CHAT, models.CHAT_LARGER, models.CHAT_BALANCED, models.EMBEDDING)
MAX_TOKENS = 10_000_000  # well past any context window: a bigger number is a typing slip
MAX_REQUESTS = 1_000_000_000


class Refused(ValueError):
    """A value the calculator will not use; the message says what to change."""


@dataclass(frozen=True)
class Estimate:
    model: str
    input_tokens: int
    output_tokens: int
    requests: int
    per_request: float  # US dollars
    total: float
    cached_tokens: int = 0  # of input_tokens, read from the prompt cache

    def text(self) -> str:
        p = prices.price(self.model)
        inputs = f"{self.input_tokens:,} tokens in × ${p.input_per_million:g}/M"
        if self.cached_tokens:
            inputs = (f"{self.input_tokens - self.cached_tokens:,} tokens in × ${p.input_per_million:g}/M + "
                      f"{self.cached_tokens:,} cached × ${p.cached_input_per_million:g}/M")
        line = (f"{self.model}: {inputs} + {self.output_tokens:,} out × ${p.output_per_million:g}/M = "
                f"{prices.usd(self.per_request)} per request")
        if self.requests != 1:
            line += f"; × {self.requests:,} requests = {prices.usd(self.total)}"
        return line


def whole_number(name: str, value: object, high: int) -> int:
    """A count typed as text or given as a number, or Refused saying what is wrong."""
    text = str(value).strip().replace(",", "").replace("_", "")
    if isinstance(value, bool) or not text.isdigit():
        raise Refused(f"{name} must be a whole number from 0 to {high:,}; got {value!r}.")
    number = int(text)
    if number > high:
        raise Refused(f"{name} must be at most {high:,}; got {number:,}.")
    return number


def prompt_tokens(prompt: str, model: str) -> int:
    """Input tokens of a chat request whose only message is this prompt (the chat format adds a few)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise Refused("The prompt is empty. Paste the text you want to count.")
    return tokens.count_messages([{"role": "user", "content": prompt}], model)


def estimate(model: str, input_tokens: object, output_tokens: object, requests: object = 1,
             cached_tokens: object = 0) -> Estimate:
    """What `requests` calls of this size cost at list prices; `cached_tokens` of the input tokens are read from
    the prompt cache, at the cached-input price."""
    if model not in MODELS:
        raise Refused(f"Choose one of {', '.join(MODELS)}; got {model!r}.")
    input_tokens = whole_number("Tokens in", input_tokens, MAX_TOKENS)
    output_tokens = whole_number("Tokens out", output_tokens, MAX_TOKENS)
    requests = whole_number("Requests", requests, MAX_REQUESTS)
    if requests == 0:
        raise Refused("Requests must be at least 1.")
    cached_tokens = whole_number("Cached tokens", cached_tokens, MAX_TOKENS)
    if cached_tokens > input_tokens:
        raise Refused(f"Cached tokens are part of the tokens in, so at most {input_tokens:,}; got {cached_tokens:,}.")
    one = prices.cost(model, input_tokens, output_tokens, cached_tokens=cached_tokens)
    return Estimate(model, input_tokens, output_tokens, requests, one, one * requests, cached_tokens)


class CostCalculator:
    """The calculator's controls; display it as the last line of a cell."""

    def __init__(self, model: str = models.CHAT, input_tokens: int = 500, output_tokens: int = 200,
                 requests: int = 1, cached_tokens: int = 0) -> None:
        label = {"description_width": "8em"}
        self.model = widgets.Dropdown(options=MODELS, value=model, description="model", style=label)
        self.input_tokens = widgets.Text(value=str(input_tokens), description="tokens in", style=label)
        self.output_tokens = widgets.Text(value=str(output_tokens), description="tokens out", style=label)
        self.requests = widgets.Text(value=str(requests), description="requests", style=label)
        self.cached_tokens = widgets.Text(value=str(cached_tokens), description="of which cached", style=label)
        self.prompt = widgets.Textarea(description="or a prompt", placeholder="Paste a prompt to count its tokens",
                                       style=label, layout=widgets.Layout(width="42em", height="4em"))
        self.count_button = widgets.Button(description="Count prompt → tokens in", icon="calculator",
                                           layout=widgets.Layout(width="16em"))
        self.calculate_button = widgets.Button(description="Calculate", button_style="primary", icon="dollar")
        self.result = widgets.HTML()
        self.status = "ready"  # then: priced or refused
        self.message = ""
        self.last: Estimate | None = None
        self.count_button.on_click(lambda _button: self.count_prompt())
        self.calculate_button.on_click(lambda _button: self.calculate())
        for control in (self.model, self.input_tokens, self.output_tokens, self.requests, self.cached_tokens):
            # Every change prices again, so the result never shows a figure for other values.
            control.observe(lambda _change: self.calculate(), names="value")
        source = widgets.HTML(f"<small>Prices: {html.escape(prices.prices_source())}. Nothing is sent to the API."
                              "</small>")
        self.view = widgets.VBox([self.model, self.input_tokens, self.cached_tokens, self.output_tokens, self.requests,
                                  self.prompt,
                                  self.count_button, self.calculate_button, self.result, source])
        self.calculate()

    def count_prompt(self) -> int | None:
        """Put the prompt's token count into 'tokens in' and recalculate."""
        try:
            count = prompt_tokens(self.prompt.value, self.model.value)
        except Refused as err:
            self._show("refused", f"Not counted: {err}")
            return None
        self.input_tokens.value = str(count)
        self.calculate()  # also when the count is what 'tokens in' held already
        return count

    def calculate(self) -> Estimate | None:
        try:
            result = estimate(self.model.value, self.input_tokens.value, self.output_tokens.value,
                              self.requests.value, self.cached_tokens.value)
        except Refused as err:
            self._show("refused", f"Not calculated: {err}")
            return None
        self.last, self.status, self.message = result, "priced", result.text()
        self.result.value = f"<b>{html.escape(self.message)}</b>"
        return result

    def _show(self, status: str, text: str) -> None:
        self.status, self.message, self.last = status, text, None
        self.result.value = f"⚠️ {html.escape(text)}"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.view._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"CostCalculator({self.message})"
