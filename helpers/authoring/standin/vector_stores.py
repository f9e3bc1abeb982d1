"""Vector stores (/v1/vector_stores) and their file batches, over the files files.py keeps.

Shapes follow OpenAI's OpenAPI spec (VectorStoreObject, VectorStoreFileBatchObject) and the fields of a captured
answer (OpenGPTs-platform/assistants-api#27: `expires_after` and `expires_at` null). A file batch is
`in_progress` when created and `completed` when next read (openai-python's `create_and_poll` polls until
it is not `in_progress`).
"""
from __future__ import annotations

from .call import Call
from .files import Store, handler, not_found
from .wire import Answer, ApiError, json_answer

def _counts(done: int = 0, pending: int = 0) -> dict:
    return {"in_progress": pending, "completed": done, "failed": 0, "cancelled": 0, "total": done + pending}


def _expires_at(expires_after, last_active: int) -> int | None:
    """The spec's VectorStoreExpirationAfter: `days` after the anchor `last_active_at`; none without a policy."""
    if not isinstance(expires_after, dict) or not isinstance(expires_after.get("days"), int):
        return None
    return last_active + expires_after["days"] * 24 * 3600


@handler
def answer(server, store: Store, method: str, rest: list[str], call: Call) -> Answer:
    if not rest and method == "POST":
        return _create(store, call)
    vector_store = _vector_store(store, rest[0]) if rest else None
    if vector_store is not None and len(rest) == 1 and method == "GET":
        _settle(store, rest[0])
        return json_answer(vector_store)
    if vector_store is not None and len(rest) == 1 and method == "DELETE":
        del store.stores[rest[0]]
        return json_answer({"id": rest[0], "object": "vector_store.deleted", "deleted": True})
    if vector_store is not None and len(rest) == 2 and rest[1] == "file_batches" and method == "POST":
        return _add_file_batch(store, rest[0], call)
    if vector_store is not None and len(rest) == 3 and rest[1] == "file_batches" and method == "GET":
        return _read_file_batch(store, rest[0], rest[2])
    raise not_found(method, call)


def _create(store: Store, call: Call) -> Answer:
    file_ids = _known_files(store, call)
    vs_id = "vs_" + call.seed.hex("vs", 32)
    created = store.now(call.seed)
    store.stores[vs_id] = {"id": vs_id, "object": "vector_store", "created_at": created,
                           "name": call.body.get("name") or "", "usage_bytes": 0,
                           "file_counts": _counts(pending=len(file_ids)),
                           "status": "in_progress" if file_ids else "completed",
                           "expires_after": call.body.get("expires_after"),
                           "expires_at": _expires_at(call.body.get("expires_after"), created),
                           "last_active_at": created, "metadata": call.body.get("metadata") or {}}
    store.store_files[vs_id] = file_ids
    return json_answer(store.stores[vs_id])


def _add_file_batch(store: Store, vs_id: str, call: Call) -> Answer:
    file_ids = _known_files(store, call)
    vector_store = store.stores[vs_id]
    store.store_files[vs_id] = store.store_files[vs_id] + file_ids
    vector_store.update(status="in_progress", file_counts=_counts(vector_store["file_counts"]["completed"],
                                                                  len(file_ids)))
    batch_id = "vsfb_" + call.seed.hex("vsfb", 32)
    store.file_batches[batch_id] = {"id": batch_id, "object": "vector_store.files_batch",
                                    "created_at": store.now(call.seed), "vector_store_id": vs_id,
                                    "status": "in_progress", "file_counts": _counts(pending=len(file_ids))}
    return json_answer(store.file_batches[batch_id])


def _read_file_batch(store: Store, vs_id: str, batch_id: str) -> Answer:
    batch = store.file_batches.get(batch_id)
    if batch is None or batch["vector_store_id"] != vs_id:
        raise ApiError(404, f"No file batch found with id '{batch_id}'.")
    _settle(store, vs_id)
    batch.update(status="completed", file_counts=_counts(batch["file_counts"]["total"]))
    return json_answer(batch)


def _known_files(store: Store, call: Call) -> list[str]:
    """The request's file_ids, each one a file the store holds (else the API's 404)."""
    file_ids = list(call.body.get("file_ids") or [])
    for file_id in file_ids:
        store.file(file_id)
    return file_ids


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
