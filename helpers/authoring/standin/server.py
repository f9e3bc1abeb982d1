"""The stand-in server: an HTTP server on 127.0.0.1 that routes each request to its endpoint."""
from __future__ import annotations

import argparse
import email.utils
import functools
import hashlib
import json
import re
import socket
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from helpers import keys, paths, refusals
from helpers.recordings import parse_multipart

from . import (audio, batches, catalogue, chat, completions, conversations, embeddings, files, images, moderations,
               ratelimits, responses, vector_stores)
from .call import Call, _choice_count
from helpers.endpoints import (BATCHES, CHAT, COMPLETIONS, EMBEDDINGS, FILES, IMAGES, MODELS, MODERATIONS, RESPONSES,
                               SPEECH, TRANSCRIPTIONS, VECTOR_STORES)
from .rules import _matches, load_scripts
from .usage import PromptCache
from .text import request_texts
from .wire import Answer, ApiError, CREATED_FROM, ReceivedRequest, Seed, _json, error_answer

AUTHORED = {CHAT, COMPLETIONS, RESPONSES, TRANSCRIPTIONS}
MODEL_REQUIRED = AUTHORED | {EMBEDDINGS, SPEECH}


def parse_body(headers, raw: bytes) -> tuple[dict, dict, str]:
    """The request's fields, its uploaded files (name, bytes) and a canonical text of both."""
    content_type = headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form, files = parse_multipart(content_type, raw)
        hashed = {name: [file, hashlib.sha256(data).hexdigest()] for name, (file, data) in files.items()}
        return form, files, json.dumps([form, hashed], sort_keys=True)
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                            "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
                            "sent was not valid JSON. If you have trouble figuring out how to fix this, please contact "
                            "us through our help center at help.openai.com.)")
    return body, {}, json.dumps(body, sort_keys=True, separators=(",", ":"))


def check_key(authorization: str) -> None:
    """Refuse a request without a plausible key, as the API does, never repeating the key."""
    if not authorization:
        raise ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                            "header using Bearer auth. You can obtain an API key from "
                            "https://platform.openai.com/account/api-keys.")
    if not re.fullmatch(rf"Bearer {keys.PREFIX}\S+", authorization):
        raise ApiError(401, f"Incorrect API key provided: {keys.MASK}. You can find your API key at "
                            "https://platform.openai.com/account/api-keys.", code="invalid_api_key")


