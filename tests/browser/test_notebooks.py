"""Every lesson, opened and run in JupyterLab in a real browser: no unexpected errors, every widget shown,
and what the learner sees passes the checks of looks.py (no stray math, short repeated errors, no serious
accessibility violation). Its first screen, as it opens, is kept in tests/artifacts/screenshots/.

Parametrized over notebooks/*.ipynb, so a new lesson is covered as soon as it lands.
"""
from __future__ import annotations

import time

import pytest

from . import looks
from .lab import REPO

NOTEBOOKS = sorted(path.stem for path in (REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(name, open_notebook, screenshots, axe_js, timing):
    started = time.monotonic()
    notebook = open_notebook(f"notebooks/{name}.ipynb")
    timing["open"] = round(time.monotonic() - started, 2)
    first_screen = looks.first_screen(notebook, screenshots / f"{name}-first-screen.png")
    result = notebook.run_all()
    timing["run_all"] = round(result.seconds, 2)
    widget_problems = notebook.widget_problems()
    notebook.scroll_to_top()
    notebook.screenshot(screenshots / f"{name}.png")
    if result.errors:
        index = result.errors[0].index
        cell = notebook.notebook.locator(".jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        notebook.screenshot(screenshots / f"{name}-error.png", cell)

    problems = [f"unexpected error in {error}" for error in result.errors]
    if result.status == "timeout":
        problems.append("run-all did not finish in time")
    if result.not_run and not result.errors:
        problems.append(f"code cells never ran: {result.not_run}")
    problems += [f"widget view: {problem}" for problem in widget_problems]
    checked = time.monotonic()
    problems += first_screen + looks.rendered_math(notebook) + looks.long_tracebacks(notebook)
    if axe_js is not None:
        problems += looks.accessibility(notebook)
    timing["looks"] = round(time.monotonic() - checked, 2)
    assert not problems, f"{name} in JupyterLab:\n  " + "\n  ".join(problems) + _console(notebook)


def _console(notebook) -> str:
    if not notebook.console_errors:
        return ""
    return "\nbrowser console errors:\n  " + "\n  ".join(notebook.console_errors[:10])
