"""A class, end to end on 127.0.0.1: a real JupyterHub (configurable-http-proxy in front, a local process
spawner, the dummy authenticator) loads docs/classroom/hub_config.py unchanged; each learner's server
gets a key of its own from the key service, and lesson 01 runs live in each learner's kernel, through
the hub's proxy and the real LiteLLM proxy, to the stand-in. One learner is pushed over budget.
(Every lesson through the proxy: tests/test_classroom_lessons.py.)

What runs for real and what is emulated: tests/classroom_services.py. tests/run_all.sh installs
JupyterHub, configurable-http-proxy and LiteLLM (its own venv); without them these tests are skipped,
unless KIT_CLASSROOM_REQUIRED=1 (CI), when that is a failure.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid

import nbformat
import pytest

from helpers import paths, proxy_errors
from tests import classroom_services as services
from tests.conftest import run_async

pytestmark = pytest.mark.classroom
LEARNERS = ("ada", "grace", "linus")
OVER_BUDGET = "grace"


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    services.skip_unless_installed()
    folder = tmp_path_factory.mktemp("classroom")
    with services.proxy_stack(folder) as keys:
        hub = services.start_hub(folder / "hub", {"KIT_LITELLM_URL": keys.url, "LITELLM_MASTER_KEY": keys.master_key,
                                                  "KIT_BUDGET_USD": "2"})
        try:
            yield hub, keys
        finally:
            services.stop(hub.process)


# --- a learner's kernel, through the hub's proxy --------------------------------------------------------

async def _run_cells(hub, user: str, cells: list[str]) -> list[dict]:
    """Start a kernel on the learner's server and run each cell; each result has its text and its error."""
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    headers = {"Authorization": f"token {hub.token}"}
    base = f"{hub.url}/user/{user}/api"
    answer = await AsyncHTTPClient().fetch(HTTPRequest(f"{base}/kernels", method="POST", body="{}", headers=headers,
                                                       request_timeout=120))
    kernel = json.loads(answer.body)["id"]
    socket = await websocket_connect(HTTPRequest(f"{base.replace('http', 'ws', 1)}/kernels/{kernel}/channels",
                                                 headers=headers, request_timeout=60))
    session, results = uuid.uuid4().hex, []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            socket.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user, "session": session,
                           "date": "", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": False}}))
            result: dict = {"text": "", "error": None}
            while True:
                message = json.loads(await asyncio.wait_for(socket.read_message(), 300))
                if message.get("parent_header", {}).get("msg_id") != msg_id or message.get("channel") != "iopub":
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "stream":
                    result["text"] += content["text"]
                elif kind in ("execute_result", "display_data"):
                    result["text"] += content["data"].get("text/plain", "") + "\n"
                elif kind == "error":
                    result["error"] = content
                elif kind == "status" and content["execution_state"] == "idle":
                    break
            results.append(result)
    finally:
        socket.close()
        await AsyncHTTPClient().fetch(HTTPRequest(f"{base}/kernels/{kernel}", method="DELETE", headers=headers),
                                      raise_error=False)
    return results


def run_cells(hub, user, cells):
    return run_async(_run_cells, hub, user, cells)


def start_server(hub, user: str) -> None:
    hub.api("POST", f"/users/{user}")
    status, _ = hub.api("POST", f"/users/{user}/server")
    assert status in (201, 202), f"the hub answered {status} to starting {user}'s server:\n{services._tail(hub.log)}"


