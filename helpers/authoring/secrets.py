"""Find secrets before they are committed: API keys, auth headers, organization and project ids.

Used by the tests (every tracked file, every stored notebook output) and by the pre-commit hook:
`python -m helpers.authoring.secrets FILE...` exits 1 and names each finding.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .. import keys

PATTERNS = {
    "an OpenAI API key": keys.WHOLE,
    "part of an OpenAI API key (as an error echoes a wrong one)": keys.PARTIAL,
    "a key's hash (as a proxy echoes it)": keys.KEY_HASH,
    "an Authorization header": re.compile(r"""["']?authorization["']?\s*[:=]\s*["']?(?:bearer|basic)\s+\S+""", re.I),
    "a Cookie header": re.compile(r"""["']?(?:set-)?cookie["']?\s*[:=]\s*["'][^"']*=""", re.I),
    "an OpenAI organization id": re.compile(r"\borg-[A-Za-z0-9]{20,}"),
    "an OpenAI project id": re.compile(r"\bproj_[A-Za-z0-9]{20,}"),
}


def find_secrets(text: str) -> list[str]:
    """What kinds of secret the text holds, each with the line it is on (the value itself is hidden)."""
    findings = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            findings.append(f"line {line}: {kind}")
    return findings


def scan_files(paths) -> dict[str, list[str]]:
    results = {}
    for path in map(Path, paths):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary blobs (audio, images) hold no text secrets
        if found := find_secrets(text):
            results[str(path)] = found
    return results


def main(argv=None) -> int:
    results = scan_files(argv if argv is not None else sys.argv[1:])
    for path, found in results.items():
        for finding in found:
            print(f"{path}: {finding}. Remove it; keys belong in the environment or a .env file.")
    return 1 if results else 0


if __name__ == "__main__":
    sys.exit(main())
