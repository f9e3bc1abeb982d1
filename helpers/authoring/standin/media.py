"""Synthesized media: embedding vectors, small PNG pictures and WAV hums."""
from __future__ import annotations

import functools
import hashlib
import io
import math
import struct
import wave
import zlib

import numpy as np

from . import minilm
from .wire import Seed

def embed(text: str, dimensions: int, length: int) -> list[float]:
    """all-MiniLM-L6-v2's vector for the text, spread over `length` numbers (the endpoint's full size) and
    cut to its first `dimensions`, renormalised, as text-embedding-3 shortens its vectors (a public capture
    of the live API: michaelfeil/infinity#538, "truncate and return after normalizing"; getzep/graphiti#1722).

    The spread stacks fixed rotations of the model's 384 numbers, one block of 384 after another, scaled
    so the whole has length 1: every full-length vector, and every prefix of whole blocks, has exactly
    the model's cosine similarities; a shorter prefix keeps most of them."""
    blocks = -(-max(length, dimensions) // minilm.DIMENSIONS)
    meaning = np.array(minilm.embed(text), dtype=np.float64)
    spread = np.concatenate([_rotate(meaning, mirrors) for mirrors in _mirrors(blocks)])[:dimensions]
    spread /= np.linalg.norm(spread) or 1.0
    # Through float32, as the API computes them, so the float and base64 forms agree exactly.
    return [float(x) for x in spread.astype(np.float32)]


MIRRORS_PER_BLOCK = 24  # enough reflections that each block mixes all of the model's numbers


@functools.lru_cache(maxsize=2)
def _mirrors(blocks: int) -> np.ndarray:
    """For each block, unit vectors from a fixed seed: reflecting in each in turn is a fixed rotation
    (an orthogonal map, so lengths and angles stay exactly as they were)."""
    normals = np.random.default_rng(20261101).standard_normal((blocks, MIRRORS_PER_BLOCK, minilm.DIMENSIONS))
    return normals / np.linalg.norm(normals, axis=-1, keepdims=True)


def _rotate(vector: np.ndarray, mirrors: np.ndarray) -> np.ndarray:
    for normal in mirrors:
        vector = vector - 2 * (normal @ vector) * normal
    return vector


def png(width: int, height: int, seed: Seed) -> bytes:
    """A small picture (a disc on a diagonal gradient) in colours taken from the seed."""
    c1, c2, c3 = (seed.digest(f"colour{i}")[:3] for i in range(3))
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            t = (x + y) / (width + height - 2)
            inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (min(width, height) / 4) ** 2
            rows.extend(c3 if inside else bytes(int(a + (b - a) * t) for a, b in zip(c1, c2, strict=True)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    image = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + image


def wav(text: str, rate: int = 24000) -> bytes:
    """A short hum with one pitch per word, at most 1.5 s of 16-bit mono (the API's wav format)."""
    words = text.split()[:12] or ["..."]
    per_word = min(0.25, 1.5 / len(words))
    samples = []
    for word in words:
        pitch = 140 + hashlib.sha256(word.encode()).digest()[0] % 120
        count = int(per_word * rate)
        for i in range(count):
            envelope = math.sin(math.pi * i / count)
            samples.append(int(9000 * envelope * math.sin(2 * math.pi * pitch * i / rate)))
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return out.getvalue()


def _audio_seconds(data: bytes) -> float | None:
    try:
        with wave.open(io.BytesIO(data)) as file:
            return file.getnframes() / file.getframerate()
    except (wave.Error, EOFError):
        return None


def _timestamp(seconds: float, mark: str) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{mark}{ms % 1000:03d}"
