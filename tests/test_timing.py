"""A lesson's minutes come from what it holds, and everything that shows minutes shows those."""
import shutil

import nbformat
import pytest

from helpers import paths
from helpers.authoring import navigation, timing

LESSON = "01_chat_completions"


@pytest.fixture
def lesson_copy(tmp_path, monkeypatch):
    """Lesson 01 in a folder of its own (its recording stays where it is, so its requests count)."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(paths.NOTEBOOKS / f"{LESSON}.ipynb", notebooks)
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    return notebooks / f"{LESSON}.ipynb"


def _add_cells(path, cells):
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1:-1] = cells
    navigation.write_notebook(nb, path)


def test_the_arithmetic_is_the_documented_one():
    held = timing.Contents(words=3 * timing.WORDS_PER_MINUTE, demo_cells=4, exercises=2, requests=8)
    teach = 3 + 4 * timing.MINUTES_PER_CODE_CELL + 8 * timing.MINUTES_PER_REQUEST
    minutes = timing.minutes_for(held)
    assert minutes.teach % timing.ROUND_TO == 0 and teach <= minutes.teach < teach + timing.ROUND_TO
    assert minutes.practice >= 2 * timing.MINUTES_PER_EXERCISE
    assert timing.minutes_for(timing.Contents(0, 0, 0, 0)) == timing.Minutes(timing.ROUND_TO, timing.ROUND_TO)


def test_what_a_lesson_holds_is_counted_from_the_notebook_and_its_recording(lesson_copy):
    held = timing.contents(lesson_copy)
    nb = nbformat.read(lesson_copy, as_version=4)
    checks = [c for c in nb.cells if c.cell_type == "code" and timing.EXERCISE_CHECK.search(c.source)]
    assert held.exercises == len(checks) > 0
    assert held.requests == len(timing.recordings.read_file(timing.recordings.recording_path(LESSON))["interactions"])
    assert held.demo_cells + held.exercises == sum(1 for c in nb.cells if c.cell_type == "code")


def test_more_code_cells_mean_more_teaching_and_more_exercises_more_practice(lesson_copy):
    before = timing.lesson_minutes(lesson_copy)
    _add_cells(lesson_copy, [nbformat.v4.new_code_cell(f"print({n})") for n in range(timing.ROUND_TO * 2)])
    grown = timing.lesson_minutes(lesson_copy)
    assert grown.teach >= before.teach + timing.ROUND_TO and grown.practice == before.practice
    _add_cells(lesson_copy, [nbformat.v4.new_code_cell(f"lesson01.check_answer_text(poem, x{n})")
                             for n in range(timing.ROUND_TO)])
    assert timing.lesson_minutes(lesson_copy).practice > grown.practice


def test_a_folded_solution_and_the_navigation_are_not_teaching_prose(lesson_copy):
    before = timing.contents(lesson_copy).words
    _add_cells(lesson_copy, [nbformat.v4.new_markdown_cell("<details><summary>Solution</summary>\n\n"
                                                           + "word " * 500 + "\n</details>")])
    assert timing.contents(lesson_copy).words == before


def test_a_figures_markers_are_not_words_the_learner_reads(lesson_copy):
    before = timing.contents(lesson_copy).words
    _add_cells(lesson_copy, [nbformat.v4.new_markdown_cell(
        "It was shut down on <!-- figure shutdown:gpt-4 -->2026-10-23<!-- /figure -->.")])
    assert timing.contents(lesson_copy).words == before + len("It was shut down on 2026-10-23.".split())


def test_minutes_written_into_the_metadata_change_nothing(lesson_copy):
    nb = nbformat.read(lesson_copy, as_version=4)
    nb.metadata["kit"].update(teach_minutes=1, practice_minutes=1)
    navigation.write_notebook(nb, lesson_copy)
    info = navigation.lesson_info(lesson_copy)
    minutes = timing.lesson_minutes(lesson_copy)
    assert (info["teach_minutes"], info["practice_minutes"]) == (minutes.teach, minutes.practice)


@pytest.mark.parametrize("path", navigation.lessons(), ids=lambda p: p.stem)
def test_every_lessons_header_shows_its_derived_minutes(path):
    minutes = timing.lesson_minutes(path)
    header = nbformat.read(path, as_version=4).cells[0].source
    assert f"**Teaching:** {minutes.teach} min · **Practice:** {minutes.practice} min" in header


def test_a_lesson_that_holds_more_of_everything_never_gets_fewer_minutes():
    held = {path.stem: timing.contents(path) for path in navigation.lessons()}
    for a, more in held.items():
        for b, less in held.items():
            if all(getattr(more, f) >= getattr(less, f) for f in ("words", "demo_cells", "exercises", "requests")):
                assert timing.minutes_for(more).total >= timing.minutes_for(less).total, (a, b)
