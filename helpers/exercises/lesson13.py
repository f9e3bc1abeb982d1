"""Checks for lesson 13, Retrieval: answering from your documents."""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from openai.types import CreateEmbeddingResponse

from . import Hints, Verdict, verdict

__all__ = ["check_top_k", "check_best_source", "check_cites_only_given"]

CITATION = re.compile(r"\[([\w.-]+\.md)\]")

# (scores, k, the right answer): distinct scores, so "best first" has one answer
TOP_K_CASES: list[tuple[list[float] | np.ndarray, int, list[int]]] = [
    ([0.1, 0.9, 0.5, 0.7], 2, [1, 3]), ([0.3, -0.2, 0.8], 1, [2]),
    (np.array([0.05, 0.6, 0.2, 0.9, 0.4]), 5, [3, 1, 4, 2, 0])]


def _whole_numbers(result: object) -> bool:
    return isinstance(result, list) and all(isinstance(i, int | np.integer) and not isinstance(i, bool)
                                            for i in result)


def check_top_k(top_k: Callable[[list[float] | np.ndarray, int], object]) -> Verdict:
    """Exercise 1: the indices of the k highest scores, best first."""
    results: list = []

    def run() -> bool:
        results[:] = [top_k(scores, k) for scores, k, _ in TOP_K_CASES]
        return True

    def scores_not_positions() -> bool:
        return not any(result and all(isinstance(i, float) for i in result) for result in results)

    return verdict([
        (callable(top_k), "`top_k` should be a function of the scores and k."),
        (run, "`top_k(scores, k)` should return a list."),
        (lambda: all(isinstance(r, list) for r in results), "`top_k` should return a list (of indices)."),
        (lambda: all(len(r) == k for r, (_, k, _) in zip(results, TOP_K_CASES, strict=True)),
         "Return exactly `k` indices: `top_k([0.1, 0.9, 0.5, 0.7], 2)` gives two."),
        (scores_not_positions, "Those are scores: return their positions in the list (whole numbers)."),
        (lambda: all(map(_whole_numbers, results)), "Each index should be a whole number (`int(i)`)."),
        (lambda: all(sorted(map(int, r)) == sorted(want) for r, (_, _, want) in zip(results, TOP_K_CASES, strict=True)),
         Hints("Not the positions of the highest scores: `top_k([0.1, 0.9, 0.5, 0.7], 2)` should pick 1 and 3.",
               "`np.argsort(scores)` gives the positions from the lowest score to the highest.",
               "`np.argsort(-np.asarray(scores))[:k]` gives the k best positions, best first.")),
        (lambda: all(list(map(int, r)) == want for r, (_, _, want) in zip(results, TOP_K_CASES, strict=True)),
         "The right indices, but put the best first: `top_k([0.1, 0.9, 0.5, 0.7], 2)` is [1, 3]."),
    ], "Those are the k best chunks, best first: what `search` returns.")


def check_best_source(chunks: list[dict[str, str]], vectors: np.ndarray, question_response: CreateEmbeddingResponse,
                      best_source: object) -> Verdict:
    """Exercise 2: the file of the chunk that best matches the question."""
    scores = np.asarray(vectors) @ np.array(question_response.data[0].embedding)
    expected = chunks[int(np.argmax(scores))]["source"]
    sources = {chunk["source"] for chunk in chunks}
    return verdict([
        (isinstance(best_source, str), "`best_source` should be a file name (a string), such as \"02_trails.md\"."),
        (lambda: best_source in sources, f"Use a file name the chunks carry in \"source\": {sorted(sources)}."),
        (lambda: best_source == expected,
         Hints("Not the file of the best-scoring chunk: score every chunk against the question first.",
               "`vectors @ np.array(bus_question.data[0].embedding)` scores every chunk; take the largest.",
               "`chunks[int(np.argmax(scores))][\"source\"]` is the best chunk's file.")),
    ], f"{expected} answers it: its best chunk scores highest.")


# (a reply, the files its passages came from, whether it cites only those)
CITE_CASES = [
    ("Not in April: dogs are kept off the Ridge Trail from March to mid-May [02_trails.md].",
     ["02_trails.md", "04_wildlife.md"], True),
    ("Dogs must be on a lead [02_trails.md]; adders live on the ridge [04_wildlife.md].",
     ["02_trails.md", "04_wildlife.md", "05_safety.md"], True),
    ("Dogs are welcome on every trail.", ["02_trails.md"], False),
    ("The café takes cards only [06_visitor_centre.md].", ["02_trails.md", "03_camping.md"], False),
    ("Dogs need a lead [02_trails.md], and lunch is paid by card [06_visitor_centre.md].",
     ["02_trails.md", "04_wildlife.md"], False),
]


def check_cites_only_given(cites_only_given: Callable[[str, list[dict[str, str]]], object]) -> Verdict:
    """Exercise 3: does a reply cite at least one file, and only files whose passages it was given?"""
    said: list = []

    def run() -> bool:
        said[:] = [cites_only_given(reply, [{"source": s, "text": "..."} for s in given])
                   for reply, given, _ in CITE_CASES]
        return True

    def case(n: int) -> Callable[[], bool]:
        return lambda: said[n] == CITE_CASES[n][2]

    return verdict([
        (callable(cites_only_given), "`cites_only_given` should be a function of a reply and its hits."),
        (run, "`cites_only_given(reply, hits)` should return True or False."),
        (lambda: all(isinstance(s, bool | np.bool_) for s in said), "Return True or False."),
        (case(0), "A reply citing [02_trails.md], with a hit from 02_trails.md, cites only what it was given: True."),
        (case(2), Hints("A reply that cites no file should give False.",
                        "Find the citations with a regular expression: `re.findall(r\"\\[(.+?)\\]\", reply)`; "
                        "none found means False.")),
        (case(3), Hints("A reply citing a file none of the hits came from should give False.",
                        "Compare the cited files with `{hit[\"source\"] for hit in hits}`: each must be in it.")),
        (case(1), "Several citations, all from the hits: True."),
        (case(4), "One citation from the hits and one from elsewhere: False. Every cited file must be given."),
    ], "That check catches a reply that cites nothing, and one that cites a file it was never given.")
