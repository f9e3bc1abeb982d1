"""Files, vector stores and batches (/v1/files, /v1/vector_stores, /v1/batches) and the state they keep.

Shapes follow OpenAI's OpenAPI spec (OpenAIFile, VectorStoreObject, VectorStoreFileBatchObject, Batch).
What a client sees over time follows public captures: a vector store file batch is `in_progress` when
created and `completed` when next read (openai-python's `create_and_poll` polls until it is not
`in_progress`); a batch is `validating` when created, `in_progress` at the first poll and `completed`
with its output file at the second (the states and their order are the spec's `Batch.status`; a real
batch may also pass through `finalizing` between two polls, which a poll can miss). Every id and time
comes from the request's seed, so a rebuild gives the same answers.
"""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field

from helpers.authoring import pdf
from helpers.endpoints import BATCHES, FILES, VECTOR_STORES
from helpers.tokens import count_text

from .call import Call
from .wire import Answer, ApiError, Seed, json_answer

PREFIXES = (FILES, VECTOR_STORES, BATCHES)
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")  # CreateFileRequest.purpose
BATCH_ENDPOINTS = ("/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
                   "/v1/moderations")  # the spec's CreateBatchRequest.endpoint, less images and videos
BATCH_WINDOW = 24 * 3600  # completion_window "24h", the only value the spec allows
# A file is kept for 30 days unless an expiry is asked for (the spec's OpenAIFile.expires_at is optional).
# The binary answer of GET /v1/files/{id}/content: alexrudall/ruby-openai#474 ("OpenAI sends
# application/octet-stream"); the spec documents application/json, corrected in tests/openapi/corrections.py.
CONTENT_TYPE = "application/octet-stream"
# A PDF reaches the model as its text and an image of each page (OpenAI's file inputs guide). The page
# image's tokens are an estimate: a page rendered at 768 x 1024 pixels costs 4 tiles of 170 and a base of 85
# by the vision guide's tile formula.
PAGE_IMAGE_TOKENS = 4 * 170 + 85


@dataclass
class Store:
    """What the server holds between requests: uploaded files (with their bytes), vector stores, batches."""

    files: dict = field(default_factory=dict)  # id -> OpenAIFile
    data: dict = field(default_factory=dict)  # id -> bytes
    stores: dict = field(default_factory=dict)  # id -> VectorStoreObject
    store_files: dict = field(default_factory=dict)  # vector store id -> [file id]
    file_batches: dict = field(default_factory=dict)  # id -> VectorStoreFileBatchObject
    batches: dict = field(default_factory=dict)  # id -> Batch
    clock: int = 0  # the last time given out: objects made later are dated later
    lock: threading.RLock = field(default_factory=threading.RLock)

    def now(self, seed: Seed) -> int:
        self.clock = max(self.clock + 1 + int(seed.unit("gap") * 4), seed.created if not self.clock else 0)
        return self.clock

    def file(self, file_id: str) -> dict:
        if file_id not in self.files:
            raise ApiError(404, f"No such File object: {file_id}", param="id")
        return self.files[file_id]

    def text(self, file_id: str) -> str:
        return self.data[file_id].decode("utf-8", "replace")

    def add_file(self, seed: Seed, filename: str, data: bytes, purpose: str) -> dict:
        file_id = "file-" + seed.alnum("file", 22)
        self.files[file_id] = {"id": file_id, "object": "file", "bytes": len(data), "created_at": self.now(seed),
                               "filename": filename, "purpose": purpose, "status": "processed"}
        self.data[file_id] = data
        return self.files[file_id]


def store_of(server) -> Store:
    """The server's store, made on first use."""
    with server._lock:
        if not hasattr(server, "store"):
            server.store = Store()
        return server.store


def answer(server, method: str, call: Call) -> Answer:
    store = store_of(server)
    parts = call.path.removeprefix("/v1/").split("/")
    with store.lock:
        if parts[0] == "files":
            return _files(store, method, parts[1:], call)
        if parts[0] == "vector_stores":
            return _vector_stores(store, method, parts[1:], call)
        return _batches(server, store, method, parts[1:], call)


def _not_found(method: str, call: Call) -> ApiError:
    return ApiError(404, f"Invalid URL ({method} {call.path})")


# --- /v1/files ------------------------------------------------------------------------------------

