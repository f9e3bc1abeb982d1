"""The services a class runs, on 127.0.0.1, for tests/test_classroom_hub.py: the LiteLLM proxy (the real
one, from its own venv) in front of the stand-in, a key service in front of that proxy, and a JupyterHub.

The key service stands for the part of LiteLLM that needs its Postgres database: virtual keys, users,
budgets. That part cannot run here: LiteLLM reaches Postgres through Prisma (its `extra-proxy` extra),
whose query engine is downloaded from Prisma's own servers, never a package registry ("These are only
hosted on the official CDN the CLI downloads from", prisma/prisma-engines#4447), and this machine
reaches nothing but the registries. It answers as LiteLLM 1.106.12 does,
each answer cited from LiteLLM's source (BerriAI/litellm, the installed package's paths), and passes every
other request, with the master key, to the real proxy, which translates it and calls the stand-in.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from helpers.paths import ROOT

CONFIG = ROOT / "docs" / "classroom" / "litellm-config.yaml"
HUB_CONFIG = ROOT / "docs" / "classroom" / "hub_config.py"
CHP_VERSION = "5.3.0"  # configurable-http-proxy, from npm (tests/run_all.sh); JupyterHub is in tests/requirements.txt
# tests/run_all.sh installs these; a developer may point at their own installs.
LITELLM = Path(os.environ.get("KIT_LITELLM", ROOT / ".venv-litellm" / "bin" / "litellm"))
CHP = Path(os.environ.get("KIT_CHP", ROOT / ".venv" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"))
MODEL_ROUTES = ("/chat/completions", "/completions", "/responses", "/embeddings", "/moderations",
                "/images/generations", "/audio/speech", "/audio/transcriptions")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float, process: subprocess.Popen | None = None, log: Path | None = None,
             any_answer: bool = True) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}'s process ended ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            if any_answer:
                return  # it answers
            time.sleep(0.3)
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s:\n{_tail(log)}")


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-3000:] if log and log.exists() else ""


def stop(process: subprocess.Popen) -> None:
    """End a process this module started, and the processes it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def start(command: list[str], env: dict, log: Path, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


# --- the real LiteLLM proxy ----------------------------------------------------------------------------

def start_litellm(upstream: str, upstream_key: str, master_key: str, folder: Path) -> tuple[subprocess.Popen, str]:
    """LiteLLM with the kit's config unchanged and no database: the master key alone is accepted."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "OPENAI_BASE_URL")}
    env.update(OPENAI_API_KEY=upstream_key, OPENAI_BASE_URL=upstream, LITELLM_MASTER_KEY=master_key,
               LITELLM_LOCAL_MODEL_COST_MAP="True",  # its price map from the package, not fetched at start
               LITELLM_TELEMETRY="False", NO_PROXY="127.0.0.1,localhost")
    log = folder / "litellm.log"
    process = start([str(LITELLM), "--config", str(CONFIG), "--host", "127.0.0.1", "--port", str(port)], env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/health/liveliness", 180, process, log)
    except BaseException:
        stop(process)
        raise
    return process, url


def missing() -> list[str]:
    """What tests/run_all.sh installs for these tests and is not here."""
    bin_folder = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
    needed = [LITELLM, CHP, bin_folder / "jupyterhub", bin_folder / "jupyterhub-singleuser"]
    return [str(path) for path in needed if not path.exists()]


@contextmanager
def proxy_stack(folder: Path) -> Iterator[KeyService]:
    """The stand-in, the real LiteLLM proxy in front of it, and the key service in front of that."""
    from helpers.authoring.standin import StandIn

    master = "sk-" + secrets.token_hex(12)  # made here, never written down
    with StandIn() as standin:
        litellm, litellm_url = start_litellm(standin.url, "sk-" + "kit-standin-" + "upstream", master, folder)
        keys = KeyService(litellm_url, master)
        try:
            yield keys
        finally:
            keys.close()
            stop(litellm)


def skip_unless_installed() -> None:
    import pytest

    absent = missing()
    if absent and os.environ.get("KIT_CLASSROOM_REQUIRED") == "1":
        pytest.fail(f"the classroom services are not installed: {', '.join(absent)} (tests/run_all.sh)")
    if absent:
        pytest.skip(f"not installed: {', '.join(absent)} (tests/run_all.sh installs them)")


# --- the key service (LiteLLM's database features, emulated) ------------------------------------------

def _prices() -> dict[str, tuple[float, float]]:
    """Per-token prices from the kit's litellm-config.yaml, as the proxy counts spend against budgets."""
    entries = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["model_list"]
    return {e["model_name"]: (e["litellm_params"].get("input_cost_per_token", 0.0),
                              e["litellm_params"].get("output_cost_per_token", 0.0)) for e in entries}


def _error(message: str, kind: str, code: int, param=None) -> dict:
    # ProxyException.to_dict (litellm/proxy/_types.py): {"error": {message, type, param, code}}, code a string.
    return {"error": {"message": message, "type": kind, "param": param, "code": str(code)}}


@dataclass
class Key:
    user_id: str
    models: list[str]
    max_budget: float | None
    expires: datetime | None
    spend: float = 0.0
    rpm_limit: int | None = None
    recent: list[float] = field(default_factory=list)  # when its last model calls came, for rpm_limit


@dataclass
class User:
    user_id: str
    max_budget: float | None
    models: list[str]
    spend: float = 0.0


@dataclass
class KeyService:
    """LiteLLM's virtual keys, users and budgets in front of a proxy that knows the master key only."""

    upstream: str
    master_key: str
    users: dict[str, User] = field(default_factory=dict)
    keys: dict[str, Key] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (path, user) of every model call passed on
    url: str = ""

    def __post_init__(self):
        self.prices = _prices()
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                service.handle(self, "GET")

            def do_POST(self):
                service.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- answers ------------------------------------------------------------------------------------------
    @staticmethod
    def reply(handler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def handle(self, handler, method: str) -> None:
        parts = urlsplit(handler.path)
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        token = handler.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if parts.path in ("/user/new", "/user/update", "/key/generate", "/user/info"):
            if token != self.master_key:  # management routes are the admin's (litellm/proxy/auth/route_checks.py)
                return self.reply(handler, 401, _error("Authentication Error, Only proxy admin can be used to "
                                                       "generate, delete, update info for new keys/users/teams. "
                                                       f"Route={parts.path}.", "auth_error", 401, "None"))
            body = json.loads(raw or b"{}") if method == "POST" else {k: v[0] for k, v in parse_qs(parts.query).items()}
            return self.reply(handler, *self.manage(parts.path, body))
        if token != self.master_key:
            refusal = self.authorize(token, parts.path, raw)
            if refusal:
                return self.reply(handler, *refusal)
        self.forward(handler, method, raw, token)

    def manage(self, path: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            if path == "/user/new":
                # litellm/proxy/management_endpoints/internal_user_endpoints.py: a second /user/new for the
                # same id is refused ("User with user_id ... already exists"), the first one's budget kept.
                if body["user_id"] in self.users:
                    return 400, {"detail": {"error": f"User with user_id {body['user_id']} already exists"}}
                self.users[body["user_id"]] = User(body["user_id"], body.get("max_budget"), body.get("models", []))
                return 200, {"user_id": body["user_id"], "max_budget": body.get("max_budget"), "key": None}
            if path == "/user/update":
                user = self.users[body["user_id"]]
                user.max_budget = body.get("max_budget", user.max_budget)
                return 200, {"user_id": user.user_id, "max_budget": user.max_budget}
            if path == "/user/info":
                user = self.users[body["user_id"]]
                return 200, {"user_id": user.user_id, "user_info": {"spend": user.spend, "max_budget": user.max_budget}}
            # /key/generate, litellm/proxy/management_endpoints/key_management_endpoints.py
            # (generate_key_helper_fn): token = f"sk-{secrets.token_urlsafe(LENGTH_OF_LITELLM_GENERATED_KEY)}".
            key = "sk-" + secrets.token_urlsafe(16)
            expires = _expiry(body.get("duration"))
            self.keys[key] = Key(body.get("user_id", ""), body.get("models", []), body.get("max_budget"), expires,
                                 rpm_limit=body.get("rpm_limit"))
            return 200, {"key": key, "user_id": body.get("user_id"), "models": body.get("models", []),
                         "max_budget": body.get("max_budget"), "expires": expires.isoformat() if expires else None,
                         "token": hashlib.sha256(key.encode()).hexdigest(), "metadata": body.get("metadata", {})}

    def authorize(self, token: str, path: str, raw: bytes) -> tuple[int, dict] | None:
        """LiteLLM's checks of a virtual key, in litellm/proxy/auth/user_api_key_auth.py and auth_checks.py."""
        with self.lock:
            key = self.keys.get(token)
            if key is None:
                hashed = hashlib.sha256(token.encode()).hexdigest()
                return 401, _error("Authentication Error, Invalid proxy server token passed. Received API Key = "
                                   f"sk-...{token[-4:]}, Key Hash (Token) ={hashed}. Unable to find token in cache "
                                   "or `LiteLLM_VerificationTokenTable`", "auth_error", 401, "None")
            now = datetime.now(UTC)
            if key.expires is not None and key.expires < now:
                return 401, _error(f"Authentication Error - Expired Key. Key Expiry time {key.expires} and current "
                                   f"time {now}", "auth_error", 401, "None")
            if not path.removeprefix("/v1").startswith(MODEL_ROUTES):
                return None  # /v1/models is a model-discovery route: no budget check (auth_checks.py)
            model = _model(raw)
            if key.models and model not in key.models:  # litellm/proxy/auth/model_access_denied.py
                return 401, _error(f"The requested model '{model}' is not available for this API key, or the "
                                   "model name is invalid. Check the models available to you and try again.",
                                   "auth_error", 401, "None")
            user = self.users.get(key.user_id)
            # auth_checks.py raises BudgetExceededError, whose status is litellm.budget_exceeded_status_code
            # (422 in litellm/__init__.py), shown with type budget_exceeded (auth_exception_handler.py).
            if user is not None and user.max_budget is not None and user.spend >= user.max_budget:
                return 422, _error(f"ExceededBudget: User={user.user_id} over budget. Spend={user.spend}, "
                                   f"Budget={user.max_budget}", "budget_exceeded", 422)
            if key.max_budget is not None and key.spend >= key.max_budget:  # litellm/exceptions.py's default
                return 422, _error(f"Budget has been exceeded! Current cost: {key.spend}, Max budget: "
                                   f"{key.max_budget}", "budget_exceeded", 422)
            if key.rpm_limit is not None:
                # litellm/proxy/hooks/parallel_request_limiter_v3.py raises ProxyRateLimitError (a 429,
                # litellm/proxy/common_utils/proxy_rate_limit_error.py) with this detail; the kit reads the message.
                moment = time.monotonic()
                key.recent = [t for t in key.recent if moment - t < 60]
                if len(key.recent) >= key.rpm_limit:
                    resets = (now + timedelta(seconds=60)).strftime("%Y-%m-%d %H:%M:%S UTC")
                    return 429, _error(f"Rate limit exceeded for api_key: {hashlib.sha256(token.encode()).hexdigest()}."
                                       f" Limit type: requests. Current limit: {key.rpm_limit}, Remaining: 0. "
                                       f"Limit resets at: {resets}", "throttling_error", 429, "None")
                key.recent.append(moment)
            return None

    def forward(self, handler, method: str, raw: bytes, token: str) -> None:
        upstream = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
        headers = {"Authorization": f"Bearer {self.master_key}",
                   "Content-Type": handler.headers.get("Content-Type", "application/json")}
        connection.request(method, handler.path, body=raw if method == "POST" else None, headers=headers)
        answer = connection.getresponse()
        handler.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                handler.send_header(name, value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        seen = bytearray()
        while chunk := answer.read1(65536):
            handler.wfile.write(chunk)
            handler.wfile.flush()
            seen += chunk
        connection.close()
        handler.close_connection = True
        if token != self.master_key and answer.status == 200:
            self.charge(token, handler.path, raw, bytes(seen))

    def charge(self, token: str, path: str, raw: bytes, answer: bytes) -> None:
        """Spend from the answer's usage and the config's prices, on the key and on its user."""
        model = _model(raw)
        usage: dict = {}
        text = answer.decode(errors="replace")
        for piece in [text] + [line[6:] for line in text.splitlines() if line.startswith("data: {")]:
            try:
                found = json.loads(piece)
            except ValueError:
                continue
            if isinstance(found, dict):  # a whole answer, a last stream chunk, or a Responses API event
                usage = found.get("usage") or (found.get("response") or {}).get("usage") or usage
        tokens_in = usage.get("prompt_tokens", usage.get("input_tokens", 0)) or 0
        tokens_out = usage.get("completion_tokens", usage.get("output_tokens", 0)) or 0
        price_in, price_out = self.prices.get(model, (0.0, 0.0))
        cost = tokens_in * price_in + tokens_out * price_out
        with self.lock:
            key = self.keys[token]
            key.spend += cost
            if key.user_id in self.users:
                self.users[key.user_id].spend += cost
            self.calls.append((path, key.user_id))


def _model(raw: bytes) -> str:
    try:
        return str(json.loads(raw or b"{}").get("model", ""))
    except ValueError:  # a multipart upload (transcriptions): the model is a form field
        text = raw.decode(errors="replace")
        marker = 'name="model"'
        return text.split(marker, 1)[1].split("\r\n\r\n", 1)[1].split("\r\n", 1)[0] if marker in text else ""


def _expiry(duration: str | None) -> datetime | None:
    """LiteLLM's durations ("30s", "12h", "7d"; litellm/litellm_core_utils/duration_parser.py)."""
    if not duration:
        return None
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    return datetime.now(UTC) + timedelta(**{units[duration[-1]]: int(duration[:-1])})


# --- JupyterHub ----------------------------------------------------------------------------------------

HUB_TEMPLATE = '''
c = get_config()  # noqa: F821
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"   # jupyterhub.auth.DummyAuthenticator: any name, this password
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"        # jupyterhub.spawner.SimpleLocalProcessSpawner
c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.ip = "127.0.0.1"
c.Spawner.args = ["--allow-root"]  # CI runs as root
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {{"KIT_SANDBOX": "off", "KIT_REPLAY_PACE_MS": "0", "NO_PROXY": "127.0.0.1,localhost"}}
c.JupyterHub.services = [{{"name": "classroom-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "classroom-test", "services": ["classroom-test"],
                            "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"]}}]
load_subconfig({hub_config!r})  # noqa: F821 - the kit's docs/classroom/hub_config.py, unchanged
'''


@dataclass
class Hub:
    url: str
    token: str
    password: str
    process: subprocess.Popen
    log: Path

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(f"{self.url}/hub/api{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                text = answer.read()
                return answer.status, json.loads(text) if text else {}
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text or b"{}")
            except ValueError:
                return error.code, {"text": text.decode(errors="replace")}


def start_hub(folder: Path, environment: dict) -> Hub:
    folder.mkdir(parents=True, exist_ok=True)
    bin_folder = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
    singleuser = str(bin_folder / "jupyterhub-singleuser")
    port, hub_port, api_port = free_port(), free_port(), free_port()
    token, password = secrets.token_hex(16), secrets.token_hex(8)
    config = folder / "jupyterhub_config.py"
    config.write_text(HUB_TEMPLATE.format(port=port, hub_port=hub_port, api_port=api_port, chp=str(CHP),
                                          folder=folder, password=password, singleuser=singleuser, token=token,
                                          hub_config=str(HUB_CONFIG)), encoding="utf-8")
    env = {**os.environ, **environment, "PATH": f"{bin_folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = folder / "jupyterhub.log"
    process = start([str(bin_folder / "jupyterhub"), "-f", str(config)], env, log, cwd=folder)
    hub = Hub(f"http://127.0.0.1:{port}", token, password, process, log)
    try:
        wait_for(f"{hub.url}/hub/api", 120, process, log, any_answer=False)
    except BaseException:
        stop(process)
        raise
    return hub
