"""Checks for lesson 14, file search and PDF input."""
import base64
import binascii
import math
from typing import Any

from openai.types.responses import Response

from .. import models, prices
from . import Hints, Verdict, verdict

__all__ = ["check_cited", "check_cost", "check_inline_part"]

DATA_URL = "data:application/pdf;base64,"


def _citations(response: Response) -> set[str]:
    return {note.filename for item in response.output if item.type == "message" for part in item.content
            for note in getattr(part, "annotations", None) or [] if note.type == "file_citation"}


def check_cited(response: Response, cited: Any) -> Verdict:
    """Exercise 1: the names of the files an answer cites."""
    return verdict([
        (isinstance(cited, set | frozenset) and all(isinstance(name, str) for name in cited),
         "`cited` should be a set of file names (strings), like {'03_camping.md'}."),
        (lambda: bool(cited), Hints("The citations are annotations on the message's text: look at "
                                    "`found.output[-1].content[0].annotations`.",
                                    "Each `file_citation` annotation has a `filename`: collect them in a set.")),
        (lambda: cited == _citations(response),
         "Keep the `filename` of every annotation whose `type` is 'file_citation', and nothing else."),
    ], "The answer rests on those files, and says so: that is what makes it checkable.")


def check_cost(response: Response, cost: Any) -> Verdict:
    """Exercise 2: what an answer with file search cost, tokens and tool calls together."""
    calls = sum(item.type == "file_search_call" for item in response.output)
    assert response.usage is not None  # a finished response reports its usage
    tokens = prices.cost(models.CHAT, response.usage.input_tokens, response.usage.output_tokens)
    expected = tokens + prices.file_search_cost(calls)
    return verdict([
        (isinstance(cost, int | float) and not isinstance(cost, bool), "`cost` should be a number of dollars."),
        (lambda: not math.isclose(cost, tokens, rel_tol=1e-9) or calls == 0,
         Hints("That is the tokens alone: the file search call is billed too.",
               "Add `prices.file_search_cost(calls)`, with `calls` the number of `file_search_call` items.")),
        (lambda: math.isclose(cost, expected, rel_tol=1e-9),
         Hints("Price the tokens with `prices.cost(\"gpt-6-luna\", input_tokens, output_tokens)` from "
               "`found.usage`, then add the file search calls.",
               "cost = prices.cost(\"gpt-6-luna\", found.usage.input_tokens, found.usage.output_tokens) "
               "+ prices.file_search_cost(1)")),
    ], f"Right: {prices.usd(expected)}, and the tool call is most of it.")


def _decoded(part: object) -> bytes | None:
    data = part.get("file_data") if isinstance(part, dict) else None
    if not isinstance(data, str) or not data.startswith(DATA_URL):
        return None
    try:
        return base64.b64decode(data.removeprefix(DATA_URL), validate=True)
    except (binascii.Error, ValueError):
        return None


def check_inline_part(part: Any, pdf_bytes: bytes) -> Verdict:
    """Exercise 3: an input_file part that carries the PDF inline."""
    return verdict([
        (isinstance(part, dict), "`part` should be a dict, like the `input_file` part in the lesson."),
        (lambda: part.get("type") == "input_file", "Its `type` is 'input_file'."),
        (lambda: "file_id" not in part, "Inline means no `file_id`: the bytes travel in `file_data` instead."),
        (lambda: isinstance(part.get("filename"), str) and part["filename"].endswith(".pdf"),
         "Give a `filename` ending in .pdf: the API needs it to know what the data is."),
        (lambda: _decoded(part) is not None,
         Hints("`file_data` is a data URL: 'data:application/pdf;base64,' and then the file's base64.",
               "base64.b64encode(pdf_bytes).decode() gives the base64 as a string.")),
        (lambda: _decoded(part) == pdf_bytes, "The base64 should be of `pdf_bytes`, the whole file."),
    ], "That part can go in `content` in place of the file id; the PDF is sent with each request.")