def _files(store: Store, method: str, rest: list[str], call: Call) -> Answer:
    if not rest and method == "POST":
        purpose = call.body.get("purpose")
        if "file" not in call.files:
            raise ApiError(400, "Missing required parameter: 'file'.", param="file",
                           code="missing_required_parameter")
        if purpose not in PURPOSES:
            raise ApiError(400, f"Invalid value for purpose: {purpose!r}.", param="purpose")
        filename, data = call.files["file"]
        return json_answer(store.add_file(call.seed, filename, data, purpose))
    if not rest and method == "GET":
        listed = sorted(store.files.values(), key=lambda f: f["created_at"], reverse=True)
        purpose = call.body.get("purpose")
        listed = [f for f in listed if not purpose or f["purpose"] == purpose]
        return json_answer(_listing(listed))
    if len(rest) == 1 and method == "GET":
        return json_answer(store.file(rest[0]))
    if len(rest) == 1 and method == "DELETE":
        store.file(rest[0])
        del store.files[rest[0]], store.data[rest[0]]
        return json_answer({"id": rest[0], "object": "file", "deleted": True})
    if len(rest) == 2 and rest[1] == "content" and method == "GET":
        store.file(rest[0])
        return Answer(store.data[rest[0]], content_type=CONTENT_TYPE)
    raise _not_found(method, call)


def _listing(data: list[dict]) -> dict:
    return {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None, "has_more": False}


# --- /v1/vector_stores ----------------------------------------------------------------------------

def _counts(done: int = 0, pending: int = 0) -> dict:
    return {"in_progress": pending, "completed": done, "failed": 0, "cancelled": 0, "total": done + pending}


def _vector_stores(store: Store, method: str, rest: list[str], call: Call) -> Answer:
    if not rest and method == "POST":
        file_ids = list(call.body.get("file_ids") or [])
        for file_id in file_ids:
            store.file(file_id)
        vs_id = "vs_" + call.seed.hex("vs", 32)
        created = store.now(call.seed)
        store.stores[vs_id] = {"id": vs_id, "object": "vector_store", "created_at": created,
                               "name": call.body.get("name") or "", "usage_bytes": 0,
                               "file_counts": _counts(pending=len(file_ids)),
                               "status": "in_progress" if file_ids else "completed", "expires_at": None,
                               "last_active_at": created, "metadata": call.body.get("metadata") or {}}
        store.store_files[vs_id] = file_ids
        return json_answer(store.stores[vs_id])
    vector_store = _vector_store(store, rest[0]) if rest else None
    if vector_store is not None and len(rest) == 1 and method == "GET":
        _settle(store, rest[0])
        return json_answer(vector_store)
    if vector_store is not None and len(rest) == 1 and method == "DELETE":
        del store.stores[rest[0]]
        return json_answer({"id": rest[0], "object": "vector_store.deleted", "deleted": True})
    if vector_store is not None and len(rest) == 2 and rest[1] == "file_batches" and method == "POST":
        file_ids = list(call.body.get("file_ids") or [])
        for file_id in file_ids:
            store.file(file_id)
        store.store_files[rest[0]] = store.store_files[rest[0]] + file_ids
        vector_store.update(status="in_progress", file_counts=_counts(vector_store["file_counts"]["completed"],
                                                                      len(file_ids)))
        batch_id = "vsfb_" + call.seed.hex("vsfb", 32)
        store.file_batches[batch_id] = {"id": batch_id, "object": "vector_store.files_batch",
                                        "created_at": store.now(call.seed), "vector_store_id": rest[0],
                                        "status": "in_progress", "file_counts": _counts(pending=len(file_ids))}
        return json_answer(store.file_batches[batch_id])
    if vector_store is not None and len(rest) == 3 and rest[1] == "file_batches" and method == "GET":
        batch = store.file_batches.get(rest[2])
        if batch is None or batch["vector_store_id"] != rest[0]:
            raise ApiError(404, f"No file batch found with id '{rest[2]}'.")
        _settle(store, rest[0])
        batch.update(status="completed", file_counts=_counts(batch["file_counts"]["total"]))
        return json_answer(batch)
    raise _not_found(method, call)


def _vector_store(store: Store, vs_id: str) -> dict:
    if vs_id not in store.stores:
        raise ApiError(404, f"No vector store found with id '{vs_id}'.")
    return store.stores[vs_id]


