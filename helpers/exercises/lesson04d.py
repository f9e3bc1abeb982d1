"""Checks for lesson 04d, embeddings."""
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from openai.types import CreateEmbeddingResponse

from . import Verdict, verdict

__all__ = ["check_cosine", "check_nearest", "check_best_text"]


def _true_cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def check_cosine(cosine: Callable[[np.ndarray, np.ndarray], Any], vectors: np.ndarray) -> Verdict:
    """Exercise 1: a cosine similarity function, tried on unit vectors and on vectors of other lengths."""
    pairs = [(vectors[0], vectors[1]), (vectors[0], vectors[0]), (2 * vectors[2], vectors[9]),
             (np.array([3.0, 4.0]), np.array([4.0, 3.0]))]
    return verdict([
        (callable(cosine), "`cosine` should be a function of two vectors."),
        (lambda: all(isinstance(float(cosine(a, b)), float) for a, b in pairs),
         "`cosine(a, b)` should return a number."),
        (lambda: math.isclose(float(cosine(pairs[1][0], pairs[1][1])), 1.0, rel_tol=1e-6),
         "A vector compared with itself should score 1: start from the dot product, `a @ b`."),
        (lambda: math.isclose(float(cosine(*pairs[3])), 0.96, rel_tol=1e-6),
         "Divide the dot product by the lengths, `np.linalg.norm(a) * np.linalg.norm(b)` "
         "([3, 4] and [4, 3] should score 0.96)."),
        (lambda: all(math.isclose(float(cosine(a, b)), _true_cosine(a, b), rel_tol=1e-6, abs_tol=1e-9)
                     for a, b in pairs),
         "Close, but some pairs score differently from a @ b / (|a| |b|)."),
    ], "That is cosine similarity; for unit vectors it equals the dot product.")


def check_nearest(vectors: np.ndarray, index: int, nearest: Any) -> Verdict:
    """Exercise 2: the index of the text most similar to texts[index], other than itself."""
    scores = vectors @ vectors[index]
    scores[index] = -np.inf
    expected = int(np.argmax(scores))
    return verdict([
        (isinstance(nearest, (int, np.integer)) and not isinstance(nearest, bool),
         "`nearest` should be an index (a whole number)."),
        (lambda: int(nearest) != index, "That is the text itself (it always scores 1): take the next one."),
        (lambda: int(nearest) == expected,
         f"Not the highest score in row {index} of `similarity`; sort it from high to low."),
    ], f"Text {expected} is the nearest neighbour of text {index}.")


def check_best_text(vectors: np.ndarray, texts: list[str], question_response: CreateEmbeddingResponse,
                    best_text: object) -> Verdict:
    """Exercise 3: the text that best answers a question, by embedding score."""
    scores = vectors @ np.array(question_response.data[0].embedding)
    expected = texts[int(np.argmax(scores))]
    return verdict([
        (isinstance(best_text, str), "`best_text` should be one of the `texts` (a string)."),
        (lambda: best_text in texts, "Pick the text from `texts`, by the index of the highest score (`np.argmax`)."),
        (lambda: best_text == expected,
         "Not the top score: multiply `vectors` by the question's vector and take the largest."),
    ], f"{expected!r} answers it best.")
