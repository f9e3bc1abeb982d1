"""Generated things are never stale: navigation, contents, and notebooks saved executed."""
import json
import re

import nbformat
import pytest

from helpers.authoring import lesson, navigation
from helpers.paths import NOTEBOOKS

LESSONS = navigation.lessons()
# The kit modules a lesson may use after its setup line (README, "Modes").
LEARNER_TOOLS = ("helpers.widgets", "helpers.exercises", "helpers.tokens", "helpers.prices", "helpers.meter",
                 "helpers.history")


def test_there_are_lessons():
    assert [p.name for p in LESSONS][:2] == ["00_setup.ipynb", "01_chat_completions.ipynb"]


def test_navigation_contents_and_schedules_are_up_to_date():
    from helpers.authoring import classroom

    from helpers.authoring import factsheet

    stale = navigation.update(check_only=True) + classroom.update(check_only=True) + factsheet.update(check_only=True)
    assert stale == [], f"stale: {stale}; run `python -m helpers.authoring.build`"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_code_cell_was_saved_executed(path):
    nb = nbformat.read(path, as_version=4)
    unexecuted = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and c.source.strip() and c.execution_count is None]
    assert unexecuted == [], f"cells {unexecuted} were saved unexecuted: nbval would check nothing there"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "outputs come from one top-to-bottom run"


def kit_modules(source: str) -> list[str]:
    """The kit modules a cell imports: `import helpers.x`, `from helpers.x import ...`, `from helpers import x`."""
    found = re.findall(r"^\s*import\s+(helpers[\w.]*)", source, re.M)
    for package, names in re.findall(r"^\s*from\s+(helpers[\w.]*)\s+import\s+([\w, ]+)", source, re.M):
        found += [f"helpers.{name.strip()}" for name in names.split(",")] if package == "helpers" else [package]
    return found


def test_kit_modules_finds_every_import_form():
    cell = "from helpers import history, setup\nimport helpers.models\nfrom helpers.widgets.chat import X"
    assert kit_modules(cell) == ["helpers.models", "helpers.history", "helpers.setup", "helpers.widgets.chat"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_starts_with_the_setup_line_and_has_its_parts(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == f'from helpers import setup; setup("{path.stem}")'
    kit_lines = [c.source for c in code[1:] if "helpers" in c.source and "setup(" in c.source]
    assert kit_lines == [], "only the first code cell may set the kit up"
    for cell in code[1:]:  # what the README promises: the kit appears only as a widget, a check or a taught tool
        modules = kit_modules(cell.source)
        for module in modules:
            assert module.startswith(LEARNER_TOOLS), f"{path.name} uses {module}: {cell.source[:80]!r}"
        for call in re.findall(r"(?<![\w.)])(\w+)(?:\.with_options\([^)]*\))?\.(?:chat\.completions|responses|"
                               r"completions|embeddings|moderations|images|audio\.\w+|models)\.\w+\(", cell.source):
            assert call in ("client", "revoked", "patient", "openai") or call.endswith("client"), \
                f"{path.name}: an API call through {call!r}, not a plain SDK client: {cell.source[:80]!r}"
    assert lesson.problems(path) == [], "every part a lesson needs (helpers/authoring/lesson.py)"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_notebook_stores_widget_state_or_timing(path):
    raw = json.loads(path.read_text())
    assert "widgets" not in raw["metadata"]
    assert not any("execution" in c.get("metadata", {}) for c in raw["cells"])


def test_notebooks_folder_holds_only_lessons():
    assert sorted(NOTEBOOKS.glob("*.ipynb")) == sorted([*LESSONS, navigation.contents_path()])
