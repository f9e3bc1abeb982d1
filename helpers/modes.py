"""The setup line at the top of every lesson: pick offline, live or record mode and say which.

    offline  no OPENAI_API_KEY, or KIT_MODE=offline: answers come from data/recordings/ (what nobody
             recorded: a local sandbox model when one is set up, helpers.sandbox)
    live     a key is set: real requests, to OPENAI_BASE_URL when that is set
    record   KIT_MODE=record with a key: live requests, new answers saved as recordings
"""
from __future__ import annotations

import difflib
import io
import os
from collections.abc import Mapping, MutableMapping

from . import alt_text, before_setup, keys, lifecycle, paths, recordings, sandbox, tracebacks
from .shell import running_shell
from .history import HistoryError
from .meter import BudgetExceeded, meter
from .session import Session

MODES = ("offline", "live", "record")
DEFAULT_BASE_URL = "https://api.openai.com/v1"
# The SDK refuses to build a client without some key, even when nothing is sent.
OFFLINE_PLACEHOLDER_KEY = "sk-offline-placeholder"


class SetupError(Exception):
    """A setting that stops the kit from starting; the message says how to fix it."""


# The kit's own errors: each message says what happened and what to do, so a notebook shows it alone.
KIT_ERRORS = (recordings.OfflineMiss, recordings.RecordingError, SetupError, BudgetExceeded, HistoryError,
              sandbox.SandboxError)


current: Session | None = None  # the session the last setup() started (installed until teardown())


def choose_mode(environ: Mapping[str, str] = os.environ) -> str:
    requested = environ.get("KIT_MODE", "").strip().lower()
    if requested and requested not in MODES:
        raise SetupError(f"KIT_MODE is {requested!r}, but it must be one of {', '.join(MODES)} "
                         "(or unset, to choose live when a key is set and offline otherwise).")
    key = environ.get("OPENAI_API_KEY", "").strip()
    has_key = bool(key) and key != OFFLINE_PLACEHOLDER_KEY  # offline mode's own placeholder is no key
    if requested in ("live", "record") and not has_key:
        raise SetupError(f"KIT_MODE={requested} needs a real key, because it sends real requests. "
                         "Set OPENAI_API_KEY (lesson 00 shows how), or unset KIT_MODE to work offline.")
    return requested or ("live" if has_key else "offline")


def check_key_shape(key: str) -> None:
    """Catch the copy-and-paste mistakes that otherwise surface as a puzzling 401."""
    quotes = "\"'`“”‘’"  # word processors and chat apps turn straight quotes into curly ones
    if key != key.strip() or key[:1] in quotes or key[-1:] in quotes:
        raise SetupError("OPENAI_API_KEY has spaces or quotes around it. Set it again without them "
                         "(in a .env file: OPENAI_API_KEY=sk-..., no quotes needed).")
    if not key.isascii():
        raise SetupError("OPENAI_API_KEY has a character no key has (a '…' from a shortened copy, or an accent). "
                         "Copy the whole key again from your OpenAI dashboard, API keys page.")
    if not keys.looks_like_a_key(key) and not os.environ.get("OPENAI_BASE_URL"):
        raise SetupError("OPENAI_API_KEY does not look like an OpenAI key (they start with 'sk-'). "
                         "Copy it again from your OpenAI dashboard, API keys page.")


def make_banner(mode: str, notebook: str, recording: recordings.Recording | None = None) -> str:
    """The setup cell's banner; it reads the recording (the session's, when given: read once, kept)."""
    recording = recording or recordings.Recording(notebook)
    path = recording.path
    where = recordings.shown(path)
    server = os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    if mode == "offline":
        if not path.exists():
            source = f"no recordings exist for this notebook yet ({where}), so every request will be a miss"
        else:
            data = recording.data
            count = len(data["interactions"])
            source = (f"answers are replayed from {where} "
                      f"({count} recorded request{'s' * (count != 1)}: {data['provenance']})")
        return f"Offline mode: {source}. Nothing leaves this machine. Set OPENAI_API_KEY to go live."
    if mode == "live":
        return (f"Live mode: requests go to {server} with the key in OPENAI_API_KEY (never shown); "
                "each call is billed to that key.")
    if path.exists():
        recording.data  # noqa: B018 - a damaged file is named now, before a request is billed
    if os.environ.get("KIT_OVERWRITE", "") == "1":
        return (f"Record mode, re-recording (KIT_OVERWRITE=1): requests go to {server}, and each answer "
                f"replaces the one recorded for it in {where}.")
    return (f"Record mode: requests go to {server}; new answers are added to "
            f"{where} and existing ones are replayed, never overwritten.")


