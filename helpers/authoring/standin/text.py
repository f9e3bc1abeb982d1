"""What a request says, and the text an answer gives: tokens, limits, logprobs, JSON and tool calls."""
from __future__ import annotations

import json
import math

from helpers.tokens import encoding_name_for, get_encoding

from helpers.endpoints import CHAT, COMPLETIONS, EMBEDDINGS, IMAGES, MODERATIONS, RESPONSES, SPEECH, TRANSCRIPTIONS
from .wire import ApiError, Seed, _compact

PROMPT_FIELD = {COMPLETIONS: "prompt", EMBEDDINGS: "input", MODERATIONS: "input", IMAGES: "prompt", SPEECH: "input"}
COMMON_TOKENS = (" the", ",", ".", " a", " and", " of", " to", " is", " in", "\n", " it", " that", " I",
                 " for", " on", " with", "The", " this", " be", " as", "!")


def _content_text(content) -> str:
    """Text of message content: a string, or a list of typed parts of which some carry text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _item_text(item) -> str:
    if isinstance(item, str):
        return item
    output = item.get("output")
    return _content_text(item.get("content")) or (output if isinstance(output, str) else "")


def _joined(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_joined(v) if not isinstance(v, dict) else v.get("text", "") for v in value)
    return ""


def _response_items(body) -> list:
    given = body.get("input")
    return [{"role": "user", "content": given}] if isinstance(given, str) else list(given or [])


def request_texts(path, body, files) -> tuple[str, str]:
    """The text `contains` is matched against, and the text `user_contains` is matched against."""
    if path in (CHAT, RESPONSES):
        items = (body.get("messages") or []) if path == CHAT else _response_items(body)
        users = [item for item in items if isinstance(item, dict) and item.get("role") == "user"]
        return (_item_text(items[-1]) if items else ""), (_item_text(users[-1]) if users else "")
    text = files["file"][0] if path == TRANSCRIPTIONS and "file" in files else _joined(body.get(PROMPT_FIELD.get(path)))
    return text, text


def _encoding(model):
    return get_encoding(encoding_name_for(model))


def _pieces(text: str, model: str) -> list[tuple[str, int]]:
    """The text split as a model streams it: one token per piece, unless a character spans tokens."""
    encoding, pieces, pending, count = _encoding(model), [], b"", 0
    for token in encoding.encode(text, disallowed_special=()):
        pending, count = pending + encoding.decode_single_token_bytes(token), count + 1
        try:
            pieces.append((pending.decode("utf-8"), count))
            pending, count = b"", 0
        except UnicodeDecodeError:
            continue
    return pieces


def limit(text: str, model: str, stop=None, max_tokens=None) -> tuple[str, str]:
    """Cut an answer at the first stop sequence, then at max_tokens; return it and its finish_reason."""
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    found = [text.find(s) for s in stops if s and s in text]
    if found:
        text = text[:min(found)]
    encoding = _encoding(model)
    ids = encoding.encode(text, disallowed_special=())
    if max_tokens is not None and len(ids) > int(max_tokens):
        return encoding.decode_bytes(ids[:int(max_tokens)]).decode("utf-8", "ignore"), "length"
    return text, "stop"


def _token_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes:" + "".join(f"\\x{b:02x}" for b in raw)


def logprobs(text, model, seed: Seed, label, top_n=0, first_alternatives=None) -> list[dict]:
    """A logprobs entry for every token: mostly confident, now and then unsure, never random."""
    encoding = _encoding(model)
    entries = []
    for position, token in enumerate(encoding.encode(text, disallowed_special=())):
        raw = encoding.decode_single_token_bytes(token)
        chosen = _token_text(raw)
        logprob = _round(-(seed.unit(f"{label}:{position}") ** 4) * 3.0 - 1e-6)
        rest = max(1e-9, 1 - math.exp(logprob))  # probability left for the alternatives
        others = [t for t in COMMON_TOKENS if t != chosen]
        start = int(seed.unit(f"{label}:{position}:alt") * len(others))
        alternatives = {others[(start + k) % len(others)]: _round(math.log(rest * 0.5 ** (k + 1)))
                        for k in range(top_n)}
        if position == 0 and first_alternatives:  # the script's own alternatives for the first token
            alternatives = {alternative: float(value) for alternative, value in first_alternatives}
            logprob = alternatives.get(chosen, logprob)
        top = sorted({**alternatives, chosen: logprob}.items(), key=lambda pair: -pair[1])[:top_n]
        entries.append({"token": chosen, "logprob": logprob, "bytes": list(raw),
                        "top_logprobs": [{"token": t, "logprob": v, "bytes": list(t.encode())} for t, v in top]})
    return entries


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def example_from_schema(schema: dict, root: dict | None = None):
    """The smallest value a JSON schema accepts, so a structured-output parse succeeds."""
    root = root or schema
    if "$ref" in schema:
        definitions = root.get("$defs", root.get("definitions", {}))
        return example_from_schema(definitions.get(schema["$ref"].split("/")[-1], {}), root)
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return example_from_schema(schema[key][0], root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        return {name: example_from_schema(sub, root) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_from_schema(schema.get("items", {}), root)]
    return {"string": "example", "integer": 0, "number": 0.0, "boolean": False}.get(kind)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def fallback_text(text: str) -> str:
    topic = " ".join(text.split())
    topic = topic if len(topic) <= 60 else topic[:57] + "..."
    return f'This is a placeholder answer from the stand-in server, which has no scripted reply for "{topic}" yet.'


def _answer_text(entry: dict, fmt: dict | None, request_text: str) -> str:
    """The text an answer entry gives, shaped to the requested response format."""
    if "json" in entry:
        return _compact(entry["json"])
    text = entry.get("content")
    text = fallback_text(request_text) if text is None else text
    fmt = fmt or {}
    if fmt.get("type") in ("json_object", "json_schema") and not _is_json(text):
        schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
        return _compact(example_from_schema(schema) if schema else {"answer": text})
    return text


def _tool_calls(entry) -> list[tuple[str, str]]:
    """(name, arguments) of an entry's tool calls; arguments given as a string are used raw."""
    return [(call["name"], call["arguments"] if isinstance(call.get("arguments"), str)
             else _compact(call.get("arguments", {}))) for call in entry["tool_calls"]]


