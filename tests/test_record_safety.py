"""Record mode loses nothing and leaks nothing: fault injection, no network.

A wrong key, a server that fails, two recorders at once, a disk that refuses the write at each step,
a server address without /v1, and hand-edited or mis-encoded files. Each case checks the message
the learner sees and that no recorded answer was lost.

`FakeApi` answers every request with one chosen status and body, as a server other than the kit's
stand-in does (its answers carry no stand-in label). Its 401 echoes the key's start and last four
characters the way the real API does ("Incorrect API key provided: sk-WRQsP", a run of stars, "xQBt":
dKosarevsky/AI-Talks#32, ai-shifu/ChatALL#843).
"""
import errno
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openai
import pytest
from openai import OpenAI

from helpers import keys, meter, modes, paths, recordings
from helpers.authoring import secrets
from helpers.session import Session

from tests.conftest import PLANTED_KEY, kill_once_reached, serving

LESSON = "01_chat_completions"
QUESTION = [{"role": "user", "content": "What is the capital of Italy?"}]
REVOKED = "sk-" + "revoked-but-long-enough"  # a cell's deliberately wrong key (built here: no key-shaped text)
TOOL_NAME = "ask-the-user-" + "for-their-location-please"  # a word that merely contains "sk-"
ANSWER_ANYTHING = [{"match": {"path": "/v1/chat/completions"}, "reply": "Noted."}]


def echoed(key: str) -> str:
    """The part of a wrong key the real API's 401 repeats."""
    return f"{key[:11]}{'*' * 39}{key[-4:]}"  # for an sk-proj- key, three characters of the key itself


