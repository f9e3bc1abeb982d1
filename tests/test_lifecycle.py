"""Models and their shutdowns, as the installed openai package knows them: the kit fails before learners do."""
import importlib
import inspect
import re
import warnings
from datetime import date

import nbformat
import openai
import pytest
from openai import OpenAI

from helpers import lifecycle, models, modes, paths
from helpers.lifecycle import ShutDownModelWarning
from helpers.session import Session

# `model="..."` as an argument, or `"model": "..."` in a dict of request settings.
MODEL_IN_CODE = re.compile(r"""\bmodel\s*=\s*["']([^"']+)["']|["']model["']\s*:\s*["']([^"']+)["']""")
ASK = [{"role": "user", "content": "Which model are you?"}]


def test_every_kit_model_is_known_to_the_sdk_and_not_shut_down():
    today = date.today()
    problems = []
    for model in models.KIT_MODELS:
        if model not in lifecycle.known_models():
            problems.append(f"{model} is not in any model list of the installed openai package")
        when = lifecycle.shutdown_date(model)
        if when is not None and when <= today:
            problems.append(f"{model} was shut down on {when}")
    assert not problems, "Replace these in helpers/models.py (and the lessons): " + "; ".join(problems)


def test_the_kit_calls_shut_down_only_what_is():
    """A name in SHUT_DOWN has a past shutdown date, or the SDK dropped it from its types long ago."""
    for old, new in models.SHUT_DOWN.items():
        assert old not in lifecycle.known_models() or lifecycle.is_shut_down(old), old
        assert new in models.KIT_MODELS, f"{old} is replaced by {new}, which is not one of the kit's models"


def lesson_models() -> dict[str, set[str]]:
    """Each model name in the lessons' code cells, with the notebooks that use it."""
    found = {}
    for path in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                for match in MODEL_IN_CODE.finditer(cell.source):
                    found.setdefault(match.group(1) or match.group(2), set()).add(path.stem)
    return found


def test_lessons_use_only_the_kit_models_or_show_old_ones_failing():
    used = lesson_models()
    assert models.CHAT in used  # the scan finds the lessons' calls
    unknown = {name: sorted(where) for name, where in used.items()
               if name not in models.KIT_MODELS and name not in models.SHUT_DOWN}
    assert not unknown, ("Lessons use models that helpers/models.py does not list (use a KIT_MODELS one, or ask for "
                         f"the old name to be added to SHUT_DOWN with its replacement): {unknown}")


@pytest.mark.parametrize("model", ["gpt-4", "gpt-3.5-turbo"])
def test_the_sdk_notes_date_the_old_chat_models(model):
    assert lifecycle.shutdown_date(model) == date(2026, 10, 23)
    assert model in lifecycle.known_models() and model in lifecycle.chat_models()


def test_the_legacy_completions_model_is_dated_by_the_public_notice_where_the_sdk_is_silent():
    """gpt-3.5-turbo-instruct is in the completions model list, not ChatModel; the SDK's notes do not date it
    (the gpt-3.5-turbo note is not its own), OpenAI's notice does (helpers.models.INSTRUCT_NOTICE)."""
    assert models.INSTRUCT in lifecycle.known_models()
    assert models.INSTRUCT not in lifecycle.chat_models()
    sdk_notes = {}
    for module, _ in lifecycle.MODEL_TYPES:
        sdk_notes.update(lifecycle.parse_notes(inspect.getsource(importlib.import_module(module))))
    assert models.INSTRUCT not in sdk_notes
    assert lifecycle.shutdown_date(models.INSTRUCT) == date(2026, 9, 28) and lifecycle.is_shut_down(models.INSTRUCT)
    assert "so says OpenAI's notice" in lifecycle.shut_down_message(models.INSTRUCT)


def test_other_endpoints_models_and_both_note_styles_are_read():
    assert lifecycle.shutdown_date("dall-e-3") == date(2026, 5, 12)  # "This model was retired on May 12, 2026"
    assert lifecycle.shutdown_date("gpt-image-1") == date(2026, 10, 23)  # "was shut down on October 23, 2026"
    assert lifecycle.shutdown_date("whisper-1") == date(2027, 2, 26)  # announced, still served
    assert lifecycle.shutdown_date("o1-pro") == date(2026, 10, 23)  # a Responses-only model
    assert {models.EMBEDDING, models.MODERATION, models.TRANSCRIBE, models.SPEECH, models.IMAGE} \
        <= lifecycle.known_models()
    assert "gpt-6-luna-typo" not in lifecycle.known_models()


