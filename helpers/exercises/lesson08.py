"""Checks for lesson 08, structured output."""
import contextlib
import io
import typing
from collections.abc import Callable
from typing import Any

from openai.types.chat import ParsedChatCompletionMessage
from pydantic import BaseModel

from . import Verdict, verdict

__all__ = ["check_recipe_format", "check_recipe_model", "check_parsed_or_none"]

RECIPE_TYPES = {"title": "string", "ingredients": "array", "minutes": "integer"}
RECIPE_ANNOTATIONS = {"title": str, "ingredients": list[str], "minutes": int}


def _schema(response_format: Any) -> Any:
    return response_format["json_schema"]["schema"]


def check_recipe_format(response_format: Any) -> Verdict:
    """Exercise 1: a strict json_schema response_format for a recipe."""
    names = set(RECIPE_TYPES)
    return verdict([
        (isinstance(response_format, dict) and response_format,
         "`recipe_format` should be a dict, like `event_format`."),
        (lambda: response_format.get("type") == "json_schema", 'Start with `"type": "json_schema"`.'),
        (lambda: isinstance(response_format.get("json_schema"), dict),
         'Put the name, strict and schema in a dict under `"json_schema"`.'),
        (lambda: response_format["json_schema"].get("name") == "recipe", 'Name it: `"name": "recipe"`.'),
        (lambda: response_format["json_schema"].get("strict") is True, 'Make it strict: `"strict": True`.'),
        (lambda: _schema(response_format).get("type") == "object", 'The `"schema"` is of `"type": "object"`.'),
        (lambda: set(_schema(response_format).get("properties", {})) == names,
         '`"properties"` should have exactly these keys: title, ingredients, minutes.'),
        (lambda: all(_schema(response_format)["properties"][name].get("type") == kind
                     for name, kind in RECIPE_TYPES.items()),
         'Types: title is a "string", ingredients an "array", minutes an "integer".'),
        (lambda: _schema(response_format)["properties"]["ingredients"].get("items", {}).get("type") == "string",
         'Say what the array holds: `"items": {"type": "string"}`.'),
        (lambda: set(_schema(response_format).get("required", [])) == names,
         'A strict schema lists every property in `"required"`.'),
        (lambda: _schema(response_format).get("additionalProperties") is False,
         'A strict schema needs `"additionalProperties": False`.'),
    ], "Every answer to a request with this format will be a recipe your code can read.")


def check_recipe_model(model: Any) -> Verdict:
    """Exercise 2: the recipe as a Pydantic model."""
    def annotations() -> dict[str, Any]:
        return {name: field.annotation for name, field in model.model_fields.items()}

    return verdict([
        (isinstance(model, type) and issubclass(model, BaseModel), "`Recipe` should be a class based on `BaseModel`."),
        (lambda: set(model.model_fields) == set(RECIPE_ANNOTATIONS),
         "Give it exactly three fields: title, ingredients, minutes."),
        (lambda: annotations()["title"] is str, "`title: str`"),
        (lambda: typing.get_origin(annotations()["ingredients"]) is list
         and typing.get_args(annotations()["ingredients"]) == (str,),
         "`ingredients: list[str]`: a list, and of strings."),
        (lambda: annotations()["minutes"] is int, "`minutes: int`: a whole number of minutes."),
    ], "Pass it as `response_format=Recipe` to `client.chat.completions.parse`.")


def _message(parsed: object = None, refusal: str | None = None) -> ParsedChatCompletionMessage[Any]:
    return ParsedChatCompletionMessage[typing.Any](role="assistant", content=None, refusal=refusal, parsed=parsed)


def check_parsed_or_none(function: Callable[[ParsedChatCompletionMessage[Any]], object]) -> Verdict:
    """Exercise 3: use the parsed answer, or report the refusal and return None."""
    answer = {"title": "Pancakes"}
    refusal = "I'm sorry, but I can't help with that."

    def on_refusal() -> tuple[object, str]:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            returned = function(_message(refusal=refusal))
        return returned, printed.getvalue()

    return verdict([
        (callable(function), "`parsed_or_none` should be a function that takes a message."),
        (lambda: function(_message(parsed=answer)) is answer, "With no refusal, return `message.parsed`."),
        (lambda: on_refusal()[0] is None, "When `message.refusal` is set, return None."),
        (lambda: refusal in on_refusal()[1], "When the model refused, print `message.refusal`, so someone sees why."),
    ], "Your code tells an answer from a refusal.")
