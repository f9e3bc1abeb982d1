"""The rate-limit headers of each answer, counted as the live API counts them.

Every answer of the live API carries six `x-ratelimit-*` headers: the limit, what remains of it and
how long until it is whole again, for requests and for tokens (OpenAI's rate-limits guide, its table
"Rate limits in headers", quoted in alexrudall/ruby-openai#419: `x-ratelimit-limit-requests: 60`,
`x-ratelimit-remaining-requests: 59`, `x-ratelimit-reset-requests: 1s`, `x-ratelimit-reset-tokens: 6m0s`).
A limit refills steadily over a minute, so the reset time is what has been used times a minute over
the limit: openai/openai-python#416 quotes `x-ratelimit-limit-requests: 3500`, `...-remaining-requests:
3499`, `...-reset-requests: 17ms` (one request of 3,500 a minute: 60 s / 3,500 = 17 ms). Durations are
written as Go writes them (`17ms`, `1s`, `9.816s`, `6m0s`, `7m12s`: the captures above and the 429
messages in FoundationAgents/MetaGPT#523 and onlybooks/llm#6).

The stand-in plays one minute of one account: each answer it gives uses one request and the tokens of
its usage, and nothing refills while it runs (a lesson's build takes seconds). The limits are those of
a first usage tier: 500 requests a minute (the tier-1 table in BuilderIO/micro-agent#31, and the RPM
limit lesson 09's 429 quotes) and 200,000 tokens a minute (lesson 09's TPM 429; the token limit depends
on the model and tier, and captures show 30,000 for gpt-4o on tier 1, BuilderIO/micro-agent#86).
Requests that arrive at once are counted in the order they arrive, so their remaining counts may come
out in another order when a lesson is synthesized again.
"""
from __future__ import annotations

import threading

LIMIT_REQUESTS = 500
LIMIT_TOKENS = 200_000
MINUTE = 60.0


def duration(seconds: float) -> str:
    """A time as Go's time.Duration prints it, to the millisecond: 17ms, 1s, 9.816s, 6m0s."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    if ms < 1000:
        return f"{ms}ms"
    minutes, ms = divmod(ms, 60_000)
    secs = f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


class Limits:
    """One minute of an account's limits, shared by the stand-in's threads."""

    def __init__(self, requests: int = LIMIT_REQUESTS, tokens: int = LIMIT_TOKENS):
        self.requests, self.tokens = requests, tokens
        self.used_requests = self.used_tokens = 0
        self._lock = threading.Lock()

    def headers(self, tokens: int, *, refused: str = "") -> dict[str, str]:
        """The headers of one answer that used `tokens`. An answer refused for a rate limit (`refused`
        is the error's type, `requests` or `tokens`) uses nothing and shows that limit spent."""
        with self._lock:
            if not refused:
                self.used_requests = min(self.requests, self.used_requests + 1)
                self.used_tokens = min(self.tokens, self.used_tokens + max(0, tokens))
            used_requests = self.requests if refused == "requests" else self.used_requests
            used_tokens = self.tokens if refused == "tokens" else self.used_tokens
        return {
            "x-ratelimit-limit-requests": str(self.requests),
            "x-ratelimit-limit-tokens": str(self.tokens),
            "x-ratelimit-remaining-requests": str(self.requests - used_requests),
            "x-ratelimit-remaining-tokens": str(self.tokens - used_tokens),
            "x-ratelimit-reset-requests": duration(used_requests * MINUTE / self.requests),
            "x-ratelimit-reset-tokens": duration(used_tokens * MINUTE / self.tokens),
        }

