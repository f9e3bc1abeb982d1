"""The default local sandbox, measured: `python benchmark/sandbox.py` (needs the `sandbox` extra).

    start          the engine started on demand: from the first unrecorded request to a running server
    first token    a streamed answer's first piece of text, once the engine runs (median)
    tokens/s       streamed pieces of text per second after the first (llama.cpp streams one token each)
    install        the extra's own packages in the environment, plus the model file assembled from them
    peak memory    the engine process's peak resident memory (VmHWM) over the whole run

`--answers` also writes docs/sandbox.md's table of the model's answers to the prompts of lessons 01-03
(temperature 0, so a run on the same build gives the same table). Everything goes through the kit's
own path: `setup()` offline, then plain `OpenAI()` calls nobody recorded.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(KIT_MODE="offline", KIT_REPLAY_PACE_MS="0")
for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "KIT_SANDBOX", "KIT_SANDBOX_URL", "KIT_SANDBOX_MODEL"):
    os.environ.pop(name, None)

from helpers import models, paths, recordings, sandbox  # noqa: E402

DOCS = ROOT / "docs" / "sandbox.md"
ANSWERS_START, ANSWERS_END = "<!-- answers:start (written by python benchmark/sandbox.py --answers) -->", \
    "<!-- answers:end -->"
LESSONS = ("01_chat_completions", "02_parameters", "03_conversation_history")
PROMPT = [{"role": "user", "content": "Explain in two sentences what an API key is."}]
QUESTIONS = ("Explain in two sentences what an API key is.", "What is a token?", "Why is the sky blue?",
             "Name three rivers in Europe.", "How do I boil an egg?")  # a new prompt each run: none is cached
ANSWER_TOKENS = 60


def unique_packages() -> list[str]:
    """The extra's packages that the kit's test environment does not have anyway."""
    def names(lock: Path) -> set[str]:
        return {line.split("==")[0].strip().lower() for line in lock.read_text().splitlines()
                if "==" in line and not line.lstrip().startswith("#")}

    return sorted(names(ROOT / "tests" / "requirements-sandbox.lock") - names(ROOT / "tests" / "requirements.lock"))


def installed_bytes(package: str) -> int:
    files = metadata.distribution(package).files or []
    return sum(Path(str(f.locate())).stat().st_size for f in files if Path(str(f.locate())).is_file())


def peak_memory_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) * 1024 if found else 0


def streamed(client, question: str) -> tuple[float, float, int]:
    """(seconds to the first text, seconds from it to the end, pieces of text) of one streamed answer."""
    start = time.perf_counter()
    first, pieces = None, 0
    stream = client.chat.completions.create(model=models.CHAT, messages=[{"role": "user", "content": question}],
                                            stream=True, max_completion_tokens=128, reasoning_effort="none",
                                            temperature=0)
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces += 1
            if first is None:
                first = time.perf_counter()
    end = time.perf_counter()
    assert first is not None, "the sandbox streamed no text"
    return first - start, end - first, pieces


def measure(repeat: int) -> dict:
    from openai import OpenAI

    from helpers import setup

    sandbox.default_engine.stop()
    setup(LESSONS[0])
    client = OpenAI()
    start = time.perf_counter()
    client.chat.completions.create(model=models.CHAT, messages=PROMPT, max_completion_tokens=1)
    started = time.perf_counter() - start
    runs = [streamed(client, QUESTIONS[n % len(QUESTIONS)]) for n in range(repeat)]
    packages = unique_packages()
    size = sum(installed_bytes(p) for p in packages) + sandbox.model_file().stat().st_size
    engine = sandbox.default_engine.process
    assert engine is not None
    return {
        "start_s": started,
        "first_token_s": statistics.median(r[0] for r in runs),
        "tokens_per_s": statistics.median((r[2] - 1) / r[1] for r in runs if r[1] > 0),
        "install_mb": size / 1e6,
        "packages": packages,
        "peak_mb": peak_memory_bytes(engine.pid) / 1e6,
        "threads": os.cpu_count(),
    }


def rows(figures: dict) -> list[tuple[str, str, str]]:
    return [
        ("sandbox: engine start, on the first unrecorded request", f"{figures['start_s']:.1f} s", ""),
        ("sandbox: time to first token (streamed)", f"{figures['first_token_s'] * 1e3:.0f} ms", ""),
        ("sandbox: tokens per second", f"{figures['tokens_per_s']:.0f}", f"{figures['threads']} threads"),
        ("sandbox: install (its packages + the assembled model)", f"{figures['install_mb']:.0f} MB", ""),
        ("sandbox: engine's peak memory", f"{figures['peak_mb']:.0f} MB", ""),
    ]


# --- the answers table ------------------------------------------------------------------------------

def lesson_prompts() -> list[tuple[str, list[dict], str]]:
    """(lesson, messages, recorded answer) of each recorded chat request of lessons 01-03, once each."""
    found, seen = [], set()
    for lesson in LESSONS:
        data = recordings.read_file(recordings.recording_path(lesson))
        for interaction in data["interactions"]:
            request, response = interaction["request"], interaction["response"]
            body = request.get("body")
            if request["path"] != "/v1/chat/completions" or not isinstance(body, dict):
                continue
            messages = body.get("messages") or []
            key = json.dumps(messages, sort_keys=True)
            if key in seen or not messages or not all(isinstance(m.get("content"), str) for m in messages):
                continue
            seen.add(key)
            answer = ((response.get("body") or {}).get("json") or {}).get("choices") or [{}]
            found.append((lesson, messages, (answer[0].get("message") or {}).get("content") or "(streamed)"))
    return found


def cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def answers_table() -> str:
    from openai import OpenAI

    from helpers import setup

    setup("sandbox-answers")  # a name with no recording: every request goes to the sandbox
    client = OpenAI()
    lines = ["| lesson | last message | recorded (synthesized) answer | sandbox answer |", "|---|---|---|---|"]
    for lesson, messages, recorded in lesson_prompts():
        reply = client.chat.completions.create(model=models.CHAT, messages=messages, reasoning_effort="none",
                                               temperature=0, max_completion_tokens=ANSWER_TOKENS)
        lines.append(f"| {lesson[:2]} | {cell(messages[-1]['content'], 90)} | {cell(recorded)} | "
                     f"{cell(reply.choices[0].message.content)} |")
    return "\n".join(lines)


def write_answers(table: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    before, rest = text.split(ANSWERS_START)
    _, after = rest.split(ANSWERS_END)
    DOCS.write_text(f"{before}{ANSWERS_START}\n{table}\n{ANSWERS_END}{after}", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="streamed answers per median (default 5)")
    parser.add_argument("--answers", action="store_true", help="also write docs/sandbox.md's answers table")
    args = parser.parse_args(argv)
    if not sandbox.engine_installed():
        print('The sandbox extra is not installed: pip install -e ".[sandbox]"', file=sys.stderr)
        return 1
    paths.RECORDINGS.mkdir(exist_ok=True)
    table = rows(measure(args.repeat))
    width = max(len(r[0]) for r in table)
    for name, value, note in table:
        print(f"{name:<{width}}  {value:>10}  {note}")
    if args.answers:
        write_answers(answers_table())
        print(f"written: {DOCS.relative_to(ROOT)}")
    sandbox.default_engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
