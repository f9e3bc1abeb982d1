"""The session meter: calls, tokens and cost so far, per model, and a budget guard for live use.

    from helpers.meter import meter
    meter.table()          # a pandas DataFrame, one row per model and a total
    meter.set_budget(0.50) # live and record modes: refuse any call that could pass $0.50

`setup()` starts it. It is fed by every answer the SDK receives (replayed, live or streamed) through
`helpers.traffic`, so lesson code needs nothing extra. Costs are at the genai-prices list prices
(`helpers.prices`); `billed_usd` counts only answers that came from the API, so a replayed answer
shows what it would have cost while nothing is billed.
"""
from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass
from typing import Any

from . import endpoints, prices, tokens, traffic, vision
from .prices import usd

__all__ = ["BUDGET_ENV", "DEFAULT_OUTPUT_ESTIMATE", "IMAGE_OUTPUT_ESTIMATE", "BILLED_MODES", "CHAT_PATH", "COLUMNS",
           "BudgetExceeded", "Call", "input_tokens_of", "output_limit_of", "call_from", "Meter", "estimate", "meter",
           "start"]

BUDGET_ENV = "KIT_BUDGET_USD"
# Output tokens assumed for a request that sets no limit: a long answer, so the guard errs on the safe side.
DEFAULT_OUTPUT_ESTIMATE = 1_000
IMAGE_OUTPUT_ESTIMATE = 6_240  # output tokens of one high-quality 1536x1024 image, the largest common case
BILLED_MODES = ("live", "record")
CHAT_PATH = endpoints.CHAT
COLUMNS = ["calls", "errors", "input_tokens", "output_tokens", "cost_usd", "billed_usd"]


class BudgetExceeded(Exception):
    """A call the budget guard refused before sending it."""


@dataclass
class Call:
    model: str
    path: str
    status: int
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0  # at list prices; NaN when genai-prices does not know the model
    cached_tokens: int = 0  # of input_tokens, read from the prompt cache (billed at the cached rate)
    cache_write_tokens: int = 0  # of input_tokens, written to the prompt cache (GPT-5.6 and later)
    live: bool = False  # answered over the network, so billed
    local: bool = False  # answered by the local sandbox on this machine: free
    estimated: bool = False  # tokens counted by the kit because the answer carried no usage

    @property
    def billed(self) -> float:
        return self.cost if self.live else 0.0


# --- reading a request and an answer ------------------------------------------------------------------

def _text(value: Any) -> str:
    """The text of a prompt or input: a string, a list of strings, or a list of typed parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_text(item) if isinstance(item, (str, list)) else str(item.get("text", ""))
                       for item in value if isinstance(item, (str, list, dict)))
    return ""


def input_tokens_of(body: dict | None) -> int:
    """Input tokens a request body will be billed for, counted with the model's tokenizer."""
    if not body:
        return 0
    model = body.get("model", "")
    if isinstance(body.get("messages"), list):
        return tokens.count_messages(body["messages"], model) + _schema_tokens(body)
    if isinstance(body.get("input"), list) and all(isinstance(m, dict) and "role" in m for m in body["input"]):
        return (tokens.count_messages(body["input"], model) + tokens.count_text(body.get("instructions") or "", model)
                + _schema_tokens(body))
    text = _text(body.get("input")) + _text(body.get("prompt")) + (body.get("instructions") or "")
    return tokens.count_text(text, model) + _image_tokens(body.get("input"), model) + _schema_tokens(body)


def _image_tokens(value: Any, model: str) -> int:
    """Images anywhere in a Responses input that is not a plain list of messages (helpers.vision)."""
    if isinstance(value, list):
        return sum(_image_tokens(item, model) for item in value)
    if isinstance(value, dict):
        return vision.part_tokens(value, model) + _image_tokens(value.get("content"), model)
    return 0


def _schema_tokens(body: dict) -> int:
    """Tool definitions and output schemas are billed as input too; their JSON text is a safe overestimate."""
    extra = [body[key] for key in ("tools", "functions", "response_format", "text") if body.get(key)]
    return tokens.count_text(json.dumps(extra), body.get("model", "")) if extra else 0


def output_limit_of(path: str, body: dict | None) -> int:
    """The most output tokens a request can be billed for: its own limit, or a generous estimate."""
    if not body or path.endswith(("/embeddings", "/moderations")):
        return 0
    choices = body.get("n") or 1
    if path.endswith("/images/generations"):
        return IMAGE_OUTPUT_ESTIMATE * choices
    for name in ("max_completion_tokens", "max_output_tokens", "max_tokens"):
        if isinstance(body.get(name), int):
            return body[name] * choices
    return DEFAULT_OUTPUT_ESTIMATE * choices


def _usage(exchange: traffic.Exchange) -> dict | None:
    """The usage the API reported: in the answer, in a streamed chunk, or in a Responses API event."""
    if (exchange.body or {}).get("object") == "batch":  # told again at every poll, and billed at the batch price
        return None
    found = (exchange.body or {}).get("usage")
    for event in exchange.events:
        found = event.get("usage") or (event.get("response") or {}).get("usage") or found
    return found if isinstance(found, dict) else None