class StandIn:
    """A stand-in OpenAI API server in a background thread; see the package docstring."""

    def __init__(self, scripts_dir: Path | None = None, require_key: bool = True, *, port: int = 0):
        self.rules = load_scripts(scripts_dir or paths.STANDIN_SCRIPTS)  # the kit's own scripts unless told
        self.require_key = require_key
        self.port = port
        self.url = ""
        self.requests: list[ReceivedRequest] = []
        self.unmatched: list[str] = []
        self._uses: dict = {}
        self._conversations: dict[str, list[dict]] = {}  # response id -> its messages, for previous_response_id
        self.prompt_cache = PromptCache()  # what earlier requests wrote to the prompt cache
        self.limits = ratelimits.Limits()  # one minute of the account's rate limits, for the x-ratelimit-* headers
        self._threads: dict[str, list[dict]] = {}  # conversation id -> its items (the Conversations API)
        self._reasoning_before: dict[str, str] = {}  # function_call item id -> the reasoning item before it
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = self._thread = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> StandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="standin", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self._lock:  # idle keep-alive connections would otherwise outlive the server
            for connection in self._connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the client
        self._thread.join()
        self._server = None

    def respond(self, method: str, target: str, headers: dict, raw: bytes, *, trusted: bool = False) -> Answer:
        """The answer to one request; `trusted` skips the key check (a batch's requests, run by the server)."""
        path = urlsplit(target).path.rstrip("/")
        record = ReceivedRequest(method, path, headers, raw)
        with self._lock:
            self.requests.append(record)
        seed = Seed(method, path, hashlib.sha256(raw).hexdigest())
        try:
            answer = self._answer(method, path, headers, raw, record, trusted, dict(parse_qsl(urlsplit(target).query)))
        except ApiError as error:
            answer = error.answer
        except Exception:  # a bug here must not hang the client: answer as the API does on its own errors
            traceback.print_exc()
            answer = error_answer(500, "The server had an error while processing your request. Sorry about that!",
                                  "server_error")
        answer.seed = answer.seed or seed
        answer.headers = {**self.limits.headers(answer.tokens, refused=_rate_limited(answer)), **answer.headers}
        return answer

    def _answer(self, method, path, headers, raw, record, trusted=False, query=None) -> Answer:
        if self.require_key and not trusted:
            check_key(headers.get("authorization", ""))
        handler = self._route(method, path)
        if handler is None:
            raise ApiError(404, f"Invalid URL ({method} {path})")
        body, files, canonical = parse_body(headers, raw)
        record.json = body if raw.strip() and not files else None
        if path in MODEL_REQUIRED and not body.get("model"):
            raise ApiError(400, "you must provide a model parameter")
        texts = request_texts(path, body, files)
        entries, seed = self._select(path, body, canonical, texts)
        refused = refusals.refusal(path, body)
        if entries and "status" in entries[0]:
            scripted = entries[0]
            answer = Answer(_json({"error": scripted.get("error", {})}), status=int(scripted["status"]),
                            headers=dict(scripted.get("headers", {})))
        elif refused is not None:  # what the catalogue says the live API refuses, it refuses here too
            answer = Answer(_json(refused.body()), status=refused.status)
        else:
            if entries is None and path in AUTHORED:
                with self._lock:
                    self.unmatched.append(f"{method} {path} ({body.get('model')}): {texts[0][:100]!r}")
            answer = handler(Call(path, body, files, texts[0], entries, seed, self.prompt_cache, query or {}))
        answer.seed = seed
        return answer

    def _route(self, method, path):
        for prefix, module in ((FILES, files), (VECTOR_STORES, vector_stores), (BATCHES, batches)):
            if path.startswith(prefix):  # every method; what they make is kept on the server
                return functools.partial(module.answer, self, method)
        routes = {CHAT: chat.answer, COMPLETIONS: completions.answer, EMBEDDINGS: embeddings.answer,
                  MODERATIONS: moderations.answer, IMAGES: images.answer, TRANSCRIPTIONS: audio.transcription,
                  SPEECH: audio.speech, RESPONSES: functools.partial(responses.answer, self),
                  conversations.PREFIX: functools.partial(conversations.create, self)}
        if method == "GET" and path.startswith(conversations.PREFIX + "/") and path.endswith("/items"):
            return functools.partial(conversations.list_items, self)
        if method == "GET":
            return catalogue.listing if path == MODELS else catalogue.one if path.startswith(MODELS + "/") else None
        return routes.get(path) if method == "POST" else None

    def _select(self, path, body, canonical, texts) -> tuple[list | None, Seed]:
        """The first matching rule's next answers (one per choice), and the seed of this answer."""
        count = _choice_count(path, body)
        with self._lock:
            for index, rule in enumerate(self.rules):
                if _matches(rule["match"], path, body, texts):
                    replies = rule["reply"] if isinstance(rule["reply"], list) else [rule["reply"]]
                    used = self._uses.get(index, 0)
                    self._uses[index] = used + count
                    entries = [replies[(used + i) % len(replies)] for i in range(count)]
                    return [e if isinstance(e, dict) else {"content": e} for e in entries], Seed(path, canonical, used)
            used = self._uses.get((path, canonical), 0)
            self._uses[(path, canonical)] = used + 1
            return None, Seed(path, canonical, "fallback", used)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked streams like the real API's
    server_version = "openai-kit-standin"
    sys_version = ""
    created = CREATED_FROM  # the Date header follows the answer's timestamp, not the wall clock

    def setup(self):
        super().setup()
        with self.server.standin._lock:
            self.server.standin._connections.add(self.connection)

    def finish(self):
        with self.server.standin._lock:
            self.server.standin._connections.discard(self.connection)
        super().finish()

    def do_GET(self):
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.standin.respond(self.command, self.path, headers, raw)
        self.created = answer.seed.created
        self.send_response(answer.status)
        for name, value in _headers(answer).items():
            self.send_header(name, value)
        try:
            if isinstance(answer.body, list):
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in answer.body + [b""]:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            else:
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(self.created, usegmt=True)

    def log_message(self, format, *args):
        pass  # tests and notebook builds stay quiet; `requests` keeps the record


def _headers(answer: Answer) -> dict:
    seed = answer.seed
    return {
        "Content-Type": answer.content_type,
        "x-request-id": "req_" + seed.hex("request", 32),
        "openai-processing-ms": str(seed.processing_ms),
        "openai-version": "2020-10-01",
        "x-kit-standin": "synthesized",
        **answer.headers,
    }


def _rate_limited(answer: Answer) -> str:
    """The limit a 429 answer says was reached (its error's type, `requests` or `tokens`), else ''."""
    if answer.status != 429 or isinstance(answer.body, list):
        return ""
    try:
        kind = json.loads(answer.body)["error"]["type"]
    except (ValueError, KeyError, TypeError):
        return ""
    return kind if kind in ("requests", "tokens") else ""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Serve an OpenAI-compatible stand-in API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    args = parser.parse_args(argv)
    server = StandIn(port=args.port).start()
    print(f"Stand-in OpenAI API at {server.url} (use it as OPENAI_BASE_URL); Ctrl-C stops it.", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        server.stop()
