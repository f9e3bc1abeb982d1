"""Generated navigation: the header and footer cells of each lesson and the README's contents table.

Each lesson's notebook metadata holds `kit: {title}`, and its minutes come from what it holds
(`timing.py`); everything here is derived from those, so navigation, launch links and the contents
never drift.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .. import paths
from . import timing


# The kit's repository and branch are set once, in helpers/paths.py: a fork changes them there and runs the
# build, and the Binder and Colab badges, nbgitpuller links and the Colab install follow.
REPOSITORY = paths.REPOSITORY
BRANCH = paths.BRANCH
FOLDER = REPOSITORY.split("/")[1]  # the folder a clone (and nbgitpuller) puts the kit in
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
# Colab has no kit: a learner's first cell there installs it, from the repository, with its recordings
# (package data) and the packages Colab lacks (the `colab` extra in pyproject.toml).
COLAB_INSTALL = f'%pip install -q "openai-sdk-kit[colab] @ git+https://github.com/{REPOSITORY}@{BRANCH}"'
TOP, BOTTOM = "nav-top", "nav-bottom"
CONTENTS = "contents"  # notebooks/contents.ipynb: the lessons index every "Contents" link opens
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def lessons() -> list[Path]:
    return paths.lessons()


def contents_path() -> Path:
    return paths.NOTEBOOKS / f"{CONTENTS}.ipynb"


def binder_url(notebook: str) -> str:
    return (f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}"
            f"?urlpath=lab/tree/notebooks/{notebook}.ipynb")


def colab_url(notebook: str) -> str:
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{notebook}.ipynb"


def launch_badges(name: str, long: bool = True) -> str:
    binder, colab = ("Launch on Binder", "Open in Colab") if long else ("Binder", "Colab")
    return f"[![{binder}]({BINDER_BADGE})]({binder_url(name)}) [![{colab}]({COLAB_BADGE})]({colab_url(name)})"


def lesson_info(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    info = nb.metadata.get("kit", {})
    if "title" not in info:
        raise ValueError(f"{path.name}: notebook metadata 'kit' lacks title")
    minutes = timing.lesson_minutes(path)
    return {"name": path.stem, "title": info["title"], "teach_minutes": minutes.teach,
            "practice_minutes": minutes.practice}


def _link(info: dict | None, label: str) -> str:
    return f"[{label} {info['title']}]({info['name']}.ipynb)" if info else ""


def nav_cells(infos: list[dict], position: int) -> tuple[str, str]:
    info = infos[position]
    previous = infos[position - 1] if position > 0 else None
    following = infos[position + 1] if position + 1 < len(infos) else None
    links = " | ".join(filter(None, [_link(previous, "&lt; Previous:"), f"[Contents]({CONTENTS}.ipynb)",
                                     _link(following, "Next:")]))
    top = (f"{links}\n\n{launch_badges(info['name'])}  \n"
           f"**Teaching:** {info['teach_minutes']} min · **Practice:** {info['practice_minutes']} min\n\n"
           f"On Colab, add a code cell above the setup cell with `{COLAB_INSTALL}` and run it first.")
    return top, links


def _set_nav(nb, top: str, bottom: str) -> None:
    cells = [c for c in nb.cells if c.metadata.get("kit") not in (TOP, BOTTOM)]
    # Fixed ids, so regenerating the navigation changes nothing when the links are the same.
    head = nbformat.v4.new_markdown_cell(top, metadata={"kit": TOP}, id=f"kit-{TOP}")
    foot = nbformat.v4.new_markdown_cell(bottom, metadata={"kit": BOTTOM}, id=f"kit-{BOTTOM}")
    nb.cells = [head, *cells, foot]


def contents_table(infos: list[dict]) -> str:
    rows = ["| # | Lesson | Teaching | Practice | Launch |", "|---|---|---|---|---|"]
    for info in infos:
        number = info["name"].split("_", 1)[0]
        rows.append(f"| {number} | [{info['title']}](notebooks/{info['name']}.ipynb) | "
                    f"{info['teach_minutes']} min | {info['practice_minutes']} min | "
                    f"{launch_badges(info['name'], long=False)} |")
    rows.append(f"\n{total_line(infos)}")
    return "\n".join(rows)


def total_line(infos: list[dict]) -> str:
    total = sum(i["teach_minutes"] + i["practice_minutes"] for i in infos)
    return f"All lessons: about {total // 60} h {total % 60} min of teaching and practice."


def contents_notebook(infos: list[dict]) -> nbformat.NotebookNode:
    """The lessons index, a notebook so that JupyterLab shows it rendered, with links that open the lessons."""
    rows = ["| # | Lesson | Teaching | Practice |", "|---|---|---|---|"]
    for info in infos:
        number = info["name"].split("_", 1)[0]
        rows.append(f"| {number} | [{info['title']}]({info['name']}.ipynb) | {info['teach_minutes']} min | "
                    f"{info['practice_minutes']} min |")
    first = infos[0]
    text = (f"# Lessons\n\nStart with [{first['name'].split('_', 1)[0]} {first['title']}]({first['name']}.ipynb), "
            "then take them in order: each builds on the ones before it. Every lesson runs offline, "
            "with no key and no cost, until you set a key.\n\n" + "\n".join(rows) + f"\n\n{total_line(infos)}")
    cell = nbformat.v4.new_markdown_cell(text, metadata={"kit": CONTENTS}, id=f"kit-{CONTENTS}")
    return nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": KERNELSPEC})


def replace_block(text: str, name: str, content: str) -> str:
    """Put `content` between the markers `<!-- NAME:start ... -->` and `<!-- NAME:end -->`."""
    pattern = re.compile(rf"(<!-- {name}:start[^>]*-->\n).*?(<!-- {name}:end -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"README.md lacks the markers <!-- {name}:start --> … <!-- {name}:end -->")
    return pattern.sub(lambda m: f"{m.group(1)}{content}\n{m.group(2)}", text)


def _nav_text(nb) -> list[str]:
    return ["".join(c.source) for c in nb.cells if c.metadata.get("kit") in (TOP, BOTTOM)]


def update(check_only: bool = False) -> list[str]:
    """Write navigation and contents; return the files that were (or, checking, would be) changed."""
    notebooks = lessons()
    infos = [lesson_info(p) for p in notebooks]
    stale = []
    for position, path in enumerate(notebooks):
        nb = nbformat.read(path, as_version=4)
        top, bottom = nav_cells(infos, position)
        cells = nb.cells
        ok = (len(cells) >= 2 and cells[0].get("id") == f"kit-{TOP}" and cells[-1].get("id") == f"kit-{BOTTOM}"
              and _nav_text(nb) == [top, bottom])
        if not ok:
            stale.append(str(path.relative_to(paths.ROOT)))
            if not check_only:
                _set_nav(nb, top, bottom)
                write_notebook(nb, path)
    index = contents_path()
    wanted = nbformat.writes(contents_notebook(infos))
    if not index.exists() or nbformat.writes(nbformat.read(index, as_version=4)) != wanted:
        stale.append(str(index.relative_to(paths.ROOT)))
        if not check_only:
            write_notebook(contents_notebook(infos), index)
    readme = paths.ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new_text = replace_block(text, "badge", launch_badges(infos[0]["name"]))
    new_text = replace_block(new_text, "lessons", contents_table(infos))
    if new_text != text:
        stale.append("README.md")
        if not check_only:
            readme.write_text(new_text, encoding="utf-8")
    return stale


def write_notebook(nb, path: Path) -> None:
    """Save a notebook atomically: an interrupted write never leaves a learner half a notebook."""
    nbformat.validator.normalize(nb)
    text = nbformat.writes(nb)
    paths.write_atomically(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
