"""Copy the part of OpenAI's published OpenAPI spec that the kit's recordings use into this folder.

    python -m tests.openapi.vendor [PATH_TO_openapi.json]

The spec (MIT, openai/openai-openapi) is large; the kit keeps only the schemas reachable from the
endpoints it records (ENDPOINTS), unchanged, so a reviewer can diff them against the source. Where
the spec disagrees with the live API, the correction lives in `corrections.py`, never here.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUBSET = HERE / "openapi-subset.json"
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "reference" / "openai-openapi" / "openapi.json"
# (method, path) of every endpoint a lesson calls; paths as the spec writes them (without /v1).
ENDPOINTS = (
    ("post", "/chat/completions"), ("post", "/completions"), ("post", "/embeddings"), ("post", "/moderations"),
    ("post", "/images/generations"), ("post", "/audio/transcriptions"), ("post", "/audio/speech"),
    ("post", "/responses"), ("get", "/models"), ("get", "/models/{model}"),
    ("post", "/files"), ("get", "/files"), ("get", "/files/{file_id}"), ("delete", "/files/{file_id}"),
    ("get", "/files/{file_id}/content"), ("post", "/vector_stores"), ("get", "/vector_stores/{vector_store_id}"),
    ("delete", "/vector_stores/{vector_store_id}"), ("post", "/vector_stores/{vector_store_id}/file_batches"),
    ("get", "/vector_stores/{vector_store_id}/file_batches/{batch_id}"), ("post", "/batches"),
    ("get", "/batches/{batch_id}"),
    ("post", "/conversations"), ("get", "/conversations/{conversation_id}/items"),
)
EXTRA_SCHEMAS = ("ErrorResponse",)  # every error body
_REF = re.compile(r'"\$ref":\s*"#/components/schemas/([^"]+)"')


def _names_in(value) -> set[str]:
    return set(_REF.findall(json.dumps(value)))


def subset(spec: dict) -> dict:
    """The endpoints above and every schema they reach, as a smaller spec of the same shape."""
    schemas = spec["components"]["schemas"]
    operations: dict = {}
    for method, path in ENDPOINTS:
        operations.setdefault(path, {})[method] = spec["paths"][path][method]
    for methods in operations.values():
        for method, operation in methods.items():
            # Only what the tests read: the operation's request and response content (no examples, no docs).
            methods[method] = {key: operation[key] for key in ("operationId", "requestBody", "responses")
                               if key in operation}
            for status in list(methods[method].get("responses", {})):
                methods[method]["responses"][status] = {
                    "content": operation["responses"][status].get("content", {})}
    wanted, todo = set(), _names_in(operations) | set(EXTRA_SCHEMAS)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo |= _names_in(schemas[name]) - wanted
    return {"openapi": spec["openapi"], "info": spec["info"], "paths": operations,
            "components": {"schemas": {name: schemas[name] for name in sorted(wanted)}}}


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    result = subset(json.loads(source.read_text(encoding="utf-8")))
    SUBSET.write_text(json.dumps(result, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{SUBSET.name}: {len(result['components']['schemas'])} schemas from {source}")


if __name__ == "__main__":
    main(sys.argv[1:])
