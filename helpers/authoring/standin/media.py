"""Synthesized media: embedding vectors, small PNG pictures and WAV hums."""
from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import struct
import wave
import zlib

from .wire import Seed

STOPWORDS = frozenset("a an and are as at be but by do for from has have i in is it its my of on or so that the "
                      "this to was we were what with you your".split())  # carry little meaning in embeddings


def embed(text: str, dimensions: int) -> list[float]:
    """A hashed bag of words and character trigrams, each feature a fixed pseudo-random direction,
    L2-normalised: texts that share words point the same way, unrelated texts are near orthogonal.
    A shorter vector is a prefix of the longer one, renormalised, as with text-embedding-3."""
    vector = [0.0] * dimensions
    words = re.findall(r"\w+", text.lower()) or [text.lower()]
    features = [(w, 0.2 if w in STOPWORDS else 1.0) for w in words]
    features += [(f" {w} "[i:i + 3], 0.3) for w in words if w not in STOPWORDS for i in range(len(w))]
    for feature, weight in features:
        vector = [v + weight * (b - 127.5) for v, b in zip(vector, _direction(feature, dimensions), strict=True)]
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    # Through float32, as the API computes them, so the float and base64 forms agree exactly.
    return list(struct.unpack(f"<{dimensions}f", struct.pack(f"<{dimensions}f", *(v / norm for v in vector))))


@functools.lru_cache(maxsize=4096)
def _direction(feature: str, dimensions: int) -> bytes:
    return hashlib.shake_256(feature.encode()).digest(dimensions)


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
