"""Checks for lesson 09, errors and retries."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import openai

from . import Check, Hints, Verdict, verdict

__all__ = ["check_should_retry", "check_overnight", "check_backoff"]

_URL = "https://api.openai.com/v1/chat/completions"


def _status_error(cls: type[openai.APIStatusError], status: int, code: str | None,
                  message: str) -> openai.APIStatusError:
    """An exception exactly as the SDK raises it for an HTTP error answer."""
    request = httpx2.Request("POST", _URL)
    response = httpx2.Response(status, request=request, headers={"x-request-id": "req_exercise"})
    body = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return cls(f"Error code: {status} - {{'error': {body}}}", response=response, body=body)


def sample_errors() -> list[tuple[openai.APIError, bool, str]]:
    """One error of each kind, whether it is worth retrying, and what it is."""
    request = httpx2.Request("POST", _URL)
    return [
        (_status_error(openai.BadRequestError, 400, "decimal_above_max_value", "Invalid 'temperature'."), False,
         "a 400 bad request (fix the request instead)"),
        (_status_error(openai.AuthenticationError, 401, "invalid_api_key", "Incorrect API key provided."), False,
         "a 401 wrong key (fix the key instead)"),
        (_status_error(openai.NotFoundError, 404, "model_not_found", "The model does not exist."), False,
         "a 404 unknown model (fix the name instead)"),
        (_status_error(openai.RateLimitError, 429, "rate_limit_exceeded", "Rate limit reached."), True,
         "a 429 rate limit (waiting helps)"),
        (_status_error(openai.RateLimitError, 429, "insufficient_quota", "You exceeded your current quota."), False,
         "a 429 with code 'insufficient_quota' (waiting adds no credit)"),
        (_status_error(openai.InternalServerError, 500, None, "The server had an error."), True,
         "a 500 server error"),
        (openai.APITimeoutError(request=request), True, "a timeout"),
        (openai.APIConnectionError(request=request), True, "a connection error"),
    ]


def check_should_retry(should_retry: Callable[[openai.APIError], object]) -> Verdict:
    """Exercise 1: a function that says which errors are worth retrying."""
    checks: list[Check] = [(callable(should_retry), "`should_retry` should be a function that takes an error.")]
    for err, expected, what in sample_errors():
        verb = "retry" if expected else "not retry"
        checks.append((lambda err=err, expected=expected: should_retry(err) is expected,
                       f"For {what}, `should_retry` should return {expected} ({verb})."))
    return verdict(checks, "Rate limits, server errors, timeouts and connection errors are retried; "
                           "bad requests, keys, names and an empty quota are not.")


def _read_timeout(client: object) -> float | None:
    timeout = getattr(client, "timeout", None)
    return getattr(timeout, "read", timeout)


def check_overnight(overnight: Any, client: openai.OpenAI) -> Verdict:
    """Exercise 2: a copy of the client with a longer timeout and more retries."""
    return verdict([
        (isinstance(overnight, openai.OpenAI),
         "`overnight` should be a client: start from `client.with_options(...)`."),
        (lambda: overnight is not client,
         Hints("`overnight` is `client` itself, so changing it would change every request. A client can make "
               "a copy of itself with other settings.",
               "`client.with_options(...)` makes that copy.")),
        (lambda: _read_timeout(overnight) == 120, "Give it `timeout=120.0` (seconds per request)."),
        (lambda: overnight.max_retries == 8, "Give it `max_retries=8`."),
        (lambda: client.max_retries == 2 and _read_timeout(client) == 600,
         "`client` changed: leave it alone and set the new values on the copy only."),
    ], "A patient copy for the night; `client` keeps its defaults.")


def check_backoff(backoff: Callable[[int], object]) -> Verdict:
    """Exercise 3: the SDK's backoff schedule, without jitter."""
    expected = [min(8.0, 0.5 * 2**attempt) for attempt in range(8)]
    return verdict([
        (callable(backoff), "`backoff` should be a function of the attempt number."),
        (lambda: backoff(0) == 0.5, "Before the first retry (attempt 0) wait 0.5 seconds."),
        (lambda: backoff(1) == 1.0 and backoff(2) == 2.0, "Double the wait for each attempt: 0.5, 1, 2, 4, ..."),
        (lambda: [backoff(a) for a in range(8)] == expected,
         "Cap it: from attempt 4 on the wait stays at 8 seconds (use `min(8.0, ...)`)."),
    ], "0.5, 1, 2, 4, then 8 seconds at most: the SDK's schedule, before jitter.")
