"""Authoring: a new lesson's skeleton has every part, and the build stops with a message for authors."""

import nbformat
import pytest
from openai import OpenAI

from helpers import paths
from helpers.authoring import build, lesson
from helpers.authoring.standin import StandIn


@pytest.fixture
def kit_folder(tmp_path, monkeypatch):
    """An empty kit tree; the kit reads its paths at call time, so this moves everything."""
    for folder in ("notebooks", "data/standin", "data/recordings", "helpers/exercises"):
        (tmp_path / folder).mkdir(parents=True)
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(paths, "STANDIN_SCRIPTS", tmp_path / "data" / "standin")
    monkeypatch.setattr(paths, "RECORDINGS", tmp_path / "data" / "recordings")
    return tmp_path


def test_a_new_lessons_skeleton_has_every_part_and_its_rule_answers_its_request(kit_folder, capsys):
    assert build.main(["new", "13_batch_api", "The Batch API"]) == 0
    notebook = kit_folder / "notebooks" / "13_batch_api.ipynb"
    assert lesson.problems(notebook) == []
    assert (kit_folder / "helpers" / "exercises" / "lesson13.py").read_text().startswith('"""Checks for lesson 13')
    with StandIn() as server:  # the skeleton's own script, from the moved data/standin
        answer = OpenAI(base_url=server.url, api_key="sk-kit-test").chat.completions.create(
            model="gpt-6-luna", messages=[{"role": "user", "content": "Say hello to the new lesson."}])
        assert server.unmatched == []
    assert answer.choices[0].message.content.startswith("Hello! This answer comes from the stand-in script")
    with pytest.raises(SystemExit, match="exist already"):
        lesson.scaffold("13_batch_api", "Again")
    with pytest.raises(SystemExit, match="two digits"):
        lesson.scaffold("batch", "No number")


def test_every_missing_part_is_reported_at_once(kit_folder):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello')")])
    path = kit_folder / "notebooks" / "14_bare.ipynb"
    nbformat.write(nb, path)
    found = lesson.problems(path)
    assert len(found) == 7, found
    assert found[0] == "notebook metadata 'kit' lacks title"
    assert 'its first code cell should be exactly: from helpers import setup; setup("14_bare")' in found
    assert found[-1] == "no exercise answers back: call a check from helpers/exercises/lesson14.py"


def test_the_build_refuses_a_lesson_with_missing_parts_and_names_them(kit_folder, capsys):
    nbformat.write(nbformat.v4.new_notebook(cells=[]), kit_folder / "notebooks" / "14_bare.ipynb")
    assert build.main(["14_bare"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("notebooks/14_bare.ipynb is not built, because notebook metadata 'kit' lacks")
    assert "it lacks a '## Recap' section" in err and "no exercise answers back" in err


def test_a_request_no_rule_answers_fails_the_synthesis_and_keeps_no_placeholder(kit_folder, capsys, monkeypatch):
    build.main(["new", "13_batch_api", "The Batch API"])
    path = kit_folder / "notebooks" / "13_batch_api.ipynb"
    recording = kit_folder / "data" / "recordings" / "13_batch_api.json"

    def synthesize(notebook):
        recording.write_text('{"format": 1, "interactions": []}')  # what a run with placeholder answers leaves
        return ["POST /v1/chat/completions (gpt-6-luna): 'Say hello to the new lesson.'"]

    monkeypatch.setattr(build, "synthesize", synthesize)
    monkeypatch.setattr(build, "store_outputs", lambda notebook: pytest.fail("outputs stored after a failed synthesis"))
    assert build.build_lesson(path) is False
    err = capsys.readouterr().err
    assert "data/recordings/13_batch_api.json is not kept: no rule in data/standin/13_batch_api.json" in err
    assert "POST /v1/chat/completions (gpt-6-luna): 'Say hello to the new lesson.'" in err
    assert not recording.exists()


def test_a_miss_while_storing_outputs_gives_authors_advice_and_stores_nothing(tmp_path, capsys):
    """A lesson whose prompt changed after it was recorded: the build says which script a rule goes in."""
    cells = [nbformat.v4.new_code_cell('from helpers import setup; setup("01_chat_completions")'),
             nbformat.v4.new_code_cell('from openai import OpenAI\n\nOpenAI().chat.completions.create(\n'
                                       '    model="gpt-6-luna",\n'
                                       '    messages=[{"role": "user", "content": "What is the capital of Spain?"}])')]
    path = tmp_path / "01_chat_completions.ipynb"  # its recording is the lesson's own
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    before = path.read_bytes()
    assert build.build_lesson(path) is False
    err = capsys.readouterr().err
    assert err.startswith("01_chat_completions.ipynb: outputs not stored, because a cell sent a request that is not "
                          "recorded.\nOffline mode is on")
    assert "For authors: 01_chat_completions's recording holds no answer to this request." in err
    assert "--resynthesize" in err and "data/standin/01_chat_completions.json" in err
    assert "What to do:" not in err and path.read_bytes() == before
