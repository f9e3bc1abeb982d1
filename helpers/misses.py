"""The message offline mode gives for a request that was not recorded, written for a beginner: where
the request differs from the closest recorded one (the changed words marked, or a parameter's two
values), and the recorded requests of the notebook closest to it, to pick one instead."""
from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .recordings import Sent

# The marks of a word-level diff, as `git diff --word-diff=plain` writes them: plain text that a
# terminal, a notebook and a chat pane all show.
REMOVED, ADDED = ("[-", "-]"), ("{+", "+}")
LEGEND = "[-recorded-]{+what you sent+}"
CONTEXT_WORDS = 5  # unchanged words kept on each side of a change in a long text
CONTEXT_CHARACTERS = 12  # unchanged characters kept before a change in a long value with no spaces
LIKENESS_CHARACTERS = 400  # of each request's text, compared to rank the recorded requests
MAX_DIFFERENCES = 6  # lines of differences shown; more are counted
MAX_OFFERED = 3  # recorded requests offered instead
WHAT_TO_DO = "What to do:"  # the start of the advice; the build replaces it with advice for authors
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value(value: Any) -> str:
    """A value as JSON, cut short: a parameter as the learner would write it."""
    return _short(json.dumps(value, ensure_ascii=False))


def word_diff(recorded: str, sent: str) -> str:
    """The sent text with the words that differ from the recorded text marked, long unchanged runs cut."""
    old, new = _TOKENS.findall(recorded), _TOKENS.findall(sent)
    runs: list[list[str]] = []  # [tag, recorded text, sent text]: unchanged or changed runs in turn
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        run = ["equal" if tag == "equal" else "change", "".join(old[i1:i2]), "".join(new[j1:j2])]
        if runs and runs[-1][0] == run[0] == "change":
            runs[-1][1] += run[1]
            runs[-1][2] += run[2]
        elif len(runs) > 1 and run[0] == "change" and not runs[-1][1].strip() and runs[-2][0] == "change":
            space = runs.pop()[1]  # a space between two changed words: one change, "[-a b-]{+c d+}"
            runs[-1][1] += space + run[1]
            runs[-1][2] += space + run[2]
        else:
            runs.append(run)
    parts = []
    for number, (kind, before, after) in enumerate(runs):
        if kind == "equal":
            parts.append(_elided(before, first=number == 0, last=number == len(runs) - 1))
            continue
        space = _trailing_space(after or before) if not (before and after) else \
            min(_trailing_space(before), _trailing_space(after), key=len)
        before, after = before[: len(before) - len(space)], after[: len(after) - len(space)]
        if before:
            parts.append(REMOVED[0] + before + REMOVED[1])
        if after:
            parts.append(ADDED[0] + after + ADDED[1])
        parts.append(space)  # outside the marks: "{+city+} of", not "{+city +}of"
    return " ".join("".join(parts).split("\n"))


def _trailing_space(text: str) -> str:
    return text[len(text.rstrip()):]


def _elided(text: str, *, first: bool, last: bool) -> str:
    """An unchanged run of words, cut to the few words next to the changes around it."""
    words, n = text.split(), CONTEXT_WORDS
    lead, trail = " " * text[:1].isspace(), " " * text[-1:].isspace()
    if first and len(words) > n:
        return "… " + " ".join(words[-n:]) + trail
    if last and len(words) > n:
        return lead + " ".join(words[:n]) + " …"
    if len(words) > 2 * n:
        return lead + " ".join(words[:n]) + " … " + " ".join(words[-n:]) + trail
    return text


def differences(sent: Any, recorded: Any, where: str = "") -> list[str]:
    """One line per place the sent body differs from the recorded one, named like messages[1].content."""
    if isinstance(sent, dict) and isinstance(recorded, dict):
        keys = list(recorded) + [k for k in sent if k not in recorded]
        return _compare_members(sent, recorded, keys, lambda key: f"{where}.{key}" if where else str(key))
    if isinstance(sent, list) and isinstance(recorded, list):
        indexes = range(max(len(sent), len(recorded)))
        return _compare_members(dict(enumerate(sent)), dict(enumerate(recorded)), indexes,
                                lambda index: f"{where}[{index}]")
    if sent == recorded:
        return []
    return [_leaf_difference(sent, recorded, where or "body")]


def _compare_members(sent: dict, recorded: dict, keys: Iterable, name_of: Callable[[Any], str]) -> list[str]:
    """The differences of two objects' members (or two lists' items, keyed by index), in the given order."""
    lines = []
    for key in keys:
        name = name_of(key)
        if key not in sent:
            lines.append(f"{name}: the recording has {_value(recorded[key])}, you sent none")
        elif key not in recorded:
            lines.append(f"{name}: you sent {_value(sent[key])}, the recording has none")
        else:
            lines += differences(sent[key], recorded[key], name)
    return lines


def _leaf_difference(sent: Any, recorded: Any, name: str) -> str:
    """One line for two differing values: a text's changed words, a long name from where the two part."""
    if isinstance(sent, str) and isinstance(recorded, str) and " " in sent + recorded:  # text, not a name
        return f"{name}: {word_diff(recorded, sent)}"
    if isinstance(sent, str) and isinstance(recorded, str):  # a name or an encoded file: from where they part
        start = max(0, len(os.path.commonprefix([sent, recorded])) - CONTEXT_CHARACTERS)
        if start:
            return f"{name}: you sent …{_value(sent[start:])}, recorded …{_value(recorded[start:])}"
    return f"{name}: you sent {_value(sent)}, recorded {_value(recorded)}"


