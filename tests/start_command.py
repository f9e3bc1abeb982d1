"""The README's first command, as a learner copies it: what it installs and how it starts JupyterLab."""
from __future__ import annotations

import re
import shlex

from helpers.paths import ROOT

JUPYTER = ".venv/bin/jupyter"


def first_command() -> str:
    """The first fenced bash block of the README's Start section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.split("## Start", 1)[1]
    return re.search(r"```bash\n(.*?)\n```", start, re.S).group(1).strip()


def lab_arguments() -> list[str]:
    """What the command passes to `jupyter lab`, after the subcommand."""
    for step in first_command().split("&&"):
        words = shlex.split(step)
        if words[:2] == [JUPYTER, "lab"]:
            return words[2:]
    raise AssertionError(f"the README's first command does not start {JUPYTER} lab: {first_command()!r}")


def default_url() -> str:
    for argument in lab_arguments():
        if argument.startswith("--LabApp.default_url="):
            return argument.split("=", 1)[1]
    raise AssertionError("the README's first command does not say which page JupyterLab opens on")
