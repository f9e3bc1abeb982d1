"""An OpenAI-compatible stand-in server on 127.0.0.1, for tests and for synthesizing recordings.

It answers the endpoints the lessons call, in each endpoint's exact wire format, from the answer
scripts in data/standin/*.json (format: data/standin/README.md); a request no rule matches gets a
generic answer and is noted in `unmatched`. Every varying value (ids, timestamps, logprobs,
vectors) is derived from a hash of the request, so a rerun gives byte-identical answers, and every
response carries `x-kit-standin: synthesized` so recordings made from it say where they came from.

    python -m helpers.standin [--port N]
"""
from __future__ import annotations

import argparse
import base64
import email.utils
import functools
import hashlib
import io
import json
import math
import re
import socket
import struct
import sys
import threading
import time
import traceback
import wave
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from helpers import lifecycle, models, paths, refusals
from helpers.recordings import parse_multipart
from helpers.tokens import count_messages, count_schema, count_text, count_tools, encoding_name_for, get_encoding

CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"
EMBEDDINGS = "/v1/embeddings"
MODERATIONS = "/v1/moderations"
IMAGES = "/v1/images/generations"
TRANSCRIPTIONS = "/v1/audio/transcriptions"
SPEECH = "/v1/audio/speech"
RESPONSES = "/v1/responses"
MODELS = "/v1/models"
# Endpoints whose answer is authored text: a request no rule matches there is worth reporting.
AUTHORED = {CHAT, COMPLETIONS, RESPONSES, TRANSCRIPTIONS}
MODEL_REQUIRED = AUTHORED | {EMBEDDINGS, SPEECH}
PROMPT_FIELD = {COMPLETIONS: "prompt", EMBEDDINGS: "input", MODERATIONS: "input", IMAGES: "prompt", SPEECH: "input"}

CREATED_FROM = 1793491200  # 2026-11-01T00:00:00Z: synthesized answers are dated in November 2026
CREATED_SPAN = 29 * 86400
LIMIT_REQUESTS, LIMIT_TOKENS = 10_000, 10_000_000
PROMPT_DETAILS = {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0}  # as in a GPT-6 capture
COMPLETION_DETAILS = {"audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
# Reasoning tokens the stand-in spends per answer at each effort: an estimate, not a measurement of any
# one request. A public probe of gpt-6-luna (models.SMOKE_TEST) saw 0 at none, 0-48 at low and 73-79 at
# medium on a short prompt; the higher efforts scale up from there.
REASONING_TOKENS = {"none": 0, "minimal": 8, "low": 24, "medium": 76, "high": 192, "xhigh": 448, "max": 960}
LEGACY_DEFAULT_MAX_TOKENS = 16  # the legacy completions endpoint stops at 16 tokens unless told otherwise
EMBEDDING_DIMENSIONS = {"text-embedding-3-large": 3072}  # every other embedding model: 1536
EMBEDDING_MAX_TOKENS = 8192  # per input, for every embedding model
MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
)
IMAGE_SCORED = {"self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence", "violence/graphic"}
IMAGE_OUTPUT_TOKENS = {"low": 272, "medium": 1056, "high": 4160}  # per 1024x1024 image
OTHER_MODELS = ("gpt-6-sol", "gpt-6-astra", "gpt-5.6-luna", "gpt-5.4", "gpt-5.4-nano", "text-embedding-3-large",
                "whisper-1", "gpt-4o-transcribe", "tts-1", "gpt-image-1.5")
COMMON_TOKENS = (" the", ",", ".", " a", " and", " of", " to", " is", " in", "\n", " it", " that", " I",
                 " for", " on", " with", "The", " this", " be", " as", "!")
STOPWORDS = frozenset("a an and are as at be but by do for from has have i in is it its my of on or so that the "
                      "this to was we were what with you your".split())  # carry little meaning in embeddings
LANGUAGES = {"fr": "french", "de": "german", "es": "spanish", "it": "italian", "ja": "japanese"}
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


# ---- what a request says ---------------------------------------------------------------------------

