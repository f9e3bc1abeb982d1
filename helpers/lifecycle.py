"""What the installed openai package knows about models: which exist, and which are shut down when.

The SDK lists every model it knows in `Literal` types (`ChatModel`, `ImageModel`, ...) and keeps the
deprecation notes beside them ("Deprecated values: - "gpt-4", ...: Announced shutdown date:
2026-10-23"). This module reads both, so the kit's tests fail before learners do when a model the
kit uses is going away, and `install()` warns before a request that uses a shut-down model is sent.
The request still goes out: the API's own answer (404 model_not_found) is part of the lesson.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import re
import sys
import typing
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx2

from . import models, traffic

# (module, name) of each type that lists models; a name with a dot is a field of a request type.
MODEL_TYPES = (
    ("openai.types.shared.chat_model", "ChatModel"),
    ("openai.types.shared.all_models", "AllModels"),  # chat models and the Responses-only ones
    ("openai.types.responses.response_compact_params", "ResponseCompactParams.model"),  # notes on Responses-only
    ("openai.types.completion_create_params", "CompletionCreateParamsBase.model"),  # gpt-3.5-turbo-instruct
    ("openai.types.embedding_model", "EmbeddingModel"),
    ("openai.types.moderation_model", "ModerationModel"),
    ("openai.types.image_model", "ImageModel"),
    ("openai.types.audio_model", "AudioModel"),
    ("openai.types.audio.speech_model", "SpeechModel"),
    ("openai.types.video_model", "VideoModel"),
    ("openai.types.realtime.realtime_session_create_request", "RealtimeSessionCreateRequest.model"),
)
CHAT_TYPE = MODEL_TYPES[0]
DEPRECATIONS_PAGE = "https://developers.openai.com/api/docs/deprecations"

_NAMES = re.compile(r'^((?:"[^"]+"\s*,?\s*)+):\s*(.*)$', re.S)  # `"a", "b": note`
_ANNOUNCED = re.compile(r"Announced shutdown date:\s*(\d{4}-\d{2}-\d{2})")
_PAST = re.compile(r"(?:shut down|retired) on ([A-Z][a-z]+ \d{1,2}, \d{4})")  # "was shut down on October 23, 2026"
_ADVICE = re.compile(r"(Use .+? instead\.)")


class ShutDownModelWarning(UserWarning):
    """A request names a model that the installed openai package marks as shut down."""


# Code copied out of a lesson runs without the kit, and then nothing warns: the SDK sends the request as it is.
KIT_NOT_SDK = "(This warning is the kit's: the openai package itself sends the request without one.)"


SDK = "the installed openai package"
NOTICE = "OpenAI's notice (helpers/models.py names it)"


@dataclass(frozen=True)
class Shutdown:
    model: str
    date: date
    advice: str = ""  # the SDK's own "Use ... instead." when its note gives one
    said_by: str = SDK


def _literal_strings(annotation: Any) -> set[str]:
    """Every string in a Literal, however deeply it sits in Union / Required / Annotated."""
    if isinstance(annotation, str):
        return {annotation}
    found = set()
    for argument in typing.get_args(annotation):
        found |= _literal_strings(argument)
    return found


def _resolve(module: str, name: str) -> Any:
    target = importlib.import_module(module)
    owner, _, field = name.partition(".")
    target = getattr(target, owner)
    if not field:
        return target
    fields = getattr(target, "model_fields", None)  # an answer type (pydantic), or else request params (TypedDict)
    return fields[field].annotation if fields else typing.get_type_hints(target, include_extras=True)[field]


@functools.cache
def known_models() -> frozenset[str]:
    """Every model name the installed openai package lists in its types."""
    return frozenset().union(*(_literal_strings(_resolve(module, name)) for module, name in MODEL_TYPES))


@functools.cache
def chat_models() -> frozenset[str]:
    return frozenset(_literal_strings(_resolve(*CHAT_TYPE)))


def parse_notes(source: str) -> dict[str, Shutdown]:
    """The shutdown of each model named in the "Deprecated values:" blocks of a module's source."""
    found = {}
    for block in source.split("Deprecated values:")[1:]:
        block = block.split('"""', 1)[0]
        # A note starts with "- " on its own line; its text may wrap over several indented lines.
        for item in re.split(r"\n\s*- ", "\n" + block):
            item = " ".join(item.split())
            match = _NAMES.match(item)
            if not match:
                continue
            names, note = re.findall(r'"([^"]+)"', match.group(1)), match.group(2)
            when = _note_date(note)
            if when is None:
                continue  # e.g. "Not a supported model ID": no date to go by
            advice = _ADVICE.search(note)
            for name in names:
                found[name] = Shutdown(name, when, advice.group(1) if advice else "")
    return found


