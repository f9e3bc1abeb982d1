"""Recordings: API answers stored per notebook, replayed offline and added to in record mode.

One readable JSON file per notebook (binary bodies in blobs beside it), written atomically and
scrubbed of the key; requests match on method, path and canonical body, never headers; a miss
gets a message written for a beginner. The session (helpers.session) asks a `Recording` for the
answer to each request; this module knows nothing of how requests are intercepted.
"""
from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import filelock
import httpx2

from . import endpoints, keys, misses, paths

FORMAT = 1
BLOBS = "blobs"  # binary bodies live beside the JSON, named by their hash
# The only response headers kept: everything else (cookies, organization and project ids) is dropped.
# The rate-limit headers are kept so that a lesson can read them offline (lesson 17).
RATE_LIMIT_HEADERS = tuple(f"x-ratelimit-{what}-{unit}" for what in ("limit", "remaining", "reset")
                           for unit in ("requests", "tokens"))
# The stand-in names the model that made its embedding vectors (a real one, not the model the request names).
EMBEDDINGS_HEADER = "x-kit-embeddings-by"
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "retry-after-ms", "x-request-id", "x-kit-standin",
                         EMBEDDINGS_HEADER, *RATE_LIMIT_HEADERS)
SYNTHESIZED = "synthesized"
LIVE = "live"


class RecordingError(Exception):
    """A recording file that cannot be used; the message names the file and what to do."""


class OfflineMiss(Exception):
    """Offline mode received a request that was not recorded."""

    def __init__(self, *, recording: Recording, request: Sent, note: str = "") -> None:
        self.recording = recording
        self.request = request
        message = misses.miss_message(shown(recording.path), recording.requests, request)
        super().__init__(f"{message}\n{note}" if note else message)  # note: what the local sandbox could not do


# --- canonical request bodies -------------------------------------------------------------------

def parse_multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """A multipart form's text fields, and its files as (file name, bytes)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, data)
        else:
            form[name] = data.decode("utf-8", "replace")
    return form, files


def canonical_body(content_type: str, raw: bytes) -> Any:
    """A request body as a comparable value: parsed JSON, an upload's fields and file hashes, or text.

    An upload is matched by its content, never by the random multipart boundary."""
    if content_type.startswith("multipart/form-data"):
        form, files = parse_multipart(content_type, raw)
        uploads = {name: {"filename": filename, "sha256": hashlib.sha256(data).hexdigest()}
                   for name, (filename, data) in files.items()}
        return {"multipart": {**form, **uploads}}
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


@dataclass(frozen=True, eq=True)
class Sent:
    """A request as recordings see it: method, path and canonical body (equal as values: 0 == 0.0)."""

    method: str
    path: str
    body: object

    @classmethod
    def of(cls, request: httpx2.Request, path: str | None = None) -> Sent:
        """The request's canonical form (its body must have been read), under its API path if given."""
        return cls(request.method, path or request.url.path,
                   canonical_body(request.headers.get("content-type", ""), request.content))

    @classmethod
    def from_record(cls, record: dict) -> Sent:
        body = {"multipart": record["multipart"]} if "multipart" in record else record.get("body")
        return cls(record["method"], record["path"], body)

    def record(self) -> dict:
        """What a recording keeps of a request: enough to match it, never its headers; an upload as its
        fields and the file's hash (the file itself is the learner's or the kit's, not the recording's)."""
        if isinstance(self.body, dict) and set(self.body) == {"multipart"}:
            return {"method": self.method, "path": self.path, "multipart": self.body["multipart"]}
        return {"method": self.method, "path": self.path, "body": self.body}


# --- where recordings live ----------------------------------------------------------------------

def shown(path: Path) -> str:
    """A path as a learner should see it: relative to the kit when inside it."""
    path = Path(path)
    return str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)


def recording_path(notebook: str) -> Path:
    return paths.RECORDINGS / f"{notebook}.json"


# --- the file format ----------------------------------------------------------------------------

def _encode_body(body: bytes, content_type: str, blob_dir: Path) -> dict[str, Any] | None:
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
        paths.write_atomically(blob, body)
    return {"blob": f"{BLOBS}/{digest}", "bytes": len(body)}


def _decode_body(body: dict[str, Any] | None, path: Path) -> bytes:
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


class BatchLine(NamedTuple):
    interaction: int  # the number (from 1) of the interaction that downloaded the file
    kind: str  # "output" or "error"
    endpoint: str  # what the batch's requests were sent to
    number: int  # the line's number in its file, from 1
    text: str


