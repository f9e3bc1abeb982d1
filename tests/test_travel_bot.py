"""The capstone's travel bot, driven headlessly: streaming, the tool round trip, trimming, cost and errors."""
import html
import json


from helpers import modes
from helpers.exercises import lesson12
from helpers.history import trim_to_budget
from helpers.prices import cost
from helpers.session import Session
from helpers.authoring.standin import StandIn
from helpers.tokens import count_messages, count_tools
from helpers.widgets.travel_bot import (TRAVEL_GUIDE, WEATHER_TOOL, TravelBot, TravelBotWidget, get_weather,
                                        run_tool_call)
from tests.conftest import chat_bodies, point_sdk_at

DEV = {"role": "developer", "content": TRAVEL_GUIDE}
HELLO = "Hi! I'm spending a long weekend in Lisbon next month. Where should I stay?"
WEATHER = "What's the weather like in Lisbon today?"
FARO = "Is it warmer down in Faro?"
LISBON = {"city": "Lisbon", "condition": "sunny", "high_c": 24, "low_c": 16, "rain_chance": 0.05}


def test_a_tool_question_makes_the_full_round_trip(live):
    bot = TravelBotWidget()
    bot.input.value = WEATHER
    bot.send_button.click()

    call = bot.messages[2]["tool_calls"][0]
    assert bot.messages == [
        DEV,
        {"role": "user", "content": WEATHER},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": call["id"], "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city":"Lisbon"}'}}]},
        {"role": "tool", "tool_call_id": call["id"], "content": json.dumps(LISBON)},
        {"role": "assistant",
         "content": "It's a sunny day in Lisbon: a high of 24°C, a low of 16°C and only a 5% chance of rain."},
    ]
    first, second = chat_bodies(live)
    assert first == {"model": "gpt-6-luna", "messages": bot.messages[:2], "tools": [WEATHER_TOOL],
                     "reasoning_effort": "none", "stream": True, "stream_options": {"include_usage": True}}
    assert second["messages"] == bot.messages[:4]
    assert ">tool result (" in bot.pane.value and "calls get_weather" in bot.pane.value
    assert "high of 24°C" in bot.pane.value


def test_the_reply_streams_into_the_pane(live):
    bot = TravelBotWidget()
    seen = []
    bot.pane.observe(lambda change: seen.append(change["new"]), names="value")
    bot.send(HELLO)
    partial = [value for value in seen if " …</div>" in value]
    assert len(partial) > 10  # one redraw per streamed piece
    assert "Stay in Baixa" in partial[-1] and "…" not in seen[-1]


def test_each_turn_is_priced_and_metered(live):
    bot = TravelBotWidget()
    turn = bot.send(WEATHER)
    assert len(turn.usages) == 2
    assert turn.cost == sum(cost("gpt-6-luna", u.prompt_tokens, u.completion_tokens) for u in turn.usages)
    assert bot.bot.spent == turn.cost
    # Each request's prompt: its messages (gpt-6-luna's reply primer is 2) and the weather tool's definition,
    # 45 tokens by the cookbook's formula: 12 + 7 + 11 ("get_weather:Today's ... Portugal") + 3 + 3 + 9.
    bodies = chat_bodies(live)
    assert count_tools([WEATHER_TOOL], "gpt-6-luna") == 45
    assert turn.prompt_tokens == sum(count_messages(body["messages"], "gpt-6-luna") + 45 for body in bodies)
    assert [u.completion_tokens_details.reasoning_tokens for u in turn.usages] == [0, 0]  # effort none
    assert "This conversation: $" in bot.cost_line.value and "Session meter:" in bot.cost_line.value
    assert lesson12.check_turn_cost(turn, turn.cost)


def test_requests_send_the_history_trimmed_to_the_budget(live):
    bot = TravelBot(budget=250)
    for text in (HELLO, WEATHER, FARO, "Which day trip would you do from Lisbon?"):
        assert bot.send(text).error is None
    last = chat_bodies(live)[-1]["messages"]
    assert last == trim_to_budget(bot.messages[:-1], 250) and count_messages(last) <= 250  # before the reply
    assert len(last) < len(bot.messages) and last[0] == DEV
    assert last[1]["role"] == "user"  # whole turns only: no orphaned tool result at the start


def test_an_api_error_is_shown_and_the_conversation_is_kept(live):
    bot = TravelBotWidget()
    bot.send(HELLO)
    before = list(bot.messages)
    bot.bot.model = "gpt-4"
    turn = bot.send("Any rainy-day ideas for Lisbon?")
    assert turn.error == ("The API answered with an error (404): "
                          "The model `gpt-4` does not exist or you do not have access to it.")
    assert bot.messages == before and bot.input.value == "Any rainy-day ideas for Lisbon?"
    assert "does not exist" in bot.pane.value