def _content_text(content) -> str:
    """Text of message content: a string, or a list of typed parts of which some carry text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _item_text(item) -> str:
    if isinstance(item, str):
        return item
    output = item.get("output")
    return _content_text(item.get("content")) or (output if isinstance(output, str) else "")


def _joined(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_joined(v) if not isinstance(v, dict) else v.get("text", "") for v in value)
    return ""


def _response_items(body) -> list:
    given = body.get("input")
    return [{"role": "user", "content": given}] if isinstance(given, str) else list(given or [])


def request_texts(path, body, files) -> tuple[str, str]:
    """The text `contains` is matched against, and the text `user_contains` is matched against."""
    if path in (CHAT, RESPONSES):
        items = (body.get("messages") or []) if path == CHAT else _response_items(body)
        users = [item for item in items if isinstance(item, dict) and item.get("role") == "user"]
        return (_item_text(items[-1]) if items else ""), (_item_text(users[-1]) if users else "")
    text = files["file"][0] if path == TRANSCRIPTIONS and "file" in files else _joined(body.get(PROMPT_FIELD.get(path)))
    return text, text


def _matches(match: dict, path, body, texts) -> bool:
    for key, wanted in match.items():
        if key == "path":
            ok = path == wanted
        elif key == "contains":
            ok = wanted in texts[0]
        elif key == "user_contains":
            ok = wanted in texts[1]
        else:
            got = body.get(key)
            ok = got == wanted or (isinstance(got, str) and not isinstance(wanted, str) and got == str(wanted))
        if not ok:
            return False
    return True


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


# ---- text, tokens and logprobs -------------------------------------------------------------------------

def _encoding(model):
    return get_encoding(encoding_name_for(model))


def _pieces(text: str, model: str) -> list[tuple[str, int]]:
    """The text split as a model streams it: one token per piece, unless a character spans tokens."""
    encoding, pieces, pending, count = _encoding(model), [], b"", 0
    for token in encoding.encode(text, disallowed_special=()):
        pending, count = pending + encoding.decode_single_token_bytes(token), count + 1
        try:
            pieces.append((pending.decode("utf-8"), count))
            pending, count = b"", 0
        except UnicodeDecodeError:
            continue
    return pieces


def limit(text: str, model: str, stop=None, max_tokens=None) -> tuple[str, str]:
    """Cut an answer at the first stop sequence, then at max_tokens; return it and its finish_reason."""
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    found = [text.find(s) for s in stops if s and s in text]
    if found:
        text = text[:min(found)]
    encoding = _encoding(model)
    ids = encoding.encode(text, disallowed_special=())
    if max_tokens is not None and len(ids) > int(max_tokens):
        return encoding.decode_bytes(ids[:int(max_tokens)]).decode("utf-8", "ignore"), "length"
    return text, "stop"


def _token_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes:" + "".join(f"\\x{b:02x}" for b in raw)


def logprobs(text, model, seed: Seed, label, top_n=0, first_alternatives=None) -> list[dict]:
    """A logprobs entry for every token: mostly confident, now and then unsure, never random."""
    encoding = _encoding(model)
    entries = []
    for position, token in enumerate(encoding.encode(text, disallowed_special=())):
        raw = encoding.decode_single_token_bytes(token)
        chosen = _token_text(raw)
        logprob = _round(-(seed.unit(f"{label}:{position}") ** 4) * 3.0 - 1e-6)
        rest = max(1e-9, 1 - math.exp(logprob))  # probability left for the alternatives
        others = [t for t in COMMON_TOKENS if t != chosen]
        start = int(seed.unit(f"{label}:{position}:alt") * len(others))
        alternatives = {others[(start + k) % len(others)]: _round(math.log(rest * 0.5 ** (k + 1)))
                        for k in range(top_n)}
        if position == 0 and first_alternatives:  # the script's own alternatives for the first token
            alternatives = {alternative: float(value) for alternative, value in first_alternatives}
            logprob = alternatives.get(chosen, logprob)
        top = sorted({**alternatives, chosen: logprob}.items(), key=lambda pair: -pair[1])[:top_n]
        entries.append({"token": chosen, "logprob": logprob, "bytes": list(raw),
                        "top_logprobs": [{"token": t, "logprob": v, "bytes": list(t.encode())} for t, v in top]})
    return entries


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def example_from_schema(schema: dict, root: dict | None = None):
    """The smallest value a JSON schema accepts, so a structured-output parse succeeds."""
    root = root or schema
    if "$ref" in schema:
        definitions = root.get("$defs", root.get("definitions", {}))
        return example_from_schema(definitions.get(schema["$ref"].split("/")[-1], {}), root)
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return example_from_schema(schema[key][0], root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        return {name: example_from_schema(sub, root) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_from_schema(schema.get("items", {}), root)]
    return {"string": "example", "integer": 0, "number": 0.0, "boolean": False}.get(kind)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def fallback_text(text: str) -> str:
    topic = " ".join(text.split())
    topic = topic if len(topic) <= 60 else topic[:57] + "..."
    return f'This is a placeholder answer from the stand-in server, which has no scripted reply for "{topic}" yet.'


def _answer_text(entry: dict, fmt: dict | None, request_text: str) -> str:
    """The text an answer entry gives, shaped to the requested response format."""
    if "json" in entry:
        return _compact(entry["json"])
    text = entry.get("content")
    text = fallback_text(request_text) if text is None else text
    fmt = fmt or {}
    if fmt.get("type") in ("json_object", "json_schema") and not _is_json(text):
        schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
        return _compact(example_from_schema(schema) if schema else {"answer": text})
    return text


def _tool_calls(entry) -> list[tuple[str, str]]:
    """(name, arguments) of an entry's tool calls; arguments given as a string are used raw."""
    return [(call["name"], call["arguments"] if isinstance(call.get("arguments"), str)
             else _compact(call.get("arguments", {}))) for call in entry["tool_calls"]]


