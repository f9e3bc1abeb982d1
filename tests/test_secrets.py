"""No secret in any file of the kit, in any stored output or recording, and the scanner really finds them."""
import subprocess

import pytest

from helpers.authoring import secrets
from helpers.paths import ROOT
from tests.conftest import PLANTED_KEY


def kit_files():
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in listed]


def test_no_tracked_file_holds_a_secret():
    files = kit_files()
    assert any(f.suffix == ".ipynb" for f in files) and any("recordings" in str(f) for f in files)
    assert secrets.scan_files(files) == {}


@pytest.mark.parametrize("text, kind", [
    (f"key = '{PLANTED_KEY}'", "an OpenAI API key"),
    ("sk-" + "a" * 48, "an OpenAI API key"),
    ("sk-svcacct-" + "B1" * 20, "an OpenAI API key"),
    ("sk-admin-" + "C2" * 20, "an OpenAI API key"),
    # Header lines are assembled here, so this file itself holds none.
    (":".join(['"authorization"', ' "Bearer ' + "x" * 10 + '"']), "an Authorization header"),
    (":".join(['"Set-Cookie"', ' "__cf_bm=' + "abc" + '"']), "a Cookie header"),
    ('"openai-organization": "org-' + "Q" * 24 + '"', "an OpenAI organization id"),
    ('"openai-project": "proj_' + "R" * 24 + '"', "an OpenAI project id"),
])
def test_the_scanner_finds_each_kind_of_secret(text, kind):
    assert secrets.find_secrets("first line\n" + text) == [f"line 2: {kind}"]


def test_the_scanner_leaves_placeholders_and_prose_alone():
    text = 'OPENAI_API_KEY=sk-...\nsk-offline-placeholder\n"authorization" header is dropped\nsk-***'
    assert secrets.find_secrets(text) == []


def test_the_scanner_command_fails_and_hides_the_value(tmp_path, capsys):
    leaked = tmp_path / "notes.txt"
    leaked.write_text(f"my key is {PLANTED_KEY}\n")
    assert secrets.main([str(leaked)]) == 1
    out = capsys.readouterr().out
    assert "line 1: an OpenAI API key" in out and PLANTED_KEY not in out
