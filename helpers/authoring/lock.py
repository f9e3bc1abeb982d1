"""Locks of the whole environment, transitive dependencies too: `python -m helpers.authoring.lock`.

    requirements.lock        what a learner installs (requirements.txt and everything it needs)
    tests/requirements.lock  what the tests install (that, plus tests/requirements.txt)
    tests/requirements-sandbox.lock  the `sandbox` extra (tests/requirements-sandbox.txt), within the test lock
    tests/requirements-litellm.lock  the LiteLLM proxy the classroom tests run, in a venv of its own
    binder/requirements.txt  the same as requirements.lock, for Binder's image

uv resolves them once for every platform and for Python 3.11 and 3.12 (`--universal`). Each lock
starts with the SHA-256 of the files it was made from, so a test (tests/test_lock.py) can tell,
offline, that a lock is stale. Regenerating needs the package index; the tests never do.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from .. import paths

UV = "uv"
PYTHON = "3.11"  # the lowest the kit supports; --universal covers the rest
INPUTS_MARK = "# inputs sha256: "


def locks() -> dict[Path, tuple[Path, ...]]:
    """Each lock and the requirement files it is made from."""
    kit, tests = paths.ROOT / "requirements.txt", paths.ROOT / "tests" / "requirements.txt"
    return {paths.ROOT / "requirements.lock": (kit,), paths.ROOT / "tests" / "requirements.lock": (kit, tests),
            SANDBOX_LOCK: (SANDBOX_REQUIREMENTS,), LITELLM_LOCK: (LITELLM_REQUIREMENTS,)}


SANDBOX_REQUIREMENTS = paths.ROOT / "tests" / "requirements-sandbox.txt"
SANDBOX_LOCK = paths.ROOT / "tests" / "requirements-sandbox.lock"
# Its own venv (.venv-litellm): LiteLLM pins its own openai and httpx, which need not match the kit's.
LITELLM_REQUIREMENTS = paths.ROOT / "tests" / "requirements-litellm.txt"
LITELLM_LOCK = paths.ROOT / "tests" / "requirements-litellm.lock"


def constraints(lock: Path) -> list[str]:
    """The sandbox lock is resolved within the test lock, so installing it changes no package the tests pinned."""
    return ["--constraint", "tests/requirements.lock"] if lock == SANDBOX_LOCK else []


def binder_copy() -> Path:
    return paths.ROOT / "binder" / "requirements.txt"


def inputs_digest(inputs: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for path in inputs:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def recorded_digest(lock: Path) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(INPUTS_MARK):
            return line[len(INPUTS_MARK):].strip()
    return None


def write(lock: Path, inputs: tuple[Path, ...]) -> None:
    uv = shutil.which(UV, path=str(Path(sys.executable).parent)) or shutil.which(UV)
    if uv is None:
        raise SystemExit("uv is not installed: `pip install -r tests/requirements.txt` brings it.")
    relative = [str(path.relative_to(paths.ROOT)) for path in inputs]
    result = subprocess.run([uv, "pip", "compile", "--universal", "--python-version", PYTHON, "--quiet",
                             "--no-header", *constraints(lock), *relative], cwd=paths.ROOT, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"uv could not resolve {', '.join(relative)}:\n{result.stderr}")
    header = (f"# The whole environment, pinned: written by `python -m helpers.authoring.lock` from "
              f"{' and '.join(relative)}; do not edit.\n{INPUTS_MARK}{inputs_digest(inputs)}\n")
    lock.write_text(header + result.stdout, encoding="utf-8")


def main() -> None:
    for lock, inputs in locks().items():
        write(lock, inputs)
        print(f"written: {lock.relative_to(paths.ROOT)}")
    kit_lock = paths.ROOT / "requirements.lock"
    note = ("# The Binder image installs the kit's lock (requirements.lock), copied here so that editing a\n"
            "# lesson does not reinstall the packages.\n")
    binder_copy().write_text(note + kit_lock.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"written: {binder_copy().relative_to(paths.ROOT)}")


if __name__ == "__main__":
    main()
