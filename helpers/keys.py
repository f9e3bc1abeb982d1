"""What an OpenAI API key looks like, and how the kit hides one: one place for every key rule."""
from __future__ import annotations

import re

PREFIX = "sk-"  # every OpenAI key starts so (sk-, sk-proj-, sk-svcacct-, sk-admin-)
MASK = "sk-***"
# A whole key, as the secret scan looks for it in files (the kit's own placeholders are shorter).
WHOLE = re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")
# Anything shaped like a key, masked or not, in a message that may echo one.
SHAPED = re.compile(r"sk-[A-Za-z0-9_\-*.]{3,}")
# Part of a key, as the API echoes a wrong one: its start, a run of stars and its last four characters
# ("Incorrect API key provided: sk-WRQsP", 39 stars, "xQBt": dKosarevsky/AI-Talks#32, ai-shifu/ChatALL#843),
# also for a key pasted without its "sk-" (yihong0618/bilingual_book_maker#195). The kit's own mask
# has three stars, so it never matches.
# A LiteLLM proxy (the class path) echoes a virtual key it does not know as "sk-..." and its last four
# characters right after the dots, and adds the key's SHA-256, which LiteLLM stores and looks keys up by
# ("Received API Key = sk-..." + four characters + ", Key Hash (Token) =" + 64 hex digits: BerriAI/litellm#18474,
# #11639, #24680). The placeholder "sk-..." alone, as the kit's own messages write it, never matches.
PARTIAL = re.compile(r"[A-Za-z0-9_\-]*\*{4,}[A-Za-z0-9_\-]+|\bsk-(?:\.{3}|…)[A-Za-z0-9_\-]+")
KEY_HASH = re.compile(r"(?<=Key Hash \(Token\) =)\s*[0-9a-fA-F]{64}\b")


def looks_like_a_key(value: str) -> bool:
    return value.startswith(PREFIX)


def without(text: str, key: str) -> str:
    """The text with the key in use masked wherever it appears (a key shorter than 8 characters is no key)."""
    return text.replace(key, MASK) if len(key) >= 8 else text


def hidden(text: str, key: str = "") -> str:
    """The text with the key in use and anything shaped like a key masked (for messages shown to people)."""
    return SHAPED.sub(MASK, without(text, key))


def scrubbed(text: str, key: str = "") -> str:
    """The text with the key in use, any whole key and any partly masked key replaced by the mask:
    what the kit writes to a recording, an output or a log."""
    return KEY_HASH.sub("***", PARTIAL.sub(MASK, _WHOLE_WORD.sub(MASK, without(text, key))))


_WHOLE_WORD = re.compile(r"(?<![A-Za-z0-9_\-])" + WHOLE.pattern)  # not the end of "ask-…" in a tool name
