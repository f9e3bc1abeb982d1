"""The Batch API (/v1/batches): a JSONL input file run through the server's own endpoints.

Shapes follow OpenAI's OpenAPI spec (Batch, CreateBatchRequest). A batch is `validating` when created,
`in_progress` at the first poll and `completed` with its output file at the second (the states and their
order are the spec's `Batch.status`; a real batch may also pass through `finalizing` between two polls,
which a poll can miss). Each output line is `{id, custom_id, response: {status_code, request_id, body},
error}`, as the Batch guide shows; a request answered with an error goes to the error file instead.
"""
from __future__ import annotations

import json

from .call import Call
from .files import Store, handler, not_found
from .wire import Answer, ApiError, Seed, json_answer

BATCH_ENDPOINTS = ("/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
                   "/v1/moderations")  # the spec's CreateBatchRequest.endpoint, less images and videos
BATCH_WINDOW = 24 * 3600  # completion_window "24h", the only value the spec allows


@handler
def answer(server, store: Store, method: str, rest: list[str], call: Call) -> Answer:
    if not rest and method == "POST":
        return json_answer(_create_batch(store, call))
    if len(rest) == 1 and method == "GET":
        if rest[0] not in store.batches:
            raise ApiError(404, f"No batch found with id '{rest[0]}'.")
        return json_answer(_advance(server, store, store.batches[rest[0]], call.seed))
    raise not_found(method, call)


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