def test_the_parser_reads_wrapped_notes_and_skips_undated_ones():
    source = '''X = Literal["a-1"]
"""Deprecated values:

- "a-1", "a-2",
  "a-3": Announced shutdown
  date: 2026-10-23. See the page.
- "b-1": Not a supported model ID. Retained for SDK compatibility.
- "c-1": C 1 was shut down on October 23, 2026. Use c-2.5-small or
  c-2.5-large instead.
"""
'''
    notes = lifecycle.parse_notes(source)
    assert {name: note.date for name, note in notes.items()} == {
        "a-1": date(2026, 10, 23), "a-2": date(2026, 10, 23), "a-3": date(2026, 10, 23), "c-1": date(2026, 10, 23)}
    assert notes["c-1"].advice == "Use c-2.5-small or c-2.5-large instead."


def test_the_replacement_named_is_the_kits_choice_then_the_sdks_advice():
    assert lifecycle.replacement("gpt-4") == f"Use {models.CHAT} instead."
    assert lifecycle.replacement("dall-e-2") == f"Use {models.IMAGE} instead."
    assert lifecycle.replacement("o1-mini") == f"Use {models.CHAT} instead."  # any chat model: the current one
    assert lifecycle.replacement("gpt-image-1") == "Use gpt-image-2.5-sunburst or gpt-image-2.5-flare instead."


def test_a_shutdown_announced_for_later_is_not_a_shutdown_yet():
    assert not lifecycle.is_shut_down("gpt-4", today=date(2026, 10, 22))
    assert lifecycle.is_shut_down("gpt-4", today=date(2026, 10, 23))


# --- the warning, before the request is sent -----------------------------------------------------------

@pytest.fixture
def watched(standin, monkeypatch):
    """Live mode against the stand-in, with only the shut-down warning as the session's guard."""
    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-kit-test")
    lifecycle.install()
    session = Session("watched", "live", guards=[lifecycle.warn_if_shut_down]).install()
    yield standin
    session.uninstall()


def shut_down_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ShutDownModelWarning)]


def test_a_shut_down_model_is_warned_about_then_sent_and_the_api_answers(watched):
    with pytest.warns(ShutDownModelWarning) as caught, pytest.raises(openai.NotFoundError):
        OpenAI(max_retries=0).chat.completions.create(model="gpt-4", messages=ASK)
    (warning,) = [w for w in caught if w.category is ShutDownModelWarning]
    assert str(warning.message) == (
        "The model gpt-4 was shut down on 2026-10-23 (so says the installed openai package), so the API will "
        "answer this request with 404 model_not_found. Use gpt-6-luna instead. (This warning is the kit's: "
        "the openai package itself sends the request without one.)")
    assert warning.filename == __file__, "the warning points at the learner's own line, not the SDK's insides"
    assert [r.json["model"] for r in watched.requests] == ["gpt-4"], "warned, not blocked"


@pytest.mark.parametrize("call", [
    lambda client: client.chat.completions.create(model=models.CHAT, messages=ASK),
    lambda client: client.chat.completions.create(model=models.CHAT_LARGER, messages=ASK),
    lambda client: client.embeddings.create(model=models.EMBEDDING, input="hi"),
])
def test_current_models_are_not_warned_about(watched, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(OpenAI(max_retries=0))
    assert shut_down_warnings(caught) == []


def send_an_old_model() -> list[str]:
    """The shut-down warnings one gpt-4 request gets, and the API's 404 after them."""
    with warnings.catch_warnings(record=True) as caught, pytest.raises(openai.NotFoundError):
        warnings.simplefilter("always")
        OpenAI(max_retries=0).chat.completions.create(model="gpt-4", messages=ASK)
    return shut_down_warnings(caught)


def test_setup_installs_the_warning_in_record_and_offline_mode(recordings_dir, standin, monkeypatch):
    monkeypatch.setenv("KIT_MODE", "record")  # the stand-in answers gpt-4 with the API's 404
    monkeypatch.setenv("OPENAI_API_KEY", "sk-kit-test")
    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    modes.setup("old_model")
    assert len(send_an_old_model()) == 1
    modes.teardown()
    monkeypatch.setenv("KIT_MODE", "offline")
    modes.setup("old_model")
    (warning,) = send_an_old_model()
    assert "Use gpt-6-luna instead" in warning
    assert len(standin.requests) == 1, "offline, the recorded 404 was replayed"
