"""binder/ builds the same environment as requirements.txt, on Python 3.12, with no secret in it."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.paths import ROOT
from helpers.preflight import pinned

BINDER = ROOT / "binder"


def test_binder_pins_every_version_requirements_pins():
    binder, kit = pinned(BINDER / "requirements.txt"), pinned(ROOT / "requirements.txt")
    assert kit.items() <= binder.items() and "openai" in kit  # and the rest of the lock (tests/test_lock.py)
    for path in (BINDER / "requirements.txt", ROOT / "requirements.txt"):
        lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
        assert all("==" in line for line in lines if line), f"{path.name}: every requirement is pinned exactly"


def test_binder_asks_for_python_3_12():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.12"


def test_binder_holds_no_secret_and_sets_no_key():
    for path in BINDER.iterdir():
        text = path.read_text()
        assert "OPENAI_API_KEY" not in text and "sk-" not in text, path.name


@pytest.fixture(scope="module")
def dockerfile(tmp_path_factory):
    repo2docker = shutil.which("jupyter-repo2docker", path=str(Path(sys.executable).parent))
    # The clean copy holds what git would clone, so repo2docker sees only the repository.
    copy = tmp_path_factory.mktemp("repo") / "kit"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "tests"))
    result = subprocess.run([repo2docker, "--no-build", "--debug", str(copy)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


def test_repo2docker_renders_a_python_3_12_image_from_binder(dockerfile):
    assert "Building conda environment for python=3.12" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile


def test_the_image_does_not_copy_the_whole_repo_before_installing_packages(dockerfile):
    """Requirements install from binder/ alone, so editing a lesson does not reinstall everything."""
    install = dockerfile.index('-r "binder/requirements.txt"')
    copy_all = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    assert install < copy_all
