"""A class proxy's refusals, as the SDK raises them, get the right advice: in a lesson's traceback, the
chat pane and preflight. The answers come from the classroom tests' key service (LiteLLM's, emulated
with citations: tests/classroom_services.py) in front of the stand-in."""
import time

import httpx
import openai
import pytest

from helpers import models, paths, preflight, proxy_errors
from helpers.widgets.chat import friendly_error
from tests.classroom_services import KeyService

GUIDE = paths.ROOT / "docs" / "instructor-guide.md"


@pytest.fixture
def proxy(standin):
    master = "sk-" + "master" + "P" * 20
    service = KeyService(standin.url.removesuffix("/v1"), master)
    service.manage("/user/new", {"user_id": "ada", "max_budget": 2.0, "models": []})
    yield service
    service.close()


def key_for(service, **options):
    return service.manage("/key/generate", {"user_id": "ada", "models": [], **options})[1]["key"]


def raised(service, key, model=models.CHAT):
    client = openai.OpenAI(api_key=key, base_url=f"{service.url}/v1", max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        if model == models.EMBEDDING:
            client.embeddings.create(model=model, input="hi")
        else:
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}])
    return caught.value


def test_over_budget_is_a_422_with_its_own_advice(proxy):
    proxy.users["ada"].max_budget = 0
    error = raised(proxy, key_for(proxy))
    assert isinstance(error, openai.UnprocessableEntityError) and "ExceededBudget: User=ada" in error.message
    assert proxy_errors.advice(error) == proxy_errors.OVER_BUDGET == friendly_error(error)


def test_the_older_429_budget_answer_gets_the_same_advice():
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    body = {"message": "ExceededBudget: User=ada over budget. Spend=2.1, Budget=2.0", "type": "budget_exceeded",
            "param": None, "code": "429"}
    error = openai.RateLimitError("Error code: 429", response=httpx.Response(429, request=request), body=body)
    assert proxy_errors.advice(error) == proxy_errors.OVER_BUDGET


def test_unknown_expired_and_denied_keys_say_what_to_do(proxy):
    assert proxy_errors.advice(raised(proxy, "sk-" + "unknown" * 4)) == proxy_errors.UNKNOWN_KEY
    expired = key_for(proxy, duration="1s")
    time.sleep(1.2)
    assert proxy_errors.advice(raised(proxy, expired)) == proxy_errors.EXPIRED_KEY
    chat_only = key_for(proxy, models=[models.CHAT])
    assert proxy_errors.advice(raised(proxy, chat_only, models.EMBEDDING)) == proxy_errors.MODEL_DENIED


def test_the_proxys_rate_limit_says_wait(proxy):
    key = key_for(proxy, rpm_limit=1)
    client = openai.OpenAI(api_key=key, base_url=f"{proxy.url}/v1", max_retries=0)
    client.chat.completions.create(model=models.CHAT, messages=[{"role": "user", "content": "Hi"}])
    error = raised(proxy, key)
    assert isinstance(error, openai.RateLimitError)
    assert proxy_errors.advice(error) == proxy_errors.RATE_LIMITED


def test_openais_own_errors_get_no_proxy_advice(standin, monkeypatch):
    client = openai.OpenAI(api_key="sk-" + "x" * 20, base_url=standin.url, max_retries=0)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "Hi"}])
    assert proxy_errors.advice(caught.value) is None


def test_a_proxy_that_is_down_says_work_offline(monkeypatch):
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    client = openai.OpenAI(api_key="sk-" + "x" * 20, base_url=url, max_retries=0, timeout=5)
    with pytest.raises(openai.APIConnectionError) as caught:
        client.chat.completions.create(model=models.CHAT, messages=[{"role": "user", "content": "Hi"}])
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert proxy_errors.advice(caught.value) is None  # api.openai.com: the kit's other advice applies
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    assert proxy_errors.advice(caught.value) == proxy_errors.UNREACHABLE
    assert "%env KIT_MODE=offline" in proxy_errors.UNREACHABLE


@pytest.mark.parametrize("budget, ok", [(0, False), (2.0, True)])
def test_preflight_sees_a_spent_budget_and_is_not_ready(proxy, monkeypatch, budget, ok):
    proxy.users["ada"].max_budget = budget
    monkeypatch.setenv("OPENAI_API_KEY", key_for(proxy))
    monkeypatch.setenv("OPENAI_BASE_URL", f"{proxy.url}/v1")
    check = preflight.check_key()
    assert check.ok is ok, check
    if not ok:
        assert check.fix == proxy_errors.OVER_BUDGET and "422 ExceededBudget" in check.summary
        assert "Ready" not in preflight.report([check])


def test_preflight_with_the_proxys_rate_limit_passes_with_advice(proxy, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", key_for(proxy, rpm_limit=0))
    monkeypatch.setenv("OPENAI_BASE_URL", f"{proxy.url}/v1")
    check = preflight.check_key()
    assert check.ok and check.fix == proxy_errors.RATE_LIMITED


def test_a_proxy_that_cannot_reach_openai_says_work_offline():
    """The body LiteLLM 1.106.12 answered when its upstream was a closed port (run by hand)."""
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    body = {"message": "litellm.InternalServerError: InternalServerError: OpenAIException - Connection error.\n\n"
                       "LiteLLM: model group 'gpt-6-luna' failed with the error above. No fallback was attempted.",
            "type": "internal_server_error", "param": None, "code": "500"}
    error = openai.InternalServerError("Error code: 500", response=httpx.Response(500, request=request), body=body)
    assert proxy_errors.advice(error) == proxy_errors.UPSTREAM_DOWN


PLAYBOOK = ["OVER_BUDGET", "UPSTREAM_DOWN", "RATE_LIMITED", "UNREACHABLE", "EXPIRED_KEY", "UNKNOWN_KEY"]


@pytest.mark.parametrize("message", PLAYBOOK)
def test_the_instructor_guides_playbook_quotes_what_a_learner_sees(message):
    assert getattr(proxy_errors, message) in GUIDE.read_text(encoding="utf-8"), f"quote proxy_errors.{message}"
