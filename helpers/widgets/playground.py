"""A parameter playground: pick a model, write a prompt, set temperature, top_p, max tokens and stop, send.

    from helpers.widgets.playground import Playground
    playground = Playground()
    playground

Each Send is a real `client.chat.completions.create(...)` call through `OpenAI()`, so offline it
answers the combinations the lesson recorded (offered under "Load a recorded example") and live
it answers anything. Settings left at the API's defaults are not sent, so a request is exactly
what a lesson cell would send. Out-of-range or malformed settings, and combinations the live API
refuses (helpers.refusals: temperature while the model reasons, say), are refused with a message
and never sent. The logic (`build_request`, `Playground.send`) is separate from the view, so tests
drive it headlessly.
"""
from __future__ import annotations

import html
import math
from numbers import Real
from typing import Any

import ipywidgets as widgets
import openai
from openai import OpenAI
from openai.types.chat import ChatCompletion

from .. import endpoints, models, refusals
from ..recordings import OfflineMiss, recorded_requests

__all__ = ["MODELS", "TEMPERATURE", "TOP_P", "MAX_TOKENS", "MAX_STOPS", "CHAT_PATH", "EFFORTS", "FIELDS", "DEFAULTS",
           "Refused", "parse_stop", "stop_text", "build_request", "settings_from_request", "recorded_examples",
           "describe", "Playground"]

MODELS = (models.CHAT, models.CHAT_LARGER)
TEMPERATURE = (0.0, 2.0)
TOP_P = (0.0, 1.0)
MAX_TOKENS = (1, 4096)
MAX_STOPS = 4
CHAT_PATH = endpoints.CHAT
EFFORTS = ("",) + models.CHAT_EFFORTS  # "": the model's own default, not sent
FIELDS = ("model", "prompt", "effort", "temperature", "top_p", "max_tokens", "stop")
DEFAULTS = {"model": models.CHAT, "prompt": "", "effort": "", "temperature": 1.0, "top_p": 1.0, "max_tokens": 0,
            "stop": ""}


class Refused(ValueError):
    """A setting the playground will not send; the message says what to change."""


# --- settings -> request ------------------------------------------------------------------------

def _number(name: str, value: object, low: float, high: float, whole: bool = False) -> Real | int:
    kind = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)) \
            or (whole and not float(value).is_integer()):
        raise Refused(f"{name} must be {kind} from {low:g} to {high:g}; got {value!r}.")
    if not low <= value <= high:  # type: ignore[operator]  # numbers.Real in the stubs: no float <= Real
        raise Refused(f"{name} must be from {low:g} to {high:g}; got {value:g}.")
    return int(float(value)) if whole else value


def parse_stop(stop: object) -> list[str]:
    r"""Stop sequences from text ("4., \n, END": separated by commas, \n for a line break) or a list of strings."""
    if isinstance(stop, str):
        pieces = [piece.strip().replace("\\n", "\n") for piece in stop.split(",")]
    elif isinstance(stop, (list, tuple)) and all(isinstance(piece, str) for piece in stop):
        pieces = list(stop)
    else:
        raise Refused(f"stop must be text (sequences separated by commas) or a list of strings; got {stop!r}.")
    pieces = [piece for piece in pieces if piece]
    if len(pieces) > MAX_STOPS:
        raise Refused(f"The API takes at most {MAX_STOPS} stop sequences; got {len(pieces)}. Remove some.")
    return pieces


def stop_text(stops: list[str]) -> str:
    """The text form parse_stop reads back."""
    return ", ".join(piece.replace("\n", "\\n") for piece in stops)


