"""The model catalogue (helpers.models) and what it says the API refuses (helpers.refusals).

The stand-in server refuses what the catalogue says the live API refuses, with the API's own words,
and no recording holds a success the live API would refuse: a refusal is recorded only where a
lesson cell teaches exactly that refusal.
"""
import json
import re
from dataclasses import fields

import nbformat
import openai
import pytest
from openai import OpenAI

from helpers import lifecycle, models, paths, refusals
from helpers.refusals import refusal

from .test_lifecycle import lesson_models

CHAT_PATH, RESPONSES_PATH, COMPLETIONS_PATH = "/v1/chat/completions", "/v1/responses", "/v1/completions"
HI = [{"role": "user", "content": "Say hi."}]
WEATHER = [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city.",
                                              "parameters": {"type": "object", "properties": {
                                                  "city": {"type": "string", "description": "A city"}}}}}]


# --- the catalogue ------------------------------------------------------------------------------

def all_facts():
    for entry in models.CATALOGUE.values():
        yield from ((entry.name, fact) for fact in entry.facts)
    yield from (("(the API)", fact) for fact in models.GENERAL_FACTS)


def test_every_fact_has_a_source_that_says_something():
    facts = list(all_facts())
    assert len(facts) > 20
    for name, fact in facts:
        assert fact.sources, f"{name}: {fact.text!r} has no source"
        for source in fact.sources:
            assert len(source.where) > 10 and len(source.says) > 20, (name, source)
            assert source.kind in ("capture", "docs", "notice", "sdk", "spec", "inference"), source


def test_captures_name_a_repository_and_number_or_say_why_not():
    for _, fact in all_facts():
        for source in fact.sources:
            if source.kind == "capture":
                assert re.search(r"[\w.-]+/[\w.-]+(#\d+| \S+\.\w+)|repository not named|search corpus",
                                 source.where), source


def test_every_model_a_lesson_calls_is_in_the_catalogue_or_shut_down():
    for name in lesson_models():
        assert models.model(name) is not None or name in models.SHUT_DOWN, name
    for name in models.KIT_MODELS:
        assert models.model(name) is not None, f"{name} is a kit model with no catalogue entry"


def test_reasoning_models_say_how_they_reason():
    for entry in models.CATALOGUE.values():
        if entry.reasons:
            assert entry.default_effort in entry.efforts["chat"] or entry.default_effort == "medium", entry.name
            assert set(entry.efforts["chat"]) <= set(entry.efforts["responses"]), entry.name
            assert "minimal" not in entry.efforts["chat"], entry.name
        else:
            assert not entry.efforts and entry.default_effort is None, entry.name


def test_a_dated_snapshot_name_finds_its_alias():
    assert models.model("gpt-5.4-mini-2026-03-17") is models.CATALOGUE["gpt-5.4-mini"]
    assert models.model("gpt-6-luna-typo") is None


def test_public_notices_fill_the_sdks_silence_on_the_last_completions_models():
    for name in (models.INSTRUCT, "davinci-002", "babbage-002"):
        assert lifecycle.shutdown_date(name).isoformat() == "2026-09-28"
        assert lifecycle.shutdowns()[name].said_by == lifecycle.NOTICE
    assert lifecycle.shutdowns()["gpt-4"].said_by == lifecycle.SDK


# --- what the API refuses -----------------------------------------------------------------------

