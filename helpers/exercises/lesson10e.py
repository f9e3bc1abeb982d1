"""Checks for lesson 10e, web search and the other built-in tools of the Responses API."""
import math
from collections.abc import Callable
from typing import Any

from openai.types.responses import Response

from .. import models, prices
from . import Hints, Verdict, verdict

__all__ = ["check_cited_pages", "check_search_bill"]

_MODEL = models.CHAT


def _answer_of_its_own() -> Response:
    """A response with two messages: two web citations, and a file citation that is not a web page."""
    def message(n: int, text: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
        return {"id": f"msg_{n}", "type": "message", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": annotations}]}

    url = lambda title, link: {"type": "url_citation", "start_index": 0, "end_index": 4, "title": title,  # noqa: E731
                               "url": link}
    output = [{"id": "ws_1", "type": "web_search_call", "status": "completed",
               "action": {"type": "search", "query": "tides"}},
              message(1, "Tides follow the Moon.", [url("Tides", "https://example.org/tides")]),
              message(2, "Spring tides are higher.", [
                  {"type": "file_citation", "file_id": "file-1", "filename": "notes.txt", "index": 0},
                  url("Spring tide", "https://example.org/spring")])]
    return Response.model_validate({
        "id": "resp_exercise", "object": "response", "created_at": 1764000000, "model": _MODEL, "output": output,
        "parallel_tool_calls": True, "tool_choice": "auto", "tools": []})


def check_cited_pages(cited_pages: Callable[[Response], Any], response: Response) -> Verdict:
    """Exercise 1: the (title, url) of every url_citation annotation of a response, in order."""
    def expected(answer: Response) -> list[tuple[str, str]]:
        # mypy narrows `a` by neither its type nor `part` (the answers here have text parts, not refusals).
        return [(a.title, a.url)  # type: ignore[union-attr]
                for item in answer.output if item.type == "message" for part in item.content
                for a in part.annotations if a.type == "url_citation"]  # type: ignore[union-attr]

    own = _answer_of_its_own()
    return verdict([
        (callable(cited_pages), "`cited_pages` should be a function that takes a response."),
        (lambda: isinstance(cited_pages(response), list), "Return a list of `(title, url)` pairs."),
        (lambda: cited_pages(response) != [],
         Hints("The list came back empty: the citations are on the message's text parts.",
               "For each `message` item, look at each part of `item.content`, and at its `annotations`.")),
        (lambda: [tuple(page) for page in cited_pages(response)] == expected(response),
         "Keep each annotation's `title` and `url`, as a pair, in the order they come."),
        (lambda: [tuple(page) for page in cited_pages(own)] == expected(own),
         "On the check's own answer that is not right: take every message item (there may be several), and "
         "only annotations whose `type` is `\"url_citation\"` (a `file_citation` has no url)."),
    ], "Your function lists the pages an answer cites, whatever else the answer holds.")


def check_search_bill(total: Any) -> Verdict:
    """Exercise 2: the cost of an answer with three searches, 9,000 input and 400 output tokens."""
    tokens = prices.cost(_MODEL, 9_000, 400)
    fees = 3 * prices.web_search_price(_MODEL) / 1000
    near = lambda value: isinstance(total, (int, float)) and math.isclose(total, value, rel_tol=1e-6)  # noqa: E731
    return verdict([
        (isinstance(total, (int, float)) and total > 0, "`total` should be a number of dollars, above zero."),
        (lambda: not near(tokens), "That is the tokens alone: add the three searches."),
        (lambda: not near(fees), "That is the searches alone: add the tokens."),
        (lambda: not near(tokens + 3 * prices.web_search_price(_MODEL)),
         "`web_search_price` is per 1,000 searches: divide by 1000."),
        (lambda: near(tokens + fees),
         Hints("Add the tokens' cost and the searches' cost.",
               "`cost(\"gpt-6-luna\", 9_000, 400)` for the tokens, and 3 searches at "
               "`web_search_price(\"gpt-6-luna\") / 1000` each.")),
    ], f"${tokens + fees:.4f}: the searches cost more than the tokens.")
