"""Generated things are never stale: navigation, contents, and notebooks saved executed."""
import json

import nbformat
import pytest

from helpers import navigation
from helpers.paths import NOTEBOOKS

LESSONS = navigation.lessons()


def test_there_are_lessons():
    assert [p.name for p in LESSONS][:2] == ["00_setup.ipynb", "01_chat_completions.ipynb"]


def test_navigation_contents_and_schedules_are_up_to_date():
    from helpers import classroom

    from helpers import factsheet

    stale = navigation.update(check_only=True) + classroom.update(check_only=True) + factsheet.update(check_only=True)
    assert stale == [], f"stale: {stale}; run `python -m helpers.build`"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_code_cell_was_saved_executed(path):
    nb = nbformat.read(path, as_version=4)
    unexecuted = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and c.source.strip() and c.execution_count is None]
    assert unexecuted == [], f"cells {unexecuted} were saved unexecuted: nbval would check nothing there"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "outputs come from one top-to-bottom run"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_starts_with_the_setup_line_and_has_its_parts(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == f'from helpers import setup; setup("{path.stem}")'
    kit_lines = [c.source for c in code[1:] if "helpers" in c.source and "setup(" in c.source]
    assert kit_lines == [], "only the first code cell may set the kit up"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for part in ("Objectives", "Recap", "<summary>Solution</summary>"):
        assert part in text, f"{path.name} lacks {part}"
    assert any("helpers.exercises" in c.source for c in code), "exercises answer back through a check"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_notebook_stores_widget_state_or_timing(path):
    raw = json.loads(path.read_text())
    assert "widgets" not in raw["metadata"]
    assert not any("execution" in c.get("metadata", {}) for c in raw["cells"])


def test_notebooks_folder_holds_only_lessons():
    assert sorted(NOTEBOOKS.glob("*.ipynb")) == LESSONS
