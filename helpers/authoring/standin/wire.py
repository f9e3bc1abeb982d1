"""Answers on the wire: errors in the API's shape, JSON and server-sent events, and the seeded values that
make every answer repeatable."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

CREATED_FROM = 1793491200  # 2026-11-01T00:00:00Z: synthesized answers are dated in November 2026
CREATED_SPAN = 29 * 86400
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict
    body: bytes
    json: object = None


class Seed:
    """The varying values of one answer, all derived from one hash so a replay repeats them."""

    def __init__(self, *parts):
        self.key = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()

    def digest(self, label: str) -> bytes:
        return hashlib.sha256(self.key + label.encode()).digest()

    def hex(self, label: str, length: int) -> str:
        return (self.digest(label) + self.digest(label + "+")).hex()[:length]

    def alnum(self, label: str, length: int) -> str:
        number = int.from_bytes(self.digest(label) + self.digest(label + "+"), "big")
        return "".join(BASE62[(number // 62**i) % 62] for i in range(length))

    def unit(self, label: str) -> float:
        """A fraction in [0, 1)."""
        return int.from_bytes(self.digest(label)[:8], "big") / 2**64

    @property
    def created(self) -> int:
        return CREATED_FROM + int(self.unit("created") * CREATED_SPAN)

    @property
    def processing_ms(self) -> int:
        return 180 + int(self.unit("processing") * 900)


@dataclass
class Answer:
    body: bytes | list[bytes]  # a list is sent as a stream of server-sent events, one chunk each
    content_type: str = "application/json"
    status: int = 200
    headers: dict = field(default_factory=dict)
    tokens: int = 0  # what the request cost, for the rate-limit headers
    seed: Seed | None = None


class ApiError(Exception):
    """Raised while answering a request the real API would refuse."""

    def __init__(self, status, message, type_="invalid_request_error", param=None, code=None):
        super().__init__(message)
        self.answer = error_answer(status, message, type_, param, code)


def error_answer(status, message, type_="invalid_request_error", param=None, code=None, headers=None) -> Answer:
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return Answer(_json(body), status=status, headers=dict(headers or {}))


def json_answer(obj, tokens=0) -> Answer:
    return Answer(_json(obj), tokens=tokens)


def sse_answer(events, done: bool, tokens=0) -> Answer:
    """Server-sent events from (event name or None, payload) pairs; chat streams end with [DONE]."""
    chunks = [((f"event: {name}\n" if name else "") + f"data: {_compact(data)}\n\n").encode()
              for name, data in events]
    if done:
        chunks.append(b"data: [DONE]\n\n")
    return Answer(chunks, content_type="text/event-stream; charset=utf-8", tokens=tokens)


def _json(obj) -> bytes:
    return json.dumps(obj, indent=2, ensure_ascii=False).encode()


def _compact(obj) -> str:
    """JSON the way current models write it in arguments and structured outputs."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _obfuscation(piece: str, number: int) -> str:
    """Padding that evens out event sizes (on by default, per the spec); derived, so reruns repeat it."""
    pad = Seed("obfuscation", piece, number).alnum("pad", 16)
    return pad[:max(2, 16 - len(piece.encode()))]
