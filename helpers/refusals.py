"""What the live API answers to a request it refuses, worked out from the model catalogue.

`refusal(path, body)` returns the API's error (status, message, type, param, code) for a request
the catalogue says the API refuses, or None. The stand-in server answers with it, the playground
widget explains it before sending, and the tests check that no recording holds a success the API
would refuse. Each rule names the catalogue source its wording comes from (helpers.models).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from . import endpoints, models, vision
from .models import NO_REASONING, Source

CHAT, RESPONSES, COMPLETIONS = "chat", "responses", "completions"
ENDPOINTS = {endpoints.CHAT: CHAT, endpoints.RESPONSES: RESPONSES, endpoints.COMPLETIONS: COMPLETIONS,
             endpoints.EMBEDDINGS: "embeddings", endpoints.MODERATIONS: "moderations", endpoints.IMAGES: "images",
             endpoints.SPEECH: "audio", endpoints.TRANSCRIPTIONS: "audio"}
RESPONSES_MIN_OUTPUT = 16
CHAT_ON_COMPLETIONS = Source(
    "alexrudall/ruby-openai#546 (2024-11-12); RomanHotsiy/commitgpt#43; diffbot/code-gpt-docs#172 (status 404)",
    "{\"message\"=>\"This is a chat model and not supported in the v1/completions endpoint. Did you mean to use "
    "v1/chat/completions?\", \"type\"=>\"invalid_request_error\", \"param\"=>\"model\", \"code\"=>nil}")
MOVED_PARAMETER = Source(
    "OpenHands/software-agent-sdk#755 (2025-10-15, gpt-5 on /v1/responses, the API's answer quoted through litellm)",
    "{\"message\": \"Unsupported parameter: 'reasoning_effort'. In the Responses API, this parameter has moved to "
    "'reasoning.effort'. Try again with the new parameter. See the API documentation for more information: "
    "https://platform.openai.com/docs/api-reference/responses/create.\", \"type\": \"invalid_request_error\", "
    "\"param\": null, \"code\": \"unsupported_parameter\"}")
MIN_OUTPUT_CODE = Source("several code fixtures quoting the API (found through the search corpus)",
                         "\"param\": \"max_output_tokens\", \"code\": \"integer_below_min_value\"")


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    param: str | None
    code: str | None
    source: Source
    type: str = "invalid_request_error"

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def endpoint_of(path: str) -> str | None:
    """`chat`, `responses`, ... for an API path with or without the /v1 prefix."""
    return ENDPOINTS.get("/v1" + path.removeprefix("/v1").rstrip("/"))


def listed(values: Iterable[str]) -> str:
    """The API's way of listing values: 'a', 'b', and 'c'."""
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _number(value: object) -> str:
    return str(value)


def _unsupported_parameter(name: str, code: str | None, source: Source) -> Refusal:
    return Refusal(400, f"Unsupported parameter: '{name}' is not supported with this model.", name, code, source)


def _is_shut_down(name: str, today: date) -> bool:
    from . import lifecycle  # reads the installed SDK's notes

    notice = models.shutdown_notices().get(name)
    return lifecycle.is_shut_down(name, today) or (notice is not None and notice <= today) \
        or (name in models.SHUT_DOWN and name not in lifecycle.known_models())


def refusal(path: str, body: dict, today: date | None = None) -> Refusal | None:
    """The API's answer to a request it refuses, by the catalogue's facts; None if it would answer."""
    endpoint = endpoint_of(path)
    if endpoint is None or not isinstance(body, dict):
        return None
    out_of_range = _temperature_out_of_range(body.get("temperature"))
    if out_of_range is not None:
        return out_of_range
    name = body.get("model")
    if not isinstance(name, str):
        return None
    if _is_shut_down(name, today or date.today()):
        return Refusal(404, f"The model `{name}` does not exist or you do not have access to it.", None,
                       "model_not_found", models.NOT_FOUND_2026)
    entry = models.model(name)
    if entry is None:
        return None
    if endpoint == COMPLETIONS and COMPLETIONS not in entry.endpoints and CHAT in entry.endpoints:
        return Refusal(404, "This is a chat model and not supported in the v1/completions endpoint. Did you mean to "
                            "use v1/chat/completions?", "model", None, CHAT_ON_COMPLETIONS)
    if endpoint in (CHAT, RESPONSES) and (too_large := _image_too_large(name, body)) is not None:
        return too_large
    if endpoint == CHAT and CHAT in entry.endpoints:
        return _chat_refusal(entry, body)
    if endpoint == RESPONSES and RESPONSES in entry.endpoints:
        return _responses_refusal(entry, body)
    return None


def _temperature_out_of_range(temperature: object) -> Refusal | None:
    """The range check the API makes before any model rule (0 to 2)."""
    if not isinstance(temperature, int | float) or isinstance(temperature, bool) or 0 <= temperature <= 2:
        return None
    side, bound, word = ("above", 2, "<=") if temperature > 2 else ("below", 0, ">=")
    return Refusal(400, f"Invalid 'temperature': decimal {side} {'maximum' if side == 'above' else 'minimum'} "
                        f"value. Expected a value {word} {bound}, but got {_number(temperature)} instead.",
                   "temperature", f"decimal_{side}_{'max' if side == 'above' else 'min'}_value", models.VERIFAI)


