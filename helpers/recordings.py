"""Recordings: API answers stored per notebook and replayed offline.

vcrpy intercepts the SDK's httpx2 traffic, so lesson code stays verbatim `OpenAI()` code. This
module gives vcrpy the kit's file format (readable JSON, one file per notebook, written
atomically), the kit's matching (method, path and canonical body, never headers), secret
filtering at write time, and a miss message written for a beginner. vcrpy (and the HTTP stacks it
patches) is imported on the first request rather than in the setup cell.
"""
from __future__ import annotations

import difflib
import email.parser
import email.policy
import functools
import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from typing import TYPE_CHECKING

import httpx2

from . import paths

if TYPE_CHECKING:  # vcrpy loads on the first request, so the setup cell stays quick
    from vcr.request import Request

FORMAT = 1
BLOBS = "blobs"  # binary bodies live beside the JSON, named by their hash
# The only response headers kept: everything else (cookies, organization and project ids) is dropped.
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "retry-after-ms", "x-request-id", "x-kit-standin")
SYNTHESIZED = "synthesized"
LIVE = "live"


class RecordingError(Exception):
    """A recording file that cannot be used; the message names the file and what to do."""


class OfflineMiss(Exception):
    """Offline mode received a request that was not recorded (raised by vcrpy in place of its own error)."""

    def __init__(self, *, cassette, failed_request):
        self.cassette = cassette
        self.failed_request = failed_request
        super().__init__(miss_message(cassette, failed_request))


# --- canonical request bodies -------------------------------------------------------------------

