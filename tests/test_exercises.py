"""Exercise checks hold to what the exercise asks, and their hints guide before they give the answer away."""
import io
import re
from contextlib import redirect_stdout
from types import SimpleNamespace

import pytest

from helpers.exercises import NOT_YET, Hints, lesson01, verdict


def _said(check, *args) -> tuple[bool, str]:
    printed = io.StringIO()
    with redirect_stdout(printed):
        passed = bool(check(*args))
    return passed, printed.getvalue().strip()


def test_a_hint_ladder_shows_one_more_step_each_time_the_same_check_fails():
    ladder = Hints("Look at usage.", "Two of its fields count tokens.", "Add prompt_tokens and completion_tokens.")
    shown = [_said(verdict, [(False, ladder)], "ok")[1] for _ in range(4)]
    assert [line.removeprefix(NOT_YET).strip().split(" (")[0] for line in shown] == [
        "Look at usage.", "Two of its fields count tokens.", "Add prompt_tokens and completion_tokens.",
        "Add prompt_tokens and completion_tokens."]
    assert "again" in shown[0] and "again" not in shown[-1], "a learner is told a further hint exists"


def test_a_pass_starts_the_ladder_again():
    ladder = Hints("First step.", "Second step.")
    _said(verdict, [(False, ladder)], "ok")
    _said(verdict, [(True, ladder)], "ok")
    assert "First step." in _said(verdict, [(False, ladder)], "ok")[1]


POEM_DEVELOPER = {"role": "developer", "content": "You write short poems."}


@pytest.mark.parametrize("question", ["Write a two-line poem about the sea.", "A poem about the sea in 2 lines, please",
                                      "Two lines of poetry on the sea"])
def test_exercise_1_of_lesson_01_takes_a_two_line_sea_poem_however_it_is_worded(question):
    assert _said(lesson01.check_messages, [POEM_DEVELOPER, {"role": "user", "content": question}])[0]


@pytest.mark.parametrize("question, hint", [
    ("Write a one-line poem about the sea.", "two lines"),
    ("Write a poem about the sea.", "two lines"),
    ("Write a two-line poem about the mountains.", "the sea"),
])
def test_exercise_1_of_lesson_01_refuses_what_it_did_not_ask_for(question, hint):
    passed, said = _said(lesson01.check_messages, [POEM_DEVELOPER, {"role": "user", "content": question}])
    assert not passed and hint in said


def test_exercise_1_of_lesson_01_wants_the_developer_message_to_ask_for_poems():
    passed, said = _said(lesson01.check_messages, [{"role": "developer", "content": "Be helpful."},
                                                   {"role": "user", "content": "Write a two-line poem about the sea."}])
    assert not passed and "poem" in said


def test_exercise_3_of_lesson_01_guides_before_it_gives_the_sum_away():
    poem = SimpleNamespace(usage=SimpleNamespace(prompt_tokens=25, completion_tokens=40, total_tokens=65))
    said = [_said(lesson01.check_total_tokens, poem, 0)[1] for _ in range(3)]
    assert "prompt_tokens" not in said[0] and "completion_tokens" not in said[0]
    assert "prompt_tokens + " in said[-1] or "prompt_tokens` and" in said[-1]
    passed, one_part = _said(lesson01.check_total_tokens, poem, 25)
    assert not passed and "one of the two" in one_part
    assert _said(lesson01.check_total_tokens, poem, 65)[0]


def test_exercise_3_of_lesson_01_sums_a_responses_usage_by_its_own_names():
    answer = SimpleNamespace(usage=SimpleNamespace(input_tokens=20, output_tokens=90, total_tokens=110))
    said = [_said(lesson01.check_total_tokens, answer, 0)[1] for _ in range(3)]
    assert "input_tokens" not in said[0] and "answer.usage.input_tokens + answer.usage.output_tokens" in said[-1]
    assert not _said(lesson01.check_total_tokens, answer, 90)[0]
    assert _said(lesson01.check_total_tokens, answer, 110)[0]


def _exercises():
    """(lesson, check name, exercise text) for every exercise of every lesson."""
    import re

    import nbformat

    from helpers.authoring import navigation

    found = []
    for path in navigation.lessons():
        nb = nbformat.read(path, as_version=4)
        task = ""
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "**Exercise" in cell.source:
                task = cell.source.split("**Exercise", 1)[1].split("**", 1)[1].strip()
            for name in re.findall(r"\blesson\w+\.(check_\w+)\(", cell.source if cell.cell_type == "code" else ""):
                found.append((path.stem, name, task))
    return found


def test_no_two_lessons_set_the_same_exercise():
    exercises = _exercises()
    for field, what in ((1, "check"), (2, "task")):
        owners: dict = {}
        for exercise in exercises:
            owners.setdefault(exercise[field], set()).add(exercise[0])
        shared = {key: lessons for key, lessons in owners.items() if len(lessons) > 1}
        assert not shared, f"the same {what} in several lessons: {shared}"


# --- the capstone's steps -----------------------------------------------------------------------------

