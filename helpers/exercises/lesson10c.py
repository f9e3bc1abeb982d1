"""Checks for lesson 10c, function calling with the Responses API."""
import json
from collections.abc import Callable
from typing import Any

from openai.types.responses import ResponseFunctionToolCall

from . import Hints, Verdict, verdict

__all__ = ["check_flat_tool", "check_call_output"]


def check_flat_tool(chat_tool: dict[str, Any], tool: Any) -> Verdict:
    """Exercise 1: a Chat Completions tool rewritten in the Responses shape."""
    function = chat_tool["function"]
    return verdict([
        (isinstance(tool, dict) and tool != {}, "`tool` should be a dict describing the tool."),
        (lambda: tool.get("type") == "function", "Keep `\"type\": \"function\"`."),
        (lambda: "function" not in tool,
         Hints("The Responses API has no `\"function\"` wrapper: its fields sit beside `\"type\"`.",
               "Move `name`, `description` and `parameters` up one level.")),
        (lambda: tool.get("name") == function["name"], f"Give the tool its name: `\"name\": \"{function['name']}\"`."),
        (lambda: tool.get("parameters") == function["parameters"],
         "Keep the parameters' schema as it was: `\"parameters\": chat_tool[\"function\"][\"parameters\"]`."),
        (lambda: tool.get("description") == function["description"],
         "Keep the description: it is how the model knows when to call the tool."),
    ], "Same tool, flat shape: ready for `client.responses.create(tools=[tool])`.")


def check_call_output(call: ResponseFunctionToolCall, function: Callable[..., object], answer: Any) -> Verdict:
    """Exercise 2: the function_call_output item that answers a function_call item."""
    expected = function(**json.loads(call.arguments))
    output = answer.get("output") if isinstance(answer, dict) else None
    return verdict([
        (isinstance(answer, dict), "`answer` should be a dict: an input item."),
        (lambda: answer.get("type") == "function_call_output",
         "An answer to a call is an item of type `\"function_call_output\"`."),
        (lambda: answer.get("call_id") != call.id,
         "That is the item's own `id` (`fc_...`): the answer quotes the call's `call_id` (`call_...`)."),
        (lambda: answer.get("call_id") == call.call_id, "Give it the `call_id` of the call it answers."),
        (lambda: isinstance(output, str),
         Hints("`output` must be a string.", "Turn the function's result into JSON text with `json.dumps(...)`.")),
        (lambda: json.loads(str(output)) == expected,
         "`output` should be the function's result for the call's arguments: "
         "`get_weather(**json.loads(vienna.arguments))`."),
    ], "That item, sent after the call, gives the model what it asked for.")