class FakeApi:
    """A server on 127.0.0.1 answering every request with `status` and `body`; it keeps the paths it got."""

    def __init__(self, status: int, body: dict):
        self.status, self.body, self.paths = status, body, []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                self.rfile.read(int(self.headers.get("content-length", 0) or 0))
                api.paths.append(self.path)
                raw = json.dumps(api.body).encode()
                self.send_response(api.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_DELETE = do_POST  # noqa: N815 - a lesson also lists, fetches and deletes

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def wrong_key_answer(key: str) -> dict:
    return {"error": {"message": f"Incorrect API key provided: {echoed(key)}. You can find your API key at "
                                 "https://platform.openai.com/account/api-keys.",
                      "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}


def start_recording(monkeypatch, url: str, notebook: str, *, overwrite: bool = False, key: str = PLANTED_KEY):
    monkeypatch.setenv("KIT_MODE", "record")
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    if overwrite:
        monkeypatch.setenv("KIT_OVERWRITE", "1")
    modes.setup(notebook)


def lesson_copy(recordings_dir) -> Path:
    recordings_dir.mkdir(exist_ok=True)
    return Path(shutil.copy(paths.DATA / "recordings" / f"{LESSON}.json", recordings_dir))


def tree_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file())


# --- a wrong key ------------------------------------------------------------------------------------

def test_a_wrong_key_with_overwrite_leaves_the_recording_byte_identical_and_no_part_of_the_key(
        recordings_dir, monkeypatch, capsys):
    recording = lesson_copy(recordings_dir)
    before = recording.read_bytes()
    requests = [r["body"] for r in recordings.recorded_requests(LESSON) if r["path"] == "/v1/chat/completions"]
    assert requests, "lesson 01 records chat requests"
    seen = []
    with FakeApi(401, wrong_key_answer(PLANTED_KEY)) as api:
        start_recording(monkeypatch, api.url + "/v1", LESSON, overwrite=True)
        for body in requests:
            with pytest.raises(openai.AuthenticationError) as refused:
                OpenAI().chat.completions.create(**body)
            seen.append(str(refused.value))
    out = capsys.readouterr().out
    assert recording.read_bytes() == before
    assert "Recording stopped: the server refused the key in OPENAI_API_KEY (401)" in out
    assert "Recorded a new answer" not in out
    everything = "\n".join([out, *seen, tree_text(recordings_dir)])
    for part in (PLANTED_KEY, PLANTED_KEY[:12], PLANTED_KEY[-4:] + ".", echoed(PLANTED_KEY)):
        assert part not in everything
    assert "Incorrect API key provided: sk-***." in seen[0], "the learner still sees what the API said"
    assert not secrets.find_secrets(everything)


# Lesson 01 (chat), and the newer paths: a streamed Responses answer (10b), uploads to the Files API and
# a vector store (14), a batch that is polled (15), AsyncOpenAI (17).
WHOLE_LESSONS = [LESSON, "10b_responses_streaming", "14_file_search", "15_batch", "17_async"]


@pytest.mark.parametrize("lesson", WHOLE_LESSONS)
def test_a_lesson_run_whole_with_a_wrong_key_and_overwrite_changes_nothing_and_shows_no_part_of_the_key(
        lesson, recordings_dir, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    recordings_dir.mkdir()
    shutil.copytree(paths.DATA / "recordings" / "blobs", recordings_dir / "blobs")
    recording = Path(shutil.copy(paths.DATA / "recordings" / f"{lesson}.json", recordings_dir))
    before = {p.relative_to(recordings_dir): p.read_bytes() for p in recordings_dir.rglob("*") if p.is_file()}
    nb = nbformat.read(paths.NOTEBOOKS / f"{lesson}.ipynb", as_version=4)
    # The harness alone: the kernel's recordings go to the test's folder, not the kit's.
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        f"from pathlib import Path; from helpers import paths; paths.RECORDINGS = Path({str(recordings_dir)!r})"))
    with FakeApi(401, wrong_key_answer(PLANTED_KEY)) as api:
        for name, value in {"KIT_MODE": "record", "KIT_OVERWRITE": "1", "OPENAI_API_KEY": PLANTED_KEY,
                            "OPENAI_BASE_URL": api.url + "/v1"}.items():
            monkeypatch.setenv(name, value)
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(paths.NOTEBOOKS)}}).execute()
    assert len(api.paths) >= 1, "the lesson's requests reached the server"
    after = {p.relative_to(recordings_dir): p.read_bytes() for p in recordings_dir.rglob("*")
             if p.is_file() and not p.name.endswith(".lock")}
    assert after == before, f"{recording.name} or a blob changed, or a file was added"
    outputs = nbformat.writes(nb)
    assert "Recording stopped: the server refused the key in OPENAI_API_KEY (401)" in outputs
    everything = outputs + tree_text(recordings_dir)
    for part in ("PlantedFakeKey", PLANTED_KEY[:10], echoed(PLANTED_KEY), "*" * 39 + PLANTED_KEY[-4:],
                 PLANTED_KEY[-4:] + "."):
        assert part not in everything
    assert not secrets.find_secrets(everything)


def test_a_lesson_that_teaches_a_401_re_records_it_with_a_cells_own_wrong_key(recordings_dir, monkeypatch, capsys):
    """The session's own key must never be refused; a cell's deliberately wrong key may be (lesson 09)."""
    recordings_dir.mkdir()
    taught = recordings.Sent("POST", "/v1/chat/completions", {"model": "gpt-6-luna", "messages": QUESTION})
    old_answer = {"status": {"code": 401, "message": "Unauthorized"}, "headers": {"content-type": "application/json"},
                  "body": {"json": {"error": {"message": "old", "type": "invalid_request_error", "param": None,
                                              "code": "invalid_api_key"}}}}
    recordings.write_file(recordings_dir / "teaches401.json", [{"request": taught.record(), "response": old_answer}])
    with FakeApi(401, wrong_key_answer(REVOKED)) as api:
        start_recording(monkeypatch, api.url + "/v1", "teaches401", overwrite=True)
        with pytest.raises(openai.AuthenticationError):
            OpenAI(api_key=REVOKED, max_retries=0).chat.completions.create(
                model="gpt-6-luna", messages=QUESTION)
    assert "Recorded a new answer" in capsys.readouterr().out
    saved = (recordings_dir / "teaches401.json").read_text()
    assert '"code": 401' in saved and "Incorrect API key provided: sk-***." in saved
    assert "sk-revoked" not in saved and "****" not in saved