def batch_file_lines(path: Path, interactions: list[dict]) -> list[BatchLine]:
    """The lines of every batch output and error file the recording at `path` downloaded."""
    files = {}  # file id -> ("output" or "error", the batch's endpoint)
    for interaction in interactions:
        body = (interaction["response"].get("body") or {}).get("json")
        if isinstance(body, dict) and body.get("object") == "batch":
            for kind in ("output", "error"):
                if body.get(f"{kind}_file_id"):
                    files[body[f"{kind}_file_id"]] = (kind, body["endpoint"])
    found = []
    for index, interaction in enumerate(interactions, start=1):
        parts = interaction["request"]["path"].removeprefix("/v1").strip("/").split("/")
        body = interaction["response"].get("body") or {}
        if len(parts) == 3 and parts[0] == "files" and parts[2] == "content" and parts[1] in files and "blob" in body:
            lines = _decode_body(body, path).decode("utf-8").splitlines()
            found += [BatchLine(index, *files[parts[1]], number, text) for number, text in enumerate(lines, start=1)]
    return found


# A LiteLLM proxy relays its upstream's headers with this prefix (BerriAI/litellm#16091), so an answer
# the stand-in made is still known as synthesized when a classroom proxy passes it on.
RELAYED = "llm_provider-"
STANDIN_HEADER = "x-kit-standin"


def synthesized(headers: Mapping[str, str]) -> bool:
    """Whether an answer was made by the kit's stand-in server, directly or through a proxy."""
    names = {name.lower() for name in headers}
    return STANDIN_HEADER in names or RELAYED + STANDIN_HEADER in names


def provenance_of(response: dict) -> str:
    return SYNTHESIZED if synthesized(response.get("headers") or {}) else LIVE


def holds_live_answers(path: Path) -> bool:
    """Whether any answer in a recording file was captured from a live API (those are never replaced)."""
    return any(provenance_of(i["response"]) == LIVE for i in read_file(path)["interactions"])


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
        if problem := interaction_problem(interaction):
            raise RecordingError(f"{where}: interaction #{number} {problem}. {restore}")
    return data


def interaction_problem(interaction: Any) -> str:
    """What is wrong with one recorded interaction (as a hand edit may leave it), or ''."""
    try:
        request, response = interaction["request"], interaction["response"]
        request["method"], request["path"]
        status = response["status"]["code"]
    except (KeyError, TypeError) as err:
        return f"is incomplete (no {err})"
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return f"has the status {status!r}, which is not an HTTP status (a whole number such as 200)"
    if not isinstance(response.get("headers", {}), dict):
        return "has headers that are not a JSON object"
    body = response.get("body")
    if body is not None and not (isinstance(body, dict) and ({"json", "text", "blob"} & set(body))):
        return "has a body that is none of json, text or blob"
    if status >= 400 and isinstance(body, dict) and isinstance(body.get("json"), dict) and "error" not in body["json"]:
        return f"has the status {status} but a success body (no \"error\"); the status was likely edited"
    return ""


def provenance_summary(interactions: list[dict]) -> str:
    """How many answers the stand-in synthesized and how many each live server gave."""
    synthesized_count = sum(provenance_of(i["response"]) == SYNTHESIZED for i in interactions)
    origins = Counter(i["response"].get("origin", "") for i in interactions if provenance_of(i["response"]) == LIVE)
    parts = []
    if synthesized_count:
        parts.append(f"{synthesized_count} synthesized by the kit's stand-in server (helpers/authoring/standin/), "
                     "not captured from the live API")
    made_by = Counter((i["response"].get("headers") or {}).get(EMBEDDINGS_HEADER) for i in interactions
                      if provenance_of(i["response"]) == SYNTHESIZED)
    for model, count in sorted((m, n) for m, n in made_by.items() if m):
        parts.append(f"the embedding vectors in {count} of them made by {model}, not by the model the request names")
    for origin, count in sorted(origins.items()):
        parts.append(f"{count} captured from a live API" + (f" ({origin})" if origin else ""))
    return "; ".join(parts) or "empty"


def origin_of(url: httpx2.URL) -> str:
    """Where a live answer came from: the server's scheme, host and port, never a path or credentials."""
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")


def scrub_secrets(text: str) -> str:
    """Mask the key in use, any whole key and any part of one (a server echoes a wrong key's start and
    end in its 401) wherever they appear."""
    return keys.scrubbed(text, os.environ.get("OPENAI_API_KEY", ""))


# --- one notebook's recording -------------------------------------------------------------------

def retryable(status: int, headers: Mapping[str, str] | None = None) -> bool:
    """Whether the SDK retries an answer: its `x-should-retry` header, else 408, 409, 429 and 5xx
    (openai-python's _base_client.py, _should_retry)."""
    should = (headers or {}).get("x-should-retry")
    if should in ("true", "false"):
        return should == "true"
    return status in (408, 409, 429) or status >= 500