def strict_schema_problem(schema, context: tuple = ()) -> str | None:
    """The first strict-mode rule a JSON schema breaks, worded as the API words it; None if it keeps them."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            return f"In context={context!r}, 'additionalProperties' is required to be supplied and to be false."
        missing = [name for name in schema.get("properties", {}) if name not in (schema.get("required") or [])]
        if missing:
            return (f"In context={context!r}, 'required' is required to be supplied and to be an array including "
                    f"every key in properties. Missing '{missing[0]}'.")
    inner = [(("properties", name), sub) for name, sub in (schema.get("properties") or {}).items()]
    inner += [(("items",), schema["items"])] if "items" in schema else []
    inner += [((key, str(n)), sub) for key in ("anyOf", "allOf") for n, sub in enumerate(schema.get(key) or [])]
    inner += [(("$defs", name), sub) for name, sub in (schema.get("$defs") or {}).items()]
    return next(filter(None, (strict_schema_problem(sub, context + step) for step, sub in inner)), None)


def check_strict_schemas(body) -> None:
    """Refuse a chat request whose strict response format or strict tool breaks the strict-mode rules."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema" and (fmt.get("json_schema") or {}).get("strict"):
        problem = strict_schema_problem(fmt["json_schema"].get("schema"))
        if problem:
            raise ApiError(400, f"Invalid schema for response_format '{fmt['json_schema'].get('name')}': {problem}",
                           param="response_format")
    for index, tool in enumerate(body.get("tools") or []):
        function = tool.get("function") or {}
        problem = function.get("strict") and strict_schema_problem(function.get("parameters"))
        if problem:
            raise ApiError(400, f"Invalid schema for function '{function.get('name')}': {problem}",
                           param=f"tools[{index}].function.parameters", code="invalid_function_parameters")


def _forced_tool(body) -> dict | None:
    """The tool a request makes the model call, if any, as {'name', 'parameters'}."""
    choice, tools = body.get("tool_choice"), [t.get("function", t) for t in body.get("tools") or []]
    if isinstance(choice, dict):
        name = (choice.get("function") or choice).get("name")
        return next((t for t in tools if t.get("name") == name), {"name": name})
    return tools[0] if choice == "required" and tools else None


# ---- synthesized media -------------------------------------------------------------------------------

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


# ---- the server --------------------------------------------------------------------------------------

@dataclass
class Call:
    """One request as its endpoint handler sees it."""

    path: str
    body: dict
    files: dict
    text: str
    entries: list | None  # the script's answers for this request; None when no rule matched
    seed: Seed

    def entry(self, index: int = 0) -> dict:
        return self.entries[index] if self.entries else {}

    @property
    def model(self) -> str:
        return str(self.body.get("model") or "")