def strict_schema_problem(schema, context: tuple = ()) -> str | None:
    """The first strict-mode rule a JSON schema breaks, worded as the API words it; None if it keeps them."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            return f"In context={context!r}, 'additionalProperties' is required to be supplied and to be false."
        missing = [name for name in schema.get("properties", {}) if name not in (schema.get("required") or [])]
        if missing:
            return (f"In context={context!r}, 'required' is required to be supplied and to be an array including "
                    f"every key in properties. Missing '{missing[0]}'.")
    inner = [(("properties", name), sub) for name, sub in (schema.get("properties") or {}).items()]
    inner += [(("items",), schema["items"])] if "items" in schema else []
    inner += [((key, str(n)), sub) for key in ("anyOf", "allOf") for n, sub in enumerate(schema.get(key) or [])]
    inner += [(("$defs", name), sub) for name, sub in (schema.get("$defs") or {}).items()]
    return next(filter(None, (strict_schema_problem(sub, context + step) for step, sub in inner)), None)


def check_strict_schemas(body) -> None:
    """Refuse a chat request whose strict response format or strict tool breaks the strict-mode rules."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema" and (fmt.get("json_schema") or {}).get("strict"):
        problem = strict_schema_problem(fmt["json_schema"].get("schema"))
        if problem:
            raise ApiError(400, f"Invalid schema for response_format '{fmt['json_schema'].get('name')}': {problem}",
                           param="response_format")
    for index, tool in enumerate(body.get("tools") or []):
        function = tool.get("function") or {}
        problem = function.get("strict") and strict_schema_problem(function.get("parameters"))
        if problem:
            raise ApiError(400, f"Invalid schema for function '{function.get('name')}': {problem}",
                           param=f"tools[{index}].function.parameters", code="invalid_function_parameters")


def _forced_tool(body) -> dict | None:
    """The tool a request makes the model call, if any, as {'name', 'parameters'}."""
    choice, tools = body.get("tool_choice"), [t.get("function", t) for t in body.get("tools") or []]
    if isinstance(choice, dict):
        name = (choice.get("function") or choice).get("name")
        return next((t for t in tools if t.get("name") == name), {"name": name})
    return tools[0] if choice == "required" and tools else None
