"""The session: one object that owns everything the kit does to the SDK's traffic.

`setup()` makes one `Session` per lesson run. It patches one public transport-level point, the
`handle_request` / `handle_async_request` methods of httpx2's `HTTPTransport` and
`AsyncHTTPTransport` (the transports the SDK's clients send through), so lesson code stays
verbatim `OpenAI()` code. `uninstall()` puts back exactly what it found.

Each request flows one way: guards (may refuse it) → source (the recording, the server, the
server with the answer recorded, or, offline, the local sandbox for what nobody recorded) → pacing
(replayed streams arrive event by event) → listeners (the meter). An exception the kit raises (a
miss, a damaged recording, the budget guard) is not an httpx2 error, so the SDK passes it straight
to the learner without retrying.
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx2

from . import pacing, refusals, sandbox, traffic
from .sandbox import MARK_HEADER, Sandbox, SandboxError
from .recordings import Answer, OfflineMiss, Recording, Sent, origin_of, scrub_secrets, shown, synthesized

OFFLINE, LIVE, RECORD = "offline", "live", "record"
TRANSPORTS = ((httpx2.HTTPTransport, "handle_request"), (httpx2.AsyncHTTPTransport, "handle_async_request"))
LOCAL = -1  # the source is the local sandbox (an index no recording has)
Guard = Callable[[traffic.Outgoing], None]  # may raise to stop a request before it is sent
TeeClass = type[traffic.TeeStream] | type[traffic.AsyncTeeStream]


class Session:
    """Mode, recording, guards, listeners and pacing for one lesson; `install()` starts it."""

    def __init__(self, notebook: str, mode: str, *, overwrite: bool = False, guards: Iterable[Guard] = (),
                 listeners: Iterable[traffic.Listener] = (),
                 server: str = "", banner: str = "", sandbox: Sandbox | None = None) -> None:
        self.notebook, self.mode, self.overwrite = notebook, mode, overwrite
        self.sandbox = sandbox if mode == OFFLINE else None  # answers what nobody recorded, offline only
        self._local_sync: httpx2.HTTPTransport | None = None
        self.server, self.banner = server, banner
        self.recording = Recording(notebook) if mode in (OFFLINE, RECORD) else None
        self.guards = list(guards)  # guard(outgoing) may raise to stop a request before it is sent
        self.listeners = list(listeners)  # listener(exchange) sees every finished answer
        self._installed: dict = {}  # (class, name) -> (what was there before, the kit's method)
        self.stopped = ""  # why recording stopped for this session ("" while it records)
        self._refused: tuple[Sent, str] | None = None  # the last answer not recorded, and why
        self._base_path = urlsplit(server).path.rstrip("/") if server else "/v1"  # what the SDK puts before /chat/…

    @property
    def installed(self) -> bool:
        return bool(self._installed)

    # --- the seam

    def install(self) -> Session:
        if self.installed:
            return self
        for cls, name in TRANSPORTS:
            before = cls.__dict__[name]
            method = self._sync_method(before) if name == "handle_request" else self._async_method(before)
            self._installed[(cls, name)] = (before, method)
            setattr(cls, name, method)
        return self

    def uninstall(self) -> None:
        """Put back what install() found, where the kit's method is still in place."""
        for (cls, name), (before, method) in self._installed.items():
            if cls.__dict__.get(name) is method:
                setattr(cls, name, before)
        self._installed = {}
        if self._local_sync is not None:  # the sandbox's connections end with the session
            self._local_sync.close()
            self._local_sync = None

    def _sync_method(self, send: Callable[[httpx2.HTTPTransport, httpx2.Request], httpx2.Response]) -> Any:
        session = self

        def handle_request(transport: httpx2.HTTPTransport, request: httpx2.Request) -> httpx2.Response:
            request.read()
            sent, outgoing, index = session._before(request)
            if index == LOCAL:
                local = session._local_request(sent, request)
                try:
                    answer = send(session._local_transport(), local)
                except httpx2.TransportError as err:
                    raise session._unreachable(sent, err) from None
                return session._local_answer(outgoing, answer, traffic.TeeStream)
            if index is not None:
                return session._replay(outgoing, index, request)
            response = send(transport, request)
            if session.mode == RECORD:
                return session._record(sent, outgoing, request, response, response.read())
            if response.status_code >= 400:  # an error is small: read it whole, to mask a key it echoes
                return session._live_error(outgoing, response, response.read(), request)
            return session._tee(outgoing, response, traffic.TeeStream)

        return _marked(handle_request, self)

    def _async_method(self, send: Callable[[httpx2.AsyncHTTPTransport, httpx2.Request],
                                           Awaitable[httpx2.Response]]) -> Any:
        session = self

        async def handle_async_request(transport: httpx2.AsyncHTTPTransport,
                                       request: httpx2.Request) -> httpx2.Response:
            await request.aread()
            sent, outgoing, index = session._before(request)
            if index == LOCAL:
                local = session._local_request(sent, request)
                own = httpx2.AsyncHTTPTransport()  # one per request: an async transport belongs to its event loop
                try:
                    answer = await send(own, local)
                except httpx2.TransportError as err:
                    await own.aclose()
                    raise session._unreachable(sent, err) from None
                answer.stream = _ClosingStream(answer.stream, own)
                return session._local_answer(outgoing, answer, traffic.AsyncTeeStream)
            if index is not None:
                return session._replay(outgoing, index, request)
            response = await send(transport, request)
            if session.mode == RECORD:
                return session._record(sent, outgoing, request, response, await response.aread())
            if response.status_code >= 400:
                return session._live_error(outgoing, response, await response.aread(), request)
            return session._tee(outgoing, response, traffic.AsyncTeeStream)

        return _marked(handle_async_request, self)

    # --- the flow: guards, source, pacing, listeners

    def _before(self, request: httpx2.Request) -> tuple[Sent, traffic.Outgoing, int | None]:
        """Run the guards, then find the recorded answer to replay (None: the server answers)."""
        sent = Sent.of(request, path=self.api_path(request.url.path))
        outgoing = traffic.Outgoing(sent.method, sent.path, _fields(sent.body))
        for guard in list(self.guards):
            guard(outgoing)
        if self.recording is None:
            return sent, outgoing, None
        index = None if self.overwrite else self.recording.choose(sent, recording=self.mode == RECORD)
        if index is None and sent in self.recording.unsaved:
            print(f"The last answer to {sent.method} {sent.path} was not saved to {shown(self.recording.path)} "
                  "(see the message above), so this request goes to the server again.")
        if index is None and self.mode == OFFLINE:
            if self.sandbox is None:
                note = sandbox.how_to_set_up()
            elif not (self.sandbox.serves(sent.path) and isinstance(sent.body, dict)):
                note = self.sandbox.cannot_serve(sent.path)
            elif not (note := self.sandbox.declines(sent.body)):
                return sent, outgoing, LOCAL
            raise OfflineMiss(recording=self.recording, request=sent, note=note)
        return sent, outgoing, index

    # --- the local sandbox: offline, what nobody recorded

    def _local_request(self, sent: Sent, request: httpx2.Request) -> httpx2.Request:
        assert self.sandbox is not None and isinstance(sent.body, dict)  # _before chose the sandbox
        refused = refusals.refusal(sent.path, sent.body)
        if refused is not None:  # the sandbox would answer what the API refuses: that would teach the wrong thing
            raise self._miss(sent, f"The live API refuses this request ({refused.status}: {refused.message}), "
                                   "so the local sandbox does not answer it either.")
        try:
            return self.sandbox.request_for(request, sent.path, sent.body)
        except SandboxError as err:
            raise self._miss(sent, str(err)) from None

    def _local_transport(self) -> httpx2.HTTPTransport:
        """The sandbox's own transport: never a proxy the SDK's transport may go through."""
        if self._local_sync is None:
            self._local_sync = httpx2.HTTPTransport()
        return self._local_sync

    def _unreachable(self, sent: Sent, err: Exception) -> OfflineMiss:
        assert self.sandbox is not None
        return self._miss(sent, self.sandbox.unreachable(err))

    def _miss(self, sent: Sent, note: str) -> OfflineMiss:
        assert self.recording is not None  # offline mode has a recording
        return OfflineMiss(recording=self.recording, request=sent, note=note)

    def _local_answer(self, outgoing: traffic.Outgoing, response: httpx2.Response, tee: TeeClass) -> httpx2.Response:
        """The sandbox's answer, marked in the cell's output and in its headers; the meter counts it as local."""
        assert self.sandbox is not None
        self.sandbox.answered += 1
        print(self.sandbox.mark)
        response.headers[MARK_HEADER] = self.sandbox.label.encode("ascii", "replace").decode()
        if self.listeners:
            response.stream = traffic.tee(self.listeners, outgoing, response, tee, local=True)
        return response

    def _replay(self, outgoing: traffic.Outgoing, index: int, request: httpx2.Request) -> httpx2.Response:
        assert self.recording is not None  # a replay comes from a recording
        answer: Answer = self.recording.answer(index)
        headers = list(answer.headers.items())
        if answer.headers.get("content-type", "").startswith("text/event-stream"):
            stream = pacing.PacedStream(answer.content, pacing.pace_seconds())
            response = httpx2.Response(answer.status, headers=headers, stream=stream, request=request)
        else:
            response = httpx2.Response(answer.status, headers=headers, content=answer.content, request=request)
        traffic.notify(self.listeners, outgoing, answer.status, answer.headers.get("content-type", ""),
                       answer.content, live=False)
        return response

    def _record(self, sent: Sent, outgoing: traffic.Outgoing, request: httpx2.Request, response: httpx2.Response,
                content: bytes) -> httpx2.Response:
        """Save the answer if it should be kept, and hand it on; the meter sees it either way."""
        assert self.recording is not None  # record mode has a recording
        if response.status_code >= 400:
            response = self._masked(response, content, request)
            content = response.content
        if not self.stopped:
            if why_not := self._not_kept(sent, request, response):
                again = response.status_code >= 400 and self._refused == (sent, why_not)  # the SDK's retry
                self._refused = (sent, why_not)
                print(f"Not recorded either: {sent.method} {sent.path} got {response.status_code} again."
                      if again else why_not)
            else:
                self.recording.add(sent, response.status_code, response.reason_phrase, response.headers, content,
                                   overwrite=self.overwrite, origin=origin_of(request.url))
        traffic.notify(self.listeners, outgoing, response.status_code, response.headers.get("content-type", ""),
                       content, live=True)
        return response

    def _not_kept(self, sent: Sent, request: httpx2.Request, response: httpx2.Response) -> str:
        """Why an answer must not be recorded, or '': an error is kept only where the lesson teaches it
        (its recording answered this request with an error, the stand-in's script chose it, or the model
        catalogue says the API refuses this request with that status). A 401 to the session's own key
        stops recording, so a wrong key can never replace the good answers."""
        status, where = response.status_code, shown(self.recording.path) if self.recording else ""
        if MARK_HEADER in response.headers:  # a local sandbox's answer, relayed: only the API's answers are kept
            return (f"Not recorded: {sent.method} {sent.path} was answered by a local sandbox "
                    f"({response.headers[MARK_HEADER]}), not by the API, so {where} keeps what it had.")
        if status < 400:
            return ""
        key = os.environ.get("OPENAI_API_KEY", "")
        if status == 401 and key and request.headers.get("authorization") == f"Bearer {key}":
            self.stopped = (f"Recording stopped: the server refused the key in OPENAI_API_KEY (401), so no answer "
                            f"was saved and {where} is unchanged. Fix the key (lesson 00), then run the setup "
                            "cell again.")
            return self.stopped
        refusal = refusals.refusal(sent.path, sent.body) if isinstance(sent.body, dict) else None
        if (synthesized(response.headers) or (self.recording and self.recording.teaches_error(sent))
                or (refusal is not None and refusal.status == status)):
            return ""
        return (f"Not recorded: the server answered {status} to {sent.method} {sent.path}, an error this lesson "
                f"does not teach, so {where} keeps what it had. Run the cell again once the server answers.")

    def _live_error(self, outgoing: traffic.Outgoing, response: httpx2.Response, content: bytes,
                    request: httpx2.Request) -> httpx2.Response:
        response = self._masked(response, content, request)
        traffic.notify(self.listeners, outgoing, response.status_code, response.headers.get("content-type", ""),
                       response.content, live=True)
        return response

    def _masked(self, response: httpx2.Response, content: bytes, request: httpx2.Request) -> httpx2.Response:
        """The error answer with any part of a key it echoes masked, before the learner or a log sees it."""
        masked = scrub_secrets(content.decode("utf-8", "replace")).encode()
        if masked == content:
            return response
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")]
        return httpx2.Response(response.status_code, headers=headers, content=masked, request=request,
                               extensions=response.extensions)

    def api_path(self, path: str) -> str:
        """The API path of a request (/v1/…), whatever the server address: a proxy reached without /v1
        (LiteLLM answers at http://host:4000/chat/completions) records and matches like the real API."""
        base = self._base_path
        if path.startswith(base + "/") and not path.startswith("/v1/"):
            return "/v1" + path[len(base):]
        return path

    def _tee(self, outgoing: traffic.Outgoing, response: httpx2.Response, tee: TeeClass) -> httpx2.Response:
        """A live answer streams on as it comes; the listeners see it whole once it has been read."""
        if self.listeners:
            response.stream = traffic.tee(self.listeners, outgoing, response, tee)
        return response


class _ClosingStream(httpx2.AsyncByteStream):
    """An async answer's stream that closes the transport it came through once it is closed."""

    def __init__(self, stream: Any, transport: httpx2.AsyncHTTPTransport) -> None:
        self._stream, self._transport = stream, transport

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            await self._transport.aclose()


def _fields(body: Any) -> dict | None:
    """What guards and listeners see of a request body: its JSON, or an upload's text fields."""
    if isinstance(body, dict) and set(body) == {"multipart"}:
        return {name: value for name, value in body["multipart"].items() if isinstance(value, str)} or None
    return body if isinstance(body, dict) else None


def _marked(method: Any, session: Session) -> Any:
    """The method, marked with the session that installs it (tests and debuggers ask which one did)."""
    method.kit_session = session
    return method
