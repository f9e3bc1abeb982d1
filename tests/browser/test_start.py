"""What a learner meets first: the README's command opens lesson 00, and "Contents" opens the lessons index."""
from __future__ import annotations

from tests.start_command import default_url

from .lab import JS_NOTEBOOK_OPEN

INDEX = "notebooks/contents.ipynb"


def _link(page, text: str):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown a", has_text=text).first


def test_the_server_opens_on_lesson_00_and_contents_opens_the_lessons_index(lab, browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{lab.url}/?token={lab.token}", wait_until="domcontentloaded")
        first = default_url().removeprefix("/lab/tree/")
        page.wait_for_function(JS_NOTEBOOK_OPEN, arg=first)
        _link(page, "Contents").click()
        page.wait_for_function(JS_NOTEBOOK_OPEN, arg=INDEX)
        _link(page, "Chat completions").click()
        page.wait_for_function(JS_NOTEBOOK_OPEN, arg="notebooks/01_chat_completions.ipynb")
    finally:
        page.close()
        lab.shut_down_sessions()
