"""The history strategies of lesson 03: exact outputs, the input left alone, clear refusals."""
import openai
import pytest

from helpers import history
from helpers.history import HistoryError
from helpers.tokens import count_messages

DEV = {"role": "developer", "content": "You are a travel guide."}
MODEL = "gpt-6-luna"  # the model trim_to_budget and summarise_older count and call for by default


def turn(n):
    return [{"role": "user", "content": f"question {n}"}, {"role": "assistant", "content": f"answer {n}"}]


def conversation(turns=4):
    return [DEV] + [m for n in range(1, turns + 1) for m in turn(n)]


def test_keep_last_turns_keeps_the_developer_message_and_whole_turns():
    assert history.keep_last_turns(conversation(4), 2) == [DEV, *turn(3), *turn(4)]
    assert history.keep_last_turns(conversation(2), 5) == conversation(2)


def test_a_turn_includes_tool_calls_and_results():
    call = {"role": "assistant", "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
    result = {"role": "tool", "tool_call_id": "call_1", "content": "42"}
    messages = [DEV, *turn(1), {"role": "user", "content": "q2"}, call, result, {"role": "assistant", "content": "a2"}]
    assert history.keep_last_turns(messages, 1) == [DEV, {"role": "user", "content": "q2"}, call, result,
                                                    {"role": "assistant", "content": "a2"}]


def test_strategies_never_change_the_list_they_are_given():
    messages = conversation(4)
    before = [dict(m) for m in messages]
    history.keep_last_turns(messages, 1)
    history.trim_to_budget(messages, 40)
    assert messages == before


def test_trim_to_budget_keeps_the_newest_turns_that_fit():
    messages = conversation(4)
    two_turns = count_messages([DEV, *turn(3), *turn(4)], MODEL)
    assert history.trim_to_budget(messages, two_turns) == [DEV, *turn(3), *turn(4)]
    assert history.trim_to_budget(messages, two_turns - 1) == [DEV, *turn(4)]
    assert history.trim_to_budget(messages, 10_000) == messages


def test_trim_to_budget_refuses_a_budget_smaller_than_the_developer_message():
    expected = r"budget of 5 tokens is smaller than the developer message alone \(12 tokens\)"
    with pytest.raises(HistoryError, match=expected):
        history.trim_to_budget(conversation(2), 5)


def test_trim_to_budget_refuses_a_budget_that_cannot_hold_the_newest_turn():
    with pytest.raises(HistoryError, match="cannot hold even the newest turn"):
        history.trim_to_budget(conversation(2), 15)


@pytest.mark.parametrize("bad, message", [
    ([], "The history is empty"),
    (None, "The history is empty"),
    ([DEV], "has no user turn"),
    ([DEV, {"role": "assistant", "content": "hi"}], "has no user turn"),
    ([DEV, "hello"], "Message 2 is str, not a dict"),
])
def test_bad_histories_get_a_clear_message(bad, message):
    for strategy in (lambda m: history.keep_last_turns(m, 2), lambda m: history.trim_to_budget(m, 100),
                     lambda m: history.summarise_older(m, client=None)):
        with pytest.raises(HistoryError, match=message):
            strategy(bad)


@pytest.mark.parametrize("n", [0, -1, 1.5, "2"])
def test_a_turn_count_below_one_is_refused(n):
    with pytest.raises(HistoryError, match="Keep at least 1 turn"):
        history.keep_last_turns(conversation(2), n)


def test_transcript_names_roles_and_tool_calls():
    call = {"role": "assistant", "content": None,
            "tool_calls": [{"id": "c", "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Porto"}'}}]}
    assert history.transcript([*turn(1), call]) == (
        'user: question 1\nassistant: answer 1\nassistant: [called get_weather({"city": "Porto"})]')


def test_summarise_older_replaces_older_turns_by_one_summary(standin, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-kit-test")
    client = openai.OpenAI(base_url=standin.url)
    usages = []
    summarised = history.summarise_older(conversation(4), client, keep_turns=2, usages=usages)
    assert summarised[0] == DEV and summarised[2:] == [*turn(3), *turn(4)]
    assert summarised[1]["role"] == "developer"
    assert summarised[1]["content"].startswith(history.SUMMARY_PREFIX)
    sent = standin.requests[-1].json
    assert sent["messages"] == [{"role": "user", "content": "user: question 1\nassistant: answer 1\n"
                                 "user: question 2\nassistant: answer 2\n\n" + history.SUMMARY_REQUEST}]
    assert sent["model"] == MODEL and usages[0].prompt_tokens == count_messages(sent["messages"], MODEL)

    # A second summary folds the first one in: there is only ever one.
    again = history.summarise_older(summarised + turn(5), client, keep_turns=1)
    assert [m["role"] for m in again] == ["developer", "developer", "user", "assistant"]
    assert standin.requests[-1].json["messages"][0]["content"].startswith(
        "developer: " + summarised[1]["content"] + "\nuser: question 3")


def test_summarise_older_makes_no_call_when_nothing_is_old(standin):
    assert history.summarise_older(conversation(2), client=None, keep_turns=2) == conversation(2)


def test_the_lesson_03_exercise_solutions_pass():
    from helpers.exercises import lesson03

    first = [DEV, {"role": "user", "content": "question"}]
    assert lesson03.check_continued(first + [{"role": "assistant", "content": "reply"},
                                             {"role": "user", "content": "and then?"}], "question", "reply")
    assert not lesson03.check_continued(first, "question", "reply")

    def keep_last_messages(messages, n):
        instructions = [m for m in messages if m["role"] in ("developer", "system")]
        others = [m for m in messages if m["role"] not in ("developer", "system")]
        return instructions + others[-n:]

    assert lesson03.check_keep_last_messages(keep_last_messages)
    assert not lesson03.check_keep_last_messages(lambda messages, n: messages)
    kept = history.keep_last_turns(conversation(4), 1)
    assert lesson03.check_saved(count_messages(conversation(4)) - count_messages(kept), conversation(4), kept)


def test_the_defaults_lesson_03_prints_are_the_kits_chat_model():
    """history.py spells the model out, because lesson 03 prints these functions for learners to read."""
    import inspect

    from helpers import models

    for function in (history.trim_to_budget, history.summarise_older):
        assert inspect.signature(function).parameters["model"].default == models.CHAT