def test_an_error_no_lesson_teaches_is_shown_but_not_recorded(recordings_dir, monkeypatch, capsys):
    recording = lesson_copy(recordings_dir)
    before = recording.read_bytes()
    failure = {"error": {"message": "The server had an error while processing your request.", "type": "server_error",
                         "param": None, "code": None}}
    with FakeApi(503, failure) as api:
        start_recording(monkeypatch, api.url + "/v1", LESSON, overwrite=True)
        with pytest.raises(openai.InternalServerError):
            OpenAI(max_retries=0).chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    assert recording.read_bytes() == before
    assert "Not recorded: the server answered 503 to POST /v1/chat/completions" in capsys.readouterr().out


def test_the_sdks_retries_of_an_error_no_lesson_teaches_get_one_message(recordings_dir, monkeypatch, capsys):
    """A 500 whose body reads like a success (a proxy's fault): the SDK retries it twice; the learner
    gets the paragraph once and a line for each retry, and the recording keeps what it had."""
    recording = lesson_copy(recordings_dir)
    before = recording.read_bytes()
    success = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-6-luna", "choices": []}
    with FakeApi(500, success) as api:
        start_recording(monkeypatch, api.url + "/v1", LESSON, overwrite=True)
        with pytest.raises(openai.InternalServerError):
            OpenAI(max_retries=2).chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    lines = [line for line in capsys.readouterr().out.splitlines()[1:] if line]  # after the banner
    assert len(api.paths) == 3 and len(lines) == 3, lines
    assert lines[0].startswith("Not recorded: the server answered 500 to POST /v1/chat/completions")
    assert lines[1:] == ["Not recorded either: POST /v1/chat/completions got 500 again."] * 2
    assert recording.read_bytes() == before


def test_an_error_the_catalogue_predicts_is_recorded(recordings_dir, monkeypatch, capsys):
    """temperature 3 is refused by the API (helpers.refusals): a lesson may teach it, so it is kept."""
    refusal = {"error": {"message": "Invalid 'temperature': decimal above maximum value.", "type":
                         "invalid_request_error", "param": "temperature", "code": "decimal_above_max_value"}}
    with FakeApi(400, refusal) as api:
        start_recording(monkeypatch, api.url + "/v1", "predicted")
        with pytest.raises(openai.BadRequestError):
            OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION, temperature=3)
    assert "Recorded a new answer" in capsys.readouterr().out
    (kept,) = recordings.read_file(recordings_dir / "predicted.json")["interactions"]
    assert kept["response"]["status"]["code"] == 400


def test_live_mode_masks_a_wrong_key_in_the_error_the_learner_sees(monkeypatch):
    with FakeApi(401, wrong_key_answer(PLANTED_KEY)) as api:
        monkeypatch.setenv("KIT_MODE", "live")
        monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", api.url + "/v1")
        modes.setup("masked")
        with pytest.raises(openai.AuthenticationError) as refused:
            OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    assert PLANTED_KEY[-4:] not in str(refused.value) and "sk-***" in str(refused.value)
    assert refused.value.body["code"] == "invalid_api_key"


def litellm_wrong_key_answer(key: str) -> dict:
    """A LiteLLM proxy's 401 to a virtual key it does not know: the key's last four characters and its
    SHA-256, the hash LiteLLM stores and looks keys up by (BerriAI/litellm#18474, #11639, #24680)."""
    import hashlib

    return {"error": {"message": f"Authentication Error, Invalid proxy server token passed. Received API Key = "
                                 f"sk-...{key[-4:]}, Key Hash (Token) ={hashlib.sha256(key.encode()).hexdigest()}. "
                                 "Unable to find token in cache or `LiteLLM_VerificationTokenTable`",
                      "type": "token_not_found_in_db", "param": "key", "code": "401"}}


