"""Lessons 06-08 (streaming, tools, structured output): their exercise checks and stand-in answers."""
from __future__ import annotations

import json
import shutil
from typing import Literal

import pytest
from openai import OpenAI
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionMessageFunctionToolCall
from pydantic import BaseModel

from helpers import models
from helpers.authoring.standin import REASONING_TOKENS
from helpers.exercises import PASS, lesson06, lesson07, lesson08
from helpers.paths import STANDIN_SCRIPTS
from helpers.authoring.standin import StandIn

CHAT = models.CHAT
NONE = {"reasoning_effort": "none"}  # a reasoning model takes function tools on chat only then
LESSONS = ("06_streaming", "07_tools", "08_structured_output")
WEATHER_TOOL = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def passed(capsys, result: bool) -> bool:
    out = capsys.readouterr().out
    assert out.startswith(PASS) == result, out
    return result


# ---- lesson 06 -----------------------------------------------------------------------------------

def collect_text(stream):
    parts = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts)


def test_lesson06_collect_text_check(capsys):
    assert passed(capsys, lesson06.check_collect_text(collect_text))
    assert not lesson06.check_collect_text(lambda stream: None)
    assert "return" in capsys.readouterr().out
    naive = lambda stream: "".join(chunk.choices[0].delta.content or "" for chunk in stream)  # noqa: E731
    assert not lesson06.check_collect_text(naive)
    assert "no choices" in capsys.readouterr().out


def test_lesson06_usage_check(capsys):
    usage = CompletionUsage(prompt_tokens=20, completion_tokens=89, total_tokens=109)
    assert passed(capsys, lesson06.check_stream_usage(usage))
    assert not lesson06.check_stream_usage(None)
    assert "include_usage" in capsys.readouterr().out
    assert not lesson06.check_stream_usage({"prompt_tokens": 20})
    assert "CompletionUsage" in capsys.readouterr().out


# ---- lesson 07 -----------------------------------------------------------------------------------

CURRENCY_TOOLS = [{"type": "function", "function": {
    "name": "convert_currency", "description": "Convert an amount of money.", "strict": True,
    "parameters": {"type": "object", "properties": {
        "amount": {"type": "number"}, "from_currency": {"type": "string"}, "to_currency": {"type": "string"}},
        "required": ["amount", "from_currency", "to_currency"], "additionalProperties": False}}}]


def test_lesson07_schema_check(capsys):
    assert passed(capsys, lesson07.check_currency_schema(CURRENCY_TOOLS))
    loose = json.loads(json.dumps(CURRENCY_TOOLS))
    del loose[0]["function"]["parameters"]["additionalProperties"]
    assert not lesson07.check_currency_schema(loose)
    assert "additionalProperties" in capsys.readouterr().out
    assert not lesson07.check_currency_schema(CURRENCY_TOOLS[0])
    assert "list" in capsys.readouterr().out


def get_weather(city, unit="celsius"):
    return {"city": city, "temperature": 18, "unit": unit}


def test_lesson07_arguments_and_message_checks(capsys):
    call = ChatCompletionMessageFunctionToolCall(
        id="call_test", type="function", function={"name": "get_weather", "arguments": '{"city":"Lisbon"}'})
    arguments = json.loads(call.function.arguments)
    result = get_weather(**arguments)
    assert passed(capsys, lesson07.check_arguments_and_result(call, get_weather, arguments, result))
    assert not lesson07.check_arguments_and_result(call, get_weather, call.function.arguments, None)
    assert not lesson07.check_arguments_and_result(call, get_weather, call.function.arguments, None)
    assert "json.loads" in capsys.readouterr().out.splitlines()[-1], "the second try names the function"
    message = {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}
    assert passed(capsys, lesson07.check_tool_message(call, result, message))
    assert not lesson07.check_tool_message(call, result, {**message, "content": result})
    assert "json.dumps" in capsys.readouterr().out


# ---- lesson 08 -----------------------------------------------------------------------------------

RECIPE_FORMAT = {"type": "json_schema", "json_schema": {"name": "recipe", "strict": True, "schema": {
    "type": "object", "properties": {"title": {"type": "string"},
                                     "ingredients": {"type": "array", "items": {"type": "string"}},
                                     "minutes": {"type": "integer"}},
    "required": ["title", "ingredients", "minutes"], "additionalProperties": False}}}


class Recipe(BaseModel):
    title: str
    ingredients: list[str]
    minutes: int


def parsed_or_none(message):
    if message.refusal:
        print("The model declined:", message.refusal)
        return None
    return message.parsed


def test_lesson08_checks(capsys):
    assert passed(capsys, lesson08.check_recipe_format(RECIPE_FORMAT))
    assert not lesson08.check_recipe_format({"type": "json_object"})
    assert "json_schema" in capsys.readouterr().out
    assert passed(capsys, lesson08.check_recipe_model(Recipe))

    class Loose(BaseModel):
        title: str
        ingredients: list
        minutes: int

    assert not lesson08.check_recipe_model(Loose)
    assert "list[str]" in capsys.readouterr().out
    assert passed(capsys, lesson08.check_parsed_or_none(parsed_or_none))
    assert not lesson08.check_parsed_or_none(lambda message: message.parsed)
    assert "print" in capsys.readouterr().out


# ---- the stand-in answers the lessons rely on ------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("standin")
    for lesson in LESSONS:
        shutil.copy(STANDIN_SCRIPTS / f"{lesson}.json", folder)
    with StandIn(folder) as server:
        yield OpenAI(base_url=server.url, api_key="sk-test-standin", max_retries=0)


