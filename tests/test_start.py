"""The README's first command starts JupyterLab on lesson 00, as root and as anyone else, and every
"Contents" link opens the lessons index."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from helpers import paths
from helpers.authoring import navigation
from tests import start_command

LESSONS = navigation.lessons()
INDEX = navigation.contents_path()


def test_the_first_command_installs_the_kit_then_starts_jupyterlab_on_lesson_00():
    command = start_command.first_command()
    assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -r requirements.lock -e .")
    # jupyter_server refuses to run as root without --allow-root; for anyone else the flag does nothing.
    assert "--allow-root" in start_command.lab_arguments()
    assert start_command.default_url() == f"/lab/tree/notebooks/{LESSONS[0].name}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_jupyterlab_started_with_the_readmes_arguments_opens_lesson_00(tmp_path):
    """Runs as whoever runs the tests: as root this is the container case the README must survive."""
    port, token = _free_port(), "kit-start-test"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "OPENAI_", "KIT_"))}
    for name in ("config", "data", "runtime", "settings", "workspaces"):
        (tmp_path / name).mkdir()
    env.update(JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"), JUPYTER_PLATFORM_DIRS="1", BROWSER="true")
    command = [sys.executable, "-m", "jupyterlab", *start_command.lab_arguments(), "--no-browser",
               "--ip=127.0.0.1", f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(command, cwd=paths.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        opener = urllib.request.build_opener(_NoRedirect)
        deadline, location = time.monotonic() + 60, None
        while time.monotonic() < deadline and location is None:
            assert server.poll() is None, f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-2000:]}"
            try:
                opener.open(f"http://127.0.0.1:{port}/?token={token}", timeout=5)
            except urllib.error.HTTPError as answer:
                location = answer.headers["Location"]
            except OSError:
                time.sleep(0.3)
        assert location is not None, f"JupyterLab did not answer:\n{log.read_text()[-2000:]}"
        assert location.split("?")[0] == start_command.default_url()
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_contents_link_opens_the_lessons_index(path):
    nb = nbformat.read(path, as_version=4)
    for cell in (nb.cells[0], nb.cells[-1]):
        assert re.findall(r"\[Contents\]\(([^)]*)\)", cell.source) == [INDEX.name]


def test_the_lessons_index_links_every_lesson_in_order_with_its_minutes():
    index = nbformat.read(INDEX, as_version=4)
    text = "".join(cell.source for cell in index.cells)
    assert re.findall(r"\]\((\d\d[a-z]?_\w+\.ipynb)\)", text.split("|", 1)[1]) == [p.name for p in LESSONS]
    for path in LESSONS:
        info = navigation.lesson_info(path)
        row = f"[{info['title']}]({path.name}) | {info['teach_minutes']} min | {info['practice_minutes']} min |"
        assert row in text
    assert not [cell for cell in index.cells if cell.cell_type == "code"], "the index is a page to read, not run"
    assert index.metadata.kernelspec.name == "python3", "a notebook without a kernel makes JupyterLab ask for one"


def test_a_missing_index_is_stale_and_the_build_writes_it(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for lesson in LESSONS:
        shutil.copy(lesson, notebooks)
    (tmp_path / "README.md").write_text("<!-- badge:start -->\n<!-- badge:end -->\n<!-- lessons:start -->\n"
                                        "<!-- lessons:end -->\n")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    assert "notebooks/contents.ipynb" in navigation.update(check_only=True)
    navigation.update()
    assert "notebooks/contents.ipynb" not in navigation.update(check_only=True)
    assert (notebooks / "contents.ipynb").read_text() == INDEX.read_text()