REFUSED = [
    # (path, body, status, code, start of the message)
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "temperature": 0.7}, 400, "unsupported_value",
     "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported."),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "top_p": 0.1}, 400, "unsupported_parameter",
     "Unsupported parameter: 'top_p' is not supported with this model."),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "stop": ["\n"], "reasoning_effort": "low"}, 400,
     "unsupported_parameter", "Unsupported parameter: 'stop' is not supported with this model."),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "logprobs": True}, 400, "unsupported_parameter",
     "Unsupported parameter: 'logprobs'"),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "seed": 42}, 400, "unsupported_parameter",
     "Unsupported parameter: 'seed'"),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "presence_penalty": 1.5}, 400, "unsupported_parameter",
     "Unsupported parameter: 'presence_penalty'"),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "tools": WEATHER}, 400, None,
     "Function tools with reasoning_effort are not supported for gpt-6-luna in /v1/chat/completions. To use "
     "function tools, use /v1/responses or set reasoning_effort to 'none'."),
    (CHAT_PATH, {"model": models.CHAT_LARGER, "messages": HI, "tools": WEATHER, "reasoning_effort": "low"}, 400, None,
     "Function tools with reasoning_effort are not supported for gpt-5.4-mini in /v1/chat/completions. Please use "
     "/v1/responses instead."),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "max_tokens": 12, "reasoning_effort": "none"}, 400,
     "unsupported_parameter", "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
     "'max_completion_tokens' instead."),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "reasoning_effort": "max"}, 400, "unsupported_value",
     "Unsupported value: 'reasoning_effort' does not support 'max' with this model. Supported values are: 'none', "
     "'low', 'medium', 'high', and 'xhigh'."),
    (CHAT_PATH, {"model": "gpt-6-astra", "messages": HI, "reasoning_effort": "none"}, 400, "unsupported_value",
     "Unsupported value: 'reasoning_effort' does not support 'none' with this model. Supported values are: 'low', "
     "'medium', 'high', and 'xhigh'."),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "temperature": 3, "reasoning_effort": "none"}, 400,
     "decimal_above_max_value",
     "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead."),
    (CHAT_PATH, {"model": "gpt-4", "messages": HI}, 404, "model_not_found",
     "The model `gpt-4` does not exist or you do not have access to it."),
    (COMPLETIONS_PATH, {"model": models.INSTRUCT, "prompt": "Say hi"}, 404, "model_not_found",
     "The model `gpt-3.5-turbo-instruct` does not exist or you do not have access to it."),
    (COMPLETIONS_PATH, {"model": models.CHAT, "prompt": "Say hi"}, 404, None,
     "This is a chat model and not supported in the v1/completions endpoint. Did you mean to use "
     "v1/chat/completions?"),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "temperature": 0.2}, 400, None,
     "Unsupported parameter: 'temperature' is not supported with this model."),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "reasoning": {"effort": "minimal"}}, 400,
     "unsupported_value", "Unsupported value: 'minimal' is not supported with the 'gpt-6-luna' model. Supported "
     "values are: 'none', 'low', 'medium', 'high', 'xhigh', and 'max'."),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "max_output_tokens": 8}, 400, "integer_below_min_value",
     "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 8 instead."),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "tool_choice": "required",
                      "tools": [{"type": "file_search", "vector_store_ids": ["vs_1"]}]}, 400, None,
     "Tool choices other than 'auto' are not supported with model 'gpt-6-luna' and the following tool types: "
     "'file_search'."),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "reasoning_effort": "low"}, 400, "unsupported_parameter",
     "Unsupported parameter: 'reasoning_effort'. In the Responses API, this parameter has moved to "
     "'reasoning.effort'. Try again with the new parameter. See the API documentation for more information: "
     "https://platform.openai.com/docs/api-reference/responses/create."),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "response_format": {"type": "json_object"}}, 400,
     "unsupported_parameter", "Unsupported parameter: 'response_format'. In the Responses API, this parameter has "
     "moved to 'text.format'. Try again with the new parameter."),
]
ACCEPTED = [
    (CHAT_PATH, {"model": models.CHAT, "messages": HI}),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "temperature": 1}),  # the default is not refused
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "reasoning_effort": "none", "temperature": 0.7, "top_p": 0.5,
                 "logprobs": True, "top_logprobs": 5, "stop": ["\n"], "seed": 1, "presence_penalty": 1.5}),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "tools": WEATHER, "reasoning_effort": "none"}),
    (CHAT_PATH, {"model": models.CHAT, "messages": HI, "verbosity": "low", "max_completion_tokens": 400}),
    (CHAT_PATH, {"model": models.CHAT_LARGER, "messages": HI, "tools": WEATHER, "temperature": 0.5}),  # default none
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "tools": [{"type": "function", "name": "get_weather"}]}),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "reasoning": {"effort": "none"}, "temperature": 0.2}),
    (RESPONSES_PATH, {"model": models.CHAT, "input": "hi", "reasoning": {"effort": "max"}, "max_output_tokens": 16}),
    ("/v1/embeddings", {"model": models.EMBEDDING, "input": "hi"}),
]


