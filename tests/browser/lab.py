"""JupyterLab and Playwright plumbing for the browser tests.

`KitCopy` puts the kit's files in a temporary folder, `LabServer` runs JupyterLab on it (offline,
token auth, loopback, temporary settings), and `NotebookPage` drives one notebook in Chromium
through `window.jupyterapp`, the application object JupyterLab exposes with
`--LabApp.expose_app_in_browser=True`. Everything is read from the notebook model, not the DOM,
except what only the DOM can tell (whether widget views rendered).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.start_command import lab_arguments

REPO = Path(__file__).resolve().parents[2]
# A learner's checkout is every file git ships; the tests themselves stay behind.
KIT_EXCLUDE = ("tests", ".git")
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
# Without the networking flags Chromium keeps calling Google's hosts, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# The notebook shows every cell in the DOM ("none" windowing), so a widget below the fold renders
# and can be checked; news, update checks and autosave stay off so nothing else touches the page.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "kernelShutdown": True},
}
WIDGET_LOADING = "Loading widget..."
WIDGET_FAILED = "Error displaying widget"


def find_chromium() -> str | None:
    """The Chromium binary Playwright should start (Debian's package), or None when there is none."""
    override = os.environ.get("KIT_CHROMIUM")
    for candidate in ((override,) if override else CHROMIUM_CANDIDATES):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KitCopy:
    """A throwaway copy of the kit, so a test run can neither save into nor record into the repo."""

    def __init__(self, root: Path):
        self.root = root

    @classmethod
    def make(cls, target: Path) -> KitCopy:
        files = _kit_files()
        for relative in files:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / relative, destination)
        return cls(target)

    def write_notebook(self, relative: str, notebook: dict) -> str:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook, indent=1))
        return relative


def _kit_files() -> list[str]:
    """Files git would ship (tracked, or new and not ignored), or a plain walk where git is missing."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                 cwd=REPO, capture_output=True, check=True, timeout=30).stdout
        files = [name for name in listing.decode().split("\0") if name and (REPO / name).is_file()]
    except (OSError, subprocess.SubprocessError):
        skip = {"__pycache__", ".ipynb_checkpoints", ".venv", ".pytest_cache"}
        files = [str(path.relative_to(REPO)) for path in sorted(REPO.rglob("*")) if path.is_file()
                 and not skip & set(path.relative_to(REPO).parts) and not path.parent.name.endswith(".egg-info")]
    return [name for name in files if name.split("/")[0] not in KIT_EXCLUDE]


class LabServer:
    """One JupyterLab process on loopback for the whole test session."""

    def __init__(self, kit: KitCopy, workdir: Path, startup_timeout: float = 90):
        self.kit = kit
        self.workdir = workdir
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        self.environ = self._environment()
        self._write_settings()
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(self._command(), cwd=kit.root, env=self.environ, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_until_up(startup_timeout)
        except RuntimeError:
            self.stop()
            raise

    def _environment(self) -> dict:
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("OPENAI_", "JUPYTER", "IPYTHON", "KIT_"))}
        for name in ("config", "data", "runtime", "settings", "workspaces", "ipython"):
            (self.workdir / name).mkdir(parents=True, exist_ok=True)
        env.update({
            "KIT_MODE": "offline",
            "KIT_SANDBOX": "off",  # the lessons' stored answers are the recordings'; no local model answers a miss
            # Streams still arrive event by event, as learners see them, at a sixth of the default pace.
            "KIT_REPLAY_PACE_MS": os.environ.get("KIT_REPLAY_PACE_MS", "5"),
            # The venv has the kit installed editable from the repo; this makes kernels import the copy.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(self.kit.root), os.environ.get("PYTHONPATH")])),
            "JUPYTER_CONFIG_DIR": str(self.workdir / "config"),
            "JUPYTER_DATA_DIR": str(self.workdir / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(self.workdir / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.workdir / "workspaces"),
            "IPYTHONDIR": str(self.workdir / "ipython"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        })
        # ipykernel aborts the requests queued when a cell fails, but by default only those already
        # in its queue at that instant: a run-all request still in transit runs anyway (its help text
        # for stop_on_error_timeout). A short window makes "run-all stops at an error" hold every time.
        profile = self.workdir / "ipython" / "profile_default"
        profile.mkdir(parents=True, exist_ok=True)
        (profile / "ipython_kernel_config.py").write_text("c.Kernel.stop_on_error_timeout = 2.0\n")
        return env

    def _write_settings(self) -> None:
        for plugin, values in LAB_SETTINGS.items():
            path = self.workdir / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))

    def _command(self) -> list[str]:
        return [
            # The README's own arguments first (the page JupyterLab opens on), then the test's.
            sys.executable, "-m", "jupyterlab", *lab_arguments(), "--no-browser", "--allow-root", "--ip=127.0.0.1",
            f"--port={self.port}", "--port-retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.kit.root}", "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.terminals_enabled=False",
        ]

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within {timeout:.0f}s:\n{self.log_tail()}")

    def api(self, method: str, path: str):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def forget_layouts(self) -> None:
        """Remove the saved layouts (workspaces), so the next page opens as on a learner's first visit
        rather than restoring the tabs an earlier test left open."""
        for saved in (self.workdir / "workspaces").glob("*.jupyterlab-workspace"):
            saved.unlink()

    def shut_down_sessions(self) -> None:
        """Stop every kernel still running (a test that failed half-way may leave one behind)."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # JupyterLab stops its kernels on SIGTERM
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


