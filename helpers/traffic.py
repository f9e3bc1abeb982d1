"""Every API exchange the SDK makes, shown to the kit's listeners (the session meter and its budget guard).

The hook sits in `httpx2.Client.send` (and `AsyncClient.send`), the one method every SDK request goes
through, so lesson code stays verbatim `OpenAI()` code. It wraps whatever answers the request: vcrpy's
replay of a recording (which patches the transport, one layer below), a live server, or both in
record mode. Guards see each request before it is sent and may refuse it by raising; listeners see
each finished exchange once its body has been read. A streamed answer still streams: its chunks are
passed on as they arrive and the listeners are told when the stream ends or is closed.
"""
from __future__ import annotations

import functools
import json
import warnings
from dataclasses import dataclass, field
from collections.abc import Callable

import httpx2

_listeners: list[Callable[[Exchange], None]] = []
_guards: list[Callable[[Outgoing], None]] = []
MARK = "_kit_traffic"  # set on the installed wrappers, so installing twice changes nothing


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


def add_listener(listener: Callable[[Exchange], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def add_guard(guard: Callable[[Outgoing], None]) -> None:
    """`guard(outgoing)` runs before each request is sent; an exception it raises stops the request."""
    if guard not in _guards:
        _guards.append(guard)


def remove_guard(guard) -> None:
    if guard in _guards:
        _guards.remove(guard)


# --- reading requests and answers -------------------------------------------------------------------

def _request_json(request: httpx2.Request) -> dict | None:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):  # an upload: its text fields (model...), not the file
        fields = getattr(request.stream, "fields", [])
        return {f.name: f.value for f in fields if isinstance(getattr(f, "value", None), str)} or None
    if "json" not in content_type:
        return None
    try:
        value = json.loads(request.content)
    except (httpx2.RequestNotRead, ValueError):
        return None
    return value if isinstance(value, dict) else None


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


def _is_events(response: httpx2.Response) -> bool:
    return response.headers.get("content-type", "").startswith("text/event-stream")


def _is_json(response: httpx2.Response) -> bool:
    return "json" in response.headers.get("content-type", "")


def _notify(outgoing: Outgoing, response: httpx2.Response, content: bytes) -> None:
    body, events = None, []
    if _is_events(response):
        events = parse_events(content)
    elif _is_json(response) and content:
        try:
            body = json.loads(content)
        except ValueError:
            pass
    exchange = Exchange(outgoing.method, outgoing.path, outgoing.json, status=response.status_code,
                        body=body if isinstance(body, dict) else None, events=events,
                        live="http_version" in response.extensions)  # only a network answer has one
    for listener in list(_listeners):
        try:
            listener(exchange)
        except Exception as err:  # a meter fault must never break the learner's call
            warnings.warn(f"The kit's session meter could not read an answer ({type(err).__name__}: {err}); "
                          "your call itself is not affected.", stacklevel=2)


# --- streamed answers -------------------------------------------------------------------------------

class _TeeStream(httpx2.SyncByteStream):
    """Passes the chunks on as they come and keeps a copy; reports the whole once, at the end or on close."""

    def __init__(self, stream, finish: Callable[[bytes], None], keep: bool):
        self._stream, self._finish, self._keep, self._chunks = stream, finish, keep, []

    def __iter__(self):
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

    def _done(self) -> None:
        finish, self._finish = self._finish, None
        if finish is not None:
            finish(b"".join(self._chunks))


class _AsyncTeeStream(httpx2.AsyncByteStream):
    def __init__(self, stream, finish: Callable[[bytes], None], keep: bool):
        self._stream, self._finish, self._keep, self._chunks = stream, finish, keep, []

    async def __aiter__(self):
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

    _done = _TeeStream._done


# --- the hook ---------------------------------------------------------------------------------------

def _before(request: httpx2.Request) -> Outgoing:
    outgoing = Outgoing(request.method, request.url.path, _request_json(request))
    for guard in list(_guards):
        guard(outgoing)
    return outgoing


def _after(outgoing: Outgoing, response: httpx2.Response, streamed: bool, tee) -> None:
    if not _listeners:
        return
    if not streamed:  # send() has read the whole body already
        _notify(outgoing, response, response.content)
        return
    keep = _is_events(response) or _is_json(response)  # binary answers (audio) are not kept in memory
    response.stream = tee(response.stream, functools.partial(_notify, outgoing, response), keep)


def install() -> None:
    """Hook httpx2's clients; safe to call any number of times."""
    if getattr(httpx2.Client.send, MARK, False):
        return
    sync_send, async_send = httpx2.Client.send, httpx2.AsyncClient.send

    @functools.wraps(sync_send)
    def send(self, request, *, stream=False, **kwargs):
        outgoing = _before(request)
        response = sync_send(self, request, stream=stream, **kwargs)
        _after(outgoing, response, stream, _TeeStream)
        return response

    @functools.wraps(async_send)
    async def asend(self, request, *, stream=False, **kwargs):
        outgoing = _before(request)
        response = await async_send(self, request, stream=stream, **kwargs)
        _after(outgoing, response, stream, _AsyncTeeStream)
        return response

    for wrapper in (send, asend):
        setattr(wrapper, MARK, True)
    httpx2.Client.send, httpx2.AsyncClient.send = send, asend