def _image_too_large(model: str, body: dict) -> Refusal | None:
    """An image kept at its own size that has more patches than the model takes (helpers.vision)."""
    messages = body.get("messages") if isinstance(body.get("messages"), list) else body.get("input")
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else []:
            count = vision.patches_over_limit(part, model) if isinstance(part, dict) else None
            if count is not None:
                limit = vision.rule_for(model).original_patches
                return Refusal(400, f"The image you provided requires {count} patches after processing, exceeding "
                                    f"the limit of {limit}. Please resize the image and try again.", None, None,
                               models.VISION_SIZING_56)
    return None


def _chat_refusal(entry: models.Model, body: dict) -> Refusal | None:
    effort = body.get("reasoning_effort")
    if entry.reasons and effort is not None and not entry.accepts_effort(CHAT, effort):
        return Refusal(400, f"Unsupported value: 'reasoning_effort' does not support '{effort}' with this model. "
                            f"Supported values are: {listed(entry.efforts[CHAT])}.", "reasoning_effort",
                       "unsupported_value", models.SMOKE_TEST)
    if entry.reasons and body.get("max_tokens") is not None:
        return Refusal(400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                            "'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter",
                       models.YPROMPT_26)
    if not entry.is_reasoning(CHAT, body):
        return None
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        return Refusal(400, f"Unsupported value: 'temperature' does not support {_number(temperature)} with this "
                            "model. Only the default (1) value is supported.", "temperature", "unsupported_value",
                       models.KHOJ_1377)
    if body.get("top_p") is not None and body["top_p"] != 1:
        return _unsupported_parameter("top_p", "unsupported_parameter", models.MODELPARAMS_356)
    for name in models.SAMPLING[2:]:  # logprobs, stop, penalties, seed, logit_bias
        if body.get(name) not in (None, False):
            return _unsupported_parameter(name, "unsupported_parameter", models.STOP_GPT5)
    if entry.tools_need_no_reasoning and any(t.get("type") == "function" for t in body.get("tools") or []):
        source = models.LANGFLOW_14361 if entry.tools_need_no_reasoning == models.TOOLS_ENDING_GPT6 \
            else models.PIPECAT_4043
        return Refusal(400, f"Function tools with reasoning_effort are not supported for {entry.name} in "
                            f"/v1/chat/completions. {entry.tools_need_no_reasoning}", "reasoning_effort", None,
                       source)
    return None


def _responses_refusal(entry: models.Model, body: dict) -> Refusal | None:
    # A Chat Completions parameter that moved: OpenHands/software-agent-sdk#755 quotes the API's whole answer for
    # reasoning_effort (param null, code unsupported_parameter); no capture quotes response_format's, which is
    # written the same way, the API's own wording for the other moved parameter.
    for old, new in (("reasoning_effort", "reasoning.effort"), ("response_format", "text.format")):
        if old in body:
            return Refusal(400, f"Unsupported parameter: '{old}'. In the Responses API, this parameter has moved to "
                                f"'{new}'. Try again with the new parameter. See the API documentation for more "
                                "information: https://platform.openai.com/docs/api-reference/responses/create.",
                           None, "unsupported_parameter", MOVED_PARAMETER)
    if "max_tokens" in body:
        return Refusal(400, "Unknown parameter: 'max_tokens'.", "max_tokens", "unknown_parameter", models.VERIFAI)
    effort = (body.get("reasoning") or {}).get("effort")
    if entry.reasons and effort is not None and not entry.accepts_effort(RESPONSES, effort):
        return Refusal(400, f"Unsupported value: '{effort}' is not supported with the '{entry.name}' model. "
                            f"Supported values are: {listed(entry.efforts[RESPONSES])}.", "reasoning.effort",
                       "unsupported_value", models.AGENTS_2089)
    given = body.get("tools")
    tools: list = given if isinstance(given, list) else []
    if entry.reasons and any(isinstance(t, dict) and t.get("type") == "file_search" for t in tools) \
            and body.get("tool_choice", "auto") != "auto":
        return Refusal(400, f"Tool choices other than 'auto' are not supported with model '{entry.name}' and the "
                            "following tool types: 'file_search'.", "tool_choice", None, models.FILE_SEARCH_TOOL_CHOICE)
    most = body.get("max_output_tokens")
    if isinstance(most, int) and most < RESPONSES_MIN_OUTPUT:
        return Refusal(400, f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= "
                            f"{RESPONSES_MIN_OUTPUT}, but got {most} instead.", "max_output_tokens",
                       "integer_below_min_value", MIN_OUTPUT_CODE)
    if entry.is_reasoning(RESPONSES, body):
        for name in ("temperature", "top_p"):
            if body.get(name) is not None:
                return _unsupported_parameter(name, None, models.LITELLM_39631)
    return None


def reasoning_effort_used(path: str, body: dict) -> str | None:
    """The effort a request to a reasoning model runs at (asked or default); None for other models."""
    entry = models.model(str(body.get("model") or ""))
    endpoint = endpoint_of(path)
    if entry is None or not entry.reasons or endpoint not in (CHAT, RESPONSES):
        return None
    return entry.effort(endpoint, body) or NO_REASONING
