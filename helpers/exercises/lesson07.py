"""Checks for lesson 07, tools (function calling)."""
import json
from collections.abc import Callable
from typing import Any

from openai.types.chat import ChatCompletionMessageFunctionToolCall

from . import Hints, Verdict, verdict

__all__ = ["check_currency_schema", "check_arguments_and_result", "check_tool_message", "check_currency_output"]

CURRENCY_PARAMETERS = {"amount": "number", "from_currency": "string", "to_currency": "string"}


def _function(tools: Any) -> Any:
    return tools[0]["function"]


def _parameters(tools: Any) -> Any:
    return _function(tools)["parameters"]


def _type_of(schema: dict) -> str | None:
    kind = schema.get("type")
    return kind if isinstance(kind, str) else None


def check_currency_schema(tools: Any) -> Verdict:
    """Exercise 1: a strict tool schema for convert_currency(amount, from_currency, to_currency)."""
    names = set(CURRENCY_PARAMETERS)
    return verdict([
        (isinstance(tools, list) and len(tools) == 1, "`currency_tools` should be a list holding one tool (a dict)."),
        (lambda: isinstance(tools[0], dict) and tools[0].get("type") == "function",
         'The tool is a dict with `"type": "function"`.'),
        (lambda: isinstance(_function(tools), dict), 'Describe the function under the key `"function"`.'),
        (lambda: _function(tools).get("name") == "convert_currency",
         'The function\'s `"name"` must be exactly the Python name: "convert_currency".'),
        (lambda: isinstance(_function(tools).get("description"), str) and _function(tools)["description"].strip(),
         'Add a `"description"`: it is how the model knows when to use the tool.'),
        (lambda: _parameters(tools).get("type") == "object",
         'The `"parameters"` are a JSON schema of `"type": "object"`.'),
        (lambda: set(_parameters(tools).get("properties", {})) == names,
         f'`"properties"` should have exactly these keys: {", ".join(CURRENCY_PARAMETERS)}.'),
        (lambda: all(_type_of(_parameters(tools)["properties"][name]) == kind
                     for name, kind in CURRENCY_PARAMETERS.items()),
         'Give each property its type: `amount` is a "number", the currencies are "string"s.'),
        (lambda: _function(tools).get("strict") is True, 'Make it strict: `"strict": True` in the function.'),
        (lambda: set(_parameters(tools).get("required", [])) == names,
         'A strict schema lists every property in `"required"`.'),
        (lambda: _parameters(tools).get("additionalProperties") is False,
         'A strict schema needs `"additionalProperties": False` in the parameters.'),
    ], "A strict schema: the model's arguments will always have these three fields, with these types.")


def check_arguments_and_result(tool_call: ChatCompletionMessageFunctionToolCall, function: Callable[..., object],
                               arguments: Any, result: object) -> Verdict:
    """Exercise 2: decode a tool call's arguments and run the function with them."""
    return verdict([
        (isinstance(arguments, dict),
         Hints("`arguments` should be a dict: the model sends its arguments as JSON text, inside the tool call.",
               "Decode the JSON text in `tool_call.function.arguments` with `json.loads`.")),
        (lambda: arguments == json.loads(tool_call.function.arguments),
         "Decode `tool_call.function.arguments` itself, with nothing added or left out."),
        (result is not None, "Now run the function: `get_weather(**arguments)`."),
        (lambda: result == function(**arguments), "`result` should be what `get_weather(**arguments)` returns."),
    ], "Your code ran the tool; the model only asked for it.")


def check_tool_message(tool_call: ChatCompletionMessageFunctionToolCall, result: object, message: Any) -> Verdict:
    """Exercise 3: the tool message that answers a tool call."""
    return verdict([
        (isinstance(message, dict) and message, "`tool_message` should be a dict with role, tool_call_id and content."),
        (lambda: message.get("role") == "tool", 'Its role is "tool".'),
        (lambda: message.get("tool_call_id") == tool_call.id,
         "`tool_call_id` must be the id of the call it answers: `tool_call.id`."),
        (lambda: isinstance(message.get("content"), str),
         "`content` must be a string: turn the result into JSON text with `json.dumps(result)`."),
        (lambda: json.loads(message["content"]) == result, "`content` should hold `result`, as `json.dumps(result)`."),
    ], "Append it after the assistant's message, and ask again for the final answer.")


def check_currency_output(output: Any) -> Verdict:
    """Exercise 4: call_tool runs convert_currency once it is in the TOOLS table."""
    def decoded() -> Any:
        return json.loads(output)

    return verdict([
        (isinstance(output, str), "`output` should be what `call_tool(currency_call)` returns: JSON text."),
        (lambda: "There is no tool" not in decoded().get("error", ""),
         "call_tool finds each tool by its name in the dict `TOOLS`: add `convert_currency` to it."),
        (lambda: "error" not in decoded(), "The tool ran but failed; look at the error in `output`."),
        (lambda: decoded() == {"amount": 116.0, "currency": "USD"},
         "Run the `convert_currency` defined above, unchanged."),
    ], "100 EUR is 116.0 USD, and `call_tool` can serve any tool in the table.")