def wait_until_ready(hub, user: str, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, model = hub.api("GET", f"/users/{user}")
        server = (model.get("servers") or {}).get("")
        if server and server.get("ready"):
            return
        time.sleep(1)
    raise AssertionError(f"{user}'s server did not start:\n{services._tail(hub.log)}")


def lesson_cells(name: str) -> list[tuple[str, list[str]]]:
    nb = nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    return [(cell.source, cell.metadata.get("tags", [])) for cell in nb.cells if cell.cell_type == "code"]


ENVIRONMENT = ("import hashlib, os\n"
               "print(os.environ.get('OPENAI_BASE_URL'))\n"
               "print(hashlib.sha256(os.environ.get('OPENAI_API_KEY', '').encode()).hexdigest()[:16])\n"
               "import helpers; print(helpers.__file__)")


# --- the tests ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def learners(classroom):
    hub, keys = classroom
    for user in LEARNERS:  # all at once, as a room arrives
        start_server(hub, user)
    for user in LEARNERS:
        wait_until_ready(hub, user)
    return classroom


def test_each_learner_gets_a_key_of_their_own_and_the_proxys_address(learners):
    hub, keys = learners
    seen = {}
    for user in LEARNERS:
        (result,) = run_cells(hub, user, [ENVIRONMENT])
        assert result["error"] is None, result["error"]
        base_url, fingerprint, module = result["text"].split()
        assert base_url == f"{keys.url}/v1"
        seen[user] = fingerprint
        assert module == str(paths.ROOT / "helpers" / "__init__.py")
    known = {hashlib.sha256(key.encode()).hexdigest()[:16]: entry.user_id for key, entry in keys.keys.items()}
    assert {user: known.get(fingerprint) for user, fingerprint in seen.items()} == {u: u for u in LEARNERS}
    assert {user: keys.users[user].max_budget for user in LEARNERS} == {u: 2.0 for u in LEARNERS}


def test_every_learner_runs_lesson_01_live_through_the_hub_and_the_proxy(learners):
    hub, keys = learners
    cells = lesson_cells("01_chat_completions")
    for user in LEARNERS:
        before = len([call for call in keys.calls if call[1] == user])
        results = run_cells(hub, user, [source for source, _ in cells])
        for (source, tags), result in zip(cells, results, strict=True):
            if result["error"] and "raises-exception" not in tags:
                raise AssertionError(f"{user}: {source[:80]!r} failed: {result['error']['ename']}: "
                                     f"{result['error']['evalue']}")
        assert "Live mode" in results[0]["text"], results[0]["text"]
        assert len([call for call in keys.calls if call[1] == user]) > before, "no request reached the proxy"
        assert keys.users[user].spend > 0, "the proxy counted nothing against the learner's budget"


OVER_BUDGET_CELL = ('from helpers import setup; setup("01_chat_completions")\n'
                    "from openai import OpenAI\nclient = OpenAI()")
CALL = 'client.chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "Hi"}])'


def test_a_learner_over_budget_is_told_what_happened_and_what_to_do(learners):
    hub, keys = learners
    # The instructor lowers the learner's budget below what they spent (README: /user/update).
    services.urllib.request.urlopen(services.urllib.request.Request(
        f"{keys.url}/user/update", method="POST", data=json.dumps({"user_id": OVER_BUDGET, "max_budget": 0}).encode(),
        headers={"Authorization": f"Bearer {keys.master_key}", "Content-Type": "application/json"}), timeout=10)
    setup, refused, again, preflight = run_cells(hub, OVER_BUDGET, [
        OVER_BUDGET_CELL, CALL, CALL, "from helpers import preflight; preflight.run()"])
    assert setup["error"] is None, setup["error"]
    for result in (refused, again):  # the first time with its traceback, then its last line: advice both times
        assert result["error"]["ename"] == "UnprocessableEntityError"
        assert "ExceededBudget" in result["error"]["evalue"]
        assert result["error"]["traceback"][-1] == f"→ {proxy_errors.OVER_BUDGET}"
    assert "❌" in preflight["text"] and proxy_errors.OVER_BUDGET in preflight["text"], preflight["text"]
    assert "Ready: every check passed" not in preflight["text"]
    # The others are not affected.
    (other,) = run_cells(hub, "ada", [f"{OVER_BUDGET_CELL}\nprint({CALL}.choices[0].message.content)"])
    assert other["error"] is None and other["text"].strip(), other