@pytest.mark.parametrize("mode", ["live", "record"])
def test_a_class_proxys_401_shows_and_keeps_no_part_of_the_key_nor_its_hash(mode, recordings_dir, monkeypatch, capsys):
    import hashlib

    recording = lesson_copy(recordings_dir)
    before = recording.read_bytes()
    with FakeApi(401, litellm_wrong_key_answer(PLANTED_KEY)) as api:
        monkeypatch.setenv("KIT_MODE", mode)
        monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", api.url)  # a class proxy, reached as LiteLLM is: no /v1
        modes.setup(LESSON)
        with pytest.raises(openai.AuthenticationError) as refused:
            OpenAI(max_retries=0).chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    everything = "\n".join([capsys.readouterr().out, str(refused.value), json.dumps(refused.value.body),
                            tree_text(recordings_dir)])
    assert "Received API Key = sk-***, Key Hash (Token) =***." in str(refused.value), "the learner sees what it said"
    for part in (f"sk-...{PLANTED_KEY[-4:]}", hashlib.sha256(PLANTED_KEY.encode()).hexdigest()):
        assert part not in everything
    assert recording.read_bytes() == before
    assert not secrets.find_secrets(everything)


def test_the_secret_scan_flags_part_of_a_key():
    found = secrets.find_secrets(f"Incorrect API key provided: {echoed(PLANTED_KEY)}.\nfine: sk-*** and **bold**")
    assert found == ["line 1: part of an OpenAI API key (as an error echoes a wrong one)"]
    proxy = litellm_wrong_key_answer(PLANTED_KEY)["error"]["message"]
    assert secrets.find_secrets(f"fine: OPENAI_API_KEY=sk-..., sk-...\n{proxy}") == [
        "line 2: part of an OpenAI API key (as an error echoes a wrong one)",
        "line 2: a key's hash (as a proxy echoes it)"]
    assert keys.scrubbed(TOOL_NAME) == TOOL_NAME


# --- where an answer came from ------------------------------------------------------------------------

def test_an_answer_relayed_by_a_proxy_from_the_standin_is_still_labelled_synthesized(recordings_dir):
    import httpx2

    recording = recordings.Recording("relayed")
    sent = recordings.Sent("POST", "/v1/chat/completions", {"model": "gpt-6-luna", "messages": QUESTION})
    headers = httpx2.Headers({"content-type": "application/json", "llm_provider-x-kit-standin": "synthesized"})
    assert recording.add(sent, 200, "OK", headers, b'{"id": "x"}', overwrite=False)
    data = recordings.read_file(recordings_dir / "relayed.json")
    assert data["provenance"].startswith("1 synthesized")


# --- two recorders at once ------------------------------------------------------------------------------

RECORDER = r"""
import pathlib, sys
from helpers import modes, paths
paths.RECORDINGS = pathlib.Path(sys.argv[1])
modes.setup("together")
from openai import OpenAI
client = OpenAI()
for n in range(int(sys.argv[3])):
    client.chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": f"{sys.argv[2]} {n}"}])
"""