def _streamed_text(events: list[dict]) -> str:
    parts = []
    for event in events:
        for choice in event.get("choices") or []:
            parts.append(((choice.get("delta") or {}).get("content")) or choice.get("text") or "")
        if event.get("type", "").endswith(".delta") and isinstance(event.get("delta"), str):
            parts.append(event["delta"])
    return "".join(parts)


def _model_of(exchange: traffic.Exchange) -> str:
    for source in (exchange.json, exchange.body, *exchange.events[:1]):
        if isinstance(source, dict) and isinstance(source.get("model"), str):
            return source["model"]
        if isinstance(source, dict) and isinstance(source.get("response"), dict):
            return source["response"].get("model", "(unknown)")
    return "(unknown)"


def _priced(model: str, input_tokens: int, output_tokens: int, audio_seconds: float = 0, cached: int = 0,
            written: int = 0) -> float:
    try:
        return prices.cost(model, input_tokens, output_tokens, audio_seconds=audio_seconds, cached_tokens=cached,
                           cache_write_tokens=written)
    except KeyError:
        return math.nan


def _cache_tokens(usage: dict, input_tokens: int) -> tuple[int, int]:
    """Cached and cache-write input tokens from usage's details (Chat: prompt_tokens_details, Responses:
    input_tokens_details); counts that do not fit inside the input are ignored rather than trusted."""
    details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    if not isinstance(details, dict):
        return 0, 0
    cached, written = (int(details.get(key) or 0) for key in ("cached_tokens", "cache_write_tokens"))
    return (cached, written) if 0 <= cached and 0 <= written and cached + written <= input_tokens else (0, 0)


def call_from(exchange: traffic.Exchange) -> Call:
    """What one exchange used and cost; an error answer is a call with no tokens."""
    call = Call(_model_of(exchange), exchange.path, exchange.status, live=exchange.live and not exchange.local,
                local=exchange.local)
    if exchange.local:  # the row names the model that answered, and nothing is billed or priced
        call.model = f"{_answering_model(exchange) or call.model} (local sandbox)"
    if exchange.status >= 400:
        return call
    usage = _usage(exchange)
    seconds = 0.0
    if usage is not None:
        call.input_tokens = int(usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0)
        call.output_tokens = int(usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0)
        seconds = float(usage.get("seconds", 0) or 0) if usage.get("type") == "duration" else 0.0
        call.cached_tokens, call.cache_write_tokens = _cache_tokens(usage, call.input_tokens)
    elif exchange.events:  # streamed without stream_options={"include_usage": True}: count it ourselves
        call.input_tokens = input_tokens_of(exchange.json)
        call.output_tokens = tokens.count_text(_streamed_text(exchange.events), call.model)
        call.estimated = True
    call.cost = 0.0 if call.local else _priced(call.model, call.input_tokens, call.output_tokens, seconds,
                                               call.cached_tokens, call.cache_write_tokens)
    searches = _web_searches(exchange)
    if searches and not call.local:  # the built-in web search tool is billed per call, on top of tokens
        call.cost += searches * _web_search_price(call.model) / 1000
    return call


def _web_searches(exchange: traffic.Exchange) -> int:
    """How many web_search_call items a Responses API answer holds (streamed: its last response)."""
    response: dict = exchange.body if isinstance(exchange.body, dict) else {}
    for event in exchange.events:
        last = event.get("response")
        response = last if isinstance(last, dict) else response
    output = response.get("output") or []
    return sum(isinstance(item, dict) and item.get("type") == "web_search_call" for item in output)


def _web_search_price(model: str) -> float:
    try:
        return prices.web_search_price(model)
    except KeyError:
        return math.nan


def _answering_model(exchange: traffic.Exchange) -> str:
    for source in (exchange.body, *exchange.events[:1]):
        if isinstance(source, dict) and isinstance(source.get("model"), str):
            return source["model"]
    return ""


# --- the meter ----------------------------------------------------------------------------------------

