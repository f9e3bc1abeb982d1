"""What a learner sees on a lesson's page, checked in the rendered DOM after a run.

- `rendered_math`: no math typesetting where the kit means none (a `$` pair in prose is money, not math);
- `long_tracebacks`: an error type's first traceback may be long (the lesson may teach reading it); every
  later error of that type shows a few lines at most, and no other error output is taller than a screen;
- `accessibility`: an axe-core scan of what the kit renders (markdown cells and outputs), no violation
  of impact serious or critical;
- `first_screen`: what the lesson shows before anything runs, saved as a screenshot.
"""
from __future__ import annotations

import os
from pathlib import Path

from .lab import REPO

AXE_VERSION = "4.14.1"  # tests/run_all.sh installs this version from the npm registry
AXE_JS = Path(os.environ.get("KIT_AXE_JS") or REPO / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js")
AXE_INSTALL = f"npm install --prefix .venv/npm --no-audit --no-fund axe-core@{AXE_VERSION}"
BLOCKING_IMPACTS = ("serious", "critical")
# What the kit renders; JupyterLab's own toolbars and side panels are JupyterLab's to fix.
KIT_CONTENT = [".jp-Notebook .jp-RenderedMarkdown", ".jp-Notebook .jp-OutputArea-output"]
# Violations waiting for a fix elsewhere, by lesson: each names what must change. Remove an entry with its fix.
REPEATED_ERROR_LINES = 3  # the exception's line and the API's message, wrapped once or twice at most

JS_MATH = """() => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  return Array.from(notebook.node.querySelectorAll('mjx-container, .MathJax')).map(node => ({
    cell: notebook.widgets.findIndex(cell => cell.node.contains(node)),
    text: (node.getAttribute('aria-label') || node.textContent || '').trim().slice(0, 80)}));
}"""

# Error outputs in page order: the cell, the exception's name (from the model), height and text lines.
JS_ERRORS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const notebook = panel.content;
  const found = [];
  notebook.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const outputs = cell.model.outputs.toJSON();
    const nodes = cell.node.querySelectorAll('.jp-OutputArea-child');
    outputs.forEach((output, position) => {
      if (output.output_type !== 'error' || !nodes[position]) return;
      const node = nodes[position].querySelector('.jp-OutputArea-output') || nodes[position];
      found.push({cell: index, ename: output.ename, height: node.getBoundingClientRect().height,
                  lines: node.innerText.replace(/\\n+$/, '').split('\\n').length});
    });
  });
  return {errors: found, screen: notebook.node.clientHeight};
}"""

JS_AXE = """async ([include, impacts]) => {
  const present = include.filter(selector => document.querySelector(selector));
  if (!present.length) return [];
  const result = await window.axe.run({include: present.map(selector => [selector])},
                                      {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' : ' + (n.failureSummary || '').split('\\n')[1])
  }));
}"""


def rendered_math(notebook) -> list[str]:
    return [f"cell {found['cell']} renders math: {found['text']!r}" for found in notebook.page.evaluate(JS_MATH)]


def long_tracebacks(notebook) -> list[str]:
    shown = notebook.page.evaluate(JS_ERRORS)
    problems, seen = [], set()
    for error in shown["errors"]:
        first = error["ename"] not in seen
        seen.add(error["ename"])
        if first:
            continue
        if error["lines"] > REPEATED_ERROR_LINES:
            problems.append(f"cell {error['cell']}: a repeated {error['ename']} shows {error['lines']} lines "
                            f"(at most {REPEATED_ERROR_LINES}: the exception and its message)")
        elif error["height"] > shown["screen"]:
            problems.append(f"cell {error['cell']}: a {error['ename']} is {error['height']:.0f} px tall, "
                            f"more than a screen ({shown['screen']} px)")
    return problems


def accessibility(notebook) -> list[str]:
    if notebook.page.evaluate("() => typeof window.axe") == "undefined":
        notebook.page.add_script_tag(path=str(AXE_JS))
    violations = notebook.page.evaluate(JS_AXE, [KIT_CONTENT, list(BLOCKING_IMPACTS)])
    return [f"axe {v['impact']} {v['id']} ({v['help']}): " + "; ".join(v["nodes"])
            for v in violations]


def first_screen(notebook, path: Path) -> list[str]:
    """Save what the lesson shows on opening; a problem when its title is not on that screen."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    title = notebook.notebook.locator(".jp-RenderedMarkdown h1").first
    try:
        title.wait_for(state="visible", timeout=15_000)
    except PlaywrightTimeout:
        pass
    notebook.page.wait_for_timeout(500)  # markdown typesetting finishes after the text shows
    notebook.screenshot(path)
    box = title.bounding_box() if title.count() else None
    viewport = notebook.page.viewport_size or {"height": 0}
    if box is None or box["y"] + box["height"] > viewport["height"]:
        return ["the lesson's title is not on its first screen"]
    return []