def _settle(store: Store, vs_id: str) -> None:
    """Read again after it was given files, a vector store has processed them all."""
    vector_store, file_ids = store.stores[vs_id], store.store_files[vs_id]
    # The spec says usage_bytes "may be different from the original file size"; no capture shows by how
    # much, so the stand-in counts the files' bytes.
    vector_store.update(status="completed", file_counts=_counts(len(file_ids)),
                        usage_bytes=sum(store.files[f]["bytes"] for f in file_ids if f in store.files))


def searchable(store: Store, vector_store_ids: list[str]) -> list[dict]:
    """The files a file_search over these vector stores reads: [{file_id, filename, text}]."""
    with store.lock:
        found = []
        for vs_id in vector_store_ids:
            _vector_store(store, vs_id)
            for file_id in store.store_files.get(vs_id, []):
                if file_id in store.files:
                    found.append({"file_id": file_id, "filename": store.files[file_id]["filename"],
                                  "text": store.text(file_id)})
        return found


# --- /v1/batches ----------------------------------------------------------------------------------

def _batches(server, store: Store, method: str, rest: list[str], call: Call) -> Answer:
    if not rest and method == "POST":
        return json_answer(_create_batch(store, call))
    if len(rest) == 1 and method == "GET":
        if rest[0] not in store.batches:
            raise ApiError(404, f"No batch found with id '{rest[0]}'.")
        return json_answer(_advance(server, store, store.batches[rest[0]], call.seed))
    raise _not_found(method, call)


def _create_batch(store: Store, call: Call) -> dict:
    body = call.body
    endpoint, input_id = body.get("endpoint"), body.get("input_file_id")
    if endpoint not in BATCH_ENDPOINTS:
        raise ApiError(400, f"Invalid value for endpoint: {endpoint!r}.", param="endpoint")
    if body.get("completion_window") != "24h":
        raise ApiError(400, "Invalid value for completion_window: only '24h' is supported.",
                       param="completion_window")
    if store.file(str(input_id))["purpose"] != "batch":
        raise ApiError(400, f"The file {input_id} was not uploaded with purpose 'batch'.", param="input_file_id")
    lines = _requests(store.text(str(input_id)))
    batch_id = "batch_" + call.seed.hex("batch", 32)
    created = store.now(call.seed)
    model = next((line.get("body", {}).get("model") for line in lines if isinstance(line, dict)), None)
    store.batches[batch_id] = {
        "id": batch_id, "object": "batch", "endpoint": endpoint, "model": model, "errors": None,
        "input_file_id": input_id, "completion_window": "24h", "status": "validating", "output_file_id": None,
        "error_file_id": None, "created_at": created, "in_progress_at": None,
        "expires_at": created + BATCH_WINDOW, "finalizing_at": None, "completed_at": None, "failed_at": None,
        "expired_at": None, "cancelling_at": None, "cancelled_at": None,
        "request_counts": {"total": 0, "completed": 0, "failed": 0}, "metadata": body.get("metadata"),
    }
    return store.batches[batch_id]


def _requests(text: str) -> list:
    """The input file's requests, one JSON object a line (blank lines skipped)."""
    found = []
    for line in text.splitlines():
        if line.strip():
            try:
                found.append(json.loads(line))
            except ValueError:
                found.append(None)
    return found


def _advance(server, store: Store, batch: dict, seed: Seed) -> dict:
    """One poll later: validating -> in_progress -> completed (with its output), then as it is."""
    lines = _requests(store.text(batch["input_file_id"]))
    if batch["status"] == "validating":
        problems = _validate(lines, batch["endpoint"])
        if problems:
            batch.update(status="failed", failed_at=store.now(seed),
                         errors={"object": "list", "data": problems})
        else:
            batch.update(status="in_progress", in_progress_at=store.now(seed),
                         request_counts={"total": len(lines), "completed": 0, "failed": 0})
    elif batch["status"] == "in_progress":
        _complete(server, store, batch, lines, seed)
    return batch