@dataclass(frozen=True)
class Answer:
    """A recorded answer, ready to hand back: status, the kept headers and the body's bytes."""

    status: int
    reason: str
    headers: dict
    content: bytes


class Recording:
    """One notebook's recorded answers: loaded on the first request, replayed in turn, added to."""

    def __init__(self, notebook: str) -> None:
        self.path = recording_path(notebook)  # read now: a test or the build may point RECORDINGS elsewhere
        self.plays: Counter = Counter()  # index -> times replayed (or delivered, for a new answer)
        self.added = 0
        self._data: dict | None = None
        self._requests: list[Sent] = []
        self._overwritten: list[Sent] = []  # requests re-recorded this session (KIT_OVERWRITE)
        self._taught: list[Sent] = []  # requests answered with an error when the file was loaded
        self.unsaved: list[Sent] = []  # requests whose new answer could not be written
        self._unsaved_why = ""  # why the last save failed ("" once one succeeds)

    @property
    def data(self) -> dict:
        if self._data is None:
            data: dict = read_file(self.path) if self.path.is_file() else {"format": FORMAT, "interactions": []}
            self._requests = [Sent.from_record(i["request"]) for i in data["interactions"]]
            self._taught = [sent for sent, i in zip(self._requests, data["interactions"], strict=True)
                            if i["response"]["status"]["code"] >= 400]
            self._data = data
        return self._data

    def teaches_error(self, sent: Sent) -> bool:
        """Whether the lesson's recording answered this request with an error: a cell that teaches it."""
        self.data  # noqa: B018 - loads the file on first use
        return sent in self._taught

    @property
    def requests(self) -> list[Sent]:
        self.data  # noqa: B018 - loads the file on first use
        return self._requests

    def matches(self, sent: Sent) -> list[int]:
        return [index for index, recorded in enumerate(self.requests) if recorded == sent]

    def choose(self, sent: Sent, *, recording: bool) -> int | None:
        """The recorded answer to replay for this request, or None when it must come from the server.

        Repeats replay each recorded variant in turn, then cycle. While recording, a request that was
        answered with an error the SDK retries, every variant already replayed, is the SDK's retry: it
        goes to the server. A poll (a GET of a resource whose state changes, such as a batch) replays its
        recorded states in turn and then stays on the last; while recording, a poll past them goes to
        the server, which says how the resource is now."""
        matches = self.matches(sent)
        if not matches:
            return None
        played = all(self.plays[i] for i in matches)
        poll = sent.method == "GET" and sent.path.startswith(endpoints.POLLED)
        if recording and played:
            last = self.data["interactions"][matches[-1]]["response"]
            if poll or retryable(last["status"]["code"], last.get("headers")):
                return None
        index = matches[-1] if poll and played else min(matches, key=lambda i: self.plays[i])
        self.plays[index] += 1
        return index

    def answer(self, index: int) -> Answer:
        response = self.data["interactions"][index]["response"]
        try:
            status = int(response["status"]["code"])
            headers = dict(response.get("headers") or {})
            content = _decode_body(response.get("body"), self.path)
        except (KeyError, TypeError, ValueError) as err:
            raise RecordingError(
                f"{shown(self.path)}: interaction #{index + 1} is incomplete ({err!r}). "
                "Restore the file with `git checkout`, or delete it and record again.") from None
        return Answer(status, str(response["status"].get("message", "")), headers, content)

    def add(self, sent: Sent, status: int, reason: str, headers: httpx2.Headers, content: bytes, *,
            overwrite: bool, origin: str = "") -> bool:
        """Keep a new answer and write the file at once: a kernel that dies loses nothing recorded.

        With `overwrite`, the first answer this session to a request replaces what was recorded for it.
        Returns whether it was saved; when it was not, the file is as it was and the message says why."""
        kept = {name: headers[name] for name in KEPT_RESPONSE_HEADERS if name in headers}
        if RELAYED + STANDIN_HEADER in headers:
            kept[STANDIN_HEADER] = headers[RELAYED + STANDIN_HEADER]
        response: dict = {"status": {"code": status, "message": reason}, "headers": dict(sorted(kept.items()))}
        if origin and not synthesized(kept):  # a live answer says which server gave it
            response["origin"] = origin
        old = self.matches(sent)
        replacing = overwrite and bool(old) and sent not in self._overwritten
        replaced = [self.data["interactions"][i] for i in old] if replacing else []
        interaction = {"request": sent.record(), "response": response}
        try:
            self._write_change(interaction, replaced, content, headers.get("content-type", ""))
        except (OSError, filelock.Timeout) as err:
            if sent not in self.unsaved:
                self.unsaved.append(sent)
            why = not_saved_reason(err)
            # The paragraph once per cause; a lesson that uploads six files then gets a line for each other.
            again = why == self._unsaved_why
            print(not_saved_line(self.path, sent, why) if again else not_saved_message(self.path, err))
            self._unsaved_why = why
            return False
        if sent in self.unsaved:
            self.unsaved.remove(sent)
        self._unsaved_why = ""
        self._apply(sent, interaction, replacing)
        self.added += 1
        print(f"Recorded a new answer: {sent.method} {sent.path} → {shown(self.path)} "
              f"({self.added} added this session)")
        return True

    def _apply(self, sent: Sent, interaction: dict, replacing: bool) -> None:
        """Make the new answer part of this session's view, delivered once."""
        interactions, old = self.data["interactions"], self.matches(sent)
        if replacing:
            interactions[old[0]] = interaction
            for index in reversed(old[1:]):
                del interactions[index]
            self._requests = [Sent.from_record(i["request"]) for i in interactions]
            index = old[0]
            self.plays = Counter({i: n for i, n in self.plays.items() if i not in old[1:]})
        else:
            interactions.append(interaction)
            self._requests.append(sent)
            index = len(interactions) - 1
        self._overwritten.append(sent)
        self.plays[index] += 1

    def _write_change(self, interaction: dict, replaced: list[dict], content: bytes, content_type: str) -> None:
        """Add one answer (its body, and a blob for a binary one) to the file as it is on disk now, under a
        lock: two kernels recording the same lesson each add theirs, and neither overwrites the other's."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        blobs = self.path.parent / BLOBS
        with filelock.FileLock(lock_path(self.path), timeout=LOCK_TIMEOUT):
            # Left by a kernel killed mid-save: only the lock holder writes this file's; the blob folder is
            # shared by every lesson, so a blob's is removed only once the process that wrote it is gone.
            for stale in self.path.parent.glob(f".{self.path.name}.*.partial"):
                stale.unlink(missing_ok=True)
            for stale in blobs.glob(".*.partial"):
                if not _running(stale.suffixes[-2].lstrip(".") if len(stale.suffixes) > 1 else ""):
                    stale.unlink(missing_ok=True)
            interaction["response"]["body"] = _encode_body(content, content_type, blobs)
            on_disk = read_file(self.path)["interactions"] if self.path.is_file() else []
            positions = [i for i, old in enumerate(on_disk) if old in replaced]
            if positions:
                on_disk[positions[0]] = interaction
                for index in reversed(positions[1:]):
                    del on_disk[index]
            else:
                on_disk.append(interaction)
            write_file(self.path, on_disk)


def _running(pid: str) -> bool:
    """Whether the process with this id (as a .partial file's name carries it) is still running."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to someone else
        return True
    return True


LOCK_TIMEOUT = 10.0  # seconds: another kernel's save takes milliseconds; longer means a stuck process


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def write_file(path: Path, interactions: list[dict]) -> None:
    """Write a recording file whole (key shapes masked), or leave the old one untouched."""
    data = {"format": FORMAT, "provenance": provenance_summary(interactions), "interactions": interactions}
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    paths.write_atomically(path, scrub_secrets(text).encode("utf-8"))


def not_saved_reason(err: Exception) -> str:
    return ("another kernel held the file's lock too long" if isinstance(err, filelock.Timeout)
            else getattr(err, "strerror", None) or str(err))


def not_saved_message(path: Path, err: Exception) -> str:
    """The paragraph a learner gets when an answer cannot be saved (printed before the cell shows it)."""
    return (f"Not saved: this answer could not be written to {shown(path)} ({not_saved_reason(err)}). You "
            "have the answer, and the meter counts what it cost, but it is not kept for offline use; the "
            f"file is as it was. Make {shown(path.parent)} writable or free some disk space, then run the "
            "cell again to fetch and save it.")


def not_saved_line(path: Path, sent: Sent, why: str) -> str:
    """A later answer that fails for the same reason: one line, still naming the file and the fix."""
    return (f"Not saved either: {sent.method} {sent.path} → {shown(path)} ({why}; make {shown(path.parent)} "
            "writable or free some disk space, then run the cell again).")


def recorded_requests(notebook: str) -> list[dict]:
    """The requests recorded for a notebook, as {method, path, body}: what offline mode can answer."""
    path = recording_path(notebook)
    if not path.exists():
        return []
    return [{"method": r["method"], "path": r["path"], "body": r.get("body", r.get("multipart"))}
            for r in (i["request"] for i in read_file(path)["interactions"])]
