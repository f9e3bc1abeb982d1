"""The miss message: where a request differs from the closest recorded one, and what to send instead."""
import json
import re

import pytest
from openai import OpenAI

from helpers import misses, modes, paths, recordings
from helpers.recordings import Sent


def a_recorded_question(notebook: str) -> dict:
    """A real chat request of the lesson's recording whose last message is the learner's question."""
    for interaction in recordings.read_file(paths.RECORDINGS / f"{notebook}.json")["interactions"]:
        body = interaction["request"].get("body")
        if (interaction["request"]["path"] == "/v1/chat/completions" and not body.get("stream")
                and interaction["response"]["status"]["code"] == 200 and body["messages"][-1]["role"] == "user"):
            return body
    raise AssertionError(f"{notebook} records no chat question")


@pytest.mark.parametrize("notebook", ["01_chat_completions", "02_parameters", "03_conversation_history"])
def test_a_changed_word_in_a_lessons_prompt_is_named_in_the_miss(notebook):
    body = a_recorded_question(notebook)
    question = body["messages"][-1]["content"]
    word = max(re.findall(r"[A-Za-z]{4,}", question), key=len)
    changed = {**body, "messages": body["messages"][:-1] + [
        {"role": "user", "content": question.replace(word, "Zanzibar", 1)}]}
    modes.setup(notebook)
    with pytest.raises(recordings.OfflineMiss) as caught:
        OpenAI().chat.completions.create(**changed)
    message = str(caught.value)
    last = len(body["messages"]) - 1
    assert f"    messages[{last}].content: " in message
    assert f"[-{word}-]{{+Zanzibar+}}" in message, message
    assert "marked [-recorded-]{+what you sent+}" in message
    offered = message.split("Recorded requests you can send instead (closest first):\n")[1]
    assert offered.splitlines()[0].endswith(f'"{misses._short(question)}"'), "the unchanged question is offered first"


def test_a_long_text_shows_the_change_in_context_never_two_equal_prefixes():
    text = ("I have a week in Portugal at the end of May and would like to know where to start, what to see "
            "and what to eat on my first evening in Lisbon.")
    line, = misses.differences({"input": text.replace("Lisbon", "Porto")}, {"input": text})
    assert line == "input: … on my first evening in [-Lisbon-]{+Porto+}."
    line, = misses.differences({"input": text.replace("May", "June")}, {"input": text})
    assert line == "input: … Portugal at the end of [-May-]{+June+} and would like to know …"


def test_two_long_values_that_part_late_are_shown_from_where_they_part():
    image = "data:image/png;base64," + "A" * 200
    line, = misses.differences({"url": image + "B"}, {"url": image + "C"})
    assert line == 'url: you sent …"AAAAAAAAAAAAB", recorded …"AAAAAAAAAAAAC"'


def test_changed_neighbouring_words_are_one_change():
    assert misses.word_diff("the capital of Italy", "the capital city of New Zealand") == \
        "the capital {+city+} of [-Italy-]{+New Zealand+}"
    assert misses.word_diff("You are a helpful assistant.", "Answer in one word.") == \
        "[-You are a helpful assistant-]{+Answer in one word+}."


@pytest.mark.parametrize("sent, recorded, line", [
    ({"temperature": 0.2}, {"temperature": 0.7}, "temperature: you sent 0.2, recorded 0.7"),
    ({"model": "gpt-6-sol"}, {"model": "gpt-6-luna"}, 'model: you sent "gpt-6-sol", recorded "gpt-6-luna"'),
    ({"stop": ["\n"]}, {}, 'stop: you sent ["\\n"], the recording has none'),
    ({}, {"max_tokens": 5}, "max_tokens: the recording has 5, you sent none"),
    ({"messages": [{"role": "user", "content": "Hi"}]}, {"messages": [{"role": "developer", "content": "Hi"}]},
     'messages[0].role: you sent "user", recorded "developer"'),
])
def test_a_parameter_shows_its_two_values(sent, recorded, line):
    assert misses.differences(sent, recorded) == [line]