def parse_multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """A multipart form's text fields, and its files as (file name, bytes)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    form, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = (part.get_filename(), data)
        else:
            form[name] = data.decode("utf-8", "replace")
    return form, files


def _multipart_fields(request: Request) -> dict | None:
    content_type = request.headers.get("content-type") or request.headers.get("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        return None
    form, files = parse_multipart(content_type, request.body or b"")
    # An upload is matched by its content, never by the random multipart boundary.
    uploads = {name: {"filename": filename, "sha256": hashlib.sha256(data).hexdigest()}
               for name, (filename, data) in files.items()}
    return {"multipart": {**form, **uploads}}


def canonical_body(request: Request):
    """The request body as a comparable value: parsed JSON, multipart fields, or text."""
    fields = _multipart_fields(request)
    if fields is not None:
        return fields
    body = request.body or b""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def match_body(r1: Request, r2: Request) -> None:
    if canonical_body(r1) != canonical_body(r2):
        raise AssertionError("bodies differ")


def match_route(r1: Request, r2: Request) -> None:
    if (r1.method, r1.path) != (r2.method, r2.path):
        raise AssertionError("method or path differs")


# --- the miss message ---------------------------------------------------------------------------

def _short(value, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def body_differences(sent, recorded) -> list[str]:
    """Human-readable lines naming each top-level field that differs."""
    if not (isinstance(sent, dict) and isinstance(recorded, dict)):
        return [f"body: you sent {_short(sent)}, recorded {_short(recorded)}"]
    lines = []
    for key in sorted(set(sent) | set(recorded)):
        if key not in recorded:
            lines.append(f"{key}: you sent {_short(sent[key])}, the recording has no {key}")
        elif key not in sent:
            lines.append(f"{key}: the recording has {_short(recorded[key])}, you sent none")
        elif sent[key] != recorded[key]:
            lines.append(f"{key}: you sent {_short(sent[key])}, recorded {_short(recorded[key])}")
    return lines


def closest_recorded(cassette, request: Request):
    """The recorded request most like this one (same method and path first), or None."""
    sent = json.dumps(canonical_body(request), sort_keys=True, ensure_ascii=False)
    best, best_score = None, -1.0
    for index, (recorded, _) in enumerate(cassette.data):
        same_route = recorded.method == request.method and recorded.path == request.path
        text = json.dumps(canonical_body(recorded), sort_keys=True, ensure_ascii=False)
        score = same_route + difflib.SequenceMatcher(None, sent, text, autojunk=False).ratio()
        if score > best_score:
            best, best_score = (index, recorded), score
    return best


def shown(path: Path) -> str:
    """A path as a learner should see it: relative to the kit when inside it."""
    path = Path(path)
    return str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)


def recording_path(notebook: str) -> Path:
    return paths.RECORDINGS / f"{notebook}.json"


def miss_message(cassette, request: Request) -> str:
    where = shown(cassette._path)
    lines = [
        "Offline mode is on, and this exact request was not recorded, so there is no answer to replay.",
        f"  You sent: {request.method} {request.path} {_short(canonical_body(request), 110)}",
    ]
    closest = closest_recorded(cassette, request)
    if closest is None:
        lines.append(f"  {where} holds no recorded requests.")
    else:
        index, recorded = closest
        lines.append(f"  Closest recorded request ({where}, #{index + 1}): {recorded.method} {recorded.path}")
        if (recorded.method, recorded.path) != (request.method, request.path):
            lines.append(f"    it goes to {recorded.method} {recorded.path} instead")
        else:
            lines += ["    " + line for line in body_differences(canonical_body(request), canonical_body(recorded))]
    lines += [
        "What to do: change the request back to the recorded one, or go live: set OPENAI_API_KEY",
        "(lesson 00 shows how) and run the setup cell again. To also save the new answers for",
        "offline use, set KIT_MODE=record.",
    ]
    return "\n".join(lines)


# --- the file format ----------------------------------------------------------------------------

def _encode_body(body: bytes, content_type: str, blob_dir: Path):
    """Keep JSON readable, text as text, and binary data in a blob file beside the recording."""
    if not body:
        return None
    if "json" in content_type:
        try:
            return {"json": json.loads(body)}
        except ValueError:
            pass
    if content_type.startswith("text/") or "json" in content_type:
        try:
            return {"text": body.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    digest = hashlib.sha256(body).hexdigest()[:16]
    blob_dir.mkdir(parents=True, exist_ok=True)
    blob = blob_dir / digest
    if not blob.exists():
        _write_atomically(blob, body)
    return {"blob": f"{BLOBS}/{digest}", "bytes": len(body)}


def _decode_body(body, path: Path) -> bytes:
    if body is None:
        return b""
    if "json" in body:
        return json.dumps(body["json"], ensure_ascii=False).encode()
    if "text" in body:
        return body["text"].encode()
    blob = path.parent / body["blob"]
    if not blob.is_file():
        raise RecordingError(f"{shown(path)} refers to {body['blob']}, which is missing. "
                             "Restore it from git (git checkout -- data/) or record again.")
    return blob.read_bytes()


def _request_record(request: Request) -> dict:
    """What a recording keeps of a request: enough to match it, never its headers.

    An upload is kept as its form fields and the file's hash (the file itself is the learner's or
    the kit's, not the recording's), which is also exactly what matching compares.
    """
    body = canonical_body(request)
    if isinstance(body, dict) and set(body) == {"multipart"}:
        return {"method": request.method, "path": request.path, "multipart": body["multipart"]}
    return {"method": request.method, "path": request.path, "body": body}


def _request_from_record(record: dict) -> Request:
    from vcr.request import Request

    if "multipart" in record:
        body = json.dumps({"multipart": record["multipart"]}).encode()
        headers = {"content-type": "application/json"}  # canonicalizes to the same fields as the upload
    elif record.get("body") is None:
        body, headers = b"", {}
    elif isinstance(record["body"], str):
        body, headers = record["body"].encode(), {}
    else:
        body, headers = json.dumps(record["body"]).encode(), {"content-type": "application/json"}
    return Request(record["method"], "https://api.openai.com" + record["path"], body, headers)


def provenance_of(response: dict) -> str:
    headers = {name.lower(): values for name, values in response["headers"].items()}
    return SYNTHESIZED if "x-kit-standin" in headers else LIVE


def holds_live_answers(path: Path) -> bool:
    """Whether any answer in a recording file was captured from a live API (those are never replaced)."""
    return any(provenance_of(i["response"]) == LIVE for i in read_file(path)["interactions"])


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file and rename it over the target, so a crash never leaves half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def read_file(path: Path) -> dict:
    """The parsed recording file, or a RecordingError that says what is wrong and what to do."""
    where = shown(path)
    restore = f"Restore it with `git checkout -- {where}`, or delete it and record again (KIT_MODE=record)."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RecordingError(f"{where} is not a text file, so it is not a recording. {restore}") from None
    except ValueError as err:
        raise RecordingError(f"{where} is damaged (not valid JSON: {err}). {restore}") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise RecordingError(f"{where} is not a recording file (no list of interactions). {restore}")
    if data.get("format", 0) > FORMAT:
        raise RecordingError(f"{where} was written by a newer version of the kit (format {data['format']}, "
                             f"this kit reads format {FORMAT}). Update the kit (git pull, then reinstall).")
    for number, interaction in enumerate(data["interactions"], start=1):
        try:
            interaction["request"]["method"], interaction["request"]["path"], interaction["response"]["status"]["code"]
        except (KeyError, TypeError) as err:
            raise RecordingError(f"{where}: interaction #{number} is incomplete (no {err}). {restore}") from None
    return data


class KitPersister:
    """Loads and saves vcrpy cassettes in the kit's JSON format."""

    @staticmethod
    def load_cassette(cassette_path, serializer=None):
        from vcr.persisters.filesystem import CassetteNotFoundError

        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        data = read_file(path)
        requests, responses = [], []
        for number, interaction in enumerate(data["interactions"], start=1):
            try:
                request, response = interaction["request"], interaction["response"]
                requests.append(_request_from_record(request))
                responses.append({
                    "status": response["status"],
                    "headers": {k: [v] for k, v in response.get("headers", {}).items()},
                    "body": {"string": _decode_body(response.get("body"), path)},
                })
            except (KeyError, TypeError, ValueError) as err:
                raise RecordingError(
                    f"{shown(path)}: interaction #{number} is incomplete ({err!r}). "
                    f"Restore the file with `git checkout`, or delete it and record again.") from None
        return requests, responses

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer=None):
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        interactions = []
        for request, response in zip(cassette_dict["requests"], cassette_dict["responses"], strict=True):
            headers = {k.lower(): v[0] if isinstance(v, list) else v for k, v in response["headers"].items()}
            content_type = headers.get("content-type", "")
            interactions.append({
                "request": _request_record(request),
                "response": {
                    "status": response["status"],
                    "headers": {k: v for k, v in sorted(headers.items()) if k in KEPT_RESPONSE_HEADERS},
                    "body": _encode_body(response["body"]["string"], content_type, path.parent / BLOBS),
                },
            })
        counts = Counter(provenance_of(r) for r in cassette_dict["responses"])
        data = {"format": FORMAT, "provenance": provenance_summary(counts), "interactions": interactions}
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        _write_atomically(path, scrub_secrets(text).encode("utf-8"))