# JavaScript run in the page. Each takes one argument and reaches JupyterLab through window.jupyterapp.
JS_NOTEBOOK_OPEN = """path => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  return !!(panel && panel.context && panel.context.path === path && panel.content && panel.content.model
            && panel.context.isReady);
}"""

JS_KERNEL_IDLE = """async timeoutMs => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.ready;
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (kernel && kernel.status === 'idle') return 'idle';
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel ? kernel.status : 'no kernel';
}"""

# Runs notebook:run-all-cells and resolves once every execute request it sent has been answered: the
# kernel's "idle" status for a request comes after all of its outputs on the same channel. The
# command's own promise is not enough: it resolves at the first error reply, even one in a cell tagged
# raises-exception, while later cells are still queued in the kernel.
JS_RUN_ALL = """async timeoutMs => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  const pending = new Set();
  let lastActivity = Date.now();
  const watch = (_, args) => {
    const msg = args.msg;
    if (args.direction === 'send' && msg.header.msg_type === 'execute_request') {
      pending.add(msg.header.msg_id);
      lastActivity = Date.now();
    } else if (args.direction === 'recv' && msg.channel === 'iopub' && msg.header.msg_type === 'status'
               && msg.content.execution_state === 'idle' && pending.delete(msg.parent_header.msg_id)) {
      lastActivity = Date.now();
    }
  };
  kernel.anyMessage.connect(watch);
  let outcome = null;
  app.commands.execute('notebook:run-all-cells').then(ok => { outcome = ok ? 'completed' : 'stopped'; },
                                                      () => { outcome = 'stopped'; });
  const start = Date.now();
  try {
    while (Date.now() - start < timeoutMs) {
      if (outcome && pending.size === 0 && Date.now() - lastActivity > 500) return outcome;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return 'timeout';
  } finally {
    kernel.anyMessage.disconnect(watch);
  }
}"""

JS_MODEL = """() => window.jupyterapp.shell.currentWidget.content.model.toJSON()"""

