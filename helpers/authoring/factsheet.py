"""docs/model-facts.md: the model catalogue, and which facts each lesson's recorded answers rest on.

Written by `python -m helpers.authoring.build` (a test fails when it is stale). Every recording is read, and
each recorded request is matched to the catalogue facts that decide its answer, so that a re-record
with a real key knows what it confirms or corrects: above all the facts marked unsettled.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from .. import models, paths, recordings, refusals
from ..models import Fact

PAGE = Path("docs") / "model-facts.md"

SAMPLING_FACTS = {"temperature": models.GPT6_TEMPERATURE, "top_p": models.GPT6_TOP_P,
                  "logprobs": models.GPT6_LOGPROBS, "top_logprobs": models.GPT6_LOGPROBS}


def _parts(body: dict) -> list[dict]:
    """The content parts of a request's messages or input items."""
    items = body.get("messages") if isinstance(body.get("messages"), list) else body.get("input")
    return [part for item in (items if isinstance(items, list) else []) if isinstance(item, dict)
            for part in (item.get("content") if isinstance(item.get("content"), list) else [])
            if isinstance(part, dict)]


def _usage_details(response: dict | None) -> dict:
    usage = ((response or {}).get("body") or {}).get("json", {}) if isinstance(response, dict) else {}
    usage = usage.get("usage") if isinstance(usage, dict) else None
    if not isinstance(usage, dict):
        return {}
    return usage.get("input_tokens_details") or usage.get("prompt_tokens_details") or {}


def _status(response: dict | None) -> str | None:
    body = ((response or {}).get("body") or {}).get("json") if isinstance(response, dict) else None
    return body.get("status") if isinstance(body, dict) else None


Found = list[tuple[str, "Fact | refusals.Refusal"]]


def facts_behind(path: str, body: object, response: dict | None = None) -> Found:
    """(what the learner sees, the fact it rests on) for one recorded request (and its recorded answer)."""
    if path.rstrip("/") == "/v1/batches" and isinstance(body, dict):
        return [("a batch of requests run from a JSONL file", models.BATCH)]
    if not isinstance(body, dict):
        return []
    refused = refusals.refusal(path, body)
    if refused is not None:
        return [(f"the API refuses it: {refused.message}", refused)]
    entry = models.model(str(body.get("model") or ""))
    endpoint = refusals.endpoint_of(path)
    if entry is None or endpoint not in (refusals.CHAT, refusals.RESPONSES):
        return []
    return [*_counted(endpoint), *_what_it_sends(body, response), *_reasoning(entry, endpoint, body),
            *_responses_tools(entry, endpoint, body),
            *([("the model name and fingerprint the answer echoes", models.GPT6_ECHO)]
              if entry.family == "gpt-6" else [])]


def _counted(endpoint: str) -> Found:
    found: Found = [("token counts in usage", models.COUNTING)]
    if endpoint == refusals.RESPONSES:
        found.append(("the fields of the Response object", models.RESPONSE_FIELDS))
    return found


def _what_it_sends(body: dict, response: dict | None) -> Found:
    """Facts that follow from the request's input and options, whatever the model."""
    kinds = {part.get("type") for part in _parts(body)}
    details = _usage_details(response)
    items = body.get("input") if isinstance(body.get("input"), list) else []
    checks: list[tuple[object, str, Fact]] = [
        (kinds & {"image_url", "input_image"}, "image tokens in usage", models.VISION_FACTS[0]),
        ("input_file" in kinds, "a PDF read from an input_file part", models.PDF_INPUT),
        (details.get("cached_tokens") or details.get("cache_write_tokens"),
         "cached and cache-write tokens in usage", models.CACHING_FACTS[0]),
        (body.get("previous_response_id"), "earlier turns read from previous_response_id", models.PREVIOUS_RESPONSE),
        (_status(response) == "incomplete" and body.get("max_output_tokens"),
         "an answer cut short by max_output_tokens", models.OUTPUT_BUDGET),
        ({"reasoning", "function_call"} <= {item.get("type") for item in items if isinstance(item, dict)},
         "the reasoning item sent back with its function call", models.FUNCTION_CALL_NEEDS_REASONING),
    ]
    return [(label, fact) for applies, label, fact in checks if applies]


