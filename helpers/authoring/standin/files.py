"""Files (/v1/files) and what the stand-in server keeps between requests; `input_file` parts' tokens.

Shapes follow OpenAI's OpenAPI spec (OpenAIFile). Vector stores and batches, which read the files kept
here, are in vector_stores.py and batches.py. Every id and time comes from the request's seed, so a
rebuild gives the same answers.
"""
from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field

from helpers import vision
from helpers.authoring import pdf
from helpers.tokens import count_text

from .call import Call
from .wire import Answer, ApiError, Seed, json_answer

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")  # CreateFileRequest.purpose
# The binary answer of GET /v1/files/{id}/content: alexrudall/ruby-openai#474 ("OpenAI sends
# application/octet-stream"); the spec documents application/json, corrected in tests/openapi/corrections.py.
CONTENT_TYPE = "application/octet-stream"
# A PDF reaches the model as its text and an image of each page (OpenAI's file inputs guide). How a page
# is rendered is not documented (langchain-ai/langchain#30601; helpers.models.PDF_INPUT), so the page image
# is taken as 768 x 1024 pixels and billed by the model's own image rule (helpers.vision: 32-pixel patches
# on GPT-5.6 and later), as an image of that size in the same request would be.
PAGE_SIZE = (768, 1024)


def page_image_tokens(model: str) -> int:
    return vision.image_tokens(*PAGE_SIZE, "auto", model)



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
        if file_id not in self.files:  # no public capture quotes this 404's wording, and no lesson shows it
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


def handler(function):
    """An endpoint handler for the server: called as (server, method, call), with the rest of the path after
    the endpoint's own segment and the server's store locked."""
    def answer(server, method: str, call: Call) -> Answer:
        store = store_of(server)
        with store.lock:
            return function(server, store, method, call.path.removeprefix("/v1/").split("/")[1:], call)
    return answer


def not_found(method: str, call: Call) -> ApiError:
    return ApiError(404, f"Invalid URL ({method} {call.path})")


# --- /v1/files ---------------------------------------------------------------------------------

@handler
def answer(server, store: Store, method: str, rest: list[str], call: Call) -> Answer:
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
    raise not_found(method, call)


def _listing(data: list[dict]) -> dict:
    return {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None, "has_more": False}


# --- input_file parts of /v1/responses ---------------------------------------------------------

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
            total += count_text(pdf.text_of(data), model) + pdf.page_count(data) * page_image_tokens(model)
        else:
            total += count_text(data.decode("utf-8", "replace"), model)
    return total
