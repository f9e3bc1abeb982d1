"""Figures in lesson text: each price, cost, token count and shutdown date lesson prose states, written by the build.

A markdown cell marks a figure as `<!-- figure NAME -->TEXT<!-- /figure -->` (the markers are invisible
when rendered); `python -m helpers.authoring.build` replaces TEXT with what NAME computes, and a test
fails when one is stale. NAME is one of

    live-cost                 what the lesson's recorded requests cost at list prices, if sent live (file
                              search calls and a batch's requests at the batch price included)
    requests                  how many requests its recording holds
    tokens                    the input and output tokens of its recorded answers, together
    price-in:MODEL            MODEL's price per million input tokens (helpers.prices)
    price-out:MODEL           ... per million output tokens
    price-in-per-1000:MODEL   ... per 1,000 input tokens, as older guides quote it
    price-other:MODEL         a price not per token ("$0.27 per hour of audio")
    price-cached:MODEL        ... per million input tokens read from the prompt cache
    price-cache-write:MODEL   ... per million input tokens written to the prompt cache
    price-web-search:MODEL    ... per 1,000 calls of the Responses web search tool
    kit:MODULE.NAME           a number the kit's code sets (kit:tokens.TOKENS_PER_MESSAGE)
    kit-usd:MODULE.NAME       a price in dollars the kit's code sets (kit-usd:prices.FILE_SEARCH_PER_1000_CALLS)
    shutdown:MODEL            the day MODEL was (or will be) shut down: the installed SDK's notes, else the
                              public notice the model catalogue holds (helpers.models)

Dollar signs are written `\\\\$`: JupyterLab typesets any `$...$` pair in a paragraph as math, and its
typesetter turns an escaped `\\$` back into a plain dollar sign. `hand_typed_dollars` finds any other.
"""
from __future__ import annotations

import functools
import importlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .. import lifecycle, meter, models, paths, prices, recordings, traffic
from . import navigation

FIGURE = re.compile(r"(?P<open><!-- figure (?P<name>[\w:.-]+) -->)(?P<text>.*?)(?P<close><!-- /figure -->)", re.S)
DOLLAR = r"\\$"  # in markdown source: a backslash the typesetter reads as an escape, then the sign
# Code spans and fenced blocks are shown as written, never typeset: a dollar there is safe.
CODE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?^\1[`~]*$|(`+)[^\n]*?\2", re.S | re.M)
LINE_START = re.compile(r"^[ \t]*<!-- figure", re.M)  # indented too: a list item's next line
UNESCAPED_DOLLAR = re.compile(r"(?<!\\\\)\$")


@dataclass(frozen=True)
class RecordedUse:
    requests: int
    input_tokens: int
    output_tokens: int
    cost: float


def money(dollars: float) -> str:
    return prices.usd(dollars).replace("$", DOLLAR, 1)


def per_million(value: float) -> str:
    """A list price as price lists write it: at least two decimals, no trailing zeros past them."""
    digits = f"{value:.6f}".rstrip("0")
    whole, _, decimals = digits.partition(".")
    return f"{DOLLAR}{whole}.{decimals.ljust(2, '0')}"


@functools.cache
def recorded_use(notebook: str) -> RecordedUse:
    """What a live run of the lesson would use: every request its recording holds, priced as the meter does."""
    recording = recordings.Recording(notebook)
    calls, extra = [], _ExtraCosts()
    for index, sent in enumerate(recording.requests):
        answer = recording.answer(index)
        exchange = _exchange(sent, answer)
        calls.append(meter.call_from(exchange))
        if answer.status < 400 and exchange.body is not None:
            extra.add(exchange.body)
    # Calls that carry no tokens and no price (listing models) are free.
    used = [call for call in calls
            if call.input_tokens or call.output_tokens or (call.cost and not math.isnan(call.cost))]
    unpriced = sorted({call.model for call in used if math.isnan(call.cost)})
    if unpriced:
        raise ValueError(f"{notebook}: genai-prices has no price for {', '.join(unpriced)}, so no cost can be stated")
    return RecordedUse(len(calls), sum(c.input_tokens for c in calls) + extra.input_tokens,
                       sum(c.output_tokens for c in calls) + extra.output_tokens,
                       sum(c.cost for c in used) + extra.cost)


