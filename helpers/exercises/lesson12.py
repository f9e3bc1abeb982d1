"""Checks for lesson 12, the capstone travel-guide chatbot."""
import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

from openai.types.chat import (ChatCompletion, ChatCompletionAssistantMessageParam, ChatCompletionMessage,
                               ChatCompletionMessageFunctionToolCall)

from .. import models
from . import Hints, Verdict, verdict
from ..prices import cost
from ..widgets.chat import Turn
from ..widgets.travel_bot import get_weather

__all__ = ["check_tool_reply", "check_reply_message", "check_run_turn", "check_tool_schema", "check_turn_cost"]

# The fields the SDK's request type allows in an assistant message.
ASSISTANT_FIELDS = frozenset(ChatCompletionAssistantMessageParam.__annotations__)
EXAMPLE_CALL = {"id": "call_faro0001", "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Faro"}'}}


def check_tool_reply(tool_reply: Callable[[ChatCompletionMessageFunctionToolCall], object]) -> Verdict:
    """Step 1: a function that answers one of the model's tool calls with a tool message."""
    call = ChatCompletionMessageFunctionToolCall.model_validate(EXAMPLE_CALL)
    found: dict[str, Any] = {}  # what tool_reply returned: anything

    def replied() -> bool:
        found["message"] = tool_reply(call)
        return isinstance(found["message"], dict) and bool(found["message"])

    return verdict([
        (callable(tool_reply), "`tool_reply` should be a function of one tool call."),
        (replied, "`tool_reply(call)` should return the tool message, a dict (run it on `call` from above to see)."),
        (lambda: found["message"].get("role") == "tool", "A tool result has the role 'tool'."),
        (lambda: found["message"].get("tool_call_id") == call.id,
         Hints("The model must know which of its calls this answers.", "Give the message a 'tool_call_id'.",
               "`'tool_call_id': call.id`")),
        (lambda: isinstance(found["message"].get("content"), str),
         "The content is text: turn the function's dict into JSON with json.dumps(...)."),
        (lambda: json.loads(found["message"]["content"]) == get_weather("Faro"),
         Hints("The content is what get_weather returns for the call's arguments.",
               "The arguments are JSON text in `call.function.arguments`: json.loads them first.",
               "`json.dumps(get_weather(**json.loads(call.function.arguments)))`")),
    ], "Your bot can answer any get_weather call the model makes.")


def check_reply_message(reply_message: Callable[[ChatCompletionMessage], object], asked_for_tools: ChatCompletion,
                        answered: ChatCompletion) -> Verdict:
    """Step 2: the model's reply as a message for the history, with its tool calls when it made any."""
    calls, text = asked_for_tools.choices[0].message, answered.choices[0].message
    found: dict[str, Any] = {}  # what reply_message returned: anything

    def replied() -> bool:
        found["calls"], found["text"] = reply_message(calls), reply_message(text)
        return all(isinstance(found[key], dict) for key in ("calls", "text"))

    def same_calls() -> bool:
        sent = found["calls"].get("tool_calls") or []
        return [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in sent] == [
            # The lesson's `first` asked for function tools, so it has tool_calls, all of them function calls.
            (c.id, c.function.name, c.function.arguments) for c in calls.tool_calls]  # type: ignore[union-attr]

    return verdict([
        (callable(reply_message), "`reply_message` should be a function of one message (`choices[0].message`)."),
        (replied, "`reply_message(message)` should return a dict: the message to append to the history."),
        (lambda: found["calls"].get("role") == found["text"].get("role") == "assistant",
         "A reply from the model goes into the history with the role 'assistant'."),
        (lambda: found["text"].get("content") == text.content, "Keep the reply's text as its 'content'."),
        (lambda: set(found["calls"]) | set(found["text"]) <= ASSISTANT_FIELDS,
         f"The API takes only these fields in an assistant message: {', '.join(sorted(ASSISTANT_FIELDS))}."),
        (same_calls, Hints("When the model asked for tools, the history must keep its calls, or the tool "
                           "results that follow answer nothing.",
                           "Add 'tool_calls': one dict per call in `message.tool_calls`.",
                           "`[call.model_dump() for call in message.tool_calls]`")),
        (lambda: not found["text"].get("tool_calls"), "A reply without tool calls should not carry 'tool_calls'."),
    ], "Replies, with or without tool calls, can go into the history.")


