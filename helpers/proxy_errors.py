"""What a learner should do about an error from a class's LiteLLM proxy (docs/classroom/README.md).

On a hub, requests go through a LiteLLM proxy that holds each learner's key and budget. Its refusals
are not OpenAI's: a spent budget is 422 `budget_exceeded` (429 before LiteLLM made it configurable),
an unknown or expired key is 401 `auth_error`, a rate limit it sets is 429 "Rate limit exceeded for ...",
a proxy that cannot reach OpenAI is 500 "OpenAIException - Connection error", and a proxy (or network)
that is down is a connection error to OPENAI_BASE_URL. `advice()` names the
fix for each; every other error gets None, and the kit explains it as before.

Sources (LiteLLM 1.106.12, BerriAI/litellm): `litellm/__init__.py` (`budget_exceeded_status_code: int =
422`), `litellm/exceptions.py` (`BudgetExceededError`), `litellm/proxy/auth/auth_checks.py`
("ExceededBudget: User=... over budget. Spend=..., Budget=..."), `litellm/proxy/auth/auth_exception_handler.py`
(`budget_exceeded` and `auth_error` types), `litellm/proxy/auth/user_api_key_auth.py` ("Authentication
Error - Expired Key", "Invalid proxy server token passed"), `litellm/proxy/auth/model_access_denied.py`,
`litellm/proxy/hooks/parallel_request_limiter_v3.py` ("Rate limit exceeded for ...").
"""
from __future__ import annotations

import os

import openai

OFFLINE = "or work offline: run `%env KIT_MODE=offline` in a cell, then the setup cell again"
OVER_BUDGET = ("Your budget on the class's proxy is used up, so it refuses your requests. Ask your instructor "
               f"to raise it, {OFFLINE} (the lessons replay recorded answers).")
EXPIRED_KEY = ("The class's proxy no longer accepts your key (keys expire after some hours). Restart your "
               "server for a fresh one (File → Hub Control Panel → Stop My Server, then Start My Server), "
               f"{OFFLINE}.")
UNKNOWN_KEY = ("The class's proxy does not know this key. Restart your server for a fresh one (File → Hub "
               f"Control Panel → Stop My Server, then Start My Server), ask your instructor, {OFFLINE}.")
MODEL_DENIED = "Your key on the class's proxy may call the kit's models only: use a model the lesson names."
UNREACHABLE = ("The server in OPENAI_BASE_URL (your class's proxy) cannot be reached: it, or the network, is down. "
               f"Tell your instructor, {OFFLINE}; your code can stay as it is.")
UPSTREAM_DOWN = ("Your class's proxy cannot reach OpenAI right now (its network is down). Tell your instructor, "
                 f"{OFFLINE}; your code can stay as it is.")
RATE_LIMITED = ("The class's proxy limits how many requests each learner sends per minute. Wait a minute, "
                "then run the cell again (the SDK already retried a few times).")


def _fields(error: BaseException) -> tuple[int | None, str, str]:
    """The status, the error's `type` and its message, from an openai.APIStatusError (or anything like one)."""
    status = getattr(error, "status_code", None)
    body = getattr(error, "body", None)
    kind = str(body.get("type") or "") if isinstance(body, dict) else ""
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    return status, kind, message or str(getattr(error, "message", "") or "")


def is_over_budget(error: BaseException) -> bool:
    status, kind, message = _fields(error)
    return kind == "budget_exceeded" or "ExceededBudget" in message or "Budget has been exceeded" in message


def advice(error: BaseException) -> str | None:
    """What to do, for an error the class's proxy answered with; None for any other error."""
    if isinstance(error, openai.APIConnectionError):  # a timeout too
        return UNREACHABLE if os.environ.get("OPENAI_BASE_URL") else None
    status, kind, message = _fields(error)
    if status is None:
        return None
    if is_over_budget(error):
        return OVER_BUDGET
    if status == 401 and ("not available for this API key" in message or "key not allowed to access model" in message):
        return MODEL_DENIED
    if status == 401 and "Expired Key" in message:
        return EXPIRED_KEY
    if status == 401 and (kind == "auth_error" or "Invalid proxy server token" in message):
        return UNKNOWN_KEY
    # LiteLLM 1.106.12 with OpenAI out of reach (run against a closed port): 500 internal_server_error,
    # "litellm.InternalServerError: InternalServerError: OpenAIException - Connection error. ..."
    if status >= 500 and "OpenAIException - Connection error" in message:
        return UPSTREAM_DOWN
    if status == 429 and message.startswith("Rate limit exceeded for"):
        return RATE_LIMITED
    return None
