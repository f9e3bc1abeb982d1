"""What every lesson needs, all of it checked at once, and the skeleton of a new one.

    python -m helpers.authoring.build new 13_batch_api "The Batch API"

writes notebooks/13_batch_api.ipynb (every required part, ready to fill in), its stand-in script
data/standin/13_batch_api.json and its exercise checks helpers/exercises/lesson13.py. docs/authoring.md
says how a lesson is then built, recorded, synthesized and checked.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from .. import models, paths
from . import navigation

NAME = re.compile(r"^(\d\d[a-z]?)_[a-z0-9_]+$")
METADATA = ("title",)
PARTS = {"**Objectives**": "an 'Objectives' list in the header", "## Recap": "a '## Recap' section",
         "<summary>Solution</summary>": "a folded solution (<details><summary>Solution</summary>)",
         "**A live run costs**": "what a live run costs, in the header"}
CHECK = re.compile(r"\blesson\w+\.check_\w+\(")


def exercise_module(name: str) -> str:
    """helpers/exercises/lessonNN.py's stem for a lesson named NN_something."""
    return "lesson" + NAME.match(name).group(1)


def problems(path: Path) -> list[str]:
    """Everything the lesson lacks, each in one line (an empty list: it has every part)."""
    found = []
    if not NAME.match(path.stem):
        found.append(f"its name should be two digits (and an optional letter), then words: 13_batch_api, not "
                     f"{path.stem}")
        return found
    nb = nbformat.read(path, as_version=4)
    missing = [key for key in METADATA if key not in nb.metadata.get("kit", {})]
    if missing:
        found.append(f"notebook metadata 'kit' lacks {', '.join(missing)}")
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    setup_line = f'from helpers import setup; setup("{path.stem}")'
    if not code or code[0].source != setup_line:
        found.append(f"its first code cell should be exactly: {setup_line}")
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    found += [f"it lacks {what}" for part, what in PARTS.items() if part not in text]
    if not any(CHECK.search(cell.source) for cell in code):
        found.append(f"no exercise answers back: call a check from helpers/exercises/{exercise_module(path.stem)}.py")
    return found


def _skeleton(name: str, title: str) -> nbformat.NotebookNode:
    module = exercise_module(name)
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        md(f"# {name.split('_')[0]} · {title}\n\n**Questions**\n- What does a learner want to know?\n\n"
           "**Objectives**\n- What a learner can do afterwards, one line each.\n\n"
           "**Prerequisites:** [01 Chat completions](01_chat_completions.ipynb).\n"
           f"**A live run costs** well under $0.001 with `{models.CHAT}`; offline it is free."),
        md("Run the setup cell first. It picks the mode (offline, live or record) and says where answers come from."),
        code(f'from helpers import setup; setup("{name}")'),
        md("## A first call"),
        code('from openai import OpenAI\n\nclient = OpenAI()\n\nresponse = client.chat.completions.create(\n'
             f'    model="{models.CHAT}",\n'
             '    messages=[{"role": "user", "content": "Say hello to the new lesson."}],\n'
             ')\nprint(response.choices[0].message.content)'),
        md("## Try it\n\n**Exercise 1.** Put the text of the answer into `text`."),
        code(f"text = None  # replace None with the answer's text\n\nfrom helpers.exercises import {module}\n"
             f"{module}.check_text(response, text)"),
        md("<details><summary>Solution</summary>\n\n```python\ntext = response.choices[0].message.content\n```\n"
           "</details>"),
        md("## Recap\n\n- One line for each thing the lesson taught."),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kit"] = {"title": title}
    nb.metadata["kernelspec"] = navigation.KERNELSPEC
    return nb


EXERCISES = '''"""Checks for lesson {number}, {title}."""
from . import Verdict, verdict


def check_text(response, text) -> Verdict:
    """Exercise 1: the text of a chat completion."""
    return verdict([
        (isinstance(text, str), "`text` should be a string: the answer's text, not the whole response."),
        (lambda: text == response.choices[0].message.content, "Look at `response.choices[0].message.content`."),
    ], "The answer's text is in `choices[0].message.content`.")
'''


def scaffold(name: str, title: str) -> list[Path]:
    """Write a new lesson's notebook, stand-in script and exercise checks; refuse to overwrite anything."""
    if not NAME.match(name):
        raise SystemExit(f"A lesson's name is two digits (and an optional letter), then words: 13_batch_api; "
                         f"got {name!r}.")
    module = exercise_module(name)
    targets = {paths.NOTEBOOKS / f"{name}.ipynb": None, paths.STANDIN_SCRIPTS / f"{name}.json": None,
               paths.ROOT / "helpers" / "exercises" / f"{module}.py": None}
    existing = [str(path.relative_to(paths.ROOT)) for path in targets if path.exists()]
    if existing:
        raise SystemExit(f"Not written, because these exist already: {', '.join(existing)}.")
    notebook, script, checks = targets
    nbformat.write(_skeleton(name, title), notebook)
    rule = {"match": {"path": "/v1/chat/completions", "contains": "Say hello to the new lesson."},
            "reply": "Hello! This answer comes from the stand-in script of the new lesson."}
    script.write_text(json.dumps({"rules": [rule]}, indent=1) + "\n", encoding="utf-8")
    checks.write_text(EXERCISES.format(number=name.split("_")[0], title=title), encoding="utf-8")
    return list(targets)