def _note_date(note: str) -> date | None:
    if match := _ANNOUNCED.search(note):
        return date.fromisoformat(match.group(1))
    if match := _PAST.search(note):
        return datetime.strptime(match.group(1), "%B %d, %Y").date()
    return None


@functools.cache
def shutdowns() -> dict[str, Shutdown]:
    """Every dated shutdown in the SDK's notes beside its model types, then the public notices the
    kit's catalogue adds where the SDK is silent (the SDK does not date gpt-3.5-turbo-instruct)."""
    found = {}
    for module in dict.fromkeys(module for module, _ in MODEL_TYPES):
        found.update(parse_notes(inspect.getsource(importlib.import_module(module))))
    for name, when in models.shutdown_notices().items():
        found.setdefault(name, Shutdown(name, when, said_by=NOTICE))
    return found


def shutdown_dates() -> dict[str, date]:
    """Model name -> the shutdown date the installed openai package announces for it."""
    return {name: shutdown.date for name, shutdown in shutdowns().items()}


def shutdown_date(model: str) -> date | None:
    shutdown = shutdowns().get(model)
    return shutdown.date if shutdown else None


def is_shut_down(model: str, today: date | None = None) -> bool:
    when = shutdown_date(model)
    return when is not None and when <= (today or date.today())


def replacement(model: str) -> str:
    """What to use instead: the kit's choice, the current chat model for a chat model, or the SDK's advice."""
    if model in models.SHUT_DOWN:
        return f"Use {models.SHUT_DOWN[model]} instead."
    if model in chat_models():
        return f"Use {models.CHAT} instead."
    shutdown = shutdowns().get(model)
    if shutdown and shutdown.advice:
        return shutdown.advice
    return f"See {DEPRECATIONS_PAGE} for its replacement."


def shut_down_message(model: str) -> str:
    shutdown = shutdowns()[model]
    return (f"The model {model} was shut down on {shutdown.date.isoformat()} (so says {shutdown.said_by}), so the "
            f"API will answer this request with 404 model_not_found. {replacement(model)} {KIT_NOT_SDK}")


# --- the warning ------------------------------------------------------------------------------------

@functools.cache
def _machinery() -> tuple[str, ...]:
    """Folders of the code between the learner's line and the request: the SDK, httpx2 and the kit."""
    import openai

    folders = [Path(str(module.__file__)).parent for module in (openai, httpx2, sys.modules[__package__])]
    return tuple(f"{folder}/" for folder in folders)


def _stacklevel() -> int:
    """The stacklevel that points the warning at the learner's own line (a notebook cell or script)."""
    here = inspect.currentframe()  # _stacklevel itself; its caller's caller is the caller of warn_if_shut_down
    frame = here.f_back.f_back if here is not None and here.f_back is not None else None
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_machinery()):
        frame, level = frame.f_back, level + 1
    return level if frame is not None else 2


def warn_if_shut_down(outgoing: traffic.Outgoing) -> None:
    """A traffic guard: warn (never refuse) before a request that names a shut-down model is sent."""
    model = (outgoing.json or {}).get("model")
    if isinstance(model, str) and is_shut_down(model):
        warnings.warn(shut_down_message(model), ShutDownModelWarning, stacklevel=_stacklevel())


def install() -> None:
    """Show the warning every time, not once per line (setup() calls this; the session runs the guard):
    a learner who runs the cell again sees what its stored output shows."""
    warnings.filterwarnings("always", category=ShutDownModelWarning)