def _exchange(sent: recordings.Sent, answer: recordings.Answer) -> traffic.Exchange:
    """A recorded request and its answer as the meter hears them: the JSON body or the streamed events,
    and an upload's form fields as its request."""
    content_type = answer.headers.get("content-type", answer.headers.get("Content-Type", ""))
    body, events = None, []
    if content_type.startswith("text/event-stream"):
        events = traffic.parse_events(answer.content)
    elif "json" in content_type and answer.content:
        body = json.loads(answer.content)
    request = sent.body if isinstance(sent.body, dict) else None
    if request is not None and set(request) == {"multipart"}:  # an upload: its form fields
        request = request["multipart"] if isinstance(request["multipart"], dict) else None
    return traffic.Exchange(sent.method, sent.path, request, status=answer.status,
                            body=body if isinstance(body, dict) else None, events=events)


class _ExtraCosts:
    """What the meter does not bill per answer: file search calls, and a finished batch's requests at the
    batch price (counted once, however often the batch was read)."""

    def __init__(self) -> None:
        self.cost, self.input_tokens, self.output_tokens = 0.0, 0, 0
        self._batches: set[str] = set()

    def add(self, body: dict) -> None:
        searches = sum(isinstance(item, dict) and item.get("type") == "file_search_call"
                       for item in body.get("output") or [])
        self.cost += prices.file_search_cost(searches)
        usage = body.get("usage")
        if body.get("object") == "batch" and isinstance(usage, dict) and body.get("id") not in self._batches:
            self._batches.add(body["id"])
            self.input_tokens += usage["input_tokens"]
            self.output_tokens += usage["output_tokens"]
            self.cost += prices.batch_cost(body["model"], usage["input_tokens"], usage["output_tokens"])


def figure(name: str, notebook: str) -> str:
    kind, _, model = name.partition(":")
    if kind == "live-cost":
        return money(recorded_use(notebook).cost)
    if kind == "requests":
        return f"{recorded_use(notebook).requests:,}"
    if kind == "tokens":
        use = recorded_use(notebook)
        return f"{use.input_tokens + use.output_tokens:,}"
    if kind in ("price-in", "price-out", "price-in-per-1000", "price-other", "price-cached",
                "price-cache-write") and model:
        quoted = prices.price(model)
        if kind == "price-cached":
            return per_million(quoted.cached_input_per_million)
        if kind == "price-cache-write":
            return per_million(quoted.cache_write_per_million)
        if kind == "price-in":
            return per_million(quoted.input_per_million)
        if kind == "price-out":
            return per_million(quoted.output_per_million)
        if kind == "price-in-per-1000":
            return per_million(quoted.input_per_million / 1000)
        if not quoted.other:
            raise ValueError(f"{model} is priced per token, so it has no price-other figure")
        return quoted.other.replace("$", DOLLAR)
    if kind == "price-web-search" and model:
        return money(prices.web_search_price(model))
    if kind in ("kit", "kit-usd") and model:
        module, _, constant = model.rpartition(".")
        value = getattr(importlib.import_module(f"helpers.{module}"), constant)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"figure {name!r} is {value!r}, not a number")
        return per_million(value) if kind == "kit-usd" else f"{value:,}"
    if kind == "shutdown" and model:
        return shutdown_day(model)
    raise ValueError(f"unknown figure {name!r} (helpers/authoring/figures.py lists them)")


def shutdown_day(model: str) -> str:
    when = lifecycle.shutdown_date(model) or models.shutdown_notices().get(model)
    if when is None:
        raise ValueError(f"{model} has no shutdown date in the installed SDK's notes or the model catalogue")
    return when.isoformat()


def fill(text: str, notebook: str) -> str:
    if LINE_START.search(text):
        raise ValueError(f"{notebook}: a figure starts a line, where markdown takes the line for raw HTML and "
                         "JupyterLab typesets its dollar signs; move a word before it onto that line")
    return FIGURE.sub(lambda m: f"{m['open']}{figure(m['name'], notebook)}{m['close']}", text)


def hand_typed_dollars(text: str) -> list[str]:
    """Dollar signs in prose that JupyterLab could take for math: not escaped, not in code."""
    prose = CODE.sub("", text)
    return [prose[max(0, m.start() - 30):m.end() + 30].replace("\n", " ")
            for m in UNESCAPED_DOLLAR.finditer(prose)]


def update(check_only: bool = False, notebooks: list[Path] | None = None) -> list[str]:
    """Write every figure; return the notebooks that were (or, checking, would be) changed."""
    recorded_use.cache_clear()  # the build may just have written a recording
    stale = []
    for path in notebooks or navigation.lessons():
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in nb.cells:
            if cell.cell_type == "markdown" and FIGURE.search(cell.source):
                filled = fill(cell.source, path.stem)
                if filled != cell.source:
                    cell.source, changed = filled, True
        if changed:
            stale.append(str(path.relative_to(paths.ROOT)))
            if not check_only:
                navigation.write_notebook(nb, path)
    return stale