def _reasoning(entry: models.Model, endpoint: str, body: dict) -> Found:
    """What a reasoning model shows while it reasons, and what it takes with reasoning off."""
    if not entry.reasons:
        return []
    if entry.is_reasoning(endpoint, body):
        found: Found = [("reasoning tokens in usage", models.GPT6_REASONING_TOKENS)]
        if endpoint == refusals.RESPONSES:
            found.append(("a reasoning item before the message", models.GPT6_REASONING_ITEM))
            if (body.get("reasoning") or {}).get("summary"):
                found.append(("a reasoning summary, streamed before the answer", models.REASONING_SUMMARY))
        return found
    found = [(f"{name} accepted with reasoning off", SAMPLING_FACTS.get(name, models.GPT6_OTHER_SAMPLING))
             for name in models.SAMPLING if body.get(name) not in (None, False)]
    if body.get("tools"):
        found.append(("function tools accepted with reasoning off", models.GPT6_TOOLS))
    if isinstance(body.get("n"), int) and body["n"] > 1:
        found.append(("several choices (n) in one answer", models.GPT6_N))
    return found


def _responses_tools(entry: models.Model, endpoint: str, body: dict) -> Found:
    """The Responses API's tools and conversations."""
    if endpoint != refusals.RESPONSES:
        return []
    tools = [tool.get("type") for tool in body.get("tools") or [] if isinstance(tool, dict)]
    found: Found = []
    if "function" in tools and entry.is_reasoning(endpoint, body):
        found.append(("function tools accepted while the model reasons", models.GPT6_TOOLS))
    if body.get("conversation"):
        found.append(("earlier turns read from the conversation", models.CONVERSATIONS))
    if "file_search" in tools:
        found += [("the file_search tool accepted", models.FILE_SEARCH_GPT6),
                  ("file_search_call items and file_citation annotations", models.FILE_SEARCH_SHAPE)]
    if {"web_search", "web_search_preview"} & set(tools):
        found += [("the web search tool accepted", models.WEB_SEARCH_GPT6),
                  ("web_search_call items and url_citation annotations", models.WEB_SEARCH_SHAPE),
                  ("search content tokens in usage, and the per-call price", models.WEB_SEARCH_COST)]
    return found


def lesson_dependencies() -> dict[str, dict[str, list]]:
    """Lesson -> what the learner sees -> [number of requests, the fact]."""
    found: dict[str, dict[str, list]] = {}
    for recording in sorted(paths.RECORDINGS.glob("*.json")):
        seen: dict[str, list] = defaultdict(lambda: [0, None])
        interactions = json.loads(recording.read_text(encoding="utf-8"))["interactions"]
        for interaction in interactions:
            request = interaction["request"]
            for label, fact in facts_behind(request["path"], request.get("body"), interaction.get("response")):
                seen[label][0] += 1
                seen[label][1] = fact
        for answer in _batch_answers(recording, interactions):
            for label, fact in _facts_of_answer(answer):
                seen[label][0] += 1
                seen[label][1] = fact
        if _reads_rate_limits(recording.stem):
            seen[RATE_LIMITS] = [sum(bool(_rate_limit_headers(i)) for i in interactions), models.RATE_LIMIT_HEADERS]
        found[recording.stem] = dict(seen)
    return found


RATE_LIMITS = "rate-limit headers on every answer"


def _batch_answers(recording: Path, interactions: list[dict]) -> list[dict]:
    """The answers inside a recorded batch output file: each line's response body."""
    return [json.loads(line.text)["response"]["body"]
            for line in recordings.batch_file_lines(recording, interactions) if line.kind == "output"]


