"""Lessons 09-11: the stand-in behaviour they rely on, their recordings, and their exercise checks."""
import json

import openai
import pytest
from openai import OpenAI

from helpers.exercises import lesson09, lesson10, lesson11
from helpers.paths import RECORDINGS
from helpers.tokens import count_text


@pytest.fixture
def client(standin):
    return OpenAI(base_url=standin.url, api_key="sk-test", max_retries=0)


# --- the stand-in -------------------------------------------------------------------------------

def test_embedding_input_over_8192_tokens_is_refused_as_the_api_does(client):
    over = "spam " * 8192
    assert count_text(over, "text-embedding-3-small") == 8193
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model="text-embedding-3-small", input=over)
    assert caught.value.message.endswith("Invalid 'input': maximum context length is 8192 tokens.")
    assert (caught.value.code, caught.value.param) == (None, None)


def test_a_limit_on_one_input_of_a_list_refuses_the_whole_request(client):
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model="text-embedding-3-small", input=["short", "spam " * 9000])


# --- the recordings keep every attempt of the SDK's retries, in order --------------------------

def _statuses(notebook, text):
    data = json.loads((RECORDINGS / f"{notebook}.json").read_text())
    statuses = []
    for interaction in data["interactions"]:
        body = interaction["request"].get("body") or {}
        messages = body.get("messages") if isinstance(body, dict) else None
        if messages and messages[-1]["content"] == text:
            status = interaction["response"]["status"]
            statuses.append(status["code"] if isinstance(status, dict) else status)
    return statuses


@pytest.mark.parametrize("text, statuses", [
    ("Name the three primary colours of light.", [429, 200]),
    ("Summarise this week's release notes.", [500, 500, 500]),
    ("Translate 'thank you' into Portuguese.", [429]),
    ("Give me one tip for writing clear error messages.", [429, 429, 200]),
])
def test_lesson_09_recording_holds_each_attempt(text, statuses):
    assert _statuses("09_errors_and_retries", text) == statuses, (
        "resynthesize 09 with record mode sending repeated identical requests (SDK retries) to the stand-in")


# --- exercise checks: a solution passes, the starting cell does not ---------------------------

def test_lesson09_checks():
    def should_retry(err):
        if isinstance(err, openai.RateLimitError):
            return err.code != "insufficient_quota"
        return isinstance(err, (openai.InternalServerError, openai.APIConnectionError))

    assert lesson09.check_should_retry(should_retry)
    assert not lesson09.check_should_retry(lambda err: False)
    assert not lesson09.check_should_retry(lambda err: isinstance(err, openai.RateLimitError))
    client = OpenAI(api_key="sk-test")
    assert lesson09.check_overnight(client.with_options(timeout=120.0, max_retries=8), client)
    assert not lesson09.check_overnight(client, client)
    assert lesson09.check_backoff(lambda attempt: min(8.0, 0.5 * 2**attempt))
    assert not lesson09.check_backoff(lambda attempt: 0.5 * 2**attempt)


def test_lesson10_checks(client):
    poem = client.responses.create(model="gpt-6-luna", input="Write a two-line poem about rain.")
    assert lesson10.check_text(poem, poem.output_text)
    assert not lesson10.check_text(poem, None)
    question = {"role": "user", "content": lesson10.CAT_QUESTION}
    new = {"role": "user", "content": lesson10.NEW_QUESTION}
    first = client.responses.create(model="gpt-6-luna", input=[question])
    assert lesson10.check_history(first, [question, {"role": "assistant", "content": first.output_text}, new])
    assert lesson10.check_history(first, [question, *first.output, new])
    assert not lesson10.check_history(first, [question, new])
    assert lesson10.check_arguments({"model": "gpt-6-luna", "instructions": "You are a concise travel guide.",
                                     "input": "What should I see in Lisbon?"})
    assert not lesson10.check_arguments({"model": "gpt-6-luna"})


def test_lesson11_checks(client):
    assert lesson11.check_new_calls(dict(lesson11.NEW_CALLS))
    written_differently = {old: new.removeprefix("client.") + "()" for old, new in lesson11.NEW_CALLS.items()}
    assert lesson11.check_new_calls(written_differently)
    assert not lesson11.check_new_calls({old: "" for old in lesson11.NEW_CALLS})
    replacements = {"gpt-3.5-turbo": "gpt-6-luna", "gpt-4": "gpt-6-luna",
                    "text-davinci-003": "gpt-6-luna", "dall-e-3": "gpt-image-2"}
    assert lesson11.check_replacements(replacements)
    assert not lesson11.check_replacements({**replacements, "dall-e-3": "dall-e-2"})
    # gpt-3.5-turbo-instruct is shut down too (models.SHUT_DOWN), so it is no replacement any more
    assert not lesson11.check_replacements({**replacements, "text-davinci-003": "gpt-3.5-turbo-instruct"})
    response = client.chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "Hi"}])
    assert lesson11.check_attributes(response, response.choices[0].message.content, response.usage.prompt_tokens)
    assert not lesson11.check_attributes(response, None, None)


STANDIN_PICTURE = "**Offline, this is a stand-in picture.**"


@pytest.mark.parametrize("lesson", ["04b_images", "11_moving_old_code"])
def test_a_lesson_showing_a_synthesized_image_says_it_is_a_stand_in(lesson):
    """Where the recorded picture came from the stand-in, the lesson says so before it shows it; a
    picture captured live needs no note."""
    import nbformat

    from helpers import paths, recordings

    data = recordings.read_file(recordings.recording_path(lesson))
    images = [i for i in data["interactions"] if i["request"]["path"] == "/v1/images/generations"]
    assert images, f"{lesson} shows no generated image"
    synthesized = any(recordings.provenance_of(i["response"]) == recordings.SYNTHESIZED for i in images)
    nb = nbformat.read(paths.NOTEBOOKS / f"{lesson}.ipynb", as_version=4)
    shown = next(n for n, c in enumerate(nb.cells) if c.cell_type == "code" and "images.generate" in c.source)
    display = next(n for n, c in enumerate(nb.cells) if n >= shown and c.cell_type == "code" and "Image(" in c.source)
    noted = [n for n, c in enumerate(nb.cells) if c.cell_type == "markdown" and STANDIN_PICTURE in c.source]
    assert bool(noted) == synthesized
    if synthesized:
        assert any(n < display for n in noted) and display - max(n for n in noted if n < display) <= 2, \
            "the note stands just before the picture"