def teardown() -> None:
    """Stop intercepting requests, leaving no patch behind; setup() starts again. New answers are
    saved as they are recorded, so nothing is left to save here."""
    if current is not None:
        current.uninstall()


def setup(notebook: str) -> None:
    """Start the kit for one lesson notebook; run again at any time to switch after changing settings.

    Returns nothing, so the setup cell shows the banner alone; `modes.current` describes the session.
    """
    global current
    _show_kit_errors_briefly()  # first: a setting that stops setup shows as its message alone
    check_lesson_name(notebook)
    load_dotenv()
    normalise_base_url()
    mode = choose_mode()
    teardown()  # re-running the setup cell replaces the previous mode
    if mode == "offline":
        if not os.environ.get("OPENAI_API_KEY", "").strip():
            os.environ["OPENAI_API_KEY"] = OFFLINE_PLACEHOLDER_KEY
    else:
        check_key_shape(os.environ["OPENAI_API_KEY"])
    meter.start(mode)  # counts every answer, guards the budget, and puts tiktoken's files in place
    lifecycle.install()  # warns before a request names a model the openai package marks as shut down
    alt_text.install()  # charts and pictures say what they show to a screen reader
    if running_shell() is not None:  # later kernels of this environment explain a cell run before setup
        before_setup.install()
    local = sandbox.find() if mode == "offline" else None  # started at the first request nobody recorded
    if local is None or local.engine is None:
        sandbox.default_engine.stop()  # not needed (any more) in this mode or with these settings
    session = Session(notebook, mode, overwrite=os.environ.get("KIT_OVERWRITE", "") == "1",
                      guards=[lifecycle.warn_if_shut_down, meter.check], listeners=[meter.record],
                      server=os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL, sandbox=local)
    # Installed before the banner reads the recording: when the file is damaged, the setup cell says so,
    # and a request the learner sends anyway meets the same message instead of leaving the machine.
    current = session.install()
    session.banner = make_banner(mode, notebook, session.recording) + sandbox.banner_note(local)
    print(session.banner)


def load_dotenv() -> None:
    """Read a .env file at the kit's top level (git ignores it); settings already made win."""
    env_file = paths.ROOT / ".env"
    if not env_file.is_file():
        return
    try:
        text = env_file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SetupError(f"{env_file} is not saved as UTF-8 text, so its settings cannot be read. Open it in "
                         "JupyterLab's editor (or any editor), save it as UTF-8, and run this cell again.") from None
    except OSError as err:
        raise SetupError(f"{env_file} cannot be read ({err.strerror}). Check its permissions, or delete it "
                         "and set OPENAI_API_KEY another way (lesson 00).") from None
    import dotenv

    dotenv.load_dotenv(stream=io.StringIO(text), override=False)


def normalise_base_url(environ: MutableMapping[str, str] = os.environ) -> None:
    """OPENAI_BASE_URL without spaces or a trailing slash; set but empty counts as unset, as the SDK
    would otherwise send to an empty address ("Connection error.")."""
    value = environ.get("OPENAI_BASE_URL")
    if value is None:
        return
    cleaned = value.strip().rstrip("/")
    if cleaned:
        environ["OPENAI_BASE_URL"] = cleaned
    else:
        del environ["OPENAI_BASE_URL"]


def check_lesson_name(notebook: str) -> None:
    """A name that would write outside data/recordings, or a mistyped lesson name, stops setup with the fix.
    A learner's own notebook may use a name of its own."""
    if not isinstance(notebook, str) or not notebook.strip() or any(c in notebook for c in "/\\") \
            or notebook.startswith("."):
        raise SetupError(f"setup({notebook!r}) needs the lesson's name, such as setup(\"01_chat_completions\"): "
                         "no folders, no dots at the start.")
    names = [path.stem for path in paths.lessons()]
    if notebook in names or recordings.recording_path(notebook).exists() or notebook.startswith(tuple(names)):
        return  # a lesson, a notebook that has recordings, or a learner's own copy ("01_chat_completions_mine")
    started = [name for name in names if name.startswith(notebook)]  # a name cut short ("01_chat", "14")
    close = started if len(started) == 1 else difflib.get_close_matches(notebook, names, n=1, cutoff=0.8)
    if close:
        raise SetupError(f"setup({notebook!r}) names no lesson; did you mean setup({close[0]!r})? "
                         "Fix the name in the setup cell and run it again.")


def _show_kit_errors_briefly() -> None:
    """In a notebook, show the kit's own errors as their message alone, and others readably (helpers/tracebacks.py)."""
    tracebacks.install(KIT_ERRORS)