def build_request(model: object = DEFAULTS["model"], prompt: object = "", effort: object = "",
                  temperature: object = 1.0, top_p: object = 1.0, max_tokens: object = 0, stop: object = "") -> dict:
    """The keyword arguments for `client.chat.completions.create`, or Refused saying what is wrong.

    effort "" and max_tokens 0 mean the model's default and no limit. Values equal to the API's
    defaults (temperature 1, top_p 1) are left out. A request the live API would refuse is refused
    here with the API's own reason.
    """
    if model not in MODELS:
        raise Refused(f"Choose one of the current chat models: {', '.join(MODELS)}; got {model!r}.")
    if not isinstance(prompt, str) or not prompt.strip():
        raise Refused("The prompt is empty. Write what you want to ask, then press Send.")
    if effort not in EFFORTS:
        raise Refused(f"reasoning effort must be one of {', '.join(e or 'the default' for e in EFFORTS)}; "
                      f"got {effort!r}.")
    temperature = _number("temperature", temperature, *TEMPERATURE)
    top_p = _number("top_p", top_p, *TOP_P)
    if max_tokens != 0:
        max_tokens = _number("max tokens", max_tokens, *MAX_TOKENS, whole=True)
    stops = parse_stop(stop)
    request: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": prompt}]}
    if effort:
        request["reasoning_effort"] = effort
    if temperature != 1:
        request["temperature"] = temperature
    if top_p != 1:
        request["top_p"] = top_p
    if max_tokens:
        request["max_completion_tokens"] = max_tokens
    if stops:
        request["stop"] = stops
    refused = refusals.refusal(CHAT_PATH, request)
    if refused is not None:
        raise Refused(f"the API would answer {refused.status}: {refused.message}{_fix(refused, request)}")
    return request


def _fix(refused: refusals.Refusal, request: dict) -> str:
    """What to change, when the refusal is a reasoning model refusing a sampling setting."""
    if refused.param in models.SAMPLING and request.get("reasoning_effort") != models.NO_REASONING:
        return " Set reasoning effort to none (no reasoning) to use it."
    return ""


def settings_from_request(body: object) -> dict | None:
    """The playground settings that send exactly this recorded request body, or None if it cannot."""
    if not isinstance(body, dict) or not set(body) <= {"model", "messages", "reasoning_effort", "temperature",
                                                        "top_p", "max_completion_tokens", "stop"}:
        return None
    messages = body.get("messages")
    if not (isinstance(messages, list) and len(messages) == 1 and messages[0].get("role") == "user"
            and isinstance(messages[0].get("content"), str)):
        return None
    stop = body.get("stop", [])
    settings = {"model": body.get("model"), "prompt": messages[0]["content"],
                "effort": body.get("reasoning_effort", ""), "temperature": body.get("temperature", 1.0),
                "top_p": body.get("top_p", 1.0),
                "max_tokens": body.get("max_completion_tokens", 0),
                "stop": stop_text(stop) if isinstance(stop, list) else stop}
    try:
        same = build_request(**settings) == body
    except Refused:
        return None
    return settings if same else None


def recorded_examples(notebook: str) -> list[dict]:
    """Every distinct recorded request of the notebook the playground can send, as its settings."""
    examples = []
    for request in recorded_requests(notebook):
        if request["method"] == "POST" and request["path"] == CHAT_PATH:
            settings = settings_from_request(request["body"])
            if settings is not None and settings not in examples:
                examples.append(settings)
    return examples


def describe(settings: dict) -> str:
    """A one-line label for a set of settings."""
    parts = [settings["model"]]
    if settings["effort"]:
        parts.append(f"effort {settings['effort']}")
    if settings["temperature"] != 1:
        parts.append(f"temperature {settings['temperature']:g}")
    if settings["top_p"] != 1:
        parts.append(f"top_p {settings['top_p']:g}")
    if settings["max_tokens"]:
        parts.append(f"max {settings['max_tokens']} tokens")
    if settings["stop"]:
        parts.append(f"stop {settings['stop']}")
    prompt = " ".join(settings["prompt"].split())
    parts.append(f"“{prompt if len(prompt) <= 40 else prompt[:39] + '…'}”")
    return " · ".join(parts)


# --- the widget ---------------------------------------------------------------------------------

