"""Every folded solution passes its exercise's check, pasted into its exercise cell as a learner would."""
import ast
import re

import nbformat
import pytest

from helpers.authoring import build, navigation
from helpers.exercises import PASS

SOLUTION = re.compile(r"<summary>Solution</summary>.*?```python\n(.*?)```", re.S)
CHECK = re.compile(r"^\s*lesson\w+\.check_\w+\(", re.M)


def _defined(node) -> set[str]:
    """The names a top-level statement gives a value to: assigned anywhere in it, or a function or class."""
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return {node.name}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _changed(node) -> set[str]:
    """The names whose value a statement changes in place (`tools["x"] = ...`, `obj.field = ...`)."""
    return {target.value.id for n in ast.walk(node) if isinstance(n, ast.Assign) for target in n.targets
            if isinstance(target, ast.Subscript | ast.Attribute) and isinstance(target.value, ast.Name)}


def pasted(exercise: str, solution: str) -> str:
    """The exercise cell as a learner fills it in: the solution replaces the starter lines that define the
    same names; a solution that changes a value the cell makes goes after it; any other goes first."""
    solution_body, exercise_body = ast.parse(solution).body, ast.parse(exercise).body
    names = set().union(*map(_defined, solution_body))
    changed = set().union(*map(_changed, solution_body))
    lines, code = exercise.splitlines(), solution.rstrip().splitlines()
    spans = [(node.lineno, node.end_lineno) for node in exercise_body if _defined(node) & names]
    if spans:
        kept, position = [], 1
        for number, (start, end) in enumerate(spans):
            kept += lines[position - 1:start - 1] + (code if number == 0 else [])
            position = end + 1
        return "\n".join(kept + lines[position - 1:])
    makers = [node.end_lineno for node in exercise_body if _defined(node) & changed]
    if makers:
        return "\n".join(lines[:makers[-1]] + code + lines[makers[-1]:])
    return "\n".join(code + [""] + lines)


def test_pasting_replaces_the_starter_lines_or_goes_first():
    exercise = 'x = 1\ntext = None  # replace\nrows = [\n    1,\n]\ncheck(text, rows)'
    assert pasted(exercise, "text = 'a'\nrows = [2]") == "x = 1\ntext = 'a'\nrows = [2]\ncheck(text, rows)"
    assert pasted("out = f()\ncheck(out)", "TOOLS['f'] = g") == "TOOLS['f'] = g\n\nout = f()\ncheck(out)"
    assert pasted("s = {}\ncheck(s)", "s['k'] = 1") == "s = {}\ns['k'] = 1\ncheck(s)"


def with_solutions(nb) -> tuple[object, list[str]]:
    """The notebook with each exercise cell's solution pasted in, in a copy of the cell after its solution."""
    cells, inserted, exercise = [], [], None
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code" and CHECK.search(cell.source):
            exercise = cell
        match = SOLUTION.search(cell.source) if cell.cell_type == "markdown" else None
        if match:
            assert exercise is not None, f"a solution with no exercise before it: {cell.source[:60]!r}"
            solved = nbformat.v4.new_code_cell(pasted(exercise.source, match.group(1)))
            solved.id = f"solution-{len(inserted)}"
            cells.append(solved)
            inserted.append(solved.id)
    nb.cells = cells
    return nb, inserted


@pytest.mark.parametrize("path", navigation.lessons(), ids=lambda p: p.stem)
def test_every_folded_solution_passes_its_check(path):
    nb, inserted = with_solutions(nbformat.read(path, as_version=4))
    assert inserted, f"{path.name} has no folded solution"
    ran = {cell.id: cell for cell in build.run(nb).cells}
    for cell_id in inserted:
        cell = ran[cell_id]
        text = "".join(output.get("text", "") for output in cell.outputs)
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        assert not errors and PASS in text, f"{path.name}, solution pasted in:\n{cell.source}\n-> {errors or text}"
