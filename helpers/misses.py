"""The message offline mode gives for a request that was not recorded: what was sent, the closest
recorded request, and each field that differs, written for a beginner."""
from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .recordings import Sent


def _short(value, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def body_differences(sent, recorded) -> list[str]:
    """Human-readable lines naming each top-level field that differs."""
    if not (isinstance(sent, dict) and isinstance(recorded, dict)):
        return [f"body: you sent {_short(sent)}, recorded {_short(recorded)}"]
    lines = []
    for key in sorted(set(sent) | set(recorded)):
        if key not in recorded:
            lines.append(f"{key}: you sent {_short(sent[key])}, the recording has no {key}")
        elif key not in sent:
            lines.append(f"{key}: the recording has {_short(recorded[key])}, you sent none")
        elif sent[key] != recorded[key]:
            lines.append(f"{key}: you sent {_short(sent[key])}, recorded {_short(recorded[key])}")
    return lines


def closest_recorded(recorded_requests: list[Sent], request: Sent) -> tuple[int, Sent] | None:
    """The recorded request most like this one (same method and path first), or None."""
    sent = json.dumps(request.body, sort_keys=True, ensure_ascii=False)
    best, best_score = None, -1.0
    for index, recorded in enumerate(recorded_requests):
        same_route = (recorded.method, recorded.path) == (request.method, request.path)
        text = json.dumps(recorded.body, sort_keys=True, ensure_ascii=False)
        score = same_route + difflib.SequenceMatcher(None, sent, text, autojunk=False).ratio()
        if score > best_score:
            best, best_score = (index, recorded), score
    return best


def miss_message(where: str, recorded_requests: list[Sent], request: Sent) -> str:
    """The miss message for a request, given the recording's shown path and its recorded requests."""
    lines = [
        "Offline mode is on, and this exact request was not recorded, so there is no answer to replay.",
        f"  You sent: {request.method} {request.path} {_short(request.body, 110)}",
    ]
    closest = closest_recorded(recorded_requests, request)
    if closest is None:
        lines.append(f"  {where} holds no recorded requests.")
    else:
        index, recorded = closest
        lines.append(f"  Closest recorded request ({where}, #{index + 1}): {recorded.method} {recorded.path}")
        if (recorded.method, recorded.path) != (request.method, request.path):
            lines.append(f"    it goes to {recorded.method} {recorded.path} instead")
        else:
            lines += ["    " + line for line in body_differences(request.body, recorded.body)]
    lines += [
        "What to do: change the request back to the recorded one, or go live: set OPENAI_API_KEY",
        "(lesson 00 shows how) and run the setup cell again. To also save the new answers for",
        "offline use, set KIT_MODE=record.",
    ]
    return "\n".join(lines)
