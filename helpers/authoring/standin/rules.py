"""The answer scripts (data/standin/*.json) and how a request picks its rule."""
from __future__ import annotations

import json
from pathlib import Path

def _matches(match: dict, path, body, texts) -> bool:
    for key, wanted in match.items():
        if key == "path":
            ok = path == wanted
        elif key == "contains":
            ok = wanted in texts[0]
        elif key == "user_contains":
            ok = wanted in texts[1]
        else:
            got = body.get(key)
            ok = got == wanted or (isinstance(got, str) and not isinstance(wanted, str) and got == str(wanted))
        if not ok:
            return False
    return True


def load_scripts(directory: Path | None) -> list[dict]:
    rules = []
    for file in sorted(Path(directory).glob("*.json")) if directory else []:
        try:
            found = json.loads(file.read_text(encoding="utf-8"))["rules"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{file}: not an answer script ({error})") from error
        for number, rule in enumerate(found):
            if not isinstance(rule.get("match"), dict) or "reply" not in rule:
                raise ValueError(f"{file}: rule {number} needs a 'match' object and a 'reply'")
        rules.extend(found)
    return rules