def load_scripts(directory: Path | None) -> list[dict]:
    rules = []
    for file in sorted(Path(directory).glob("*.json")) if directory else []:
        try:
            found = json.loads(file.read_text(encoding="utf-8"))["rules"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{file}: not an answer script ({error})") from error
        for number, rule in enumerate(found):
            if not isinstance(rule.get("match"), dict) or "reply" not in rule:
                raise ValueError(f"{file}: rule {number} needs a 'match' object and a 'reply'")
        rules.extend(found)
    return rules


class StandIn:
    """A stand-in OpenAI API server in a background thread; see the module docstring."""

    def __init__(self, scripts_dir: Path | None = paths.STANDIN_SCRIPTS, require_key: bool = True, *, port: int = 0):
        self.rules = load_scripts(scripts_dir)
        self.require_key = require_key
        self.port = port
        self.url = ""
        self.requests: list[ReceivedRequest] = []
        self.unmatched: list[str] = []
        self._uses: dict = {}
        self._conversations: dict[str, list[dict]] = {}  # response id -> its messages, for previous_response_id
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

    # -- dispatch

    def respond(self, method: str, target: str, headers: dict, raw: bytes) -> Answer:
        path = urlsplit(target).path.rstrip("/")
        record = ReceivedRequest(method, path, headers, raw)
        with self._lock:
            self.requests.append(record)
        seed = Seed(method, path, hashlib.sha256(raw).hexdigest())
        try:
            answer = self._answer(method, path, headers, raw, record)
        except ApiError as error:
            answer = error.answer
        except Exception:  # a bug here must not hang the client: answer as the API does on its own errors
            traceback.print_exc()
            answer = error_answer(500, "The server had an error while processing your request. Sorry about that!",
                                  "server_error")
        answer.seed = answer.seed or seed
        return answer

    def _answer(self, method, path, headers, raw, record) -> Answer:
        if self.require_key:
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
            answer = handler(Call(path, body, files, texts[0], entries, seed))
        answer.seed = seed
        return answer

    def _route(self, method, path):
        routes = {CHAT: self._chat, COMPLETIONS: self._completion, EMBEDDINGS: self._embeddings,
                  MODERATIONS: self._moderations, IMAGES: self._images, TRANSCRIPTIONS: self._transcription,
                  SPEECH: self._speech, RESPONSES: self._responses}
        if method == "GET":
            return self._models if path == MODELS else self._model if path.startswith(MODELS + "/") else None
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

    # -- chat completions

    def _chat(self, call: Call) -> Answer:
        body, model = call.body, call.model
        check_strict_schemas(body)
        choices, used, reasoning = [], 0, 0
        for index in range(_choice_count(CHAT, body)):
            choice, tokens, thought = self._chat_choice(call, index)
            choices.append(choice)
            used, reasoning = used + tokens + thought, reasoning + thought
        prompt = prompt_tokens(body, body.get("messages") or [], _format_schema(body.get("response_format")))
        completion = {
            "id": "chatcmpl-" + call.seed.alnum("id", 29), "object": "chat.completion", "created": call.seed.created,
            "model": model, "choices": choices, "usage": _chat_usage(prompt, used, reasoning),
            "service_tier": _service_tier(body), "system_fingerprint": _fingerprint(model),
        }
        if body.get("stream"):
            return sse_answer([(None, c) for c in _chat_chunks(completion, body)], done=True, tokens=prompt + used)
        return json_answer(completion, tokens=prompt + used)

    def _chat_choice(self, call: Call, index: int) -> tuple[dict, int, int]:
        """One choice, the tokens of what it says, and the reasoning tokens spent before it."""
        body, model, seed = call.body, call.model, call.seed
        entry = call.entry(index) or _fallback_entry(call)
        most = body.get("max_completion_tokens", body.get("max_tokens"))
        reasoning = reasoning_tokens(CHAT, body, most)
        message = {"role": "assistant", "content": None, "refusal": None, "annotations": []}
        if "tool_calls" in entry:
            calls = _tool_calls(entry)
            message["content"] = entry.get("content")
            message["tool_calls"] = [{"id": "call_" + seed.alnum(f"call{index}:{n}", 24), "type": "function",
                                      "function": {"name": name, "arguments": arguments}}
                                     for n, (name, arguments) in enumerate(calls)]
            used = sum(count_text(name + arguments, model) for name, arguments in calls)
            used += count_text(message["content"] or "", model)
            # A call forced by naming the tool in tool_choice ends with "stop", as the real API's does
            # (models.FORCED_TOOL).
            finish = "stop" if isinstance(body.get("tool_choice"), dict) else "tool_calls"
        elif "refusal" in entry:
            message["refusal"] = entry["refusal"]
            used, finish = count_text(entry["refusal"], model), "stop"
        else:
            text = _answer_text(entry, body.get("response_format"), call.text)
            # Reasoning comes first and counts against the limit: what is left is for the visible answer.
            text, finish = limit(text, model, body.get("stop"), None if most is None else int(most) - reasoning)
            message["content"], used = text, count_text(text, model)
        chosen = None
        if body.get("logprobs") and message["content"] is not None:
            entries = logprobs(message["content"], model, seed, f"lp{index}", int(body.get("top_logprobs") or 0),
                               entry.get("top_logprobs"))
            chosen = {"content": entries, "refusal": None}
        choice = {"index": index, "message": message, "logprobs": chosen,
                  "finish_reason": entry.get("finish_reason", finish)}
        return choice, used, reasoning

    # -- legacy completions

    def _completion(self, call: Call) -> Answer:
        body, model = call.body, call.model
        prompts = body.get("prompt") if isinstance(body.get("prompt"), list) else [body.get("prompt") or ""]
        n = _choice_count(CHAT, body)
        choices = []
        for index in range(len(prompts) * n):
            text = call.entry(index).get("content")
            text = " and that is a placeholder continuation from the stand-in server." if text is None else text
            text, finish = limit(text, model, body.get("stop"), body.get("max_tokens", LEGACY_DEFAULT_MAX_TOKENS))
            choices.append({"text": text, "index": index, "logprobs": None, "finish_reason": finish})
        prompt = sum(count_text(_joined(p), model) for p in prompts)
        used = sum(count_text(c["text"], model) for c in choices)
        return json_answer({
            "id": "cmpl-" + call.seed.alnum("id", 29), "object": "text_completion", "created": call.seed.created,
            "model": model, "choices": choices,
            "usage": {"prompt_tokens": prompt, "completion_tokens": used, "total_tokens": prompt + used},
        }, tokens=prompt + used)

    # -- embeddings and moderations

    def _embeddings(self, call: Call) -> Answer:
        body, model = call.body, call.model
        given = body.get("input")
        inputs = [given] if isinstance(given, str) or (given and isinstance(given[0], int)) else list(given or [])
        dimensions = int(body.get("dimensions") or EMBEDDING_DIMENSIONS.get(model, 1536))
        data, used = [], 0
        for index, item in enumerate(inputs):
            text = item if isinstance(item, str) else _encoding(model).decode(item)
            tokens = count_text(item, model) if isinstance(item, str) else len(item)
            if tokens > EMBEDDING_MAX_TOKENS:  # the API's own wording; it names no code or param
                raise ApiError(400, f"Invalid 'input': maximum context length is {EMBEDDING_MAX_TOKENS} tokens.")
            used += tokens
            vector = embed(text, dimensions)
            if body.get("encoding_format") == "base64":
                vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": vector})
        return json_answer({"object": "list", "data": data, "model": model,
                            "usage": {"prompt_tokens": used, "total_tokens": used}}, tokens=used)

    def _moderations(self, call: Call) -> Answer:
        given = call.body.get("input")
        if isinstance(given, list) and given and isinstance(given[0], dict):  # one multimodal input
            inputs = [(_joined(given), any(part.get("type") == "image_url" for part in given))]
        else:
            inputs = [(text, False) for text in ([given] if isinstance(given, str) else given or [])]
        raised = call.entry().get("categories", {})
        results = [_moderation_result(text, has_image, raised) for text, has_image in inputs]
        return json_answer({"id": "modr-" + call.seed.hex("id", 32),
                            "model": call.model or models.MODERATION, "results": results})

    # -- images and audio

    def _images(self, call: Call) -> Answer:
        body, model, seed = call.body, call.model or models.IMAGE, call.seed
        size = body.get("size") if body.get("size") not in (None, "auto") else "1024x1024"
        quality = body.get("quality") if body.get("quality") not in (None, "auto") else "medium"
        width, height = (int(v) for v in size.split("x")) if re.fullmatch(r"\d+x\d+", size) else (1024, 1024)
        count = int(body.get("n") or 1)
        prompt = count_text(body.get("prompt") or "", model)
        output = count * round(IMAGE_OUTPUT_TOKENS.get(quality, 4160) * width * height / 1024**2)
        data = [{"b64_json": base64.b64encode(png(64, round(64 * height / width), Seed(seed.key, i))).decode()}
                for i in range(count)]
        return json_answer({
            "created": seed.created, "background": "opaque", "data": data, "output_format": "png",
            "quality": quality, "size": size,
            "usage": {"input_tokens": prompt, "input_tokens_details": {"image_tokens": 0, "text_tokens": prompt},
                      "output_tokens": output, "total_tokens": prompt + output,
                      "output_tokens_details": {"image_tokens": output, "text_tokens": 0}},
        }, tokens=prompt + output)

    def _speech(self, call: Call) -> Answer:
        if call.body.get("response_format", "mp3") != "wav":
            raise ApiError(400, "The stand-in server only synthesizes wav audio: ask for response_format='wav'.",
                           param="response_format")
        return Answer(wav(call.text), content_type="audio/wav")

    def _transcription(self, call: Call) -> Answer:
        body, model, entry = call.body, call.model, call.entry()
        name, data = call.files.get("file", ("audio", b""))
        pieces = [s if isinstance(s, dict) else {"text": s} for s in entry.get("segments", [])]
        text = entry.get("text") or entry.get("content") or " ".join(p["text"].strip() for p in pieces)
        text = text or f"This is a placeholder transcription of {name} from the stand-in server."
        duration = _audio_seconds(data) or round(0.4 * len(text.split()) + 0.5, 2)
        segments = _segments(pieces or [{"text": s} for s in re.split(r"(?<=[.!?])\s+", text.strip())],
                             duration, model, call.seed)
        fmt = body.get("response_format") or "json"
        if fmt == "text":
            return Answer((text + "\n").encode(), content_type="text/plain; charset=utf-8")
        if fmt in ("srt", "vtt"):
            mark = "," if fmt == "srt" else "."
            cues = [(f"{s['id'] + 1}\n" if fmt == "srt" else "") + f"{_timestamp(s['start'], mark)} --> "
                    f"{_timestamp(s['end'], mark)}\n{s['text'].strip()}\n" for s in segments]
            return Answer((("WEBVTT\n\n" if fmt == "vtt" else "") + "\n".join(cues) + "\n").encode(),
                          content_type="text/plain; charset=utf-8")
        seconds = {"type": "duration", "seconds": math.ceil(duration)}
        if fmt == "verbose_json":
            return json_answer({"task": "transcribe", "language": LANGUAGES.get(body.get("language"), "english"),
                                "duration": duration, "text": text, "segments": segments, "usage": seconds})
        if model == "whisper-1":
            return json_answer({"text": text, "usage": seconds})
        audio, prompt, used = round(duration * 10), count_text(body.get("prompt") or "", model), count_text(text, model)
        usage = {"type": "tokens", "input_tokens": audio + prompt,
                 "input_token_details": {"text_tokens": prompt, "audio_tokens": audio},
                 "output_tokens": used, "total_tokens": audio + prompt + used}
        return json_answer({"text": text, "usage": usage}, tokens=usage["total_tokens"])

    # -- models

    def _models(self, call: Call) -> Answer:
        return json_answer({"object": "list", "data": [_model_object(name) for name in _model_names()]})

    def _model(self, call: Call) -> Answer:
        name = call.path[len(MODELS) + 1:]
        if name not in _model_names():
            raise ApiError(404, f"The model '{name}' does not exist", param="model", code="model_not_found")
        return json_answer(_model_object(name))

    # -- responses

    def _responses(self, call: Call) -> Answer:
        body, model, seed = call.body, call.model, call.seed
        entry = call.entry() or _fallback_entry(call)
        rid = "resp_" + seed.hex("id", 48)
        output, said, used, status = [], [], 0, "completed"
        most = body.get("max_output_tokens")
        reasoning = reasoning_tokens(RESPONSES, body, most)
        if reasoning:  # a reasoning model that reasons puts its reasoning item first
            output.append(_reasoning_item(seed))
            used += reasoning
        budget = None if most is None else int(most) - reasoning
        if budget is not None and budget <= 0:  # the limit went on reasoning: no message at all
            status, entry = "incomplete", {}
        elif "tool_calls" not in entry or entry.get("content") or "refusal" in entry:  # not tool calls alone
            if "refusal" in entry:
                part, text = {"type": "refusal", "refusal": entry["refusal"]}, entry["refusal"]
            else:
                fmt = (body.get("text") or {}).get("format")
                text = _answer_text(entry, fmt, call.text)
                text, finish = limit(text, model, max_tokens=budget)
                status = "incomplete" if finish == "length" else status
                part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
            output.append({"type": "message", "id": "msg_" + seed.hex("msg", 48), "status": status,
                           "role": "assistant", "content": [part], **_phase(model)})
            said.append({"role": "assistant", "content": text})
            used += count_text(text, model)
        for n, (name, arguments) in enumerate(_tool_calls(entry) if "tool_calls" in entry else []):
            output.append({"type": "function_call", "id": "fc_" + seed.hex(f"fc{n}", 48),
                           "call_id": "call_" + seed.alnum(f"call{n}", 24), "name": name, "arguments": arguments,
                           "status": "completed"})
            said.append({"role": "assistant", "tool_calls": [{"function": {"name": name, "arguments": arguments}}]})
            used += count_text(name + arguments, model)
        with self._lock:
            earlier = self._conversations.get(body.get("previous_response_id"), [])
            conversation = earlier + _as_messages(_response_items(body))
            self._conversations[rid] = conversation + said
        instructions = [{"role": "developer", "content": body["instructions"]}] if body.get("instructions") else []
        schema = _format_schema((body.get("text") or {}).get("format"))
        prompt = prompt_tokens(body, instructions + conversation, schema)
        response = _response_object(call, rid, output, status, prompt, used, reasoning)
        if body.get("stream"):
            return sse_answer(_response_events(response, model), done=False, tokens=prompt + used)
        return json_answer(response, tokens=prompt + used)


# ---- endpoint helpers --------------------------------------------------------------------------------

def check_key(authorization: str) -> None:
    """Refuse a request without a plausible key, as the API does, never repeating the key."""
    if not authorization:
        raise ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                            "header using Bearer auth. You can obtain an API key from "
                            "https://platform.openai.com/account/api-keys.")
    if not re.fullmatch(r"Bearer sk-\S+", authorization):
        raise ApiError(401, "Incorrect API key provided: sk-***. You can find your API key at "
                            "https://platform.openai.com/account/api-keys.", code="invalid_api_key")