def test_two_processes_recording_the_same_lesson_keep_every_answer(recordings_dir, tmp_path):
    recordings_dir.mkdir()
    per_process = 12
    with serving(ANSWER_ANYTHING, tmp_path) as server:
        env = {**os.environ, "KIT_MODE": "record", "OPENAI_API_KEY": PLANTED_KEY, "OPENAI_BASE_URL": server.url,
               "PYTHONPATH": str(paths.ROOT)}
        recorders = [subprocess.Popen([sys.executable, "-c", RECORDER, str(recordings_dir), name, str(per_process)],
                                      env=env, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for name in ("first", "second")]
        for recorder in recorders:
            out, err = recorder.communicate(timeout=120)
            assert recorder.returncode == 0, err.decode()[-2000:]
    asked = {r["body"]["messages"][0]["content"] for r in recordings.recorded_requests("together")}
    assert asked == {f"{name} {n}" for name in ("first", "second") for n in range(per_process)}
    assert not list(recordings_dir.glob(".*.partial"))


# --- a save that fails, at every step -----------------------------------------------------------------

def _fail(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _refuse(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied")  # what filelock raises in a read-only folder


def _half_write_then_fail(self, data):
    with open(self, "wb") as file:
        file.write(data[: len(data) // 2])
    raise OSError(errno.ENOSPC, "No space left on device")


WRITE_STEPS = {
    "taking the lock (a read-only folder)": ("filelock.FileLock.acquire", _refuse),
    "reading the file as it is now": ("helpers.recordings.read_file", _fail),
    "writing the new file beside it (a full disk)": ("pathlib.Path.write_bytes", _half_write_then_fail),
    "putting it in place": ("os.replace", _fail),
}


@pytest.mark.parametrize("step", WRITE_STEPS)
def test_a_save_that_fails_keeps_the_answer_bills_it_and_leaves_the_file_as_it_was(
        step, recordings_dir, monkeypatch, capsys, tmp_path):
    recording = lesson_copy(recordings_dir)
    before = recording.read_bytes()
    target, fault = WRITE_STEPS[step]
    with serving(ANSWER_ANYTHING, tmp_path) as server:
        start_recording(monkeypatch, server.url, LESSON)
        meter.meter.reset()
        modes.current.recording.data  # noqa: B018 - loaded before the fault: only the save meets it
        monkeypatch.setattr(target, fault)
        answer = OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION)
        assert answer.choices[0].message.content == "Noted."  # the learner gets what they paid for
        out = capsys.readouterr().out
        again = OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION)
        rerun = capsys.readouterr().out
        monkeypatch.undo()
    assert again.choices[0].message.content == "Noted."
    assert out.count("Not saved:") == 1 and f"recordings/{LESSON}.json" in out and "run the cell again" in out
    assert "Traceback" not in out and "Recorded a new answer" not in out
    assert "was not saved" in rerun, "a re-run does not pretend the answer was saved"
    assert len(chat_paths := [r for r in server.requests if r.path == "/v1/chat/completions"]) == 2, chat_paths
    assert recording.read_bytes() == before
    assert not [p for p in recordings_dir.iterdir() if p.name.endswith(".partial")]
    calls = meter.meter.calls
    assert len(calls) == 2 and all(call.live for call in calls), "each billed call is counted"


def test_saves_that_keep_failing_say_so_once_in_full_then_in_a_line_each(recordings_dir, monkeypatch, capsys, tmp_path):
    """A lesson that uploads six files (14) or sends five requests at once (17) into a folder it cannot
    write: the first answer gets the paragraph, each later one a line naming its request, the file and
    the fix. Also through a streamed Responses answer and AsyncOpenAI: every answer arrives and is billed."""
    import asyncio

    from openai import AsyncOpenAI

    recording = lesson_copy(recordings_dir)
    before = recording.read_bytes()
    rules = [*ANSWER_ANYTHING, {"match": {"path": "/v1/responses"}, "reply": "Noted."}]
    with serving(rules, tmp_path) as server:
        start_recording(monkeypatch, server.url, LESSON)
        meter.meter.reset()
        modes.current.recording.data  # noqa: B018 - loaded before the fault: only the saves meet it
        monkeypatch.setattr("os.replace", _fail)
        chat = OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION)
        first = capsys.readouterr().out
        with OpenAI().responses.stream(model="gpt-6-luna", input="streamed") as stream:
            streamed = stream.get_final_response()

        async def ask():
            return await AsyncOpenAI().responses.create(model="gpt-6-luna", input="asynchronous")

        asked = asyncio.run(ask())
        later = capsys.readouterr().out
        monkeypatch.undo()
    assert [chat.choices[0].message.content, streamed.output_text, asked.output_text] == ["Noted."] * 3
    assert first.count("Not saved:") == 1 and "writable or free some disk space" in first
    assert "the answer above" not in first, "the message comes before the cell shows its answer"
    lines = [line for line in later.splitlines() if line]
    assert len(lines) == 2 and all(line.startswith("Not saved either: POST /v1/responses") for line in lines), lines
    assert all(f"recordings/{LESSON}.json" in line and "No space left on device" in line for line in lines)
    assert recording.read_bytes() == before
    assert not [p for p in recordings_dir.iterdir() if p.name.endswith(".partial")]
    assert len(meter.meter.calls) == 3 and all(call.live for call in meter.meter.calls)


# --- a recorder killed at each write step --------------------------------------------------------------

# Run in a separate process: record one answer, stopping for good at the chosen step of its save.
STOPPED_RECORDER = r"""
import functools, os, pathlib, sys, time
from helpers import modes, paths
import helpers.recordings, filelock

paths.RECORDINGS = pathlib.Path(sys.argv[1])
step, reached = sys.argv[2], pathlib.Path(sys.argv[3])

def stop_here(original):
    @functools.wraps(original)
    def stopped(*args, **kwargs):
        if step.startswith("mid-write"):
            with open(args[0], "wb") as file:
                file.write(args[1][: len(args[1]) // 2])
        reached.write_text(step)
        time.sleep(120)
    return stopped

if step == "holding the lock":
    helpers.recordings.write_file = stop_here(helpers.recordings.write_file)
elif step in ("mid-write", "mid-write of an audio answer's blob"):
    pathlib.Path.write_bytes = stop_here(pathlib.Path.write_bytes)
else:
    os.replace = stop_here(os.replace)
modes.setup(sys.argv[4])
from openai import OpenAI
if step.endswith("blob"):  # a binary answer is kept in a blob file beside the recording, written first
    OpenAI().audio.speech.create(model="gpt-4o-mini-tts", input="killed", voice="alloy", response_format="wav")
else:
    OpenAI().chat.completions.create(model="gpt-6-luna", messages=[{"role": "user", "content": "killed"}])
"""


@pytest.mark.parametrize("step", ["holding the lock", "mid-write", "before the rename",
                                  "mid-write of an audio answer's blob"])
def test_a_recorder_killed_at_any_write_step_loses_nothing_and_blocks_no_one(
        step, recordings_dir, monkeypatch, capsys, tmp_path):
    recording = lesson_copy(recordings_dir)
    before = recordings.read_file(recording)["interactions"]
    reached = tmp_path / "reached"
    with serving(ANSWER_ANYTHING, tmp_path) as server:
        env = {**os.environ, "KIT_MODE": "record", "OPENAI_API_KEY": PLANTED_KEY, "OPENAI_BASE_URL": server.url}
        recorder = subprocess.Popen([sys.executable, "-c", STOPPED_RECORDER, str(recordings_dir), step, str(reached),
                                     LESSON], env=env, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        kill_once_reached(recorder, reached, f"the step {step!r}")
        assert recordings.read_file(recording)["interactions"] == before, "the recording was damaged"
        start_recording(monkeypatch, server.url, LESSON)  # the next recorder is not blocked by the dead one
        OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    assert "Recorded a new answer" in capsys.readouterr().out
    after = recordings.read_file(recording)["interactions"]
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert not list(recordings_dir.rglob(".*.partial")), "a half-written file is left"


# --- the server address ---------------------------------------------------------------------------

def test_a_server_address_without_v1_records_the_api_path_and_replays_offline(recordings_dir, monkeypatch, capsys):
    success = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-6-luna",
               "choices": [{"index": 0, "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "Rome.", "refusal": None}}]}
    with FakeApi(200, success) as api:
        start_recording(monkeypatch, f"  {api.url}/  ", "nov1")  # as LiteLLM is often given: no /v1
        OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION)
    assert api.paths == ["/chat/completions"]
    assert recordings.recorded_requests("nov1")[0]["path"] == "/v1/chat/completions"
    saved = recordings.read_file(recordings_dir / "nov1.json")
    assert saved["provenance"] == f"1 captured from a live API ({api.url})", "labelled with the server it came from"
    monkeypatch.setenv("KIT_MODE", "offline")
    monkeypatch.delenv("OPENAI_BASE_URL")
    modes.setup("nov1")
    assert OpenAI().chat.completions.create(model="gpt-6-luna", messages=QUESTION).choices[0].message.content == "Rome."


@pytest.mark.parametrize(("server", "path", "api"), [
    ("https://api.openai.com/v1", "/v1/chat/completions", "/v1/chat/completions"),
    ("http://127.0.0.1:4000", "/chat/completions", "/v1/chat/completions"),
    ("http://proxy.example/openai/v1", "/openai/v1/embeddings", "/v1/embeddings"),
    ("http://proxy.example/openai", "/openai/responses", "/v1/responses"),
])
def test_the_api_path_is_the_same_whatever_the_server_address(server, path, api):
    assert Session("any", "live", server=server).api_path(path) == api


@pytest.mark.parametrize(("value", "after"), [("", None), ("   ", None), (" http://h:4000/v1/ ", "http://h:4000/v1")])
def test_the_server_address_is_normalised_and_empty_counts_as_unset(value, after):
    environ = {"OPENAI_BASE_URL": value}
    modes.normalise_base_url(environ)
    assert environ.get("OPENAI_BASE_URL") == after


def test_an_empty_server_address_is_not_shown_as_one(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", "")
    modes.setup(LESSON)
    assert "OPENAI_BASE_URL" not in os.environ


# --- files and names --------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_dotenv_file_not_in_utf8_names_the_file_and_the_fix(encoding, tmp_path, monkeypatch):
    (tmp_path / ".env").write_bytes("# clé du cours\nOPENAI_API_KEY=sk-é\n".encode(encoding))
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    with pytest.raises(modes.SetupError, match=r"\.env is not saved as UTF-8 text.*save it as UTF-8"):
        modes.setup(LESSON)


@pytest.mark.parametrize(("name", "message"), [
    ("../x", "no folders"), ("data/x", "no folders"), (".hidden", "no dots"),
    ("01_chat_completion", "did you mean setup('01_chat_completions')"),
    ("01_chat", "did you mean setup('01_chat_completions')"),  # cut short: the start of one lesson's name
    ("14", "did you mean setup('14_file_search')"),
])
def test_a_lesson_name_that_would_write_elsewhere_or_is_mistyped_is_refused(name, message, recordings_dir):
    with pytest.raises(modes.SetupError, match=message.replace("(", r"\(").replace(")", r"\)")):
        modes.setup(name)
    assert not recordings_dir.exists() or not any(recordings_dir.iterdir())


@pytest.mark.parametrize("name", ["my_project", "01_chat_completions_mine"])
def test_a_learners_own_notebook_may_have_its_own_name(name, recordings_dir, capsys):
    modes.setup(name)
    assert "no recordings exist" in capsys.readouterr().out


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda i: i["response"]["status"].update(code="200"), "has the status '200', which is not an HTTP status"),
    (lambda i: i["response"].pop("status"), "is incomplete (no 'status')"),
    (lambda i: i["response"]["status"].update(code=503), "has the status 503 but a success body"),
    (lambda i: i["response"].update(body=["not", "a", "body"]), "has a body that is none of json, text or blob"),
])
def test_a_hand_edited_recording_gets_a_message_naming_the_file_and_interaction(edit, problem, recordings_dir):
    recording = lesson_copy(recordings_dir)
    data = json.loads(recording.read_text())
    edit(data["interactions"][0])
    recording.write_text(json.dumps(data))
    with pytest.raises(recordings.RecordingError) as wrong:
        recordings.read_file(recording)
    assert f"{LESSON}.json: interaction #1 {problem}" in str(wrong.value)
    assert "git checkout" in str(wrong.value), "the message says how to restore it"


def test_a_setup_error_in_the_first_cell_of_a_notebook_is_shown_as_its_message_alone():
    import nbformat

    from helpers.authoring import build

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('from helpers import setup; setup("../x")')])
    with pytest.raises(Exception) as stopped:
        build.run(nb)
    (error,) = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert error.ename == "SetupError" and len(error.traceback) == 1, error.traceback
    assert "no folders" in error.traceback[0] and "no folders" in str(stopped.value)
