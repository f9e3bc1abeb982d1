"""The capstone's travel-guide chatbot: the chat widget of lesson 03 with the pieces of lessons 03 and 06-09.

- history: each request sends the conversation trimmed to a token budget (`helpers.history`);
- streaming: the reply arrives chunk by chunk into the pane (`stream=True`, usage in the last chunk);
- a tool: `get_weather(city)` answers from canned local data, in a real function-calling round trip;
- a cost meter: each turn's tokens and price, and the session meter (`helpers.meter`) beneath;
- errors: an API error is a message in the pane, and the conversation stays as it was.
"""
from __future__ import annotations

import json
from typing import Any

import ipywidgets as widgets
import openai

from .. import models
from ..history import trim_to_budget
from ..meter import meter
from ..prices import cost, usd
from .chat import Chat, ChatWidget, Turn

__all__ = ["TRAVEL_GUIDE", "DEFAULT_BUDGET", "MAX_TOOL_ROUNDS", "FORECASTS", "WEATHER_TOOL", "get_weather", "TOOLS",
           "run_tool_call", "TravelBot", "TravelBotWidget"]

TRAVEL_GUIDE = ("You are a friendly travel guide for Portugal. Answer in at most three sentences. "
                "Use get_weather for today's weather; never guess it.")
DEFAULT_BUDGET = 600  # prompt tokens per request, history included
MAX_TOOL_ROUNDS = 3  # a model that keeps calling tools is stopped after this many rounds

# Canned forecasts, so the tool works offline and answers the same every time.
FORECASTS: dict[str, dict] = {
    "lisbon": {"city": "Lisbon", "condition": "sunny", "high_c": 24, "low_c": 16, "rain_chance": 0.05},
    "porto": {"city": "Porto", "condition": "light showers, clearing later", "high_c": 19, "low_c": 13,
              "rain_chance": 0.6},
    "faro": {"city": "Faro", "condition": "sunny and windy", "high_c": 26, "low_c": 18, "rain_chance": 0.0},
    "sintra": {"city": "Sintra", "condition": "morning fog, then sun", "high_c": 21, "low_c": 14,
               "rain_chance": 0.1},
}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Today's weather forecast for a city in Portugal.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city, e.g. Lisbon"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}


def get_weather(city: str) -> dict:
    """Today's forecast for `city` from the canned data, or an error the model can pass on."""
    forecast = FORECASTS.get(str(city).strip().lower())
    if forecast is None:
        return {"error": f"No forecast for {city!r}. Known cities: {', '.join(f['city'] for f in FORECASTS.values())}."}
    return forecast


TOOLS = {"get_weather": get_weather}


def run_tool_call(call: dict) -> str:
    """Run one tool call from the model and return its result as the JSON text a tool message carries."""
    function = TOOLS.get(call["function"]["name"])
    if function is None:
        return json.dumps({"error": f"There is no tool called {call['function']['name']!r}."})
    try:
        arguments = json.loads(call["function"]["arguments"] or "{}")
        return json.dumps(function(**arguments))
    except (ValueError, TypeError) as err:  # bad JSON or wrong arguments: tell the model, do not crash
        return json.dumps({"error": f"The arguments could not be used: {err}"})


class TravelBot(Chat):
    """The bot's conversation and requests, with no display: what tests drive."""

    def __init__(self, developer: str = TRAVEL_GUIDE, model: str = models.CHAT, budget: int = DEFAULT_BUDGET,
                 client: openai.OpenAI | None = None) -> None:
        self.budget = budget
        self.spent = 0.0  # this conversation's cost in dollars, at list prices
        super().__init__(developer=developer, model=model, client=client)

    def reset(self) -> None:
        super().reset()
        self.spent = 0.0

    def request(self, messages: list[dict]) -> dict:
        """A streamed request with the weather tool and the history trimmed to the budget; no reasoning,
        because reasoning models take function tools on Chat Completions only then (helpers.models)."""
        return {"model": self.model, "messages": trim_to_budget(messages, self.budget, self.model),
                "tools": [WEATHER_TOOL], "reasoning_effort": models.NO_REASONING, "stream": True,
                "stream_options": {"include_usage": True}}

    def answer(self, turn: Turn) -> str:
        """Stream replies until one is text, running the tools the model calls in between."""
        for _ in range(MAX_TOOL_ROUNDS):
            content, calls = self.stream(turn)
            if not calls:
                break
            self.messages.append({"role": "assistant", "content": content or None, "tool_calls": calls})
            for call in calls:
                result = run_tool_call(call)
                self.messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})
                turn.tool_calls.append(f"{call['function']['name']}({call['function']['arguments']}) -> {result}")
        else:
            content = content or "(The model kept calling tools, so the bot stopped asking.)"
        turn.cost = sum(cost(self.model, u.prompt_tokens, u.completion_tokens) for u in turn.usages)
        self.spent += turn.cost
        return content

    def stream(self, turn: Turn) -> tuple[str, list[dict]]:
        """One streamed request: the text (shown as it arrives) and any tool calls, put together from deltas."""
        stream = self.client.chat.completions.create(**self.request(self.messages))
        calls: dict[int, dict] = {}
        self.partial = ""
        for chunk in stream:
            if chunk.usage:  # the last chunk, thanks to stream_options
                turn.usages.append(chunk.usage)
            for choice in chunk.choices:
                if choice.delta.content:
                    self.partial += choice.delta.content
                    self.on_change()
                for delta in choice.delta.tool_calls or []:
                    call = calls.setdefault(delta.index, {"id": "", "type": "function",
                                                          "function": {"name": "", "arguments": ""}})
                    call["id"] = delta.id or call["id"]
                    if delta.function:
                        call["function"]["name"] += delta.function.name or ""
                        call["function"]["arguments"] += delta.function.arguments or ""
        text, self.partial = self.partial, ""
        return text, [calls[index] for index in sorted(calls)]

    def sent_messages(self) -> list[dict]:
        """What the next request would send of the history: the budget's cut."""
        return trim_to_budget(self.messages, self.budget, self.model) if len(self.messages) > 1 else self.messages


class TravelBotWidget(ChatWidget):
    """The chat widget around a `TravelBot`, with a cost line beneath the pane."""

    def __init__(self, bot: TravelBot | None = None, notebook: str | None = None, **bot_options: Any) -> None:
        self.cost_line = widgets.HTML()
        super().__init__(chat=bot or TravelBot(**bot_options), notebook=notebook)
        self.children = (*self.children, self.cost_line)  # type: ignore[has-type]  # set by ipywidgets' VBox

    @property
    def bot(self) -> TravelBot:
        assert isinstance(self.chat, TravelBot)
        return self.chat

    def cost_text(self) -> str:
        return f"This conversation: {usd(self.bot.spent)} at list prices. Session meter: {meter.summary()}"

    def refresh(self) -> None:
        super().refresh()
        self.cost_line.value = f"<small>{self.cost_text()}</small>"