def _choice_count(path, body) -> int:
    if path == COMPLETIONS and isinstance(body.get("prompt"), list):
        return len(body["prompt"]) * max(1, int(body.get("n") or 1))
    return max(1, int(body.get("n") or 1)) if path in (CHAT, COMPLETIONS) else 1


def _fallback_entry(call: Call) -> dict:
    """No rule matched: call the tool the request forces, or give the generic answer."""
    tool = _forced_tool(call.body)
    if tool:
        arguments = example_from_schema(tool.get("parameters") or {}) or {}
        return {"tool_calls": [{"name": tool["name"], "arguments": arguments}]}
    return {"content": fallback_text(call.text)}


def _format_schema(fmt) -> dict | None:
    """The JSON schema of a structured-output format, in the Chat (nested) or Responses (flat) shape."""
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return None
    return fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")


def prompt_tokens(body: dict, messages: list, schema: dict | None) -> int:
    """Input tokens as the API counts them: the messages, the function definitions and the output schema."""
    model = str(body.get("model") or "")
    return count_messages(messages, model) + count_tools(body.get("tools"), model) + count_schema(schema, model)


def _chat_usage(prompt: int, completion: int, reasoning: int = 0) -> dict:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": dict(PROMPT_DETAILS),
            "completion_tokens_details": {"reasoning_tokens": reasoning, **COMPLETION_DETAILS}}