JS_CLOSE = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.context) return;
  await panel.sessionContext.shutdown();
  panel.context.model.dirty = false;  // a run changes outputs; the temporary copy needs no save
  panel.dispose();
}"""


@dataclass
class CellError:
    index: int
    ename: str
    evalue: str
    source: str

    def __str__(self) -> str:
        first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"cell {self.index} ({first_line[:60]!r}): {self.ename}: {self.evalue}"


@dataclass
class RunResult:
    status: str  # completed, stopped (some cell failed, expected or not) or timeout
    notebook: dict
    seconds: float
    errors: list[CellError] = field(default_factory=list)
    expected_errors: list[CellError] = field(default_factory=list)
    not_run: list[int] = field(default_factory=list)


def summarize(notebook: dict) -> tuple[list[CellError], list[CellError], list[int]]:
    """Unexpected errors, errors in cells tagged raises-exception, and code cells that never ran."""
    errors, expected, not_run = [], [], []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        tags = cell.get("metadata", {}).get("tags", [])
        failed = False
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                failed = True
                found = CellError(index, output.get("ename", ""), output.get("evalue", ""), source)
                (expected if "raises-exception" in tags else errors).append(found)
        # A cell that failed may carry no execution count; it ran all the same.
        if source.strip() and cell.get("execution_count") is None and not failed:
            not_run.append(index)
    return errors, expected, not_run


class NotebookPage:
    """One notebook open in its own browser tab."""

    def __init__(self, context, lab: LabServer, path: str, timeout_ms: int = 60_000):
        self.lab = lab
        self.path = path
        self.page = context.new_page()
        self.page.set_default_timeout(timeout_ms)
        self.console_errors: list[str] = []
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        self.page.on("console", lambda message: message.type == "error"
                     and self.console_errors.append(f"console: {message.text}"))

    def open(self) -> None:
        self.page.goto(self.lab.lab_url(self.path), wait_until="domcontentloaded")
        self.page.wait_for_function(JS_NOTEBOOK_OPEN, arg=self.path)
        status = self.page.evaluate(JS_KERNEL_IDLE, 60_000)
        if status != "idle":
            raise AssertionError(f"the kernel for {self.path} did not start (status {status!r})\n"
                                 f"{self.lab.log_tail()}")

    @property
    def notebook(self):
        """The notebook's own area of the page (outputs and widget views live inside it)."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first

    def run_all(self, timeout_ms: int = 180_000) -> RunResult:
        started = time.monotonic()
        status = self.page.evaluate(JS_RUN_ALL, timeout_ms)
        seconds = time.monotonic() - started
        model = self.page.evaluate(JS_MODEL)
        errors, expected, not_run = summarize(model)
        return RunResult(status, model, seconds, errors, expected, not_run)

    def kernel_idle(self) -> bool:
        return self.page.evaluate("""() => {
          const session = window.jupyterapp.shell.currentWidget.sessionContext.session;
          return !!(session && session.kernel && session.kernel.status === 'idle');
        }""")

    def widget_problems(self, settle_ms: int = 15_000) -> list[str]:
        """Widget views still loading after `settle_ms`, or failed; empty when all rendered."""
        outputs = self.notebook.locator(".jp-OutputArea-output")
        loading = outputs.filter(has_text=WIDGET_LOADING)
        deadline = time.monotonic() + settle_ms / 1000
        while loading.count() and time.monotonic() < deadline:
            self.page.wait_for_timeout(200)
        problems = [f"{WIDGET_LOADING!r} still shown in {loading.count()} output(s)"] if loading.count() else []
        failed = outputs.filter(has_text=WIDGET_FAILED)
        problems += [f"{WIDGET_FAILED!r}: {text.strip()[:200]}" for text in failed.all_inner_texts()]
        return problems

    def scroll_to_top(self) -> None:
        self.page.evaluate("""() => {
          const panel = window.jupyterapp.shell.currentWidget;
          panel.content.activeCellIndex = 0;
          panel.content.node.scrollTop = 0;
          panel.content.scrollToItem && panel.content.scrollToItem(0, 'start');
        }""")
        self.page.wait_for_timeout(300)

    def screenshot(self, path: Path, locator=None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        (locator or self.page).screenshot(path=str(path))

    def close(self) -> None:
        try:
            if not self.page.is_closed():
                self.page.evaluate(JS_CLOSE)
        finally:
            self.page.close()
