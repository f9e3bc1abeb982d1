"""The browser plumbing checks itself on small notebooks written into the temporary copy only.

They prove that an unexpected error is caught (and a `raises-exception` one is not), that a widget view
that cannot render is caught, and that a widget round trip (type, slide, click, read the answer)
works, whatever lessons exist yet.
"""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from .rounds import Click, Fill, Round, Slide


def _notebook(*cells) -> dict:
    notebook = new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    return nbformat.from_dict(notebook)


def test_errors_are_read_from_the_model(lab, open_notebook):
    expected = new_code_cell("1 / 0")
    expected.metadata["tags"] = ["raises-exception"]
    path = lab.kit.write_notebook("scratch/errors.ipynb", _notebook(
        new_code_cell("print('first')"), expected, new_code_cell("undefined_name"), new_code_cell("print('last')")))
    result = open_notebook(path).run_all()
    assert [(error.index, error.ename) for error in result.expected_errors] == [(1, "ZeroDivisionError")]
    assert [(error.index, error.ename) for error in result.errors] == [(2, "NameError")]
    assert result.status == "stopped" and result.not_run == [3]  # run-all stops at an unexpected error


def test_a_widget_that_cannot_render_is_caught(lab, open_notebook):
    orphan = ("from IPython.display import display\n"
              "display({'application/vnd.jupyter.widget-view+json': {'model_id': 'no-such-model', "
              "'version_major': 2, 'version_minor': 0}, 'text/plain': 'a widget'}, raw=True)")
    path = lab.kit.write_notebook("scratch/orphan.ipynb", _notebook(new_code_cell(orphan)))
    notebook = open_notebook(path)
    assert not notebook.run_all().errors
    problems = notebook.widget_problems(settle_ms=3_000)
    assert len(problems) == 1 and ("Loading widget" in problems[0] or "Error displaying widget" in problems[0])


GREETER = """\
# NBVAL_IGNORE_OUTPUT
import ipywidgets as widgets

name = widgets.Text(placeholder="Your name")
times = widgets.IntSlider(value=1, min=1, max=5, description="times")
greet = widgets.Button(description="Greet")
answer = widgets.HTML("nothing yet")
answer.add_class("kit-answer")
greet.on_click(lambda _: setattr(answer, "value", " ".join([f"Hello {name.value}!"] * times.value)))
box = widgets.VBox([name, times, greet, answer])
box.add_class("kit-greeter")
box
"""


def test_widget_round_trip_plumbing(lab, open_notebook, screenshots):
    path = lab.kit.write_notebook("scratch/greeter.ipynb", _notebook(new_code_cell(GREETER)))
    notebook = open_notebook(path)
    result = notebook.run_all()
    assert result.status == "completed" and not result.errors
    assert notebook.widget_problems() == []
    greeter = Round("greeter", path, ".kit-greeter",
                    (Fill("placeholder:Your name", "Ada"), Slide("times", "3"), Click("button:Greet")),
                    answer=".kit-answer", expect="^Hello Ada! Hello Ada! Hello Ada!$")
    root = greeter.root(notebook.notebook)
    before, after = greeter.play(root)
    assert before == "nothing yet"
    notebook.screenshot(screenshots / "plumbing-greeter.png", root)