def test_an_error_after_the_tool_call_removes_the_whole_turn(tmp_path, monkeypatch):
    script = {"rules": [
        {"match": {"contains": '"city": "Porto"'}, "reply": {"status": 400, "error": {"message": "Too long."}}},
        {"match": {"contains": "Porto"},
         "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Porto"}}]}},
    ]}
    (tmp_path / "script.json").write_text(json.dumps(script))
    with StandIn(scripts_dir=tmp_path) as server:
        point_sdk_at(server, monkeypatch)
        bot = TravelBotWidget()
        turn = bot.send("Weather in Porto?")
    assert turn.error == "The API answered with an error (400): Too long." and turn.tool_calls
    assert bot.messages == [DEV] and bot.bot.partial == ""


def test_empty_input_is_refused_and_nothing_is_sent(live):
    bot = TravelBotWidget()
    bot.input.value = "  "
    bot.send_button.click()
    assert chat_bodies(live) == [] and bot.messages == [DEV]
    assert "Type a message first" in bot.pane.value


def test_a_message_too_long_for_the_budget_is_refused_with_a_message(live):
    bot = TravelBotWidget(budget=60)
    turn = bot.send("Tell me everything about Lisbon. " * 20)
    assert "cannot hold even the newest turn" in turn.error
    assert chat_bodies(live) == [] and bot.messages == [DEV]


def test_reset_forgets_the_conversation_and_its_cost(live):
    bot = TravelBotWidget()
    bot.send(HELLO)
    bot.reset_button.click()
    assert bot.messages == [DEV] and bot.bot.spent == 0.0


def test_tool_calls_that_cannot_run_answer_with_an_error_for_the_model():
    def call(name, arguments):
        return {"id": "c", "function": {"name": name, "arguments": arguments}}

    assert json.loads(run_tool_call(call("get_weather", '{"city": "lisbon"}'))) == LISBON
    assert json.loads(run_tool_call(call("get_weather", '{"city": '))) == {
        "error": "The arguments could not be used: Expecting value: line 1 column 10 (char 9)"}
    assert json.loads(run_tool_call(call("book_hotel", "{}"))) == {"error": "There is no tool called 'book_hotel'."}
    assert get_weather("Atlantis") == {
        "error": "No forecast for 'Atlantis'. Known cities: Lisbon, Porto, Faro, Sintra."}


def test_offline_it_replays_the_recorded_conversation_with_suggestions(monkeypatch):
    monkeypatch.setenv("KIT_REPLAY_PACE_MS", "0")
    modes.setup("12_capstone")
    bot = TravelBotWidget(notebook="12_capstone", budget=300)
    assert [value for _, value in bot.suggestion_list.options] == ["", HELLO]
    bot.send(HELLO)
    assert [value for _, value in bot.suggestion_list.options] == ["", WEATHER]
    turn = bot.send(WEATHER)
    assert turn.reply.startswith("It's a sunny day in Lisbon") and len(turn.tool_calls) == 1
    missed = bot.send("What about the Azores?")
    assert missed.missed and missed.error.startswith("Offline, only recorded messages have answers")
    assert bot.notice.endswith(
        f"Pick one from the Recorded list, or go live with your own key (lesson 00):\n  • {FARO}")
    for wire in ("POST", "/v1/", '"role"', "{", "tool_choice"):
        assert wire not in bot.notice
    assert "Offline mode is on" not in bot.pane.value and bot.notice in html.unescape(bot.pane.value)


def test_the_exercise_solutions_pass():
    assert lesson12.check_tool_reply(lambda call: {"role": "tool", "tool_call_id": call.id, "content": json.dumps(
        get_weather(**json.loads(call.function.arguments)))})
    schema = {"type": "function", "function": {
        "name": "get_museum_hours", "description": "Opening hours of a museum.",
        "parameters": {"type": "object", "properties": {"museum": {"type": "string"}}, "required": ["museum"]}}}
    assert lesson12.check_tool_schema(schema)
    assert not lesson12.check_tool_schema({})


def test_a_budget_guard_refusal_is_shown_in_the_pane(live, monkeypatch):
    from helpers.meter import meter

    monkeypatch.setattr(meter, "mode", meter.mode)  # restored afterwards, with the budget below
    meter.start("live")
    meter.set_budget(0.0)
    session = Session("12_capstone", "live", guards=[meter.check], listeners=[meter.record]).install()
    try:
        bot = TravelBotWidget()
        turn = bot.send(HELLO)
    finally:
        session.uninstall()
        meter.set_budget(None)
    assert turn.error.startswith("Budget guard: this call was not sent.")
    assert chat_bodies(live) == [] and bot.messages == [DEV] and "Budget guard" in bot.pane.value


def test_suggestions_skip_recorded_messages_the_budget_cannot_hold():
    bot = TravelBotWidget(notebook="12_capstone", budget=20)
    assert bot.suggestion_list.options == (("none recorded from here on: Reset starts the recorded conversation again",
                                             ""),)
    assert bot.suggestion_list.layout.display == "none", "at the start, Reset would not help: the list is hidden"
