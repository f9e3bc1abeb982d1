"""Errors in a lesson read the way a beginner can follow them (helpers/tracebacks.py), in a real IPython shell."""
from __future__ import annotations

import re

import pytest
from IPython.core.interactiveshell import InteractiveShell

from helpers import tracebacks
from helpers.modes import KIT_ERRORS, SetupError

ANSI = re.compile(r"\x1b\[[0-9;]*m")
REFUSED = "Unsupported value: 'temperature' does not support 0.7 with this model."
# A plain SDK call whose answer is the API's 400, through the SDK's own public transport hook.
REFUSED_CALL = f"""
import httpx2, openai
refusing = httpx2.MockTransport(lambda request: httpx2.Response(
    400, json={{"error": {{"message": {REFUSED!r}, "type": "invalid_request_error", "param": "temperature",
                         "code": "unsupported_value"}}}}))
client = openai.OpenAI(api_key="test", max_retries=0, http_client=openai.DefaultHttpx2Client(transport=refusing))
client.models.list()
"""


@pytest.fixture
def shell(capsys):
    shell = InteractiveShell.instance()
    tracebacks.install(KIT_ERRORS)
    capsys.readouterr()
    yield shell
    InteractiveShell.clear_instance()  # with its error display: later tests in this process run in plain Python again


def run(shell, capsys, source: str):
    result = shell.run_cell(source, store_history=False)
    captured = capsys.readouterr()
    return result, ANSI.sub("", captured.out + captured.err)


def test_the_first_error_of_a_type_shows_the_learners_line_and_folds_the_sdk(shell, capsys):
    result, shown = run(shell, capsys, REFUSED_CALL)
    assert "----> 6 client.models.list()" in shown, shown
    assert "openai/_base_client.py" not in shown and "site-packages" not in shown
    assert re.search(r"\(\d+ steps inside installed packages, such as the openai SDK, hidden\.", shown)
    assert shown.rstrip().endswith(f"BadRequestError: Error code: 400 - {REFUSED}")
    assert isinstance(result.error_in_exec, Exception), "still the cell's error: run-all stops, nbval compares it"


def test_a_later_error_of_the_same_type_shows_its_last_line_alone(shell, capsys):
    run(shell, capsys, REFUSED_CALL)
    result, shown = run(shell, capsys, "client.models.list()")
    assert shown.strip() == f"BadRequestError: Error code: 400 - {REFUSED}"
    assert type(result.error_in_exec).__name__ == "BadRequestError"


def test_a_repeated_multi_paragraph_message_shows_its_first_line(shell, capsys):
    run(shell, capsys, "import openai\nopenai.ChatCompletion.create(model='gpt-6-luna', messages=[])")
    _, shown = run(shell, capsys, "openai.Completion.create(model='gpt-6-luna', prompt='hi')")
    assert shown.strip() == ("APIRemovedInV1: You tried to access openai.Completion, but this is no longer "
                             "supported in openai>=1.0.0 - see the README at https://github.com/openai/openai-python "
                             "for the API.")


def test_setup_again_starts_a_new_lesson(shell, capsys):
    run(shell, capsys, REFUSED_CALL)
    tracebacks.install(KIT_ERRORS)
    _, shown = run(shell, capsys, "client.models.list()")
    assert "----> 1 client.models.list()" in shown and "steps inside installed packages" in shown


def test_kit_errors_show_their_whole_message_every_time(shell, capsys):
    shell.user_ns["SetupError"] = SetupError
    for _ in range(2):
        _, shown = run(shell, capsys, "raise SetupError('KIT_MODE is wrong.\\nUnset it and run setup again.')")
        assert shown.strip() == "SetupError: KIT_MODE is wrong.\nUnset it and run setup again."


def test_percent_tb_shows_every_step(shell, capsys):
    run(shell, capsys, REFUSED_CALL)
    _, shown = run(shell, capsys, "%tb")
    assert "_base_client.py" in shown


def test_an_error_raised_while_handling_another_shows_both_folded(shell, capsys):
    _, shown = run(shell, capsys, "import json\ntry:\n    json.loads('{')\nexcept ValueError:\n    missing_name")
    assert "JSONDecodeError" in shown and "During handling of the above exception" in shown
    assert "json/decoder.py" not in shown
    assert shown.rstrip().endswith("NameError: name 'missing_name' is not defined")


def test_syntax_errors_keep_ipythons_own_display(shell, capsys):
    _, shown = run(shell, capsys, "print('unclosed'")
    assert "SyntaxError" in shown and "steps inside" not in shown


def test_an_error_whose_message_cannot_be_read_still_shows(shell, capsys):
    source = ("class Unreadable(Exception):\n    def __str__(self):\n        raise RuntimeError('no message')\n"
              "raise Unreadable()")
    run(shell, capsys, source)
    _, shown = run(shell, capsys, "raise Unreadable()")
    assert "Unreadable" in shown
    assert isinstance(shell.CustomTB, object) and shell.custom_exceptions == (Exception,), "still installed"