def provenance_summary(counts: Counter) -> str:
    parts = []
    if counts[SYNTHESIZED]:
        parts.append(f"{counts[SYNTHESIZED]} synthesized by the kit's stand-in server (helpers/standin.py), "
                     "not captured from the live API")
    if counts[LIVE]:
        parts.append(f"{counts[LIVE]} captured from a live API")
    return "; ".join(parts) or "empty"


def scrub_secrets(text: str) -> str:
    """Remove the key in use wherever it appears (a server may echo it back in an error body)."""
    key = os.environ.get("OPENAI_API_KEY", "")
    return text.replace(key, "sk-***") if len(key) >= 8 else text


# --- interception -------------------------------------------------------------------------------

def _retryable(status: int) -> bool:
    """The statuses the SDK retries."""
    return status in (408, 409, 429) or status >= 500


@functools.cache
def _cassette_class():
    from vcr.cassette import Cassette
    from vcr.record_mode import RecordMode

    class KitCassette(Cassette):
        """Replays matching answers in turn, then cycles, so repeated requests see each recorded variant."""

        added = 0
        loading = False

        def can_play_response_for(self, request):
            if not super().can_play_response_for(request):
                return False
            if self.record_mode != RecordMode.NEW_EPISODES:
                return True
            # While recording, the SDK's retry after a 429 or a 500 is the same request again, and it must
            # reach the server: once each answer has been played, a retryable error is not replayed.
            matches = list(self._responses(request))
            unplayed = [index for index, _ in matches if self.play_counts[index] == 0]
            return bool(unplayed) or not _retryable(matches[-1][1]["status"]["code"])

        def play_response(self, request):
            matches = list(self._responses(request))
            if not matches:
                return super().play_response(request)
            index, response = min(matches, key=lambda match: self.play_counts[match[0]])
            self.play_counts[index] += 1
            return response

        def _load(self):
            self.loading = True  # vcrpy appends each loaded interaction: those are not new answers
            try:
                super()._load()
            finally:
                self.loading = False

        def append(self, request, response):
            before = len(self.data)
            super().append(request, response)
            if len(self.data) > before and not self.loading:
                self.play_counts[len(self.data) - 1] += 1  # the answer just recorded has been delivered
                self.added += 1
                self._save(force=True)  # written at once: a kernel that dies loses nothing recorded
                print(f"Recorded a new answer: {request.method} {request.path} → {shown(self._path)} "
                      f"({self.added} added this session)")

    return KitCassette


