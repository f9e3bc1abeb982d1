"""The `file_search` built-in tool of /v1/responses: search the request's vector stores, report the call, cite.

Shapes are the spec's: a `file_search_call` output item (FileSearchToolCall: id, status, queries, and
`results` only when the request includes "file_search_call.results") before the message, whose text
carries `file_citation` annotations (FileCitationBody: file_id, filename, index). The order of the items
and citations that name the cited file follow the OpenAI cookbook's capture (openai/openai-cookbook,
examples/File_Search_Responses.ipynb: output[0] the file_search_call, output[1] the message, its
annotations naming the files used). The retrieved chunks reach the model as input, so they count as
input tokens (OpenAI's file search guide: limiting `max_num_results` lowers token use).

Which models take the tool: the spec puts FileSearchTool in every model's tools, and the cookbook's capture
used gpt-4o-mini; a reasoning model takes it too, but only with tool_choice "auto" (a 400 quoted in
BittnerPierre/AI-Agent-Casebook#127 for gpt-5: "Tool choices other than 'auto' are not supported with model
'gpt-5' and the following tool types: 'file_search'."). The kit's reasoning models are refused the same way
(helpers.refusals, before this module runs: helpers.models.FILE_SEARCH_GPT6), the safer reading where no
capture of the GPT-6 family shows either answer.

The real service ranks chunks by a hybrid of embeddings and keywords; the stand-in ranks by shared words
alone, which is enough for the kit's small documents. Chunks follow the documented default strategy:
800 tokens with 400 overlapping (the spec's StaticChunkingStrategy defaults).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from helpers.tokens import count_text, get_encoding

from . import files, vector_stores
from .call import Call

CHUNK_TOKENS, OVERLAP_TOKENS = 800, 400
DEFAULT_RESULTS = 20  # FileSearchTool.max_num_results when not given, as responses echo it
INCLUDE_RESULTS = "file_search_call.results"
SCORE_FLOOR = 0.1
STOP_WORDS = frozenset("a an and are as at be by can do does for from how i in is it me my of on or the to what "
                       "when where which who why with you your".split())


@dataclass
class Searched:
    """One file search: its output item, the chunks it found (best first), and their input tokens."""

    item: dict
    results: list[dict]
    tokens: int

    def annotations(self, text: str) -> list[dict]:
        """Citations at the end of the answer: the best chunk's file, and any other file nearly as good."""
        if not self.results:
            return []
        best, cited = self.results[0]["score"], []
        for result in self.results:
            if result["score"] >= 0.8 * best and result["file_id"] not in [c["file_id"] for c in cited]:
                cited.append({"type": "file_citation", "file_id": result["file_id"], "index": len(text),
                              "filename": result["filename"]})
        return cited


def tool_of(body: dict) -> dict | None:
    return next((tool for tool in body.get("tools") or [] if tool.get("type") == "file_search"), None)


def search(server, call: Call) -> Searched | None:
    """The file search this request makes, or None when it has no file_search tool."""
    tool = tool_of(call.body)
    if tool is None:
        return None
    documents = vector_stores.searchable(files.store_of(server), list(tool.get("vector_store_ids") or []))
    chunks = [chunk for document in documents for chunk in _chunks(document)]
    query = call.text
    scored = sorted(({**chunk, "score": round(_score(query, chunk["text"]), 4)} for chunk in chunks),
                    key=lambda c: -c["score"])
    results = scored[: int(tool.get("max_num_results") or DEFAULT_RESULTS)]
    item = {"id": "fs_" + call.seed.hex("fs", 48), "type": "file_search_call", "status": "completed",
            "queries": [query],
            "results": [{"attributes": {}, **r} for r in results] if INCLUDE_RESULTS in (call.body.get("include")
                                                                                          or []) else None}
    return Searched(item, results, sum(count_text(r["text"], call.model) for r in results))


def _chunks(document: dict) -> list[dict]:
    encoding = get_encoding()
    tokens = encoding.encode(document["text"])
    step = CHUNK_TOKENS - OVERLAP_TOKENS
    starts = range(0, max(1, len(tokens) - OVERLAP_TOKENS), step)
    return [{"file_id": document["file_id"], "filename": document["filename"],
             "text": encoding.decode(tokens[start:start + CHUNK_TOKENS])} for start in starts]


def _words(text: str) -> Counter:
    """Words without the commonest, and without a plural's s (dogs and dog are one word)."""
    words = (w.removesuffix("s") if len(w) > 3 else w for w in re.findall(r"[a-z0-9]+", text.lower()))
    return Counter(w for w in words if w not in STOP_WORDS)


def _score(query: str, text: str) -> float:
    """0 to 1: mostly the share of the query's words the chunk holds, then how often it holds them.

    A floor stands for the embedding half of the real ranking, by which any two passages of one guide are
    somewhat alike: every chunk is a result, up to `max_num_results` (the spec's default score_threshold
    is 0)."""
    a, b = _words(query), _words(text)
    if not a or not b:
        return SCORE_FLOOR
    coverage = sum(1 for w in a if w in b) / len(a)
    cosine = sum(a[w] * b[w] for w in a) / (math.sqrt(sum(v * v for v in a.values()))
                                            * math.sqrt(sum(v * v for v in b.values())))
    return SCORE_FLOOR + 0.7 * coverage + 0.2 * cosine


def stream(emit, index: int, item: dict) -> None:
    """The events that stream a file_search_call item (the spec's ResponseFileSearchCall*Event), from added
    to done; `emit(kind, **fields)` numbers them."""
    where = {"output_index": index, "item_id": item["id"]}
    emit("response.output_item.added", output_index=index, item={**item, "status": "in_progress", "results": None})
    for stage in ("in_progress", "searching", "completed"):
        emit(f"response.file_search_call.{stage}", **where)
