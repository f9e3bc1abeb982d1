"""Mode selection, the banner, and the key never shown."""
import pytest

from helpers import modes

from tests.conftest import PLANTED_KEY


@pytest.mark.parametrize("environ, expected", [
    ({}, "offline"),
    ({"OPENAI_API_KEY": "  "}, "offline"),
    ({"OPENAI_API_KEY": PLANTED_KEY}, "live"),
    ({"OPENAI_API_KEY": PLANTED_KEY, "KIT_MODE": "offline"}, "offline"),
    ({"OPENAI_API_KEY": PLANTED_KEY, "KIT_MODE": "Record"}, "record"),
    ({"KIT_MODE": "live", "OPENAI_API_KEY": PLANTED_KEY}, "live"),
])
def test_mode_is_chosen_from_the_environment(environ, expected):
    assert modes.choose_mode(environ) == expected


def test_unknown_mode_is_refused_with_the_choices():
    with pytest.raises(modes.SetupError, match="offline, live, record"):
        modes.choose_mode({"KIT_MODE": "online"})


@pytest.mark.parametrize("mode", ["live", "record"])
def test_live_or_record_mode_without_a_key_says_what_to_do(mode):
    with pytest.raises(modes.SetupError, match=f"KIT_MODE={mode} needs a real key.*OPENAI_API_KEY"):
        modes.choose_mode({"KIT_MODE": mode})


def test_offline_banner_names_the_file_and_its_provenance(recordings_dir, capsys):
    modes.setup("01_missing_notebook")
    out = capsys.readouterr().out
    assert modes.current.mode == "offline"
    assert out.startswith("Offline mode: no recordings exist for this notebook yet")
    assert "01_missing_notebook.json" in out and "Set OPENAI_API_KEY to go live" in out


def test_offline_banner_for_a_real_lesson_says_the_recordings_are_synthesized(capsys):
    modes.setup("01_chat_completions")
    modes.teardown()
    out = capsys.readouterr().out
    assert "answers are replayed from data/recordings/01_chat_completions.json" in out
    assert "synthesized by the kit's stand-in server" in out


@pytest.mark.parametrize("mode", ["live", "record"])
def test_the_key_is_never_printed(mode, recordings_dir, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("KIT_MODE", mode)
    modes.setup("01_chat_completions")
    out, err = capsys.readouterr()
    assert f"{mode.capitalize()} mode" in out
    for text in (out, err, repr(modes.current)):
        assert PLANTED_KEY not in text and PLANTED_KEY[-8:] not in text


def test_live_banner_names_the_server_that_answers(monkeypatch, capsys):
    monkeypatch.delenv("KIT_MODE")
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    modes.setup("01_chat_completions")
    assert "requests go to http://127.0.0.1:11434/v1" in capsys.readouterr().out


@pytest.mark.parametrize("key, problem", [
    (" " + PLANTED_KEY, "spaces or quotes"),
    ('"' + PLANTED_KEY + '"', "spaces or quotes"),
    ("my-key-1234567890", "start with 'sk-'"),
])
def test_a_malformed_key_is_refused_before_any_request(key, problem, monkeypatch):
    monkeypatch.delenv("KIT_MODE")
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with pytest.raises(modes.SetupError, match=problem) as caught:
        modes.setup("01_chat_completions")
    assert key.strip(' "') not in str(caught.value)


def test_running_setup_again_offline_stays_offline(recordings_dir, monkeypatch, capsys):
    monkeypatch.delenv("KIT_MODE")
    modes.setup("01_missing_notebook")
    modes.setup("01_missing_notebook")  # the placeholder key set by the first run is not a real key
    assert modes.current.mode == "offline"


def test_offline_mode_sets_a_placeholder_key_so_the_sdk_can_start(recordings_dir):
    import os

    from openai import OpenAI

    modes.setup("01_missing_notebook")
    assert os.environ["OPENAI_API_KEY"] == modes.OFFLINE_PLACEHOLDER_KEY
    OpenAI()  # would raise "Missing credentials" without one