def check_run_turn(run_turn: Callable[[list[dict], str, Callable[[Iterable[dict]], ChatCompletion]], object],
                   asked_for_tools: ChatCompletion, answered: ChatCompletion) -> Verdict:
    """Step 3: one whole turn: the question, the tool round trip, the answer."""
    question = "Do I need an umbrella in Porto today?"
    developer = {"role": "developer", "content": "You are a travel guide. Use get_weather for today's weather."}
    answers = [asked_for_tools, answered]
    sent: list[list[Any]] = []  # a copy of each history run_turn sent: whatever it put in it
    found: dict[str, Any] = {}  # the history and what run_turn returned

    def send(messages: Iterable[dict]) -> ChatCompletion:  # client.chat.completions.create: the recorded answers
        sent.append(copy.deepcopy(list(messages)))
        if len(sent) > len(answers):
            raise RuntimeError("the model had already answered with text: there is nothing more to ask")
        return answers[len(sent) - 1]

    def ran() -> bool:
        found["history"] = [dict(developer)]
        found["text"] = run_turn(found["history"], question, send)
        return bool(sent)

    assert asked_for_tools.choices[0].message.tool_calls is not None  # the lesson's `first` asked for a tool
    call = asked_for_tools.choices[0].message.tool_calls[0]
    return verdict([
        (callable(run_turn), "`run_turn` should be a function of (history, question, send)."),
        (ran, "`run_turn` should call `send(history)` to ask the model."),
        (lambda: sent[0] == [developer, {"role": "user", "content": question}],
         "Before the first `send`, append the question to the history as a user message."),
        (lambda: len(sent) == 2,
         Hints("The first answer asked for a tool, so the turn is not over yet.",
               "Loop while the reply has `tool_calls`: append the reply, a tool reply for each call, and send again.")),
        (lambda: [m.get("role") for m in sent[1][2:]] == ["assistant", "tool"]
         and sent[1][3].get("tool_call_id") == call.id,
         "The second `send` needs the model's reply (step 2), then the tool's answer to its call (step 1)."),
        (lambda: found["text"] == answered.choices[0].message.content,
         "Return the text of the last reply: the answer the user sees."),
        (lambda: found["history"][-1].get("role") == "assistant"
         and found["history"][-1].get("content") == found["text"],
         "Append the final reply to the history too, so the next turn knows what was said."),
    ], "That is the loop at the heart of TravelBot.answer, written by you.")


def check_tool_schema(tool: Any) -> Verdict:
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


def check_turn_cost(turn: Turn, dollars: Any) -> Verdict:
    """Exercise 3: a turn's cost from the usage of each of its requests."""
    expected = sum(cost(models.CHAT, u.prompt_tokens, u.completion_tokens) for u in turn.usages)
    return verdict([
        (isinstance(dollars, float), "`dollars` should be a number of dollars (a float)."),
        (lambda: len(turn.usages) > 1 and abs(dollars - expected) < 1e-12,
         Hints("A tool round trip is two requests, and both are billed: `weather_turn.usages` holds the "
               "usage of each.",
               "Price each usage with cost('gpt-6-luna', prompt tokens, completion tokens), then add them up.",
               "sum(cost('gpt-6-luna', u.prompt_tokens, u.completion_tokens) for u in weather_turn.usages)")),
    ], f"{len(turn.usages)} requests, ${dollars:.6f} in all, as the bot's meter says.")