def strip_auth(request: Request):
    for name in list(request.headers):
        if name.lower() in ("authorization", "openai-organization", "openai-project", "cookie", "api-key"):
            del request.headers[name]
    return request


# The transport methods vcrpy patches; the kit holds them until the first request arrives.
_TRANSPORT_METHODS = ((httpx2.HTTPTransport, "handle_request"), (httpx2.AsyncHTTPTransport, "handle_async_request"))


class Interception:
    """Routes the SDK's requests through a recording for one notebook; `stop()` ends it.

    Until the first request, light placeholders sit where vcrpy patches; the first request loads
    vcrpy, opens the recording and is then handled by it, like every later one.
    """

    def __init__(self, notebook: str, *, record: bool, overwrite: bool, on_start=None):
        self.notebook, self.record, self.overwrite, self.on_start = notebook, record, overwrite, on_start
        self.context = None
        self.originals = {(cls, name): cls.__dict__[name] for cls, name in _TRANSPORT_METHODS}
        for cls, name in _TRANSPORT_METHODS:
            setattr(cls, name, self._first_request(cls, name))

    def _first_request(self, cls, name):
        def placeholder(transport, request):
            self.start()
            return getattr(cls, name)(transport, request)  # now vcrpy's handler

        return placeholder

    def _restore(self) -> None:
        for (cls, name), original in self.originals.items():
            setattr(cls, name, original)

    def start(self) -> None:
        if self.context is not None:
            return
        self._restore()
        import vcr.patch
        import vcr.stubs.httpx_stubs
        from vcr.record_mode import RecordMode

        # vcrpy keeps the transport methods it finds when first imported; if that happened while the
        # placeholders were in place, it must be given the real ones, or it would call back into them.
        vcr.patch._Httpx2HttpTransport_handle_request = self.originals[_TRANSPORT_METHODS[0]]
        vcr.patch._Httpx2AsyncHttpTransport_handle_async_request = self.originals[_TRANSPORT_METHODS[1]]

        vcr.stubs.httpx_stubs.CannotOverwriteExistingCassetteException = OfflineMiss
        if self.record:
            mode = RecordMode.ALL if self.overwrite else RecordMode.NEW_EPISODES
        else:
            mode = RecordMode.NONE
        context = _cassette_class().use(
            path=str(recording_path(self.notebook)),
            persister=KitPersister,
            record_mode=mode,
            match_on=(match_route, match_body),
            before_record_request=strip_auth,
            allow_playback_repeats=True,
            skip_patchers=[name for name in vcr.patch.PATCHER_NAMES if name != "httpx2"],
        )
        try:
            self.cassette = context.__enter__()
        except BaseException:
            # The recording did not load: keep the placeholders, so nothing leaves the machine and the
            # next request (or the setup cell run again) reports the problem once more.
            for cls, name in _TRANSPORT_METHODS:
                setattr(cls, name, self._first_request(cls, name))
            raise
        self.context = context
        if self.on_start:
            self.on_start()

    def stop(self) -> None:
        if self.context is None:
            self._restore()
        else:
            self.context.__exit__(None, None, None)
            self.context = None


def recorded_requests(notebook: str) -> list[dict]:
    """The requests recorded for a notebook, as {method, path, body}: what offline mode can answer."""
    path = recording_path(notebook)
    if not path.exists():
        return []
    return [{"method": r["method"], "path": r["path"], "body": r.get("body", r.get("multipart"))}
            for r in (i["request"] for i in read_file(path)["interactions"])]
