"""POST /v1/embeddings.

The vectors carry meaning: they are sentence-transformers/all-MiniLM-L6-v2's (`minilm`), spread over
the endpoint's full length (`media.embed`), and each answer names that model in EMBEDDINGS_HEADER, so
a recording and the offline banner say whose vectors they are. The body names the requested model, as
the API's does. The model reads a text's first 256 word pieces; the API reads up to 8192 tokens.
"""
from __future__ import annotations

import base64
import struct

from helpers.recordings import EMBEDDINGS_HEADER
from helpers.tokens import count_text

from . import minilm
from .call import Call
from .media import embed
from .text import _encoding
from .wire import Answer, ApiError, json_answer

EMBEDDING_DIMENSIONS = {"text-embedding-3-large": 3072}  # every other embedding model: 1536
# Per input, for every embedding model: OpenAI's OpenAPI spec, CreateEmbeddingRequest.input ("must not
# exceed the max input tokens for the model (8192 tokens for all embedding models)").
EMBEDDING_MAX_TOKENS = 8192


def answer(call: Call) -> Answer:
    body, model = call.body, call.model
    given = body.get("input")
    inputs = [given] if isinstance(given, str) or (given and isinstance(given[0], int)) else list(given or [])
    length = EMBEDDING_DIMENSIONS.get(model, 1536)
    dimensions = int(body.get("dimensions") or length)
    texts, used = [], 0
    for item in inputs:
        tokens = count_text(item, model) if isinstance(item, str) else len(item)
        if tokens > EMBEDDING_MAX_TOKENS:  # the API's own wording; it names no code or param
            raise ApiError(400, f"Invalid 'input': maximum context length is {EMBEDDING_MAX_TOKENS} tokens.")
        used += tokens
        texts.append(item if isinstance(item, str) else _encoding(model).decode(item))
    minilm.embed_many(texts)  # all at once: media.embed then finds each one computed
    data = []
    for index, text in enumerate(texts):
        vector = embed(text, dimensions, length)
        if body.get("encoding_format") == "base64":
            vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    answer = json_answer({"object": "list", "data": data, "model": model,
                          "usage": {"prompt_tokens": used, "total_tokens": used}}, tokens=used)
    answer.headers[EMBEDDINGS_HEADER] = minilm.MODEL_NAME
    return answer