def _capstone_replies():
    """The umbrella question's two recorded answers (lesson 12): a tool call, then the text."""
    import json

    from openai.types.chat import ChatCompletion

    from helpers import recordings

    data = recordings.read_file(recordings.recording_path("12_capstone"))
    bodies = [json.loads(json.dumps(i["response"]["body"]["json"])) for i in data["interactions"]
              if "umbrella in Porto" in json.dumps(i["request"]["body"]) and "json" in i["response"]["body"]]
    first, final = (ChatCompletion.model_validate(body) for body in bodies[:2])
    assert first.choices[0].message.tool_calls and final.choices[0].message.content
    return first, final


def _tool_reply(call):
    import json

    from helpers.widgets.travel_bot import get_weather

    return {"role": "tool", "tool_call_id": call.id, "content": json.dumps(get_weather(**json.loads(
        call.function.arguments)))}


def _reply_message(message):
    reply = {"role": "assistant", "content": message.content}
    if message.tool_calls:
        reply["tool_calls"] = [call.model_dump() for call in message.tool_calls]
    return reply


def _run_turn(history, question, send):
    history.append({"role": "user", "content": question})
    reply = send(history).choices[0].message
    while reply.tool_calls:
        history.append(_reply_message(reply))
        history.extend(_tool_reply(call) for call in reply.tool_calls)
        reply = send(history).choices[0].message
    history.append(_reply_message(reply))
    return reply.content


def test_the_capstone_steps_pass_a_working_bot_core():
    from helpers.exercises import lesson12

    first, final = _capstone_replies()
    assert _said(lesson12.check_tool_reply, _tool_reply)[0]
    assert _said(lesson12.check_reply_message, _reply_message, first, final)[0]
    assert _said(lesson12.check_run_turn, _run_turn, first, final)[0]


def test_the_capstone_steps_refuse_a_core_that_would_break_the_bot():
    from helpers.exercises import lesson12

    first, final = _capstone_replies()
    without_calls = _said(lesson12.check_reply_message, lambda m: {"role": "assistant", "content": m.content},
                          first, final)
    assert not without_calls[0] and "tool results that follow answer nothing" in without_calls[1]
    dumped = _said(lesson12.check_reply_message, lambda m: m.model_dump(), first, final)
    assert not dumped[0] and "only these fields" in dumped[1], "annotations, audio=None... are not request fields"

    def one_request(history, question, send):  # never runs the tool
        history.append({"role": "user", "content": question})
        return send(history).choices[0].message.content

    assert not _said(lesson12.check_run_turn, one_request, first, final)[0]

    def forgets_the_answer(history, question, send):
        text = _run_turn(history, question, send)
        history.pop()
        return text

    passed, said = _said(lesson12.check_run_turn, forgets_the_answer, first, final)
    assert not passed and "next turn" in said


def test_the_capstone_practice_is_five_steps_that_build_on_each_other():
    steps = [name for lesson, name, _ in _exercises() if lesson == "12_capstone"]
    assert steps == ["check_tool_reply", "check_reply_message", "check_run_turn", "check_tool_schema",
                     "check_turn_cost"]


def _first_hints_and_solutions():
    """(lesson, task, first hint shown, solution code) for every exercise, as the lessons are stored."""
    import nbformat

    from helpers.authoring import navigation

    found, task, hint = [], "", None
    for path in navigation.lessons():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown" and "**Exercise" in cell.source:
                task = cell.source
            if cell.cell_type == "code" and re.search(r"\blesson\w+\.check_\w+\(", cell.source):
                text = "".join(o.get("text", "") for o in cell.outputs)
                hint = next((line for line in text.splitlines() if line.startswith(NOT_YET)), None)
            solution = re.search(r"<summary>Solution</summary>.*?```python\n(.*?)```", cell.source, re.S)
            if cell.cell_type == "markdown" and solution and hint:
                found.append((path.stem, task, hint, solution.group(1)))
                hint = None
    return found


CHAIN = re.compile(r"[A-Za-z_]\w*(?:\[[^\]]*\])?(?:\.[A-Za-z_]\w*(?:\[[^\]]*\])?)+")


def _what_it_reads(solution: str) -> list[str]:
    """The attribute paths a solution reads, without the variable or module they start from:
    `len(enc.encode(text))` reads `encode`, `poem.usage.prompt_tokens` reads `usage.prompt_tokens`."""
    return [chain.split(".", 1)[1] for chain in CHAIN.findall(solution)]


def test_no_first_hint_hands_over_the_solution():
    """The hint a learner sees before trying anything names at most part of what the solution reads,
    unless the exercise's own text names it all already."""
    given_away = []
    for lesson, task, hint, solution in _first_hints_and_solutions():
        reads = _what_it_reads(solution)
        if (reads and sum(map(len, reads)) >= 12 and all(path in hint for path in reads)
                and not all(path in task for path in reads)):
            given_away.append((lesson, hint))
    assert not given_away, "\n".join(f"{lesson}: {hint}" for lesson, hint in given_away)