def text_of(body: Any) -> str:
    """What a request asks, in a few words: a chat's last message, the input or prompt, else the body."""
    if isinstance(body, dict) and isinstance(body.get("multipart"), dict):
        files = [v["filename"] for v in body["multipart"].values() if isinstance(v, dict) and "filename" in v]
        if files:
            return "a file upload: " + ", ".join(files)
    text = _asked(body)
    return json.dumps(_short(text), ensure_ascii=False) if text is not None else _value(body)


def _asked(body: Any) -> str | None:
    """The text a request asks about (a chat's last message, the input or prompt), whole; None if none."""
    if not isinstance(body, dict):
        return None
    for field in ("messages", "input", "prompt"):
        value = body.get(field)
        if isinstance(value, list) and value and isinstance(value[-1], dict):
            value = value[-1].get("content")
        if isinstance(value, list):  # content parts: the text ones
            value = " ".join(p.get("text", "") for p in value if isinstance(p, dict))
        if isinstance(value, str):
            return value
    return None


def _likeness(request: Sent, recorded: Sent) -> float:
    """How alike two requests are: the same endpoint first, then their text, their parameters and how much
    of a conversation they share. Cheap enough for long conversations: whole bodies are never diffed."""
    score = 4.0 * ((recorded.method, recorded.path) == (request.method, request.path))
    sent_text, recorded_text = _asked(request.body) or "", _asked(recorded.body) or ""
    score += difflib.SequenceMatcher(None, sent_text[:LIKENESS_CHARACTERS],
                                     recorded_text[:LIKENESS_CHARACTERS]).ratio()
    if isinstance(request.body, dict) and isinstance(recorded.body, dict):
        keys = set(request.body) | set(recorded.body)
        score += sum(request.body.get(k) == recorded.body.get(k) for k in keys) / max(len(keys), 1)
        sent_turns, recorded_turns = request.body.get("messages"), recorded.body.get("messages")
        if isinstance(sent_turns, list) and isinstance(recorded_turns, list):
            shared = next((i for i, (a, b) in enumerate(zip(sent_turns, recorded_turns, strict=False)) if a != b),
                          min(len(sent_turns), len(recorded_turns)))
            score += shared / max(len(sent_turns), len(recorded_turns), 1)
    return score


def ranked(recorded_requests: list[Sent], request: Sent) -> list[tuple[int, Sent]]:
    """The recorded requests, most like this one first (same method and path before any other)."""
    scores = [_likeness(request, recorded) for recorded in recorded_requests]
    return sorted(enumerate(recorded_requests), key=lambda item: (-scores[item[0]], item[0]))


def offered(order: list[tuple[int, Sent]], limit: int = MAX_OFFERED) -> list[tuple[int, Sent]]:
    """The closest recorded requests (ranked) to pick instead, one for each distinct text."""
    seen, picks = set(), []
    for index, recorded in order:
        key = (recorded.method, recorded.path, text_of(recorded.body))
        if key not in seen:
            seen.add(key)
            picks.append((index, recorded))
        if len(picks) == limit:
            break
    return picks


def miss_message(where: str, recorded_requests: list[Sent], request: Sent) -> str:
    """The miss message for a request, given the recording's shown path and its recorded requests."""
    lines = [
        "Offline mode is on, and this exact request was not recorded, so there is no answer to replay.",
        f"  You sent: {request.method} {request.path} {text_of(request.body)}",
    ]
    order = ranked(recorded_requests, request)
    if not order:
        lines.append(f"  {where} holds no recorded requests.")
    else:
        index, recorded = order[0]
        if (recorded.method, recorded.path) != (request.method, request.path):
            lines += [f"  Closest recorded request ({where}, #{index + 1}): {recorded.method} {recorded.path}",
                      f"    it goes to {recorded.method} {recorded.path} instead"]
        else:
            found = differences(request.body, recorded.body)
            lines.append(f"  Closest recorded request ({where}, #{index + 1}) differs here, "
                         f"marked {LEGEND}:")
            lines += ["    " + line for line in found[:MAX_DIFFERENCES]]
            if len(found) > MAX_DIFFERENCES:
                lines.append(f"    … and {len(found) - MAX_DIFFERENCES} more differences")
        lines.append("  Recorded requests you can send instead (closest first):")
        lines += [f"    #{i + 1} {r.method} {r.path} {text_of(r.body)}"
                  for i, r in offered(order)]
    lines += [
        f"{WHAT_TO_DO} send one of the recorded requests, or go live: set OPENAI_API_KEY (lesson 00",
        "shows how) and run the setup cell again. To also save the new answers for offline use, set",
        "KIT_MODE=record.",
    ]
    return "\n".join(lines)


def for_authors(message: str, notebook: str, script: str) -> str:
    """A miss met while building a lesson, with advice for its author instead of the learner's."""
    found = message.split("\n" + WHAT_TO_DO, 1)[0]
    return (f"{found}\nFor authors: {notebook}'s recording holds no answer to this request. Build it again with "
            f"--resynthesize, so the stand-in answers it; if no rule in {script} matches it, the build names "
            "the request, and a rule for it goes in that script (data/standin/README.md).")
