"""What an OpenAI API key looks like, and how the kit hides one: one place for every key rule."""
from __future__ import annotations

import re

PREFIX = "sk-"  # every OpenAI key starts so (sk-, sk-proj-, sk-svcacct-, sk-admin-)
MASK = "sk-***"
# A whole key, as the secret scan looks for it in files (the kit's own placeholders are shorter).
WHOLE = re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")
# Anything shaped like a key, masked or not, in a message that may echo one.
SHAPED = re.compile(r"sk-[A-Za-z0-9_\-*.]{3,}")


def looks_like_a_key(value: str) -> bool:
    return value.startswith(PREFIX)


def without(text: str, key: str) -> str:
    """The text with the key in use masked wherever it appears (a key shorter than 8 characters is no key)."""
    return text.replace(key, MASK) if len(key) >= 8 else text


def hidden(text: str, key: str = "") -> str:
    """The text with the key in use and anything shaped like a key masked (for messages shown to people)."""
    return SHAPED.sub(MASK, without(text, key))
