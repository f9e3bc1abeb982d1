"""Check recorded requests, answers, errors and streamed events against OpenAI's published spec.

The spec is OpenAPI 3.1 (JSON Schema 2020-12) but still marks many fields `nullable: true`, the 3.0
way; `_allow_null` turns that into `null` being allowed, as OpenAPI defines it. Where the spec and
the live API disagree, `corrections.CORRECTIONS` adjusts the schema, each with its evidence.
"""
from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from helpers import recordings
from helpers.traffic import parse_events

from .corrections import CORRECTIONS
from .vendor import SUBSET

API_PREFIX = "/v1"
STREAM = "text/event-stream"
ROOT_URI = "urn:openai-openapi"


def _allow_null(node):
    """`nullable: true` (OpenAPI 3.0) as JSON Schema: the value may also be null."""
    if isinstance(node, list):
        return [_allow_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _allow_null(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@functools.cache
def spec() -> dict:
    document = json.loads(Path(SUBSET).read_text(encoding="utf-8"))
    for correction in CORRECTIONS:
        correction.apply(document)
    return _allow_null(document)


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(ROOT_URI, Resource(contents=spec(), specification=DRAFT202012))


@functools.cache
def _validator(schema_text: str) -> Draft202012Validator:
    """A validator for a `#/...` reference, or for an inline schema (as JSON) whose refs point into the spec."""
    if schema_text.startswith("#"):
        return Draft202012Validator({"$ref": ROOT_URI + schema_text}, registry=_registry())
    return Draft202012Validator(json.loads(schema_text), registry=_registry())


def _anchored(schema: dict) -> str:
    """An inline schema (one the spec writes inside an operation) with its references made absolute."""
    return json.dumps(schema, sort_keys=True).replace('"#/components/', f'"{ROOT_URI}#/components/')


def problems(value, schema: dict) -> list[str]:
    """What in `value` the schema does not accept, one line each (empty when it fits)."""
    ref = schema["$ref"] if set(schema) == {"$ref"} else None
    validator = _validator(ref or _anchored(schema))
    found = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        # anyOf/oneOf report only "not valid under any": name the branch that came closest.
        deepest = error
        while deepest.context:
            deepest = max(deepest.context, key=lambda e: len(list(e.absolute_path)))
        where = "/".join(map(str, deepest.absolute_path)) or "(top)"
        found.append(f"{where}: {deepest.message[:300]}")
    return found


def _operation(method: str, path: str) -> dict:
    """The spec's operation for a recorded path such as /v1/models/gpt-6-luna."""
    path = path.removeprefix(API_PREFIX)
    operations = spec()["paths"]
    if path in operations:
        return operations[path][method.lower()]
    parts = path.split("/")
    for template, methods in operations.items():
        pattern = template.split("/")
        if "{" in template and len(pattern) == len(parts) and method.lower() in methods and all(
                want == got or want.startswith("{") for want, got in zip(pattern, parts, strict=True)):
            return methods[method.lower()]
    raise KeyError(f"{method} {path} is not an endpoint the vendored spec covers (tests/openapi/vendor.py)")


def _content_schema(content: dict, content_type: str) -> dict | None:
    media = content_type.split(";")[0].strip()
    return (content.get(media) or {}).get("schema")


def request_schema(method: str, path: str, content_type: str = "application/json") -> dict | None:
    return _content_schema(_operation(method, path).get("requestBody", {}).get("content", {}), content_type)


def response_schema(method: str, path: str, status: int, content_type: str) -> dict | None:
    if status >= 400:
        return {"$ref": "#/components/schemas/ErrorResponse"}
    responses = _operation(method, path)["responses"]
    return _content_schema(responses.get(str(status), {}).get("content", {}), content_type)


def event_schemas(stream_schema: dict) -> dict[str, dict]:
    """Each event type of a stream schema (an anyOf of event objects) and its own schema."""
    target = stream_schema
    if "$ref" in target:
        target = spec()["components"]["schemas"][target["$ref"].rsplit("/", 1)[1]]
    by_type = {}
    for branch in target.get("anyOf") or target.get("oneOf") or []:
        name = branch["$ref"].rsplit("/", 1)[1]
        kinds = spec()["components"]["schemas"][name].get("properties", {}).get("type", {})
        for kind in kinds.get("enum", []) + ([kinds["const"]] if "const" in kinds else []):
            by_type[kind] = branch
    return by_type


@dataclass
class Report:
    """What was checked and what did not fit; `counts` names each kind of item checked."""

    counts: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def checked(self, kind: str, where: str, found: list[str]) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.failures += [f"{where}: {line}" for line in found]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _multipart_problems(fields: dict, schema: dict) -> list[str]:
    """A form's fields against the request schema: names known, required ones present, enums kept.

    Form values arrive as text and uploads are stored as their hash, so types are not compared."""
    target = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    properties = target.get("properties", {})
    fields = {name.removesuffix("[]"): value for name, value in fields.items()}  # list fields: `name[]=...`
    found = [f"{name}: not a field of the request" for name in fields if name not in properties]
    found += [f"{name}: required, but missing" for name in target.get("required", []) if name not in fields]
    for name, value in fields.items():
        allowed = _enum_strings(properties.get(name, {}))
        if allowed and value not in allowed:
            found.append(f"{name}: {value!r} is not one of {sorted(allowed)}")
    return found


def _enum_strings(schema: dict) -> set[str]:
    if "$ref" in schema:
        schema = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    values = set(schema.get("enum", []))
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        branch_values = _enum_strings(branch)
        if not branch_values:
            return set()  # one branch takes any string
        values |= branch_values
    return {v for v in values if isinstance(v, str)}


def check_interaction(report: Report, where: str, interaction: dict) -> None:
    """Check one recorded interaction: its request, then its answer (an error, a body or a stream)."""
    request, response = interaction["request"], interaction["response"]
    method, path = request["method"], request["path"]
    status = response["status"]["code"]
    if "multipart" in request:
        found = _multipart_problems(request["multipart"], request_schema(method, path, "multipart/form-data"))
    else:
        found = [] if request.get("body") is None else problems(request["body"], request_schema(method, path))
    # A request the spec does not accept may only be answered with an error: the cell teaches that error.
    report.checked("request bodies", where + " request", found if status < 400 else [])
    content_type = response["headers"].get("content-type", "")
    body = response.get("body") or {}
    if status >= 400:
        report.checked("error bodies", where + " error", problems(body.get("json"), response_schema(
            method, path, status, content_type)))
        return
    schema = response_schema(method, path, status, content_type)
    if content_type.startswith(STREAM):
        by_type = event_schemas(schema)
        for number, event in enumerate(parse_events(body["text"].encode()), start=1):
            kind = event.get("type")
            event_schema = by_type.get(kind, schema) if kind else schema
            if kind and by_type and kind not in by_type:
                report.checked("stream events", f"{where} event {number}", [f"type {kind!r} is not in the spec"])
                continue
            report.checked("stream events", f"{where} event {number} ({kind or 'chunk'})",
                           problems(event, event_schema))
    elif "json" in body:
        report.checked("response bodies", where + " answer", problems(body["json"], schema))
    else:
        # Audio bytes, or plain-text transcripts (response_format text/srt/vtt): the spec documents
        # no schema for these, so the check is that the endpoint documents a non-JSON answer at all.
        documented = _operation(method, path)["responses"].get(str(status), {}).get("content", {})
        media = content_type.split(";")[0].strip()
        binary = any(schema_.get("schema", {}).get("format") == "binary" for schema_ in documented.values())
        text_format = (request.get("multipart") or {}).get("response_format") in ("text", "srt", "vtt")
        ok = binary or text_format or media in documented
        report.checked("binary or text answers", where + " answer",
                       [] if ok else [f"content type {media} is not documented for {method} {path}"])


def check_recording(report: Report, path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for number, interaction in enumerate(data["interactions"], start=1):
        check_interaction(report, f"{path.name} #{number}", copy.deepcopy(interaction))
    check_batch_output(report, path, data["interactions"])


def check_batch_output(report: Report, path: Path, interactions: list[dict]) -> None:
    """A batch's output and error files hold answers too: each line's `response.body` is what the batch's
    endpoint answered (the spec has no schema for the line itself, so the body is checked against the
    endpoint's answer, or against ErrorResponse for a refused line)."""
    for line in recordings.batch_file_lines(path, interactions):
        where = f"{path.name} #{line.interaction} line {line.number}"
        try:
            result = json.loads(line.text)
            answer = result["response"]
            schema = response_schema("POST", line.endpoint, answer["status_code"], "application/json")
            found = ([] if {"id", "custom_id", "response", "error"} <= set(result)
                     else ["a line has id, custom_id, response and error"]) + problems(answer["body"], schema)
        except (ValueError, KeyError, TypeError) as error:
            found = [f"not a batch output line: {error!r}"]
        report.checked("batch output lines", where, found)
