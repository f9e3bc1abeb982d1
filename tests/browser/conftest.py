"""Session fixtures: one JupyterLab server on a temporary copy of the kit, one Chromium, one tab per test.

Without a Chromium binary (or without Playwright) the suite is skipped with the reason, except in CI
(env CI set), where that is a failure: CI must install Debian's chromium package.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from .lab import CHROMIUM_ARGS, REPO, KitCopy, LabServer, NotebookPage, find_chromium

SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TIMINGS_FILE = REPO / "tests" / "artifacts" / f"browser-timings{'-' + _XDIST_WORKER if _XDIST_WORKER else ''}.json"
_timings: dict[str, dict[str, float]] = {}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run: install Debian's chromium "
                    "package and Playwright)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright is not installed (pip install playwright==1.65.2)")
    path = find_chromium()
    if path is None:
        _unavailable("no Chromium binary found (apt-get install chromium, or set KIT_CHROMIUM to its path)")
    return path


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if not _XDIST_WORKER:  # with pytest-xdist another worker may have saved some already: overwrite only
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
    return SCREENSHOTS


@pytest.fixture(scope="session")
def lab(chromium_path, tmp_path_factory):
    kit = KitCopy.make(tmp_path_factory.mktemp("kit"))
    for attempt in range(3):  # the free port found may be taken by another process before JupyterLab binds it
        try:
            server = LabServer(kit, tmp_path_factory.mktemp("jupyter"))
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        _check_kernels_import_the_copy(server)
        yield server
    finally:
        server.stop()


def _check_kernels_import_the_copy(server: LabServer) -> None:
    """Kernels start in notebooks/ with the server's environment; they must see the copy, not the repo."""
    found = subprocess.run([sys.executable, "-c", "import helpers; print(helpers.__file__)"],
                           cwd=server.kit.root / "notebooks", env=server.environ, capture_output=True,
                           text=True, timeout=60)
    location = Path(found.stdout.strip() or "?").resolve()
    assert location.is_relative_to(server.kit.root.resolve()), (
        f"kernels would import helpers from {location}, not from the copy {server.kit.root}: {found.stderr}")


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a new empty profile (--user-data-dir) and removes it after.
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    # Offline like a learner without network: anything not served by the test's JupyterLab fails at once
    # (the Binder badge image, for one) instead of waiting for a name lookup.
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), lambda route: route.abort())
    yield context
    context.close()


@pytest.fixture
def open_notebook(lab, browser_context):
    """Open a notebook of the copy (path relative to its root) in a new tab; closed with its kernel after."""
    pages = []

    def _open(path: str) -> NotebookPage:
        page = NotebookPage(browser_context, lab, path)
        pages.append(page)
        page.open()
        return page

    yield _open
    for page in pages:
        page.close()
    lab.shut_down_sessions()


@pytest.fixture
def timing(request):
    """Record named durations of the current test; printed at the end and saved in tests/artifacts/."""
    record = _timings.setdefault(request.node.name, {})
    started = time.monotonic()
    yield record
    record["total"] = round(time.monotonic() - started, 2)


def pytest_sessionfinish(session):
    """Save the timings (one file per pytest-xdist worker, which prints no summary of its own)."""
    if _timings:
        TIMINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
        TIMINGS_FILE.write_text(json.dumps(_timings, indent=1) + "\n")


def pytest_terminal_summary(terminalreporter):
    if not _timings:
        return
    terminalreporter.section("browser test timings (seconds)")
    for name, parts in _timings.items():
        details = ", ".join(f"{key} {value:.1f}" for key, value in parts.items())
        terminalreporter.write_line(f"{name}: {details}")


@pytest.fixture(scope="session")
def axe_js() -> Path | None:
    """axe-core's browser script, installed from the npm registry by tests/run_all.sh. Without it the
    accessibility scan alone is left out, with a warning (in CI that is a failure)."""
    from .looks import AXE_INSTALL, AXE_JS

    if AXE_JS.is_file():
        return AXE_JS
    reason = f"axe-core is not installed at {AXE_JS} (from the kit's top folder: {AXE_INSTALL})"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the accessibility scan", pytrace=False)
    warnings.warn(f"accessibility scan left out: {reason}", stacklevel=1)
    return None