def _facts_of_answer(answer: dict) -> list[tuple[str, Fact]]:
    """What a batch line's answer rests on (its request is inside the uploaded file, which is not kept)."""
    details = (answer.get("usage") or {}).get("output_tokens_details") or {}
    found = [("batch lines: token counts in usage", models.COUNTING)]
    if answer.get("object") == "response":
        found.append(("batch lines: the fields of the Response object", models.RESPONSE_FIELDS))
    if details.get("reasoning_tokens"):
        found.append(("batch lines: reasoning tokens in usage", models.GPT6_REASONING_TOKENS))
    if any(item.get("type") == "reasoning" for item in answer.get("output") or []):
        found.append(("batch lines: a reasoning item before the message", models.GPT6_REASONING_ITEM))
    return found


def _rate_limit_headers(interaction: dict) -> dict:
    headers = interaction.get("response", {}).get("headers") or {}
    return {name: value for name, value in headers.items() if name.lower().startswith("x-ratelimit-")}


def _reads_rate_limits(lesson: str) -> bool:
    """Whether the lesson's code reads the x-ratelimit-* headers (every answer carries them)."""
    notebook = paths.NOTEBOOKS / f"{lesson}.ipynb"
    if not notebook.is_file():
        return False
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return any(cell["cell_type"] == "code" and "x-ratelimit" in "".join(cell["source"]) for cell in cells)


def _sources(fact, short: bool = False) -> str:
    sources = fact.sources if isinstance(fact, Fact) else (fact.source,)
    return "; ".join(source.where.split(" (")[0] if short else source.where for source in sources)


def _settled(fact) -> bool:
    return fact.settled if isinstance(fact, Fact) else True


def page() -> str:
    lines = ["# Model facts and what the recordings rest on", "",
             "Written by `python -m helpers.authoring.build` from `helpers/models.py` (the catalogue) and",
             "`helpers/refusals.py` (what the API refuses); do not edit by hand. Every recording in",
             "`data/recordings/` is synthesized by the kit's stand-in server from these facts, so each fact is",
             "what a re-record with a real key (`KIT_MODE=record KIT_OVERWRITE=1`) confirms or corrects.",
             "**Unsettled** facts have no public capture either way, or captures that conflict: check those first.",
             "", "## The models", ""]
    for entry in models.CATALOGUE.values():
        lines.append(f"### `{entry.name}`")
        lines.append("")
        efforts = "; ".join(f"{endpoint}: {', '.join(values)}" for endpoint, values in entry.efforts.items())
        lines.append(f"Family {entry.family}; endpoints: {', '.join(entry.endpoints)}"
                     + (f"; reasons, by default at effort {entry.default_effort} ({efforts})" if entry.reasons else "")
                     + (f"; shut down on {entry.shutdown.isoformat()}" if entry.shutdown else "") + ".")
        lines.append("")
        for fact in entry.facts:
            mark = "" if fact.settled else " **(unsettled)**"
            lines.append(f"- {fact.text}{mark} Sources: {_sources(fact)}.")
        lines.append("")
    lines += ["## The API as a whole", ""]
    lines += [f"- {fact.text}{'' if fact.settled else ' **(unsettled)**'} Sources: {_sources(fact)}."
              for fact in models.GENERAL_FACTS]
    lines += ["", "## What each lesson's recorded answers rest on", "",
              "| lesson | what the learner sees | requests | settled | sources |", "|---|---|---|---|---|"]
    unsettled = defaultdict(set)
    for lesson, seen in lesson_dependencies().items():
        for label, (count, fact) in sorted(seen.items()):
            settled = _settled(fact)
            if not settled:
                unsettled[label].add(lesson)
            lines.append(f"| {lesson} | {label.replace('|', '/')} | {count} | {'yes' if settled else '**no**'} | "
                         f"{_sources(fact, short=True).replace('|', '/')} |")
    lines += ["", "## A re-record checks these first", ""]
    lines += [f"- {label}: {', '.join(sorted(lessons))}" for label, lessons in sorted(unsettled.items())]
    return "\n".join(lines) + "\n"


def update(check_only: bool = False) -> list[str]:
    """Write the page; return it in a list when it was (or would be) changed."""
    target = paths.ROOT / PAGE
    text = page()
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return []
    if not check_only:
        target.write_text(text, encoding="utf-8")
    return [str(PAGE)]
