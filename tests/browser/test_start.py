"""What a learner meets first: the README's command opens lesson 00, and "Contents" opens the lessons index."""
from __future__ import annotations

from tests.start_command import default_url

from .lab import JS_NOTEBOOK_OPEN

INDEX = "notebooks/contents.ipynb"


# The path of the tab in front, for a failure message.
JS_CURRENT_PATH = ("() => { const w = window.jupyterapp.shell.currentWidget;"
                   " return w && w.context ? w.context.path : null; }")


def _follow(page, text: str, lab, target: str) -> None:
    """Click the open notebook's link `text` once JupyterLab handles it, and wait until `target` is in front."""
    link = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown a", has_text=text).first
    # JupyterLab attaches its click handler, then points href at the file's /files/ address: a click
    # before that is the browser's own navigation, not the learner's.
    page.wait_for_function("a => a.href.includes('/files/')", arg=link.element_handle())
    link.click()
    try:
        page.wait_for_function(JS_NOTEBOOK_OPEN, arg=target)
    except Exception as error:
        raise AssertionError(f"clicking {text!r} did not bring {target} to the front: the tab in front is "
                             f"{page.evaluate(JS_CURRENT_PATH)!r}, the page is {page.url}\n{lab.log_tail()}") from error


def test_the_server_opens_on_lesson_00_and_contents_opens_the_lessons_index(lab, browser_context):
    lab.forget_layouts()  # a learner's first visit, whatever the tests before this one opened
    page = browser_context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{lab.url}/?token={lab.token}", wait_until="domcontentloaded")
        first = default_url().removeprefix("/lab/tree/")
        page.wait_for_function(JS_NOTEBOOK_OPEN, arg=first)
        _follow(page, "Contents", lab, INDEX)
        _follow(page, "Chat completions", lab, "notebooks/01_chat_completions.ipynb")
    finally:
        page.close()
        lab.shut_down_sessions()
