"""The stand-in's numpy all-MiniLM-L6-v2 computes what sentence-transformers computes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers.authoring.standin import minilm

REFERENCE = json.loads((Path(__file__).parent / "minilm_reference.json").read_text(encoding="utf-8"))
CASES = REFERENCE["texts"]


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:30] for case in CASES])
def test_tokenizer_matches_the_reference(case: dict) -> None:
    assert minilm.token_ids(case["text"]) == case["token_ids"]


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:30] for case in CASES])
def test_embedding_matches_the_reference(case: dict) -> None:
    ours, theirs = np.array(minilm.embed(case["text"])), np.array(case["embedding"])
    assert ours.shape == (minilm.DIMENSIONS,)
    assert np.abs(ours - theirs).max() < 2e-5
    assert ours @ theirs / np.linalg.norm(theirs) > 1 - 1e-6


def test_the_reference_cuts_a_long_text_where_the_model_stops_reading() -> None:
    assert max(len(case["token_ids"]) for case in CASES) == minilm.MAX_TOKENS


def test_texts_embedded_together_get_what_each_gets_alone(monkeypatch):
    """A request's texts go through the model as one padded batch; padding must change nothing."""
    monkeypatch.setattr(minilm, "_known", {})
    together = np.array(minilm.embed_many([case["text"] for case in CASES]))
    assert np.abs(together - np.array([case["embedding"] for case in CASES])).max() < 2e-5
