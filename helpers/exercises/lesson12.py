"""Checks for lesson 12, the capstone travel-guide chatbot."""
import json

from .. import models
from . import Verdict, verdict
from ..prices import cost
from ..widgets.travel_bot import get_weather

EXAMPLE_CALL = {"id": "call_faro0001", "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Faro"}'}}


def check_tool_message(message) -> Verdict:
    """Exercise 1: the tool message that answers EXAMPLE_CALL."""
    return verdict([
        (isinstance(message, dict), "`tool_message` should be a dict, like every message."),
        (lambda: message.get("role") == "tool", "A tool result has the role 'tool'."),
        (lambda: message.get("tool_call_id") == EXAMPLE_CALL["id"],
         "Say which call it answers: 'tool_call_id' is the call's 'id'."),
        (lambda: isinstance(message.get("content"), str),
         "The content is text: turn the function's dict into JSON with json.dumps(...)."),
        (lambda: json.loads(message["content"]) == get_weather("Faro"),
         "Run get_weather with the call's arguments (json.loads them first) and send back what it returns."),
    ], "That is the message the model needs to write its answer.")


def check_tool_schema(tool) -> Verdict:
    """Exercise 2: a function tool schema for get_museum_hours(museum)."""
    function = tool.get("function", {}) if isinstance(tool, dict) else {}
    parameters = function.get("parameters", {}) if isinstance(function, dict) else {}
    return verdict([
        (isinstance(tool, dict) and tool.get("type") == "function",
         "A tool is a dict with 'type': 'function' and a 'function' dict."),
        (function.get("name") == "get_museum_hours", "Name the function 'get_museum_hours'."),
        (isinstance(function.get("description"), str) and function.get("description", "").strip(),
         "Give it a 'description': the model decides when to call a tool from it."),
        (parameters.get("type") == "object" and "museum" in parameters.get("properties", {}),
         "'parameters' is a JSON schema of type 'object' with a 'museum' property."),
        (lambda: parameters["properties"]["museum"].get("type") == "string", "'museum' is a string."),
        (lambda: parameters.get("required") == ["museum"], "Make 'museum' required: 'required': ['museum']."),
    ], "The model can now ask for museum hours; your code runs the function.")


def check_turn_cost(turn, dollars) -> Verdict:
    """Exercise 3: a turn's cost from the usage of each of its requests."""
    expected = sum(cost(models.CHAT, u.prompt_tokens, u.completion_tokens) for u in turn.usages)
    return verdict([
        (isinstance(dollars, float), "`dollars` should be a number of dollars (a float)."),
        (lambda: len(turn.usages) > 1 and abs(dollars - expected) < 1e-12,
         "Add up cost('gpt-6-luna', u.prompt_tokens, u.completion_tokens) for every u in turn.usages: "
         "a tool round trip is two requests, and both are billed."),
    ], f"{len(turn.usages)} requests, ${dollars:.6f} in all, as the bot's meter says.")