class Meter:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.mode: str | None = None
        self._budget: float | None = None
        self._lock = threading.Lock()

    def start(self, mode: str) -> None:
        """Meter the session setup() starts: its mode decides what is billed (the session calls `record`
        with every answer and `check` before every request)."""
        tokens.install_offline_encodings()  # lesson cells and the guard count tokens without a network
        self.mode = mode

    def reset(self) -> None:
        """Forget the calls so far (the budget stays)."""
        with self._lock:
            self.calls.clear()

    def record(self, exchange: traffic.Exchange) -> Call:
        call = call_from(exchange)
        with self._lock:
            self.calls.append(call)
        return call

    # --- reading it

    def spent(self) -> float:
        """Dollars billed so far: answers that came from the API, at list prices."""
        return sum(c.billed for c in self.calls if not math.isnan(c.cost))

    def table(self) -> Any:
        """Calls, tokens in and out, and cost so far, one row per model and a total row."""
        import pandas as pd

        rows: dict[str, dict[str, Any]] = {}
        for call in self.calls:
            row = rows.setdefault(call.model, dict.fromkeys(COLUMNS, 0))
            row["calls"] += 1
            row["errors"] += call.status >= 400
            row["input_tokens"] += call.input_tokens
            row["output_tokens"] += call.output_tokens
            row["cost_usd"] += call.cost
            row["billed_usd"] += call.billed
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)
        frame.loc["total"] = frame.sum() if rows else dict.fromkeys(COLUMNS, 0)
        frame.index.name = "model"
        return frame.astype({name: "int64" for name in COLUMNS[:4]})

    def summary(self) -> str:
        count = len(self.calls)
        cost = sum(c.cost for c in self.calls if not math.isnan(c.cost))
        text = (f"{count} call{'s' * (count != 1)}, {sum(c.input_tokens for c in self.calls):,} tokens in, "
                f"{sum(c.output_tokens for c in self.calls):,} out: {usd(cost)} at list prices")
        local = sum(c.local for c in self.calls)
        replayed = sum(not c.live and not c.local for c in self.calls)
        if replayed == count and count:
            text += "; all replayed from recordings, so nothing was billed"
        elif replayed:
            text += f"; {replayed} replayed from recordings (not billed)"
        if local:
            text += f"; {local} answered by the local sandbox on this machine (free)"
        if (replayed or local) and replayed != count:
            text += f", {usd(self.spent())} billed"
        try:
            budget = self.budget
        except BudgetExceeded as err:  # a KIT_BUDGET_USD that is not a number: say so, do not fail
            text += f". {err}"
        else:
            if budget is not None:
                text += f". Budget: {usd(budget)}, {usd(self.spent())} spent"
        estimated = sum(c.estimated for c in self.calls)
        if estimated:
            text += (f". Tokens of {estimated} streamed call{'s' * (estimated != 1)} are the kit's count "
                     "(ask for stream_options={'include_usage': True} to get the API's)")
        return text + "."

    def __repr__(self) -> str:
        return self.summary()

    # --- the budget guard

    @property
    def budget(self) -> float | None:
        """The cap in dollars: set_budget() wins, then KIT_BUDGET_USD; None means no cap."""
        if self._budget is not None:
            return self._budget
        setting = os.environ.get(BUDGET_ENV, "").strip()
        if not setting:
            return None
        try:
            return _valid_budget(float(setting.lstrip("$")))
        except ValueError:
            raise BudgetExceeded(f"{BUDGET_ENV} is {setting!r}, which is not an amount of dollars. Set it to a "
                                 f"number such as 0.50, or unset it for no cap.") from None

    def set_budget(self, dollars: float | None) -> None:
        """Cap what live calls may spend this session, in US dollars; None removes the cap."""
        self._budget = None if dollars is None else _valid_budget(dollars)

    def check(self, outgoing: traffic.Outgoing) -> None:
        """Refuse, before sending, a live call whose worst-case cost would pass the budget."""
        if self.mode not in BILLED_MODES or outgoing.json is None:
            return  # offline nothing is billed
        budget = self.budget
        if budget is None:
            return
        worst = estimate(outgoing.json, outgoing.path)
        spent = self.spent()
        if math.isnan(worst.cost) or spent + worst.cost <= budget:
            return
        raise BudgetExceeded(
            f"Budget guard: this call was not sent. It could cost up to {usd(worst.cost)} ({worst.input_tokens:,} "
            f"tokens in + up to {worst.output_tokens:,} out with {worst.model}), and {usd(spent)} of your "
            f"{usd(budget)} budget is spent already. To go on, raise the cap (meter.set_budget(...) or "
            f"{BUDGET_ENV}), or lower the request's max_completion_tokens / max_output_tokens so it fits.")


def estimate(request: dict, path: str = CHAT_PATH) -> Call:
    """The most a request can cost before it is sent: its input tokens plus its output limit (or an estimate).
    Input is priced as if none were read from the prompt cache, and, from the cache's minimum prompt on, all
    of it written to the cache where that costs more (GPT-5.6 and later): the guard may count high, never low."""
    model = request.get("model", "(unknown)")
    input_tokens, output_tokens = input_tokens_of(request), output_limit_of(path, request)
    written = input_tokens if input_tokens >= tokens.CACHE_MIN_TOKENS else 0
    worst = max(_priced(model, input_tokens, output_tokens),
                _priced(model, input_tokens, output_tokens, written=written))
    return Call(model, path, 0, input_tokens, output_tokens, worst, estimated=True)


def _valid_budget(dollars: object) -> float:
    if isinstance(dollars, bool) or not isinstance(dollars, (int, float)) or not dollars >= 0 \
            or math.isinf(dollars):
        raise ValueError(f"A budget is an amount of US dollars, 0 or more (like 0.50), not {dollars!r}.")
    return float(dollars)


meter = Meter()
start = meter.start
