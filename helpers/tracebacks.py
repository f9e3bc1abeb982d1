"""How a lesson shows an error: the line that matters first, not a wall of the SDK's insides.

- The first error of a type in a lesson shows its traceback with the learner's own lines only: the
  frames inside installed packages (the openai SDK, httpx2, the standard library, the kit) are
  folded into one line that says how many there were. `%tb` still shows the whole traceback.
- A later error of the same type shows its last line alone: the exception and the first line of its
  message (for an API error, the API's message).
- The kit's own errors (a miss, the budget guard, a setting that stops setup) show their whole
  message alone, every time: it says what happened and what to do.
- An error from a class's LiteLLM proxy (a spent budget, an expired key, its rate limit) gets one more
  line, every time, saying what to do (`proxy_errors.advice`).

nbval compares an error by its type and message, which all three keep as they are.
Running the setup cell again starts a new lesson: every type shows its traceback once more.
"""
from __future__ import annotations

import sys
import sysconfig
import types
from pathlib import Path
from typing import Any

from . import proxy_errors
from .shell import running_shell

RED, RESET = "\x1b[31m", "\x1b[39m"  # the colour IPython gives an exception's name


def _library_folders() -> tuple[str, ...]:
    folders = {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    folders.add(str(Path(__file__).resolve().parent))  # the kit's own code is no line of the learner's
    return tuple(f"{Path(folder).resolve()}/" for folder in folders if folder)


LIBRARY_FOLDERS = _library_folders()


def is_library(filename: str) -> bool:
    try:
        return str(Path(filename).resolve()).startswith(LIBRARY_FOLDERS)
    except (OSError, ValueError):
        return False


def learner_frames(tb: types.TracebackType | None) -> tuple[types.TracebackType | None, int]:
    """The traceback cut down to the learner's own frames, and how many frames past the first of them
    were left out (those before it are the notebook's own machinery, which no traceback shows)."""
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    kept = [frame for frame in frames if not is_library(frame.tb_frame.f_code.co_filename)]
    if not kept:
        return None, 0
    rebuilt = None
    for frame in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return rebuilt, len(frames) - frames.index(kept[0]) - len(kept)


def last_line(etype: type, value: BaseException) -> str:
    """The exception's name and the first line of its message, as the last line of a traceback shows them."""
    message = next((line.strip() for line in str(value).splitlines() if line.strip()), "")
    return f"{RED}{etype.__name__}{RESET}: {message}" if message else f"{RED}{etype.__name__}{RESET}"


def folded_note(hidden: int) -> str:
    steps = "1 step" if hidden == 1 else f"{hidden} steps"
    return (f"({steps} inside installed packages, such as the openai SDK, hidden. The line marked ----> is the "
            "one in your code; `%tb` shows every step.)")


class ErrorDisplay:
    """An IPython custom-exception handler (`shell.set_custom_exc((Exception,), display)`)."""

    def __init__(self, kit_errors: tuple[type[BaseException], ...]) -> None:
        self.kit_errors = kit_errors
        self.seen: set[type] = set()

    def __call__(self, shell: Any, etype: type[BaseException], value: BaseException,
                 tb: types.TracebackType | None, tb_offset: int | None = None) -> None:
        sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %tb and %debug
        if sys.version_info >= (3, 12):
            sys.last_exc = value
        if issubclass(etype, SyntaxError) or hasattr(value, "_render_traceback_"):
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)  # IPython's own display for these
            return None
        try:
            if issubclass(etype, self.kit_errors):
                lines = [f"{etype.__name__}: {value}"]
            elif etype in self.seen:
                lines = [last_line(etype, value)]
            else:
                self.seen.add(etype)
                lines = self._folded(shell, etype, value, tb, tb_offset)
            hint = None if issubclass(etype, self.kit_errors) else proxy_errors.advice(value)
            if hint:
                lines = [*lines, f"→ {hint}"]
        except Exception:  # an error whose message cannot be read: IPython's own display, never none at all
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        # IPython has no public way to show a traceback of chosen lines; ipykernel overrides this method to send
        # them as the cell's error output, which is what a notebook stores and nbval compares.
        shell._showtraceback(etype, value, lines)
        return None

    @staticmethod
    def _folded(shell: Any, etype: type[BaseException], value: BaseException, tb: types.TracebackType | None,
                tb_offset: int | None) -> list[str]:
        kept, hidden = learner_frames(tb)
        if kept is None:  # nothing of the learner's in it: the whole traceback is the only guide
            return shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        # An error raised while handling another shows both (lesson 11 reads such a chain), each folded.
        originals = []
        for earlier in _chain(value):
            folded, more = learner_frames(earlier.__traceback__)
            if folded is not None:
                originals.append((earlier, earlier.__traceback__))
                earlier.__traceback__ = folded
                hidden += more
        try:
            lines = shell.InteractiveTB.structured_traceback(etype, value, kept)
        finally:
            for earlier, original in originals:
                earlier.__traceback__ = original
        if hidden:
            lines.insert(len(lines) - 1, folded_note(hidden))
        return lines


def _chain(value: BaseException) -> list[BaseException]:
    """The errors `value` was raised from or while handling, as a traceback shows them."""
    found: list[BaseException] = []
    current = value
    while True:
        earlier = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if earlier is None or earlier in found or earlier is value:
            return found
        found.append(earlier)
        current = earlier


def install(kit_errors: tuple[type[BaseException], ...]) -> ErrorDisplay | None:
    """Show errors this way in the running notebook (nothing happens in plain Python)."""
    shell = running_shell()
    if shell is None:
        return None
    display = ErrorDisplay(kit_errors)
    shell.set_custom_exc((Exception,), display)
    return display
