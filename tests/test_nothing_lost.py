"""Nothing is lost: a recording survives a crash mid-write, is never rewritten unless asked, and the build
keeps every cell a learner wrote."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from openai import OpenAI

from helpers import modes, paths, recordings
from helpers.authoring import build, classroom, navigation

from tests.conftest import kill_once_reached

LESSON = "01_chat_completions"
ORIGINAL = paths.RECORDINGS / f"{LESSON}.json"  # the real recording, read only
KILL_MARKER = "A question whose answer is being saved when the kernel dies"

# Run in a separate process: record mode against the stand-in, with the save of the new answer stopped
# half-way through writing its bytes (the kit's own writer is kept; only the byte writing is slowed).
SLOW_RECORDER = r"""
import os, pathlib, sys, time
from helpers import modes, paths

paths.RECORDINGS = pathlib.Path(sys.argv[1])
marker, half_written = sys.argv[2], pathlib.Path(sys.argv[3])
write_bytes = pathlib.Path.write_bytes

def slow_write_bytes(self, data):
    if marker.encode() not in data:
        return write_bytes(self, data)
    with open(self, "wb") as file:
        file.write(data[: len(data) // 2])
        file.flush()
        os.fsync(file.fileno())
        half_written.write_text(str(self))
        time.sleep(120)
        file.write(data[len(data) // 2 :])
    return len(data)

pathlib.Path.write_bytes = slow_write_bytes
modes.setup(sys.argv[4])
from openai import OpenAI
OpenAI().chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": marker}])
"""


def copy_recording(recordings_dir) -> Path:
    recordings_dir.mkdir(exist_ok=True)
    return Path(shutil.copy(ORIGINAL, recordings_dir / ORIGINAL.name))


def replay_one_recorded_request():
    body = next(r["body"] for r in recordings.recorded_requests(LESSON) if r["path"] == "/v1/chat/completions")
    return OpenAI().chat.completions.create(**body)


def go_record(monkeypatch, standin, overwrite=False):
    monkeypatch.setenv("KIT_MODE", "record")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-kit-test-recorder")
    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    if overwrite:
        monkeypatch.setenv("KIT_OVERWRITE", "1")


# --- a crash while saving ------------------------------------------------------------------------------

def test_a_recorder_killed_mid_write_leaves_the_old_recording_intact(recordings_dir, standin, tmp_path):
    target = copy_recording(recordings_dir)
    before = target.read_bytes()
    half_written = tmp_path / "half-written"
    environment = {**os.environ, "KIT_MODE": "record", "OPENAI_API_KEY": "sk-kit-test-recorder",
                   "OPENAI_BASE_URL": standin.url}
    recorder = subprocess.Popen(
        [sys.executable, "-c", SLOW_RECORDER, str(recordings_dir), KILL_MARKER, str(half_written), LESSON],
        env=environment, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    kill_once_reached(recorder, half_written, "its save, slowed through Path.write_bytes (adapt SLOW_RECORDER)")
    written = Path(half_written.read_text())
    assert written != target, "the new answer was written straight into the recording, not beside it"
    with pytest.raises(recordings.RecordingError, match="is damaged"):
        recordings.read_file(written)  # what the recording would be, had it been written in place
    assert KILL_MARKER.encode() not in target.read_bytes()
    assert target.read_bytes() == before, "the recording changed"
    recordings.read_file(target)
    modes.setup(LESSON)  # and the old answers still replay
    assert replay_one_recorded_request().choices[0].message.content
    assert [r.json["messages"][0]["content"] for r in standin.requests] == [KILL_MARKER]


# --- never rewritten unless asked ----------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["offline", "record"])
def test_replaying_a_recording_never_rewrites_it(recordings_dir, standin, monkeypatch, capsys, mode):
    target = copy_recording(recordings_dir)
    before, stat = target.read_bytes(), target.stat()
    if mode == "record":
        go_record(monkeypatch, standin)
    modes.setup(LESSON)
    replay_one_recorded_request()
    modes.teardown()
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), "the file was written again"
    assert target.read_bytes() == before
    assert "Recorded a new answer" not in capsys.readouterr().out
    assert standin.requests == []


def test_record_mode_adds_new_answers_and_says_so_keeping_the_old(recordings_dir, standin, monkeypatch, capsys):
    target = copy_recording(recordings_dir)
    old = recordings.read_file(target)["interactions"]
    go_record(monkeypatch, standin)
    modes.setup(LESSON)
    replay_one_recorded_request()  # recorded already: replayed, not sent
    OpenAI().chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "Something new?"}])
    modes.teardown()
    out = capsys.readouterr().out
    assert out.count("Recorded a new answer") == 1
    where = recordings.shown(target)
    assert f"Recorded a new answer: POST /v1/chat/completions → {where} (1 added this session)" in out
    new = recordings.read_file(target)["interactions"]
    assert new[: len(old)] == old and len(new) == len(old) + 1
    assert len(standin.requests) == 1


def test_overwrite_re_records_what_is_sent_and_keeps_the_rest(recordings_dir, standin, monkeypatch, capsys):
    target = copy_recording(recordings_dir)
    old = recordings.read_file(target)["interactions"]
    go_record(monkeypatch, standin, overwrite=True)
    modes.setup(LESSON)
    response = replay_one_recorded_request()  # sent again, and its answer replaces the recorded one
    modes.teardown()
    assert len(standin.requests) == 1
    assert "Recorded a new answer: POST /v1/chat/completions" in capsys.readouterr().out
    new = recordings.read_file(target)["interactions"]
    resent = standin.requests[0].json
    assert sorted(map(str, (i["request"] for i in new))) == sorted(map(str, (i["request"] for i in old))), \
        "every recorded request is still there, once"
    (replaced,) = [i for i in new if i["request"]["body"] == resent]
    assert replaced["response"]["body"]["json"]["id"] == response.id


# --- the build keeps what a learner wrote --------------------------------------------------------------

@pytest.fixture
def kit_copy(tmp_path, monkeypatch):
    """A copy of the lessons, the README and the guide; navigation and the build work on it instead of the kit."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for lesson in navigation.lessons():
        shutil.copy(lesson, notebooks)
    (tmp_path / "README.md").write_text("<!-- badge:start -->\n<!-- badge:end -->\n"
                                        "<!-- lessons:start -->\n<!-- lessons:end -->\n")
    guide = tmp_path / "docs" / "instructor-guide.md"
    guide.parent.mkdir()
    guide.write_text(f"{classroom.SCHEDULES_START}\n{classroom.SCHEDULES_END}\n")
    # The kit reads its paths at call time: pointing helpers.paths at the copy moves everything.
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(paths, "GUIDE", guide)
    return notebooks


def learners_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells
            if c.metadata.get("kit") not in (navigation.TOP, navigation.BOTTOM)]


def edit_as_a_learner(path: Path) -> list[str]:
    """Add a cell after the setup cell and one at the very end, change a text cell, delete the header."""
    nb = nbformat.read(path, as_version=4)
    setup_cell = next(i for i, c in enumerate(nb.cells) if "setup(" in c.source)
    nb.cells.insert(setup_cell + 1, nbformat.v4.new_code_cell('note = "my own experiment"\nprint(note)'))
    nb.cells.append(nbformat.v4.new_markdown_cell("My notes: try a lower temperature next."))
    first_text = next(c for c in nb.cells if c.cell_type == "markdown" and not c.metadata.get("kit"))
    first_text.source += "\n\n(I read this twice.)"
    del nb.cells[0]  # the generated header
    nbformat.write(nb, path)
    return learners_cells(path)


def test_navigation_keeps_every_cell_a_learner_wrote(kit_copy):
    lesson = kit_copy / f"{LESSON}.ipynb"
    mine = edit_as_a_learner(lesson)
    stale = navigation.update()
    assert f"notebooks/{LESSON}.ipynb" in stale
    assert learners_cells(lesson) == mine
    cells = nbformat.read(lesson, as_version=4).cells
    assert cells[0].metadata["kit"] == navigation.TOP and cells[-1].metadata["kit"] == navigation.BOTTOM


def test_the_build_keeps_every_cell_a_learner_wrote_and_runs_it(kit_copy, capsys):
    lesson = kit_copy / f"{LESSON}.ipynb"
    mine = edit_as_a_learner(lesson)
    assert build.main([LESSON]) == 0
    assert f"outputs stored: notebooks/{LESSON}.ipynb" in capsys.readouterr().out
    assert learners_cells(lesson) == mine
    added = next(c for c in nbformat.read(lesson, as_version=4).cells if c.source.startswith('note = "my own'))
    assert added.outputs[0]["text"] == "my own experiment\n"


def test_a_notebook_that_fails_to_run_is_not_saved(kit_copy):
    notebook = kit_copy / "99_scratch.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 42"),
                                         nbformat.v4.new_code_cell("raise ValueError('a learner experiment')")])
    nbformat.write(nb, notebook)
    before = notebook.read_bytes()
    with pytest.raises(CellExecutionError, match="a learner experiment"):
        build.execute(notebook)
    assert notebook.read_bytes() == before
