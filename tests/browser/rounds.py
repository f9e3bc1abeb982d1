"""A small language for widget round trips in the page: find a widget, act on its controls, watch an answer.

A target names one element inside a widget:
    "button:Send"            the button labelled Send (an icon before the label is allowed)
    "placeholder:Ask ..."    the input or textarea with that placeholder
    "label:prompt"           the control whose description label reads exactly "prompt"
    "text:Some words"        the smallest element showing these words
    anything else            a CSS (or Playwright) selector, e.g. ".kit-answer"

A widget is found as the notebook output that contains its `find` target, so a widget is located by
its stable CSS class (`add_class("kit-...")`) where it has one, or by a placeholder or label it shows.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field


def resolve(scope, target: str):
    """The Playwright locator for `target` inside `scope` (a page or a locator)."""
    kind, _, value = target.partition(":")
    if kind == "button" and value:
        # An ipywidgets icon is a Font Awesome glyph, which counts in the accessible name: allow it before.
        return scope.get_by_role("button", name=re.compile(rf"^\W*{re.escape(value)}\s*$"))
    if kind == "placeholder" and value:
        return scope.get_by_placeholder(value, exact=True)
    if kind == "label" and value:
        return scope.get_by_label(value, exact=True)
    if kind == "text" and value:
        return scope.get_by_text(value)
    return scope.locator(target)


@dataclass(frozen=True)
class Fill:
    """Type text into a text box, textarea or number box (replacing what was there)."""
    target: str
    text: str

    def run(self, root):
        box = resolve(root, self.target).first
        box.fill(self.text)
        box.press("Tab")  # ipywidgets sends number boxes' values on change (blur), text boxes on input


@dataclass(frozen=True)
class Click:
    target: str

    def run(self, root):
        resolve(root, self.target).first.click()


@dataclass(frozen=True)
class Choose:
    """Pick a dropdown option by its visible label, or by position (0 is the first option)."""
    target: str
    label: str | None = None
    index: int | None = None

    def run(self, root):
        select = resolve(root, self.target).first
        if self.label is not None:
            select.select_option(label=self.label)
        else:
            select.select_option(index=self.index)


@dataclass(frozen=True)
class Slide:
    """Move a slider to a value by typing into its readout, the way a learner sets an exact value."""
    description: str  # the slider's description text
    value: str

    def run(self, root):
        label = root.page.get_by_text(self.description, exact=True)  # `has` takes a page-level locator
        slider = root.locator(".widget-slider").filter(has=label).first
        readout = slider.locator(".widget-readout").first
        readout.click()
        readout.press("ControlOrMeta+a")
        readout.press_sequentially(self.value)
        readout.press("Enter")


@dataclass(frozen=True)
class Press:
    target: str
    key: str

    def run(self, root):
        resolve(root, self.target).first.press(self.key)


@dataclass(frozen=True)
class Round:
    """One round trip: in `notebook`, the widget found by `find`; do `steps`; `answer` must change to match `expect`."""
    name: str
    notebook: str  # the notebook whose run displays the widget (a path relative to the kit's root)
    find: str
    steps: tuple = field(default_factory=tuple)
    answer: str = ""  # target inside the widget whose text must change; "" is the whole widget
    expect: str = ""  # regular expression the changed answer must contain
    occurrence: int = 0  # which display of the widget, when the notebook shows it more than once

    def root(self, notebook_area):
        outputs = notebook_area.locator(".jp-OutputArea-output")
        return outputs.filter(has=resolve(notebook_area.page, self.find)).nth(self.occurrence)

    def play(self, root, idle=lambda: True, timeout_s: float = 30, settle_s: float = 0.6) -> tuple[str, str]:
        """Do the steps; return the answer's text before and after. Fails if it does not change as expected.

        The answer counts once it matches, `idle()` says the kernel has finished the widget's callback and
        the text has stopped changing for `settle_s` (a streamed reply matches long before it is complete).
        """
        answer = resolve(root, self.answer).first if self.answer else root
        before = answer.inner_text()
        for step in self.steps:
            step.run(root)
        deadline = time.monotonic() + timeout_s
        after, stable_since = answer.inner_text(), time.monotonic()
        while time.monotonic() < deadline:
            if self._answered(before, after) and time.monotonic() - stable_since >= settle_s and idle():
                break
            root.page.wait_for_timeout(150)
            latest = answer.inner_text()
            if latest != after:
                after, stable_since = latest, time.monotonic()
        assert self._answered(before, after), (
            f"{self.name}: the answer did not change to match {self.expect!r} within {timeout_s:.0f}s.\n"
            f"before: {before[-400:]!r}\nafter: {after[-400:]!r}")
        return before, after

    def _answered(self, before: str, after: str) -> bool:
        return after != before and (not self.expect or re.search(self.expect, after) is not None)
