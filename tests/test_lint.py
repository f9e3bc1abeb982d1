"""ruff passes on the helpers, the tests and (through nbQA) the notebooks; mypy on the learner package;
pre-commit's config is valid."""
import subprocess
import sys
from pathlib import Path

from helpers.paths import ROOT

BIN = Path(sys.executable).parent


def run(*command):
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_ruff_on_helpers_and_tests():
    result = run(str(BIN / "ruff"), "check", "helpers", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_error_in_the_learner_package():
    """pyproject.toml says what is checked: helpers/, apart from helpers/authoring/."""
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0 and "Success: no issues found" in result.stdout, result.stdout + result.stderr


def test_ruff_on_the_notebooks_through_nbqa():
    result = run(str(BIN / "nbqa"), "ruff", "notebooks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pre_commit_config_is_valid_and_runs_the_secret_scan():
    result = run(str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "helpers.authoring.secrets" in (ROOT / ".pre-commit-config.yaml").read_text()