def _validate(lines: list, endpoint: str) -> list[dict]:
    """What the API's validation reports for an input file: a line that is not a request for this endpoint,
    or a custom_id used twice (the Batch guide's rules for the input file)."""
    problems, seen = [], set()
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict) or not {"custom_id", "method", "url", "body"} <= set(line):
            problems.append({"code": "invalid_request", "line": number, "param": None,
                             "message": "Each line must be a JSON object with custom_id, method, url and body."})
        elif line["url"] != endpoint:
            problems.append({"code": "mismatched_endpoint", "line": number, "param": "url",
                             "message": f"The url {line['url']!r} does not match the batch's endpoint {endpoint!r}."})
        elif line["custom_id"] in seen:
            problems.append({"code": "duplicate_custom_id", "line": number, "param": "custom_id",
                             "message": f"The custom_id {line['custom_id']!r} is used more than once."})
        else:
            seen.add(line["custom_id"])
    return problems


def _complete(server, store: Store, batch: dict, lines: list, seed: Seed) -> None:
    """Run every request through the server's own endpoints and write the output (and error) files."""
    done, failed, usage = [], [], {"input_tokens": 0, "cached": 0, "output_tokens": 0, "reasoning": 0}
    for number, line in enumerate(lines):
        reply = server.respond("POST", line["url"], {"content-type": "application/json"},
                               json.dumps(line["body"]).encode(), trusted=True)
        body = json.loads(reply.body) if isinstance(reply.body, bytes) else {}
        result = {"id": "batch_req_" + seed.hex(f"req{number}", 32), "custom_id": line["custom_id"],
                  "response": {"status_code": reply.status, "request_id": "req_" + reply.seed.hex("request", 32),
                               "body": body}, "error": None}
        (done if reply.status < 400 else failed).append(result)
        _add_usage(usage, body.get("usage") if reply.status < 400 else None)
    finalizing = store.now(seed)
    output = store.add_file(Seed(batch["id"], "output"), f"{batch['id']}_output.jsonl", _jsonl(done),
                            "batch_output") if done else None
    errors = store.add_file(Seed(batch["id"], "error"), f"{batch['id']}_error.jsonl", _jsonl(failed),
                            "batch_output") if failed else None
    batch.update(status="completed", finalizing_at=finalizing, completed_at=store.now(seed),
                 output_file_id=output and output["id"], error_file_id=errors and errors["id"],
                 request_counts={"total": len(lines), "completed": len(done), "failed": len(failed)},
                 usage={"input_tokens": usage["input_tokens"],
                        "input_tokens_details": {"cached_tokens": usage["cached"]},
                        "output_tokens": usage["output_tokens"],
                        "output_tokens_details": {"reasoning_tokens": usage["reasoning"]},
                        "total_tokens": usage["input_tokens"] + usage["output_tokens"]})


def _add_usage(total: dict, usage: dict | None) -> None:
    """Add one answer's usage (Chat Completions' or the Responses API's names) to the batch's."""
    if not usage:
        return
    total["input_tokens"] += usage.get("input_tokens", usage.get("prompt_tokens", 0))
    total["output_tokens"] += usage.get("output_tokens", usage.get("completion_tokens", 0))
    details = usage.get("input_tokens_details") or usage.get("prompt_tokens_details") or {}
    total["cached"] += details.get("cached_tokens", 0)
    reasoning = usage.get("output_tokens_details") or usage.get("completion_tokens_details") or {}
    total["reasoning"] += reasoning.get("reasoning_tokens", 0)


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


# --- input_file parts of /v1/responses ------------------------------------------------------------

def input_file_tokens(server, body: dict, model: str) -> int:
    """The input tokens of a request's `input_file` parts: a PDF's text and page images, another file's text."""
    given = body.get("input")
    parts = [part for item in (given if isinstance(given, list) else []) if isinstance(item, dict)
             for part in (item.get("content") if isinstance(item.get("content"), list) else [])
             if isinstance(part, dict) and part.get("type") == "input_file"]
    store, total = store_of(server), 0
    for part in parts:
        if part.get("file_id"):
            with store.lock:
                store.file(part["file_id"])
                data = store.data[part["file_id"]]
        else:
            given_data = str(part.get("file_data", ""))
            data = base64.b64decode(given_data.partition("base64,")[2] or given_data)
        if data.startswith(b"%PDF"):
            total += count_text(pdf.text_of(data), model) + pdf.page_count(data) * PAGE_IMAGE_TOKENS
        else:
            total += count_text(data.decode("utf-8", "replace"), model)
    return total
