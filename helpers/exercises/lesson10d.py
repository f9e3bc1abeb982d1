"""Checks for lesson 10d, structured output with the Responses API."""
from collections.abc import Callable
from typing import Any

from openai.types.responses import Response
from pydantic import BaseModel

from . import Hints, Verdict, verdict

__all__ = ["check_to_text_format", "check_trip_object"]

_SCHEMA = {"type": "object", "properties": {"title": {"type": "string"}, "year": {"type": "integer"}},
           "required": ["title", "year"], "additionalProperties": False}
_CHAT_FORMATS = [
    {"type": "json_schema", "json_schema": {"name": "film", "strict": True, "schema": _SCHEMA}},
    {"type": "json_schema", "json_schema": {"name": "film_loose", "schema": _SCHEMA, "description": "A film."}},
]


def _expected(response_format: dict) -> dict:
    return {"type": "json_schema", **response_format["json_schema"]}


def check_to_text_format(to_text_format: Callable[[dict[str, Any]], Any]) -> Verdict:
    """Exercise 1: a function that turns a chat response_format into a Responses text.format."""
    first, second = (_CHAT_FORMATS[0], _CHAT_FORMATS[1])
    result = lambda fmt: to_text_format({**fmt, "json_schema": dict(fmt["json_schema"])})  # noqa: E731
    return verdict([
        (callable(to_text_format), "`to_text_format` should be a function."),
        (lambda: isinstance(result(first), dict) and result(first) != {}, "Return the flat format, a dict."),
        (lambda: result(first).get("type") == "json_schema", "Keep `\"type\": \"json_schema\"`."),
        (lambda: "json_schema" not in result(first),
         Hints("The Responses format has no `json_schema` wrapper.",
               "Put the wrapper's fields (`name`, `schema`, `strict`) beside `type`.")),
        (lambda: result(first) == _expected(first), "Keep every field of the wrapper: `name`, `schema`, `strict`."),
        (lambda: result(second) == _expected(second),
         "Copy whatever the wrapper holds (this one has a `description` and no `strict`): `**inner` does."),
    ], "The same schema, ready for `client.responses.create(text={\"format\": ...})`.")


def check_trip_object(response: Response, model: type[BaseModel], trip: object) -> Verdict:
    """Exercise 2: a pydantic object built from a Response's JSON text."""
    expected = model.model_validate_json(response.output_text)
    return verdict([
        (trip is not None, Hints("`porto` is still None.",
                                 "The JSON text is in `response.output_text`; the class can read JSON itself.")),
        (not isinstance(trip, (dict, str)),
         f"That is a {type(trip).__name__}: make a `{model.__name__}` object from it."),
        (isinstance(trip, model), f"`porto` should be a `{model.__name__}`, not a {type(trip).__name__}."),
        (lambda: trip == expected, "That is not the trip in `response`: build it from `response.output_text`."),
    ], "A typed object from the text: what `responses.parse` does for you.")
