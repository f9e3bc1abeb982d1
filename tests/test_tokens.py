"""Token counting works with no network and an empty tiktoken cache, cheaply, and as the API counts."""
import os
import subprocess
import sys
import time

import pytest

from helpers import tokens
from helpers.paths import ROOT

# Run in a fresh interpreter: tiktoken keeps loaded encodings for the life of a process.
NO_NETWORK = """
import socket

def refuse(*args, **kwargs):
    raise OSError("network blocked by the test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
"""


def run_offline(code: str, cache_dir) -> subprocess.CompletedProcess:
    environ = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache_dir), "KIT_MODE": "offline"}
    environ.pop("OPENAI_API_KEY", None)
    return subprocess.run([sys.executable, "-c", NO_NETWORK + code], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


def test_counting_works_with_an_empty_cache_and_no_network(tmp_path):
    cache = tmp_path / "empty-cache"
    cache.mkdir()
    result = run_offline(
        "from helpers import tokens\n"
        "print(tokens.count_text(\"Tokenization isn't word-by-word.\"))\n"
        "print(tokens.count_text('Hello world', 'gpt-3.5-turbo-instruct'))\n", cache)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "2"]
    assert len(list(cache.iterdir())) == len(tokens.BUNDLED)  # the bundled files, under tiktoken's names


def test_the_setup_line_makes_plain_tiktoken_work_offline(tmp_path):
    """Lesson cells call tiktoken itself, right after the setup cell: that must not need the network."""
    cache = tmp_path / "empty-cache"
    cache.mkdir()
    result = run_offline(
        "from helpers import setup\n"
        "setup('05_tokens_and_cost')\n"
        "import tiktoken\n"
        "print(len(tiktoken.get_encoding('o200k_base').encode('Tokens are pieces of words.')))\n"
        "print(len(tiktoken.get_encoding('cl100k_base').encode('Tokens are pieces of words.')))\n", cache)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["6", "6"]


def test_without_the_bundled_files_tiktoken_would_need_the_network(tmp_path):
    """The blocked socket is real: plain tiktoken with an empty cache fails, which is why the kit fills it."""
    cache = tmp_path / "empty-cache"
    cache.mkdir()
    result = run_offline("import tiktoken\ntiktoken.get_encoding('o200k_base')\n", cache)
    assert result.returncode != 0 and "network blocked by the test" in result.stderr


def test_installing_is_cheap_once_the_files_exist():
    tokens.install_offline_encodings()
    start = time.perf_counter()
    for _ in range(100):
        tokens.install_offline_encodings()
    per_call = (time.perf_counter() - start) / 100
    assert per_call < 0.005, f"{per_call * 1000:.2f} ms per call"


@pytest.mark.parametrize("text", ["Hello, wörld!", "東京とनमस्ते", "def f(x):\n    return x  # ok", ""])
def test_token_pieces_are_the_encoding_ids_and_spell_the_text(text):
    pieces = tokens.token_pieces(text)
    enc = tokens.get_encoding()
    assert [token for token, _ in pieces] == enc.encode(text)
    if text.isascii():
        assert "".join(piece for _, piece in pieces) == text


def test_a_character_split_across_tokens_shows_its_bytes():
    pieces = tokens.token_pieces("ዛሬ", "cl100k_base")
    assert any(piece.startswith("<0x") for _, piece in pieces)


def test_count_messages_adds_three_per_message_and_three_for_the_reply():
    messages = [{"role": "developer", "content": "You are a concise assistant."},
                {"role": "user", "content": "Explain in one sentence what a token is."}]
    texts = sum(tokens.count_text(m["role"]) + tokens.count_text(m["content"]) for m in messages)
    assert tokens.count_messages(messages) == texts + 3 * len(messages) + 3 == 26


def test_legacy_models_use_cl100k_base():
    assert tokens.encoding_name_for("gpt-3.5-turbo-instruct") == "cl100k_base"
    assert tokens.encoding_name_for("gpt-6-luna") == "o200k_base"
