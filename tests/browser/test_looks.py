"""The learner-view checks of looks.py catch what they look for, on small notebooks in the temporary copy,
and lesson 00 explains the offline placeholder key where a learner's key check says "set".
"""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from . import looks


def _notebook(*cells) -> dict:
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    return nbformat.from_dict(notebook)


def _expected_error(source: str):
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["raises-exception"]
    return cell


def test_dollar_pairs_are_caught_as_math_and_escaped_ones_read_as_money(lab, open_notebook):
    path = lab.kit.write_notebook("scratch/money.ipynb", _notebook(
        new_markdown_cell("# Money\n\nA pair: $0.10 in, $0.40 out."),
        new_markdown_cell("Escaped: \\\\$0.10 in, \\\\$0.40 out.")))
    notebook = open_notebook(path)
    notebook.page.wait_for_timeout(1_500)  # typesetting runs after the markdown shows
    assert [problem.split(" renders")[0] for problem in looks.rendered_math(notebook)] == ["cell 0"]
    escaped = notebook.notebook.locator(".jp-RenderedMarkdown").nth(1).inner_text()
    assert escaped.strip() == "Escaped: $0.10 in, $0.40 out."


def test_a_repeated_error_shown_in_full_is_caught(lab, open_notebook):
    # A plain kernel, without the kit's error display: the second ZeroDivisionError shows its whole traceback.
    deep = "def deeper(n):\n    return 1 / 0 if n == 0 else deeper(n - 1)\n"
    path = lab.kit.write_notebook("scratch/errors.ipynb", _notebook(
        new_code_cell(deep), _expected_error("deeper(3)"), _expected_error("deeper(3)")))
    notebook = open_notebook(path)
    notebook.run_all()
    problems = looks.long_tracebacks(notebook)
    assert len(problems) == 1 and problems[0].startswith("cell 2: a repeated ZeroDivisionError shows")


def test_the_kit_shows_a_repeated_error_as_its_last_line(lab, open_notebook):
    deep = "def deeper(n):\n    return 1 / 0 if n == 0 else deeper(n - 1)\n"
    path = lab.kit.write_notebook("notebooks/scratch_errors.ipynb", _notebook(
        new_code_cell('from helpers import setup; setup("scratch_errors")'), new_code_cell(deep),
        _expected_error("deeper(3)"), _expected_error("deeper(3)")))
    notebook = open_notebook(path)
    notebook.run_all()
    assert looks.long_tracebacks(notebook) == []


def test_an_image_without_alternative_text_is_caught(lab, open_notebook, axe_js):
    if axe_js is None:
        pytest.skip("axe-core is not installed (see the warning)")
    source = ("import base64\nfrom IPython.display import Image, display\n"
              "png = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'"
              " '+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==')\ndisplay(Image(data=png, width=64))")
    path = lab.kit.write_notebook("scratch/image.ipynb", _notebook(new_code_cell(source)))
    notebook = open_notebook(path)
    notebook.run_all()
    problems = looks.accessibility(notebook)
    assert any("image-alt" in problem for problem in problems), problems


def test_lesson_00_says_why_the_key_check_says_set_offline(lab, open_notebook):
    notebook = open_notebook("notebooks/00_setup.ipynb")
    result = notebook.run_all()
    cells = result.notebook["cells"]
    at = next(i for i, cell in enumerate(cells) if cell.get("id") == "offline-placeholder-key")
    assert "check_key_report" in "".join(cells[at - 2]["source"]), "the note follows Exercise 1 and its solution"
    note = notebook.notebook.locator(".jp-Cell").nth(at)
    note.scroll_into_view_if_needed()
    assert note.is_visible() and "placeholder in OPENAI_API_KEY" in note.inner_text()
