"""Fixtures shared by the kit's tests."""
import asyncio
import concurrent.futures
import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from helpers import modes, paths

# What the spec check counted (tests/test_spec.py writes it; this run's summary shows it).
SPEC_SUMMARY = Path(__file__).parent / "artifacts" / "spec-check.txt"
_SESSION_STARTED = time.time()
# The kernels the tests start leave the environment's IPython config as it is (helpers.before_setup).
os.environ["KIT_BEFORE_SETUP_HINT"] = "off"

# A fake key, built here so that no file holds a key-shaped string.
PLANTED_KEY = "sk-proj-" + "PlantedFakeKey" + "0123456789" * 3


@pytest.fixture(autouse=True)
def clean_mode(monkeypatch):
    """Each test starts offline with no key, and whatever a test sets (setup() sets a placeholder key)
    is undone afterwards, interception included."""
    monkeypatch.setenv("KIT_MODE", "offline")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "KIT_OVERWRITE"):
        monkeypatch.delenv(name, raising=False)
    yield
    modes.teardown()


@pytest.fixture
def recordings_dir(tmp_path, monkeypatch):
    """Recordings go to a temporary folder."""
    monkeypatch.setattr(paths, "RECORDINGS", tmp_path / "recordings")
    return paths.RECORDINGS


@pytest.fixture
def standin():
    """The stand-in server with the kit's own scripts (data/standin), as the lessons' recordings were made."""
    from helpers.authoring.standin import StandIn

    with StandIn() as server:
        yield server


# The one answer tests of the kit's machinery need, so that they never depend on a lesson's script.
OWN_RULES = [{"match": {"path": "/v1/chat/completions", "contains": "What is the capital of Italy?"},
              "reply": "The capital of Italy is Rome."}]


@contextlib.contextmanager
def serving(rules: list[dict], folder: Path):
    """A stand-in server answering from these rules alone (written as a script into `folder`)."""
    from helpers.authoring.standin import StandIn

    (folder / "rules.json").write_text(json.dumps({"rules": rules}))
    with StandIn(folder) as server:
        yield server


@pytest.fixture
def own_standin(tmp_path_factory):
    """A stand-in server with the tests' own script (OWN_RULES), not a lesson's."""
    with serving(OWN_RULES, tmp_path_factory.mktemp("own-standin")) as server:
        yield server


def kill_once_reached(process: subprocess.Popen, reached: Path, what: str) -> None:
    """SIGKILL a process once it has written `reached` (the step it stops at); fail if it ends first or
    never gets there. `what` names the step for the failure message."""
    try:
        deadline = time.monotonic() + 90
        while not reached.exists():
            if process.poll() is not None:
                pytest.fail(f"the process ended before {what}: {process.communicate()[1].decode()[-2000:]}")
            assert time.monotonic() < deadline, f"the process never reached {what}"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL


def point_sdk_at(server, monkeypatch):
    """Make every `OpenAI()` in this process talk to `server`, as it would to the real API."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-kit-test")
    return server


@pytest.fixture
def live(standin, monkeypatch):
    """Live-like: the SDK talks to the stand-in server, as it would to a real API."""
    return point_sdk_at(standin, monkeypatch)


def chat_bodies(server) -> list[dict]:
    """The JSON bodies of the chat completion requests a stand-in server received."""
    return [r.json for r in server.requests if r.path == "/v1/chat/completions"]


def run_async(coroutine_function, *args):
    """Run a coroutine to its end in a thread of its own: another test in the same process (the
    browser suite) may hold a running event loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function(*args)).result()


def pytest_terminal_summary(terminalreporter):
    """Show the spec check's counts, written by whichever worker ran it during this run."""
    if SPEC_SUMMARY.is_file() and SPEC_SUMMARY.stat().st_mtime >= _SESSION_STARTED:
        terminalreporter.section("OpenAPI spec check")
        terminalreporter.write_line(SPEC_SUMMARY.read_text().strip())