@pytest.mark.parametrize(("path", "body", "status", "code", "message"), REFUSED,
                         ids=[f"{p.rsplit('/', 1)[1]}-{'-'.join(sorted(set(b) - {'model', 'messages', 'input'}))}"
                              f"-{b['model']}" for p, b, *_ in REFUSED])
def test_the_catalogue_refuses_as_the_api_does_and_so_does_the_stand_in(standin, path, body, status, code, message):
    found = refusal(path, body)
    assert found is not None and (found.status, found.code) == (status, code)
    if "has moved to" in message:
        assert found.param is None, "the API names no param for a parameter that moved (OpenHands#755)"
    named = [v for module in (models, refusals) for v in vars(module).values() if isinstance(v, models.Source)]
    assert found.message.startswith(message) and found.source in named, "each refusal cites a named source"
    client = OpenAI(base_url=standin.url, api_key="sk-kit-test", max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        client.post(path.removeprefix("/v1"), body=body, cast_to=object)
    assert caught.value.status_code == status
    assert caught.value.body == found.body()["error"], "the stand-in answers with the catalogue's words"


@pytest.mark.parametrize(("path", "body"), ACCEPTED, ids=[str(i) for i in range(len(ACCEPTED))])
def test_what_the_catalogue_accepts_the_stand_in_answers(standin, path, body):
    assert refusal(path, body) is None
    client = OpenAI(base_url=standin.url, api_key="sk-kit-test", max_retries=0)
    assert client.post(path.removeprefix("/v1"), body=body, cast_to=object)["model"] == body["model"]


def test_refusal_fields_are_the_error_objects_fields():
    assert [f.name for f in fields(refusals.Refusal)] == ["status", "message", "param", "code", "source", "type"]
    assert set(REFUSED[0][1]) <= {"model", "messages", "temperature"}


# --- the recordings and the lessons -------------------------------------------------------------

def recorded_refusals():
    """(notebook, the recorded interaction, the catalogue's refusal) for every request it refuses."""
    for path in sorted(paths.RECORDINGS.glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            request = interaction["request"]
            found = refusal(request["path"], request.get("body"))
            if found is not None:
                yield path.stem, interaction, found


def test_no_recording_holds_a_success_the_api_would_refuse():
    checked = 0
    for notebook, interaction, found in recorded_refusals():
        checked += 1
        response = interaction["response"]
        assert response["status"]["code"] == found.status, (
            f"{notebook}: {interaction['request']} is recorded as {response['status']['code']}, but the live API "
            f"answers {found.status}: {found.message}")
        assert response["body"]["json"] == found.body(), f"{notebook}: the recorded error is not the API's words"
    assert checked >= 10, "the lessons teach these refusals"


def _shown_outputs(notebook: str) -> str:
    """What the lesson's stored outputs show: printed text, results and errors (nbval fails an error in a
    cell that is not tagged to expect one, so an error here is one the lesson means to show)."""
    nb = nbformat.read(paths.NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            texts.append(output.get("evalue", "") + "".join(output.get("text", ""))
                         + "".join((output.get("data") or {}).get("text/plain", "")))
    return "\n".join(texts)


def test_a_refusal_is_recorded_only_where_a_lesson_cell_teaches_it():
    for notebook, _, found in recorded_refusals():
        shown = _shown_outputs(notebook)
        assert found.message in shown or (found.code and found.code in shown), (
            f"{notebook} records the refusal {found.message!r}, but no cell shows it to the learner")


def test_lesson_02_teaches_the_reasoning_refusal_and_the_way_around_it():
    nb = nbformat.read(paths.NOTEBOOKS / "02_parameters.ipynb", as_version=4)
    sampling = [c for c in nb.cells if c.cell_type == "code" and "temperature=" in c.source
                and "raises-exception" not in c.metadata.get("tags", [])]
    assert sampling and all('reasoning_effort="none"' in c.source for c in sampling)
    assert "Only the default (1) value is supported." in _shown_outputs("02_parameters")


# --- every model the kit names, wherever it names it ----------------------------------------------

# A model's name as lessons, recordings and data spell it (OpenAI's naming: gpt-..., o-series, the older names).
MODEL_NAME = re.compile(r"(?<![\w./-])(?:gpt-(?:\d[\w.]*|image|transcribe|4o)(?:-[\w.]+)*|o[134](?:-mini|-pro)?"
                        r"|chatgpt-4o-latest|text-embedding-[\w-]+|text-davinci-\d+|dall-e-\d|whisper-1"
                        r"|tts-1(?:-hd)?|davinci-002|babbage-002|omni-moderation-[\w-]+|text-moderation-[\w-]+)"
                        r"(?![\w-])")
RETRIEVE = re.compile(r"models\.retrieve\(\s*[\"']([^\"']+)[\"']")


def _named(text: str) -> set[str]:
    return {name.rstrip(".") for name in MODEL_NAME.findall(text)} | set(RETRIEVE.findall(text))


def named_models() -> dict[str, set[str]]:
    """Each model name a lesson (code or prose), recording, batch file, exercise, widget or data file names,
    with where: what the lessons send and what they tell a learner about."""
    from agents.models.default_models import get_default_model

    found: dict[str, set[str]] = {}

    def add(names, where):
        for name in names:
            found.setdefault(name, set()).add(where)

    for path in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            add(_named(cell.source), path.stem)
            if cell.cell_type == "code" and re.search(r"\bAgent\(", cell.source) and "model=" not in cell.source:
                add({get_default_model()}, f"{path.stem} (the Agents SDK's default model)")
    for path in sorted(paths.RECORDINGS.glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            body = interaction["request"].get("body")
            if isinstance(body, dict) and isinstance(body.get("model"), str):
                add({body["model"]}, path.name)
    for blob in sorted((paths.RECORDINGS / "blobs").glob("*")):
        if blob.read_bytes()[:1] == b"{":  # a JSONL answer: a batch's output file
            for line in blob.read_text(encoding="utf-8").splitlines():
                request = json.loads(line).get("response", {}).get("body", {})
                add({request["model"]} if isinstance(request.get("model"), str) else set(), f"blob {blob.name}")
    data = [p for p in paths.ROOT.joinpath("data").rglob("*") if p.suffix in (".json", ".jsonl", ".md")
            and paths.RECORDINGS not in p.parents]
    modules = sorted(paths.ROOT.joinpath("helpers").glob("exercises/*.py")) \
        + sorted(paths.ROOT.joinpath("helpers").glob("widgets/*.py"))
    for path in data + modules:
        add(_named(path.read_text(encoding="utf-8")), str(path.relative_to(paths.ROOT)))
    return found


def test_every_model_the_kit_names_anywhere_is_in_the_catalogue():
    """Not only `model="..."` in code: prose, recordings, batch lines, data files, exercises, widgets and the
    Agents SDK's default. The names helpers.models lists as family prefixes (`startswith(("gpt-6",))`) are
    not models."""
    named = named_models()
    assert {models.CHAT, models.EMBEDDING, "gpt-4o-mini-tts"} <= set(named), "the scan finds the lessons' models"
    missing = {name: sorted(where) for name, where in named.items()
               if models.model(name) is None and name not in models.SHUT_DOWN and name not in models.FAMILY_PREFIXES}
    assert not missing, f"models the kit names that helpers/models.py does not list: {missing}"
    for prefix in models.FAMILY_PREFIXES:
        begun = [name for name in models.CATALOGUE if name.startswith((prefix + "-", prefix + "."))]
        assert begun, f"{prefix} begins no catalogued model"


# --- docs/model-facts.md: what each lesson's recorded answers rest on ------------------------------

# (lesson, what its learner sees): each behaviour of the later lessons the page must list with its fact.
SHOWN_BEHAVIOURS = [
    ("04f_vision", "image tokens in usage"),
    ("05b_prompt_caching", "cached and cache-write tokens in usage"),
    ("10_responses_api", "earlier turns read from previous_response_id"),
    ("10_responses_api", "an answer cut short by max_output_tokens"),
    ("10c_responses_tools", "the reasoning item sent back with its function call"),
    ("14_file_search", "the file_search tool accepted"),
    ("14_file_search", "file_search_call items and file_citation annotations"),
    ("14_file_search", "a PDF read from an input_file part"),
    ("15_batch", "a batch of requests run from a JSONL file"),
    ("15_batch", "batch lines: reasoning tokens in usage"),
    ("17_async", "rate-limit headers on every answer"),
    ("18_agents_and_next", "the reasoning item sent back with its function call"),
]


@pytest.mark.parametrize(("lesson", "label"), SHOWN_BEHAVIOURS, ids=[f"{a}-{b[:24]}" for a, b in SHOWN_BEHAVIOURS])
def test_the_fact_page_lists_what_the_later_lessons_show(lesson, label):
    from helpers.authoring import factsheet

    seen = factsheet.lesson_dependencies()[lesson]
    assert label in seen, f"{lesson}: docs/model-facts.md does not say what {label!r} rests on; it lists {sorted(seen)}"
    count, fact = seen[label]
    assert count >= 1 and (fact.sources if isinstance(fact, models.Fact) else fact.source)


def test_a_lesson_that_teaches_caching_sends_a_prompt_cache_key_with_each_cache_read():
    """OpenAI's guide: on GPT-5.6 and later a request needs prompt_cache_key for the breakpoint matching the
    stand-in plays (helpers.models.CACHE_KEY); without one a hit may come, but is not to be counted on. So the
    lesson that teaches caching (its code marks breakpoints) shows its reads with a key."""
    teaching = [path for path in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))
                if "prompt_cache_breakpoint" in path.read_text(encoding="utf-8")]
    assert teaching, "a lesson teaches prompt caching"
    reads = []
    for path in [paths.RECORDINGS / f"{notebook.stem}.json" for notebook in teaching]:
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            body = interaction["request"].get("body")
            usage = ((interaction["response"].get("body") or {}).get("json") or {}).get("usage") or {}
            details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
            entry = models.model(str((body or {}).get("model", "")))
            if details.get("cached_tokens") and entry and entry.family in ("gpt-6", "gpt-5.6"):
                reads.append((path.stem, bool(body.get("prompt_cache_key"))))
    assert reads, "the lessons show cache reads"
    assert all(keyed for _, keyed in reads), sorted({stem for stem, keyed in reads if not keyed})


def test_no_recording_sends_a_function_call_back_without_its_reasoning_item():
    """The stateful refusal the stand-in plays (helpers.models.FUNCTION_CALL_NEEDS_REASONING), walked over the
    recordings in order: each function_call sent back by id comes with the reasoning item before it."""
    checked = 0
    for path in sorted(paths.RECORDINGS.glob("*.json")):
        before: dict[str, str] = {}
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            body = interaction["request"].get("body")
            items = body.get("input") if isinstance(body, dict) and isinstance(body.get("input"), list) else []
            given = {item.get("id") for item in items if isinstance(item, dict) and item.get("type") == "reasoning"}
            for item in items:
                if isinstance(item, dict) and item.get("type") == "function_call" and item.get("id") in before:
                    checked += 1
                    assert before[item["id"]] in given, f"{path.stem}: {item['id']} sent without its reasoning item"
            output = (((interaction["response"].get("body") or {}).get("json") or {}).get("output") or [])
            for first, second in zip(output, output[1:], strict=False):
                if first.get("type") == "reasoning" and second.get("type") == "function_call":
                    before[second["id"]] = first["id"]
    assert checked >= 2, "lessons 10c and 18 send calls back"