def reasoning_tokens(path: str, body: dict, most=None) -> int:
    """The reasoning tokens an answer spends (REASONING_TOKENS), never more than the request's limit."""
    effort = refusals.reasoning_effort_used(path, body)
    spent = REASONING_TOKENS.get(effort, 0) if effort else 0
    return spent if most is None else min(spent, int(most))


def _service_tier(body) -> str:
    return body["service_tier"] if body.get("service_tier") in ("flex", "priority") else "default"


def _fingerprint(model: str) -> str | None:
    """Stable per model, as the real one is per backend configuration; null where captures show null."""
    entry = models.model(model)
    if entry is not None and not entry.fingerprint:
        return None
    return "fp_" + Seed("fingerprint", model).hex("fp", 10)


def _chat_chunks(completion: dict, body: dict) -> list[dict]:
    """The chat.completion.chunk events that stream `completion`, token by token."""
    with_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    head = {k: completion[k] for k in ("id", "object", "created", "model", "service_tier", "system_fingerprint")}
    head["object"] = "chat.completion.chunk"

    padded = (body.get("stream_options") or {}).get("include_obfuscation", True)

    def chunk(number, choices, **extra):
        text = "".join(str((c.get("delta") or {}).get("content") or "") for c in choices)
        pad = {"obfuscation": _obfuscation(text, number)} if padded else {}
        return {**head, "choices": choices, **({"usage": None} if with_usage else {}), **extra, **pad}

    deltas = [{"index": choice["index"], "delta": change, "logprobs": entries, "finish_reason": finish}
              for choice in completion["choices"]
              for change, entries, finish in _choice_deltas(choice, completion["model"])]
    chunks = [chunk(number, [delta]) for number, delta in enumerate(deltas)]
    if with_usage:
        chunks.append(chunk(len(chunks), [], usage=completion["usage"]))
    return chunks


