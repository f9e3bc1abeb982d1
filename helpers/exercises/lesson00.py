"""Checks for lesson 00, setup and API keys."""
from __future__ import annotations

import io
import os
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

from openai import OpenAI
from openai.types import Model

from . import Verdict, verdict

__all__ = ["check_key_report", "check_embedding_ids", "check_vllm_client"]

VARIABLE = "OPENAI_API_KEY"
# Built here, not written out, so no file holds a key-shaped string.
FAKE_KEY = "sk-" + "exercise" + "Check" * 4


def _run_with_key(function: Callable[[], object], key: str | None) -> tuple[Any, str]:
    """Call `function()` with OPENAI_API_KEY set to `key` (or unset); return its result and what it printed."""
    saved = os.environ.get(VARIABLE)
    if key is None:
        os.environ.pop(VARIABLE, None)
    else:
        os.environ[VARIABLE] = key
    printed = io.StringIO()
    try:
        with redirect_stdout(printed), redirect_stderr(printed):
            result = function()
    finally:
        if saved is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = saved
    return result, printed.getvalue()


def check_key_report(key_report: Callable[[], object]) -> Verdict:
    """Exercise 1: say whether a key is set, never showing it."""
    results: dict[str, tuple[Any, str]] = {}  # what key_report returned (anything) and printed, by case

    def with_key() -> bool:
        results["set"] = _run_with_key(key_report, FAKE_KEY)
        return isinstance(results["set"][0], str) and results["set"][0].strip() != ""

    def without_key() -> bool:
        results["unset"] = _run_with_key(key_report, None)
        return isinstance(results["unset"][0], str)

    return verdict([
        (callable(key_report), "`key_report` should be a function."),
        (with_key, "`key_report()` should return a sentence (a string), not print it or return None."),
        (lambda: FAKE_KEY not in results["set"][0] and FAKE_KEY[3:] not in results["set"][0],
         "The report contains the key itself! Say only whether it is set."),
        (lambda: FAKE_KEY[3:9] not in results["set"][1],
         "`key_report()` printed the key. Never print it: return a sentence that leaves it out."),
        (lambda: "not set" not in results["set"][0] and "is set" in results["set"][0],
         "With a key in the environment, the report should say `OPENAI_API_KEY is set`."),
        (without_key, "With no key, `key_report()` should still return a string."),
        (lambda: "not set" in results["unset"][0],
         "With no key, the report should say `OPENAI_API_KEY is not set`. "
         "Use `os.environ.get(\"OPENAI_API_KEY\")`, which gives None when it is missing."),
    ], "It tells whether a key is set and never shows it.")


def check_embedding_ids(models: list[Model], embedding_ids: Any) -> Verdict:
    """Exercise 2: the embedding models in the models list."""
    expected = [model.id for model in models if "embedding" in model.id]
    return verdict([
        (isinstance(embedding_ids, list), "`embedding_ids` should be a list of model ids."),
        (lambda: all(isinstance(i, str) for i in embedding_ids),
         "Put the ids (strings, `model.id`) in the list, not the model objects."),
        (lambda: len(embedding_ids) > 0, "The list is empty: keep the models whose id contains 'embedding'."),
        (lambda: set(embedding_ids) <= set(expected),
         "Some ids in your list are not embedding models: keep only ids that contain 'embedding'."),
        (lambda: set(embedding_ids) == set(expected), "Some embedding models are missing from your list."),
    ], f"{len(expected)} embedding models: {', '.join(sorted(expected))}.")


def check_vllm_client(vllm: Any) -> Verdict:
    """Exercise 3: a client for a local vLLM server."""
    return verdict([
        (isinstance(vllm, OpenAI), "`vllm` should be a client: `OpenAI(base_url=..., api_key=...)`."),
        (lambda: str(vllm.base_url).rstrip("/") == "http://localhost:8000/v1",
         "Give it `base_url=\"http://localhost:8000/v1\"` (the address vLLM serves the API at)."),
    ], "That client would send its requests to vLLM on this machine.")