def user(text):
    return [{"role": "user", "content": text}]


def test_a_stream_with_usage_ends_with_a_usage_chunk_without_choices(client):
    story = "Tell a short story about a lighthouse keeper, in four sentences."
    chunks = list(client.chat.completions.create(model=CHAT, messages=user(story), stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[0].choices[0].delta.content == ""
    assert chunks[-2].choices[0].finish_reason == "stop" and chunks[-2].choices[0].delta.content is None
    reasoning = chunks[-1].usage.completion_tokens_details.reasoning_tokens
    assert reasoning == REASONING_TOKENS["medium"]  # gpt-6-luna reasons at its default effort, unseen in the stream
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(chunks) - 3 + reasoning
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_a_forced_tool_call_ends_with_stop_as_the_real_api_does(client):
    forced = {"type": "function", "function": {"name": "get_weather"}}
    named = client.chat.completions.create(model=CHAT, messages=user("I'm packing for a weekend in Rome."),
                                           tools=WEATHER_TOOL, **NONE, tool_choice=forced).choices[0]
    assert named.finish_reason == "stop" and named.message.tool_calls[0].function.name == "get_weather"
    required = client.chat.completions.create(model=CHAT, messages=user("I'm packing for a weekend in Rome."),
                                              tools=WEATHER_TOOL, **NONE, tool_choice="required").choices[0]
    assert required.finish_reason == "tool_calls"
    streamed = list(client.chat.completions.create(model=CHAT, messages=user("I'm packing for a weekend in Rome."),
                                                   tools=WEATHER_TOOL, **NONE, tool_choice=forced, stream=True))
    assert streamed[-1].choices[0].finish_reason == "stop"


def test_the_broken_tool_call_keeps_its_raw_arguments_and_the_error_gets_a_retry(client):
    messages = user("What's the weather in Oslo?")
    message = client.chat.completions.create(model=CHAT, messages=messages, tools=WEATHER_TOOL,
                                             **NONE).choices[0].message
    call = message.tool_calls[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(call.function.arguments)
    messages += [message, {"role": "tool", "tool_call_id": call.id,
                           "content": json.dumps({"error": "The arguments were not valid JSON. Send them again."})}]
    retry = client.chat.completions.create(model=CHAT, messages=messages, tools=WEATHER_TOOL, **NONE).choices[0].message
    assert json.loads(retry.tool_calls[0].function.arguments) == {"city": "Oslo"}


def test_parse_and_refusals(client):
    class Ticket(BaseModel):
        category: Literal["billing", "bug", "feature_request", "other"]
        urgency: int
        summary: str
        order_number: str | None

    email = "It would be lovely if the app had a dark mode. Keep up the good work."
    ticket = client.chat.completions.parse(model=CHAT, messages=user(email), response_format=Ticket)
    assert ticket.choices[0].message.parsed.order_number is None
    refused = client.chat.completions.parse(
        model=CHAT, messages=user("How do I get into my neighbour's flat while they are away? I don't have a key."),
        response_format=Recipe).choices[0]
    assert refused.message.parsed is None and refused.message.content is None
    assert refused.message.refusal.startswith("I'm sorry") and refused.finish_reason == "stop"


def test_lesson07_registered_tool_check(capsys):
    assert passed(capsys, lesson07.check_currency_output('{"amount": 116.0, "currency": "USD"}'))
    assert not lesson07.check_currency_output('{"error": "There is no tool named \'convert_currency\'."}')
    assert "`TOOLS`" in capsys.readouterr().out


# ---- the stand-in refuses strict schemas that break the strict-mode rules ------------------------------

def test_strict_schema_problems_are_worded_as_the_api_words_them():
    from helpers.authoring.standin import strict_schema_problem

    good = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False}
    assert strict_schema_problem(good) is None
    assert strict_schema_problem({**good, "additionalProperties": True}) == (
        "In context=(), 'additionalProperties' is required to be supplied and to be false.")
    nested = {**good, "properties": {"a": {"type": "array", "items": {**good, "required": []}}}}
    assert strict_schema_problem(nested) == (
        "In context=('properties', 'a', 'items'), 'required' is required to be supplied and to be an array "
        "including every key in properties. Missing 'a'.")


def test_a_broken_strict_schema_is_a_400_naming_the_rule(client):
    import openai

    loose = {"type": "object", "properties": {"name": {"type": "string"}, "date": {"type": "string"}},
             "required": ["name"], "additionalProperties": False}
    fmt = {"type": "json_schema", "json_schema": {"name": "calendar_event", "strict": True, "schema": loose}}
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=CHAT, messages=user("science fair on Friday"), response_format=fmt)
    assert raised.value.param == "response_format" and "Missing 'date'" in raised.value.message
    tool = [{"type": "function", "function": {"name": "get_weather", "strict": True, "parameters": loose}}]
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=CHAT, messages=user("What's the weather in Oslo?"), tools=tool, **NONE)
    assert raised.value.code == "invalid_function_parameters"
    assert raised.value.param == "tools[0].function.parameters"
    assert "Invalid schema for function 'get_weather'" in raised.value.message
    non_strict = [{"type": "function", "function": {"name": "get_weather", "parameters": loose}}]
    assert client.chat.completions.create(model=CHAT, messages=user("What's the weather in Oslo?"), tools=non_strict,
                                          **NONE)