def _choice_deltas(choice: dict, model: str) -> list[tuple[dict, dict | None, str | None]]:
    """(delta, logprobs, finish_reason) for each chunk of one choice: the role, then the text,
    tool calls or refusal piece by piece, then the finish."""
    message = choice["message"]
    deltas = [({"role": "assistant", "content": "" if message["content"] is not None else None, "refusal": None},
               None, None)]
    entries, position = (choice["logprobs"] or {}).get("content"), 0
    for piece, count in _pieces(message["content"] or "", model):
        part = {"content": entries[position:position + count], "refusal": None} if entries is not None else None
        deltas.append(({"content": piece}, part, None))
        position += count
    for n, tool_call in enumerate(message.get("tool_calls") or []):
        function = tool_call["function"]
        deltas.append(({"tool_calls": [{"index": n, "id": tool_call["id"], "type": "function",
                                        "function": {"name": function["name"], "arguments": ""}}]}, None, None))
        deltas += [({"tool_calls": [{"index": n, "function": {"arguments": piece}}]}, None, None)
                   for piece, _ in _pieces(function["arguments"], model)]
    deltas += [({"refusal": piece}, None, None) for piece, _ in _pieces(message["refusal"] or "", model)]
    deltas.append(({}, None, choice["finish_reason"]))
    return deltas


def _moderation_result(text: str, has_image: bool, raised: dict) -> dict:
    seed = Seed("moderation", text)  # the same text always scores the same
    scores = {c: float(raised[c]) if c in raised else _round(10 ** -(2 + 4 * seed.unit(c)))
              for c in MODERATION_CATEGORIES}
    kinds = {c: (["text"] if text else []) + (["image"] if has_image and c in IMAGE_SCORED else [])
             for c in MODERATION_CATEGORIES}
    return {"flagged": any(s > 0.5 for s in scores.values()), "categories": {c: s > 0.5 for c, s in scores.items()},
            "category_scores": scores, "category_applied_input_types": kinds}


def _segments(pieces: list[dict], duration: float, model: str, seed: Seed) -> list[dict]:
    """Whisper-style segments, timed in proportion to their length unless the script gives times."""
    total = sum(len(p["text"]) for p in pieces) or 1
    segments, clock = [], 0.0
    for index, piece in enumerate(pieces):
        start = float(piece.get("start", clock))
        end = float(piece.get("end", start + duration * len(piece["text"]) / total))
        text = " " + piece["text"].strip()
        segments.append({
            "id": index, "seek": int(start * 100) // 3000 * 3000, "start": round(start, 2), "end": round(end, 2),
            "text": text, "tokens": _encoding(model).encode(text, disallowed_special=()), "temperature": 0.0,
            "avg_logprob": _round(-0.1 - 0.3 * seed.unit(f"seg{index}")),
            "compression_ratio": _round(1.2 + 0.4 * seed.unit(f"ratio{index}")),
            "no_speech_prob": _round(0.001 + 0.02 * seed.unit(f"silence{index}")),
        })
        clock = end
    return segments


def _model_names() -> list[str]:
    return list(dict.fromkeys(models.KIT_MODELS + OTHER_MODELS))


def _model_object(name: str) -> dict:
    seed = Seed("model", name)
    when = lifecycle.shutdown_date(name)  # /v1/models carries each model's announced shutdown (models.SMOKE_TEST)
    return {"id": name, "object": "model", "created": 1680000000 + int(seed.unit("created") * 100_000_000),
            "owned_by": "openai" if name in OTHER_MODELS else "system",
            "shutdown_date": when.isoformat() if when else None}


def _as_messages(items: list) -> list[dict]:
    """Responses API input items as the chat messages they are counted as."""
    messages = []
    for item in items:
        kind = item.get("type", "message")
        if kind == "function_call":
            messages.append({"role": "assistant", "tool_calls": [{"function": {
                "name": item.get("name", ""), "arguments": item.get("arguments", "")}}]})
        elif kind == "function_call_output":
            output = item.get("output")
            messages.append({"role": "tool", "content": output if isinstance(output, str) else _compact(output)})
        elif "role" in item:
            messages.append({"role": item["role"], "content": _content_text(item.get("content"))})
    return messages


