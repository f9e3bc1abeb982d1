"""Checks for lesson 04f, vision: images as input."""
import base64
import binascii
from pathlib import Path
from typing import Any

from .. import models, vision
from . import Hints, Verdict, verdict

__all__ = ["check_data_url", "check_screenshot_tokens"]

PREFIX = "data:image/png;base64,"
SCREENSHOT = (1920, 1080)


def _decoded(url: str) -> bytes | None:
    try:
        return base64.b64decode(url[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return None


def check_data_url(chart: Path, photo_url: Any) -> Verdict:
    """Exercise 1: a base64 data URL of the chart's PNG."""
    return verdict([
        (isinstance(photo_url, str) and photo_url != "", "`photo_url` should be a string: the data URL."),
        (lambda: photo_url.startswith(PREFIX),
         Hints("A data URL says what it holds before the data: look at how the lesson built `data_url`.",
               f"It starts with `{PREFIX}` (a PNG, in base64), then the encoded bytes.")),
        (lambda: _decoded(photo_url) is not None,
         "After the comma comes base64 text: `base64.b64encode(...)` gives bytes, `.decode()` makes them text."),
        (lambda: _decoded(photo_url) == chart.read_bytes(),
         "That decodes to other bytes: encode the whole file, `chart.read_bytes()`."),
    ], f"{len(photo_url) if isinstance(photo_url, str) else 0:,} characters for a picture of 1024 × 640 pixels.")


def check_screenshot_tokens(screenshot_tokens: object) -> Verdict:
    """Exercise 2: the input tokens of a 1920 × 1080 image at detail high on gpt-6-luna."""
    width, height = SCREENSHOT
    expected = vision.image_tokens(width, height, "high", models.CHAT)
    patches = vision.patches(width, height)
    return verdict([
        (isinstance(screenshot_tokens, int) and not isinstance(screenshot_tokens, bool),
         "`screenshot_tokens` should be a whole number of tokens (`math.ceil` gives one)."),
        (lambda: screenshot_tokens != patches,
         "That is the number of patches: GPT-6 models bill a little more than one token per patch."),
        (lambda: screenshot_tokens == expected,
         Hints("Count the 32-pixel squares across and down (a part square counts as a whole), multiply, then "
               "apply the tokens per patch.",
               "Across: `math.ceil(1920 / 32)`; down: `math.ceil(1080 / 32)`; their product times 1.2, rounded up.")),
    ], f"{patches:,} patches, {expected:,} tokens: about {expected / 1000:.1f} thousand tokens per screenshot.")
