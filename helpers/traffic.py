"""What the kit's listeners (the session meter) and guards (its budget guard) see of the SDK's traffic.

The session (helpers.session) builds an `Outgoing` for each request before it is sent, and an
`Exchange` once its answer has been read. A live streamed answer still streams: its chunks are
passed on as they arrive and the listeners are told when the stream ends or is closed.
"""
from __future__ import annotations

import functools
import json
import warnings
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any
from dataclasses import dataclass, field

import httpx2

Listener = Callable[["Exchange"], object]  # hears every finished exchange (what it returns is not used)


@dataclass
class Outgoing:
    """A request about to be sent."""
    method: str
    path: str
    json: dict | None  # the JSON body, parsed (an upload's text fields); None for an empty body


@dataclass
class Exchange(Outgoing):
    """A request and its finished answer."""
    status: int = 0
    body: dict | None = None  # the JSON answer, parsed; None when streamed or not JSON
    events: list[dict] = field(default_factory=list)  # each server-sent event's data, when streamed
    live: bool = False  # came over the network; False when replayed from a recording
    local: bool = False  # answered by the local sandbox on this machine (helpers.sandbox): free, never billed


def parse_events(raw: bytes) -> list[dict]:
    """The JSON data of each server-sent event; `[DONE]` and comments are skipped."""
    events = []
    for block in raw.decode("utf-8", "replace").replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip() for line in block.split("\n") if line.startswith("data:"))
        if data and data != "[DONE]":
            try:
                events.append(json.loads(data))
            except ValueError:
                pass
    return events


def _is_events(content_type: str) -> bool:
    return content_type.startswith("text/event-stream")


def notify(listeners: Iterable[Listener], outgoing: Outgoing, status: int, content_type: str, content: bytes, *,
           live: bool, local: bool = False) -> None:
    """Tell each listener about a finished exchange; a listener's fault never breaks the learner's call."""
    if not listeners:
        return
    body, events = None, []
    if _is_events(content_type):
        events = parse_events(content)
    elif "json" in content_type and content:
        try:
            body = json.loads(content)
        except ValueError:
            pass
    exchange = Exchange(outgoing.method, outgoing.path, outgoing.json, status=status,
                        body=body if isinstance(body, dict) else None, events=events, live=live, local=local)
    for listener in list(listeners):
        try:
            listener(exchange)
        except Exception as err:  # a meter fault must never break the learner's call
            warnings.warn(f"The kit's session meter could not read an answer ({type(err).__name__}: {err}); "
                          "your call itself is not affected.", stacklevel=2)


class _Tee:
    """Keeps a copy of the chunks passed on; reports the whole once, at the end or on close."""

    def __init__(self, stream: Any, finish: Callable[[bytes], None], keep: bool) -> None:
        self._stream, self._keep = stream, keep
        self._finish: Callable[[bytes], None] | None = finish
        self._chunks: list[bytes] = []

    def _done(self) -> None:
        finish, self._finish = self._finish, None
        if finish is not None:
            finish(b"".join(self._chunks))


class TeeStream(_Tee, httpx2.SyncByteStream):
    """Passes a live answer's chunks on as they come (sync clients)."""

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            if self._keep:
                self._chunks.append(chunk)
            yield chunk
        self._done()

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._done()


class AsyncTeeStream(_Tee, httpx2.AsyncByteStream):
    """Passes a live answer's chunks on as they come (async clients)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            if self._keep:
                self._chunks.append(chunk)
            yield chunk
        self._done()

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._done()


def tee(listeners: Iterable[Listener], outgoing: Outgoing, response: httpx2.Response,
        stream_class: type[TeeStream] | type[AsyncTeeStream], *, local: bool = False) -> TeeStream | AsyncTeeStream:
    """The response's stream, wrapped so that the listeners hear of it once it has been read."""
    content_type = response.headers.get("content-type", "")
    keep = _is_events(content_type) or "json" in content_type  # binary answers (audio) are not kept in memory
    finish = functools.partial(notify, listeners, outgoing, response.status_code, content_type, live=not local,
                               local=local)
    return stream_class(response.stream, finish, keep)