def _reasoning_item(seed: Seed) -> dict:
    """A reasoning item as a GPT-6 capture shows it: no summary unless asked, the reasoning encrypted."""
    opaque = base64.urlsafe_b64encode(b"\x80" + seed.digest("reasoning") * 6).decode()
    return {"id": "rs_" + seed.hex("rs", 48), "type": "reasoning", "summary": [], "content": [],
            "encrypted_content": "gAAAAA" + opaque}


def _phase(model: str) -> dict:
    """GPT-6 message items say which phase of the answer they are (a streamed capture shows final_answer)."""
    entry = models.model(model)
    return {"phase": "final_answer"} if entry is not None and entry.family == "gpt-6" else {}


def _reasoning_echo(body: dict, model: str) -> dict:
    """The `reasoning` a response echoes: a GPT-6 capture shows context, effort (default medium) and mode."""
    effort = refusals.reasoning_effort_used(RESPONSES, body)
    if effort is None:
        return {"effort": None, "summary": None}
    asked = body.get("reasoning") or {}
    return {"context": "all_turns", "effort": effort, "mode": "standard", "summary": asked.get("summary")}


def _response_object(call: Call, rid: str, output: list, status: str, prompt: int, used: int,
                     reasoning: int = 0) -> dict:
    body, seed = call.body, call.seed
    tools = [{"description": None, "strict": True, **tool} if tool.get("type") == "function" else tool
             for tool in body.get("tools") or []]
    return {
        "id": rid, "object": "response", "created_at": seed.created, "status": status, "background": False,
        "completed_at": seed.created + math.ceil(seed.processing_ms / 1000), "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "instructions": body.get("instructions"), "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": None, "model": call.model, "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"), "prompt_cache_key": None,
        "reasoning": _reasoning_echo(body, call.model), "safety_identifier": None,
        "service_tier": _service_tier(body), "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}, "verbosity": "medium", **(body.get("text") or {})},
        "tool_choice": body.get("tool_choice", "auto"), "tools": tools, "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0), "truncation": "disabled",
        "usage": {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                  "output_tokens": used, "output_tokens_details": {"reasoning_tokens": reasoning},
                  "total_tokens": prompt + used},
        "user": None, "metadata": body.get("metadata") or {},
    }


def _obfuscation(piece: str, number: int) -> str:
    """Padding that evens out event sizes (on by default, per the spec); derived, so reruns repeat it."""
    pad = Seed("obfuscation", piece, number).alnum("pad", 16)
    return pad[:max(2, 16 - len(piece.encode()))]


def _response_events(response: dict, model: str) -> list[tuple[str, dict]]:
    """The Responses API event sequence that streams `response`."""
    events = []

    def emit(kind, **fields):
        events.append((kind, {"type": kind, "sequence_number": len(events), **fields}))

    pending = {**response, "status": "in_progress", "output": [], "usage": None, "completed_at": None,
               "incomplete_details": None}
    emit("response.created", response=pending)
    emit("response.in_progress", response=pending)
    for index, item in enumerate(response["output"]):
        where = {"item_id": item["id"], "output_index": index}
        if item["type"] == "function_call":
            started = {**item, "arguments": "", "status": "in_progress"}
            emit("response.output_item.added", output_index=index, item=started)
            for piece, _ in _pieces(item["arguments"], model):
                emit("response.function_call_arguments.delta", **where, delta=piece)
            emit("response.function_call_arguments.done", **where, name=item["name"], arguments=item["arguments"])
        elif item["type"] == "reasoning":  # no summary was asked for, so nothing streams but the item itself
            emit("response.output_item.added", output_index=index, item={**item, "encrypted_content": None})
        else:
            started = {**item, "content": [], "status": "in_progress"}
            emit("response.output_item.added", output_index=index, item=started)
            for content_index, part in enumerate(item["content"]):
                key = "text" if part["type"] == "output_text" else "refusal"
                kind, extra = (f"response.{part['type']}", {"logprobs": []} if key == "text" else {})
                emit("response.content_part.added", **where, content_index=content_index, part={**part, key: ""})
                for number, (piece, _) in enumerate(_pieces(part[key], model)):
                    emit(f"{kind}.delta", **where, content_index=content_index, delta=piece, **extra,
                         obfuscation=_obfuscation(piece, number))
                emit(f"{kind}.done", **where, content_index=content_index, **{key: part[key]}, **extra)
                emit("response.content_part.done", **where, content_index=content_index, part=part)
        emit("response.output_item.done", output_index=index, item=item)
    emit("response.completed" if response["status"] == "completed" else "response.incomplete", response=response)
    return events


# ---- HTTP --------------------------------------------------------------------------------------------

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
        "x-ratelimit-limit-requests": str(LIMIT_REQUESTS),
        "x-ratelimit-remaining-requests": str(LIMIT_REQUESTS - 1),
        "x-ratelimit-limit-tokens": str(LIMIT_TOKENS),
        "x-ratelimit-remaining-tokens": str(LIMIT_TOKENS - answer.tokens),
        "x-ratelimit-reset-requests": "6ms",
        "x-ratelimit-reset-tokens": "0s",
        "x-kit-standin": "synthesized",
        **answer.headers,
    }


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


if __name__ == "__main__":
    main(sys.argv[1:])