class Playground:
    """The playground's state and controls; display it as the last line of a cell."""

    def __init__(self, notebook: str = "02_parameters", client: OpenAI | None = None) -> None:
        self._client = client
        self.examples = recorded_examples(notebook)
        self.status = "ready"  # then: answered, refused, miss or error
        self.message = ""  # the plain text of what the result area shows
        self.last_request: dict | None = None  # what was last sent (never a refused one)
        self.last_response: ChatCompletion | None = None
        self.sent: list[dict] = []  # every request sent, in order

        wide = widgets.Layout(width="42em")
        label = {"description_width": "11em"}  # room for "temperature (0–2)"
        self.model = widgets.Dropdown(options=MODELS, value=DEFAULTS["model"], description="model", style=label)
        self.prompt = widgets.Textarea(description="prompt", placeholder="Ask something", style=label,
                                       layout=widgets.Layout(width="42em", height="5em"))
        self.effort = widgets.Dropdown(options=[(e or "the model's default", e) for e in EFFORTS], value="",
                                       description="reasoning effort", style=label)
        self.temperature = widgets.FloatText(value=1.0, step=0.1, description="temperature (0–2)", style=label)
        self.top_p = widgets.FloatText(value=1.0, step=0.05, description="top_p (0–1)", style=label)
        self.max_tokens = widgets.IntText(value=0, description="max tokens", style=label)
        self.stop = widgets.Text(description="stop", placeholder=r"up to 4, comma-separated; \n is a line break",
                                 style=label, layout=wide)
        self.example = widgets.Dropdown(
            options=[(f"Load a recorded example ({len(self.examples)})…", None)]
            + [(describe(settings), index) for index, settings in enumerate(self.examples)],
            description="examples", style=label, layout=wide)
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="paper-plane")
        self.result = widgets.HTML()
        self.example.observe(lambda change: self.load_example(change["new"]), names="value")
        self.send_button.on_click(lambda _button: self.send())
        note = widgets.HTML("<small>Offline mode answers only the recorded examples; live mode answers anything. "
                            "max tokens 0 means no limit.</small>")
        self.view = widgets.VBox([self.example, self.model, self.prompt, self.effort, self.temperature, self.top_p,
                                  widgets.HBox([self.max_tokens]), self.stop, self.send_button, note, self.result])

    @property
    def client(self) -> OpenAI:
        # A fresh client per request picks up a key or server set after the playground was made.
        return self._client or OpenAI()

    def settings(self) -> dict:
        return {"model": self.model.value, "prompt": self.prompt.value, "effort": self.effort.value,
                "temperature": self.temperature.value,
                "top_p": self.top_p.value, "max_tokens": self.max_tokens.value, "stop": self.stop.value}

    def load_example(self, index: int | None) -> None:
        """Put a recorded example's settings into the controls (None leaves them as they are)."""
        if index is None:
            return
        settings = self.examples[index]
        for name in FIELDS:
            getattr(self, name).value = settings[name]

    def send(self, settings: dict | None = None) -> ChatCompletion | None:
        """Send the controls' settings (or the given ones); returns the ChatCompletion, or None if not answered."""
        settings = self.settings() if settings is None else settings
        try:
            unknown = sorted(set(settings) - set(FIELDS))
            if unknown:
                raise Refused(f"Unknown setting {unknown[0]!r}; the playground's settings are {', '.join(FIELDS)}.")
            request = build_request(**settings)
        except Refused as err:
            self._show("refused", f"Not sent: {err}")
            return None
        self.last_request, self.last_response = request, None
        self.sent.append(request)
        try:
            response = self.client.chat.completions.create(**request)
        except OfflineMiss as err:
            self._show("miss", str(err))
            return None
        except openai.APIStatusError as err:
            self._show("error", f"The API answered {err.status_code}: {_api_message(err)}")
            return None
        except openai.APIConnectionError as err:
            self._show("error", f"Could not reach the API ({err}). Check the network or OPENAI_BASE_URL.")
            return None
        self.last_response = response
        choice, usage = response.choices[0], response.usage
        self.status = "answered"
        self.message = (f"{choice.message.content}\n\nfinish_reason: {choice.finish_reason} · usage: "
                        f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion = "
                        f"{usage.total_tokens} tokens")
        self.result.value = (
            f"<pre style='white-space: pre-wrap'>{html.escape(choice.message.content or '')}</pre>"
            f"<b>finish_reason:</b> {html.escape(str(choice.finish_reason))} &nbsp; <b>usage:</b> "
            f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion = {usage.total_tokens} tokens")
        return response

    def _show(self, status: str, text: str) -> None:
        self.status, self.message = status, text
        mark = {"refused": "⚠️", "miss": "📼", "error": "❌"}[status]
        self.result.value = f"{mark} <pre style='white-space: pre-wrap; display: inline'>{html.escape(text)}</pre>"
        return None

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.view._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"Playground({len(self.examples)} recorded examples)"


def _api_message(err: openai.APIStatusError) -> str:
    body = err.body if isinstance(err.body, dict) else {}
    return str(body.get("message") or err.message)
