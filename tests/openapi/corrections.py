"""Where OpenAI's published spec disagrees with what the live API answers: one list, each with evidence.

A correction changes the schema the tests check against, never a recording. Each names the place
in the spec (a path of keys from the document's top), what the live API does instead, and the
public capture or SDK code that shows it.
"""
from __future__ import annotations

from dataclasses import dataclass


NULLABLE = "may also be null"


@dataclass(frozen=True)
class Correction:
    where: tuple  # keys from the top of the spec document down to the node that is replaced
    replacement: dict | str  # a schema, or NULLABLE: the node as it is, or null
    evidence: str

    def apply(self, document: dict) -> None:
        node = document
        for key in self.where[:-1]:
            node = node[key]
        if self.where[-1] not in node:
            raise KeyError(f"the spec has no {'/'.join(map(str, self.where))}; re-check this correction")
        original = node[self.where[-1]]
        node[self.where[-1]] = {"anyOf": [original, {"type": "null"}]} if self.replacement == NULLABLE \
            else self.replacement


SCHEMAS = ("components", "schemas")

CORRECTIONS: tuple[Correction, ...] = (
    Correction(
        (*SCHEMAS, "Embedding", "properties", "embedding"),
        {"anyOf": [{"type": "array", "items": {"type": "number"}},
                   {"type": "string", "contentEncoding": "base64"}]},
        "With encoding_format='base64' the API returns each embedding as a base64 string of little-endian "
        "float32 values. The SDK asks for base64 by default and decodes it itself: openai-python 3.51.0, "
        "openai/lib/_parsing/_embeddings.py (prepare_embedding_request sets encoding_format='base64' when none "
        "is given; parse_embedding_response decodes it).",
    ),
    Correction(
        ("paths", "/audio/transcriptions", "post", "responses", "200", "content", "application/json", "schema"),
        {"anyOf": [{"$ref": "#/components/schemas/CreateTranscriptionResponseJson"},
                   {"$ref": "#/components/schemas/CreateTranscriptionResponseDiarizedJson"},
                   {"$ref": "#/components/schemas/CreateTranscriptionResponseVerboseJson"}]},
        "The spec lists the three transcription answers under oneOf, but none of them forbids extra fields, so a "
        "verbose_json answer (which has `text`) also fits the plain json one and oneOf rejects it: the spec's own "
        "example for CreateTranscriptionResponseVerboseJson fails its oneOf. anyOf is what the spec means.",
    ),
    Correction(
        (*SCHEMAS, "CreateChatCompletionResponse", "properties", "system_fingerprint"), NULLABLE,
        "The API sends system_fingerprint null for most models: openai/openai-openapi#167 (\"when calling any model "
        "that is not gpt-3.5-turbo-1106 or gpt-4-1106-preview, the system_fingerprint is always None\"), and a "
        "gpt-6-luna stream chunk captured on 2026-09-24 carries \"system_fingerprint\":null "
        "(helpers.models.SMOKE_TEST).",
    ),
    Correction(
        (*SCHEMAS, "CreateChatCompletionStreamResponse", "properties", "system_fingerprint"), NULLABLE,
        "As for CreateChatCompletionResponse: openai/openai-openapi#167 and the 2026-09-24 gpt-6-luna capture.",
    ),
    Correction(
        (*SCHEMAS, "ModelResponseProperties", "properties", "user"), NULLABLE,
        "Responses answer \"user\": null: the spec's own examples for Response and its events, and the dump in "
        "openai/openai-cookbook examples/responses_api/reasoning_items.ipynb.",
    ),
    Correction(
        (*SCHEMAS, "Response", "allOf", 2, "properties", "usage"), NULLABLE,
        "response.created and response.in_progress events carry \"usage\": null, as the spec's own examples for "
        "ResponseCreatedEvent, ResponseInProgressEvent and ResponseFailedEvent show.",
    ),
    Correction(
        ("paths", "/files/{file_id}/content", "get", "responses", "200", "content"),
        {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        "A file's content comes back as its bytes with content-type application/octet-stream, not JSON: "
        "alexrudall/ruby-openai#474 (its maintainer: \"In your examples OpenAI sends application/octet-stream\"), "
        "and openai-python's files.content returns the binary response unparsed.",
    ),
    Correction(
        (*SCHEMAS, "InputItem"),
        {"anyOf": [{"$ref": f"#/components/schemas/{name}"} for name in (
            "EasyInputMessage", "Item", "CompactionTriggerItemParam", "ItemReferenceParam", "ProgramItemParam",
            "ProgramOutputItemParam")]},
        "InputItem is a oneOf resolved by an OpenAPI discriminator on `type`, which JSON Schema does not read: a "
        "user message whose content is a list of parts (an input_file, an image) fits both EasyInputMessage and "
        "Item's InputMessage, the overlap the spec's own discriminator exists to settle; checked as anyOf. The "
        "vision guide's own Responses example (quoted in simonw/llm#1418) has that shape, and the SDK's "
        "ResponseInputItemParam, a Union, accepts it.",
    ),
    *(Correction(
        (*SCHEMAS, "Batch", "properties", name), NULLABLE,
        f"A batch sends {name} null until it applies: the spec's own examples of Batch and of POST /batches "
        "(\"output_file_id\": null, \"in_progress_at\": null, \"failed_at\": null, ... while validating).",
    ) for name in ("errors", "output_file_id", "error_file_id", "in_progress_at", "finalizing_at", "completed_at",
                   "failed_at", "expired_at", "cancelling_at", "cancelled_at")),
    Correction(
        (*SCHEMAS, "VectorStoreObject", "properties", "expires_after"), NULLABLE,
        "A vector store made without an expiration policy sends \"expires_after\": null beside \"expires_at\": null: "
        "OpenAI's answer to vector_stores.create quoted in OpenGPTs-platform/assistants-api#27 (id vs_BBZ6..., "
        "\"usage_bytes\": 0, \"expires_after\": null, \"expires_at\": null).",
    ),
)