def test_the_offered_requests_are_the_closest_distinct_ones_of_the_same_endpoint():
    def chat(text, model="gpt-6-luna"):
        return Sent("POST", "/v1/chat/completions", {"model": model, "messages": [{"role": "user", "content": text}]})

    recorded = [Sent("POST", "/v1/embeddings", {"model": "e", "input": "capital of Spain"}), chat("Capital of Peru?"),
                chat("What is the capital of Italy?"), chat("What is the capital of Italy?", "gpt-6-sol"),
                chat("Write a poem."), chat("Tell me a joke.")]
    offered = misses.offered(misses.ranked(recorded, chat("What is the capital of Spain?")))
    assert [index for index, _ in offered][:2] == [2, 1] and offered[2][0] in (4, 5)  # #4 repeats #3's text
    assert misses.text_of(recorded[0].body) == '"capital of Spain"'


def test_the_build_gives_authors_advice_instead_of_the_learners():
    message = misses.miss_message("data/recordings/x.json", [], Sent("POST", "/v1/embeddings", {"input": "hi"}))
    advice = misses.for_authors(message, "01_chat_completions", "data/standin/01_chat_completions.json")
    assert advice.startswith(message.split("\nWhat to do:")[0]) and "What to do" not in advice
    assert "--resynthesize" in advice and "data/standin/01_chat_completions.json" in advice


def test_lesson_01_shows_the_miss_of_a_changed_prompt_and_lesson_00_points_to_it():
    import nbformat

    lesson01 = nbformat.read(paths.NOTEBOOKS / "01_chat_completions.ipynb", as_version=4)
    examples = [cell for cell in lesson01.cells if "offline-miss" in cell.metadata.get("tags", [])]
    assert len(examples) == 1 and "raises-exception" in examples[0].metadata["tags"]
    error, = [output for output in examples[0].outputs if output.output_type == "error"]
    assert error.ename == "OfflineMiss"
    assert "messages[1].content: What is the capital of [-Italy-]{+Spain+}?" in error.evalue
    assert any(cell.source.startswith("### Change the prompt") for cell in lesson01.cells)
    recorded = json.dumps(recordings.recorded_requests("01_chat_completions"))
    assert "Spain" not in recorded, "the example's request stays out of the recording"
    assert f"```\nOfflineMiss: {error.evalue}\n```" in (paths.ROOT / "docs" / "troubleshooting.md").read_text(), \
        "troubleshooting.md shows lesson 01's miss as it is"
    lesson00 = nbformat.read(paths.NOTEBOOKS / "00_setup.ipynb", as_version=4)
    assert any("(lesson 01 has an example: [Change the prompt](01_chat_completions.ipynb#Change-the-prompt))"
               in " ".join(cell.source.split()) for cell in lesson00.cells)


def test_the_build_keeps_a_miss_examples_request_out_of_the_recording(tmp_path, monkeypatch):
    import nbformat
    from helpers.authoring import build

    example = nbformat.v4.new_code_cell("client.chat.completions.create(...)")
    example.metadata["tags"] = ["raises-exception", "offline-miss"]
    path = tmp_path / "01_chat_completions.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("setup()"), example]), path)
    ran = []
    monkeypatch.setattr(build, "run", lambda nb: ran.append([cell.source for cell in nb.cells]))
    build.synthesize(path)
    assert ran == [["setup()"]]


def test_a_miss_in_a_long_conversation_is_told_at_once():
    """Lesson 03's 20-turn conversation: ranking its recorded requests never diffs whole bodies."""
    import time

    body = max((r["body"] for r in recordings.recorded_requests("03_conversation_history")),
               key=lambda b: len(json.dumps(b)))
    changed = {**body, "messages": body["messages"][:-1] + [{"role": "user", "content": "And then?"}]}
    modes.setup("03_conversation_history")
    started = time.perf_counter()
    with pytest.raises(recordings.OfflineMiss):
        OpenAI().chat.completions.create(**changed)
    assert time.perf_counter() - started < 2.0  # diffing whole bodies took 25 s here
