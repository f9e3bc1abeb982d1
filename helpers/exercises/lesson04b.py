"""Checks for lesson 04b, images."""
import base64
import math
import re
from typing import Any, cast

from openai.types import ImagesResponse

from . import Hints, Verdict, verdict
from ..models import IMAGE
from ..prices import cost

__all__ = ["check_decoded", "check_image_cost", "check_portrait_params"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_decoded(response: ImagesResponse, image_bytes: Any) -> Verdict:
    """Exercise 1: the base64 image of a response, decoded to bytes."""
    return verdict([
        (image_bytes is not None,
         Hints("The picture is in the response as base64 text: find it in `wide.data[0]`.",
               "The field is `b64_json`; the `base64` module turns that text back into bytes.",
               "`base64.b64decode(wide.data[0].b64_json)`")),
        (isinstance(image_bytes, bytes),
         "`wide_bytes` should be bytes: `base64.b64decode` returns bytes from the base64 text."),
        (lambda: image_bytes.startswith(PNG_SIGNATURE), "These bytes are not a PNG file: decode `b64_json` itself."),
        (lambda: image_bytes == base64.b64decode(response.data[0].b64_json),  # type: ignore[index, arg-type]
         "That is a PNG, but not the wide one: decode `wide.data[0].b64_json`."),
    ], f"{len(image_bytes or b'')} bytes of PNG, ready to show or save.")


def check_image_cost(response: ImagesResponse, dollars: Any) -> Verdict:
    """Exercise 2: the cost of an image from its usage."""
    usage = response.usage
    assert usage is not None  # gpt-image models report it
    expected = cost(IMAGE, usage.input_tokens, usage.output_tokens)
    output_only = cost(IMAGE, 0, usage.output_tokens)
    return verdict([
        (isinstance(dollars, (int, float)) and not isinstance(dollars, bool),
         "`wide_cost` should be a number of dollars."),
        (dollars != 0,
         Hints("An image is billed by its usage: the tokens in and the tokens out, each at its own price.",
               "Use `wide.usage.input_tokens` and `wide.usage.output_tokens` with the price per token.")),
        (not math.isclose(dollars, output_only, rel_tol=1e-9) or math.isclose(expected, output_only, rel_tol=1e-9),
         "Close: add the input tokens too (they are billed at the input price)."),
        (math.isclose(dollars, expected, rel_tol=1e-6),
         "Not quite: prices are per million tokens, so divide by 1,000,000, or use `cost(model, input, output)`."),
    ], f"${expected:.4f} for one {response.size} image at {response.quality} quality.")


def _size(value: object) -> tuple[int, int] | None:
    found = re.fullmatch(r"(\d+)x(\d+)", value) if isinstance(value, str) else None
    return (int(found[1]), int(found[2])) if found else None


def check_portrait_params(params: Any) -> Verdict:
    """Exercise 3: arguments for a portrait image at high quality."""
    def size() -> tuple[int, int]:  # asked for only once a condition before has found a size
        return cast("tuple[int, int]", _size(params["size"]))

    return verdict([
        (isinstance(params, dict), "`params` should be a dict of keyword arguments."),
        (lambda: params.get("model") == IMAGE, f"Keep `\"model\": \"{IMAGE}\"`."),
        (lambda: isinstance(params.get("prompt"), str) and params["prompt"].strip(), "Keep a non-empty `prompt`."),
        (lambda: _size(params.get("size")) is not None,
         "Add a `size` written as \"WIDTHxHEIGHT\", for example \"1024x1536\"."),
        (lambda: size()[1] > size()[0],
         "A portrait image is taller than it is wide: the second number (height) must be the bigger one."),
        (lambda: all(v % 16 == 0 for v in size()), "Width and height must both be divisible by 16."),
        (lambda: size()[1] <= 3 * size()[0],
         "The aspect ratio must stay within 1:3; make it less tall."),
        (lambda: params.get("quality") == "high", "Set `\"quality\": \"high\"`."),
    ], "A portrait, high-quality request: `client.images.generate(**params)` would send it.")
