"""A hint for a lesson cell run before the lesson's setup cell.

Until the setup cell runs, nothing of the kit is in the kernel, so the SDK's own "Missing
credentials" error would stand alone. This module is an IPython extension that every kernel of
the kit's virtual environment loads (`install()`, which the setup cell calls, registers it in the
environment's own IPython config, `<venv>/etc/ipython`): after a cell fails with that error while
the kit is not set up, it prints one line saying what to run. It imports nothing else, so a
kernel starts as fast as before.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HINT = ("→ Run this lesson's setup cell first (the first code cell: from helpers import setup; setup(...)), "
        "then this cell again. Offline it lets the SDK start without a key.")
EXTENSION_LINE = 'c.InteractiveShellApp.extensions.append("helpers.before_setup")'
OFF_ENV = "KIT_BEFORE_SETUP_HINT"  # "off": leave the environment's IPython config alone (the test suite does)
CONFIG_TEXT = ("# The OpenAI SDK kit: a one-line hint when a lesson cell runs before its setup cell "
               "(helpers/before_setup.py).\n" + EXTENSION_LINE + "\n")


def _kit_is_set_up() -> bool:
    modes = sys.modules.get("helpers.modes")
    return modes is not None and getattr(modes, "current", None) is not None


def _is_missing_key(error: BaseException | None) -> bool:
    """The SDK's refusal to make a client without a key (openai.OpenAIError naming OPENAI_API_KEY)."""
    return (error is not None and type(error).__module__.split(".")[0] == "openai"
            and "OPENAI_API_KEY" in str(error))


def after_cell(result: Any) -> None:
    if _is_missing_key(result.error_in_exec) and not _kit_is_set_up():
        print(HINT)


def load_ipython_extension(shell: Any) -> None:
    shell.events.register("post_run_cell", after_cell)


def unload_ipython_extension(shell: Any) -> None:
    shell.events.unregister("post_run_cell", after_cell)


def config_file(prefix: str = sys.prefix) -> Path:
    """The IPython config file every kernel of the environment at `prefix` reads (IPython's ENV_CONFIG_DIRS)."""
    return Path(prefix) / "etc" / "ipython" / "ipython_kernel_config.py"


def install(prefix: str = sys.prefix, base_prefix: str = sys.base_prefix,
            environ: Mapping[str, str] = os.environ) -> bool:
    """Register the hint in a virtual environment's IPython config; True if it is registered.

    A Python that is not a virtual environment is left alone (unless `base_prefix` is "", as for an image
    built for the kit), as is a config file the kit did not write; a folder the kit may not write to is no
    error (the hint is a convenience)."""
    if environ.get(OFF_ENV, "").strip().lower() == "off":
        return False
    if base_prefix and Path(prefix).resolve() == Path(base_prefix).resolve():
        return False
    path = config_file(prefix)
    try:
        if path.exists():
            return EXTENSION_LINE in path.read_text(encoding="utf-8", errors="replace")
        path.parent.mkdir(parents=True, exist_ok=True)
        from .paths import write_atomically

        write_atomically(path, CONFIG_TEXT.encode())
    except OSError:
        return False
    return True


if __name__ == "__main__":  # for an environment that is not a virtual environment (Binder's image)
    on = install(base_prefix="")
    print(f"{config_file()}: the before-setup hint is {'on' if on else 'not on'}")
