"""`python -m helpers.preflight`: passes offline on this kit, and says what is wrong without ever showing the key."""
import json
import os
import socket
import subprocess
import sys
from types import SimpleNamespace

import pytest

from helpers import modes, preflight
from helpers.paths import ROOT
from tests.conftest import PLANTED_KEY


@pytest.fixture(autouse=True)
def no_dotenv(monkeypatch):
    """A developer's own .env must not turn these tests live."""
    monkeypatch.setattr(modes, "load_dotenv", lambda: None)


def run_main(capsys, *argv):
    code = preflight.main(list(argv))
    return code, capsys.readouterr().out


def go_live(monkeypatch, base_url, key=PLANTED_KEY):
    monkeypatch.delenv("KIT_MODE")
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)


def scripted_standin(tmp_path, status, error):
    """A stand-in whose models list answers with this error."""
    from helpers.authoring.standin import StandIn

    rule = {"match": {"path": "/v1/models"}, "reply": {"status": status, "error": error}}
    (tmp_path / "errors.json").write_text(json.dumps({"rules": [rule]}))
    return StandIn(tmp_path)


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_every_check_passes_offline_on_this_kit(capsys):
    code, out = run_main(capsys)
    assert code == 0, out
    assert "❌" not in out
    for part in ("Python", "openai 3.51.0", "requirements.txt", "offline mode", "tiktoken", "recordings"):
        assert part in out
    assert out.rstrip().endswith("Ready: every check passed.")


def test_the_command_line_entry_point_exits_zero_offline():
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    result = subprocess.run([sys.executable, "-m", "helpers.preflight"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**env, "KIT_MODE": "offline"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_working_key_is_checked_with_one_models_call_and_never_shown(monkeypatch, capsys, standin):
    go_live(monkeypatch, standin.url)
    code, out = run_main(capsys)
    assert code == 0, out
    # Not api.openai.com, and it offers the kit's chat model: one short chat call checks a proxy's budget.
    assert [(r.method, r.path) for r in standin.requests] == [("GET", "/v1/models"), ("POST", "/v1/chat/completions")]
    assert standin.requests[1].json["max_completion_tokens"] == 16
    assert f"the key works: {standin.url} lists" in out
    assert PLANTED_KEY not in out


def test_a_bad_key_is_a_401_with_what_to_do(monkeypatch, capsys, standin):
    bad_key = "not-a-real-key-0123456789abcdef"  # the stand-in refuses anything not shaped like sk-...
    go_live(monkeypatch, standin.url, key=bad_key)
    code, out = run_main(capsys)
    assert code == 1
    assert f"❌ {standin.url} refused the key (401 Unauthorized)" in out
    assert "Ask your instructor for a new one" in out
    assert bad_key not in out


def test_no_quota_is_a_429_with_what_to_do(monkeypatch, capsys, tmp_path):
    error = {"message": "You exceeded your current quota, please check your plan and billing details.",
             "type": "insufficient_quota", "code": "insufficient_quota"}
    with scripted_standin(tmp_path, 429, error) as server:
        go_live(monkeypatch, server.url)
        code, out = run_main(capsys)
    assert code == 1
    assert "no credit left (429 insufficient_quota)" in out and "work offline" in out
    assert len(server.requests) == 1, "no retries: a room of learners should not wait on backoff"


def test_an_unreachable_base_url_says_so(monkeypatch, capsys):
    url = closed_port_url()
    go_live(monkeypatch, url)
    code, out = run_main(capsys, "--timeout", "2")
    assert code == 1
    assert f"❌ cannot reach {url}" in out
    assert "Check OPENAI_BASE_URL" in out
    assert PLANTED_KEY not in out


def test_a_server_that_repeats_the_key_in_its_error_never_gets_it_shown(monkeypatch, capsys, tmp_path):
    error = {"message": f"Key {PLANTED_KEY} has no access to this project.", "type": "invalid_request_error"}
    with scripted_standin(tmp_path, 403, error) as server:
        go_live(monkeypatch, server.url)
        code, out = run_main(capsys)
    assert code == 1
    assert "refused access (403)" in out and "sk-***" in out
    assert PLANTED_KEY not in out and PLANTED_KEY[:20] not in out


def test_settings_the_kit_refuses_fail_before_anything_is_sent(monkeypatch, capsys):
    monkeypatch.setenv("KIT_MODE", "online")
    code, out = run_main(capsys)
    assert code == 1
    assert "❌ the kit cannot start with these settings" in out and "KIT_MODE is 'online'" in out


def test_no_key_check_while_a_recording_is_open(monkeypatch):
    monkeypatch.setenv("KIT_MODE", "record")
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setattr(modes, "current", SimpleNamespace(installed=True, uninstall=lambda: None))
    found = preflight.checks()
    assert any(c.ok and "key not checked while a recording is open" in c.summary for c in found)


def test_packages_that_differ_from_requirements_are_named(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# pins\nopenai==0.28.1\npandas==0.1.0\nno-such-package-for-the-kit==1.0\n")
    sdk, others = preflight.check_packages(requirements)
    assert not sdk.ok and "the lessons need 0.28.1" in sdk.summary
    assert not others.ok
    assert "pandas" in others.summary and "no-such-package-for-the-kit missing (needs 1.0)" in others.summary
    assert "pip install -r requirements.lock" in others.fix


def test_an_old_python_is_refused():
    assert preflight.check_python((3, 12, 1)).ok
    old = preflight.check_python((3, 10, 4))
    assert not old.ok and "3.10.4 is too old" in old.summary


def test_missing_recordings_are_named(recordings_dir):
    check = preflight.check_recordings()
    assert not check.ok
    assert "01_chat_completions.json" in check.summary
    assert "git checkout -- data/recordings" in check.fix


def test_run_prints_the_report_for_a_notebook_cell(capsys):
    assert preflight.run() is None
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("✅ Python")
