"""A cell run before the lesson's setup cell gets a line saying what to run, in a real kernel."""
import nbformat
import pytest

from helpers import before_setup
from helpers.authoring import build

CLIENT_CELL = "from openai import OpenAI\n\nclient = OpenAI()"


def _cell(source: str, fails: bool = False):
    cell = nbformat.v4.new_code_cell(source)
    if fails:
        cell.metadata["tags"] = ["raises-exception"]
    return cell


def _outputs(cells, monkeypatch, ipython_dir) -> list[str]:
    """Run the cells in a fresh kernel with no key and IPython's config in ipython_dir; each cell's text."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("KIT_MODE", "offline")
    monkeypatch.setenv("IPYTHONDIR", str(ipython_dir))
    nb = build.run(nbformat.v4.new_notebook(cells=cells))
    return ["".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs) for cell in nb.cells]


@pytest.fixture
def kit_config(tmp_path):
    """An IPython config dir holding what install() writes into an environment."""
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(before_setup.CONFIG_TEXT)
    return tmp_path / "ipython"


def test_a_client_made_before_the_setup_cell_gets_the_hint(kit_config, monkeypatch):
    [client] = _outputs([_cell(CLIENT_CELL, fails=True)], monkeypatch, kit_config)
    assert "OPENAI_API_KEY" in client  # the SDK's own error is still shown
    assert before_setup.HINT in client


def test_after_the_setup_cell_the_same_error_gets_no_hint(kit_config, monkeypatch):
    cells = [_cell('from helpers import setup; setup("01_chat_completions")'),
             _cell('import os\n\ndel os.environ["OPENAI_API_KEY"]\n' + CLIENT_CELL, fails=True)]
    banner, client = _outputs(cells, monkeypatch, kit_config)
    assert "offline" in banner.lower() and "OPENAI_API_KEY" in client
    assert before_setup.HINT not in client


def test_other_errors_get_no_hint(kit_config, monkeypatch):
    [error] = _outputs([_cell('raise ValueError("no OPENAI_API_KEY here")', fails=True)], monkeypatch, kit_config)
    assert "no OPENAI_API_KEY here" in error and before_setup.HINT not in error


def test_install_registers_the_extension_once_in_a_virtual_environment(tmp_path):
    venv = tmp_path / "venv"
    assert before_setup.install(str(venv), base_prefix=str(tmp_path / "python"), environ={})
    path = before_setup.config_file(str(venv))
    assert path.read_text() == before_setup.CONFIG_TEXT
    assert before_setup.install(str(venv), base_prefix=str(tmp_path / "python"), environ={})
    assert path.read_text() == before_setup.CONFIG_TEXT
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left beside it


def test_install_leaves_someone_elses_config_a_plain_python_and_a_test_run_alone(tmp_path):
    venv = tmp_path / "venv"
    path = before_setup.config_file(str(venv))
    path.parent.mkdir(parents=True)
    path.write_text("c.InteractiveShellApp.exec_lines = ['import numpy']\n")
    assert not before_setup.install(str(venv), base_prefix=str(tmp_path / "python"), environ={})
    assert path.read_text() == "c.InteractiveShellApp.exec_lines = ['import numpy']\n"
    assert not before_setup.install(str(tmp_path / "other"), base_prefix=str(tmp_path / "python"),
                                    environ={before_setup.OFF_ENV: "off"})
    assert not (tmp_path / "other").exists()
    plain = tmp_path / "python"
    assert not before_setup.install(str(plain), base_prefix=str(plain), environ={})
    assert not before_setup.config_file(str(plain)).exists()
    assert before_setup.install(str(plain), base_prefix="", environ={})  # an image built for the kit (Binder)
    assert before_setup.config_file(str(plain)).read_text() == before_setup.CONFIG_TEXT


def test_an_environment_the_kit_cannot_write_to_is_no_error(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "etc").write_text("")  # a file where the config folder would go: the write fails, as read-only would
    assert not before_setup.install(str(venv), base_prefix=str(tmp_path / "python"), environ={})


def test_the_setup_cell_registers_the_hint_in_a_notebook_only(recordings_dir, monkeypatch):
    from helpers import modes

    calls = []
    monkeypatch.setattr(before_setup, "install", lambda: calls.append("install") or True)
    monkeypatch.setattr(modes, "running_shell", lambda: None)  # plain Python, whatever shell an earlier test made
    modes.setup("anything")
    assert calls == []  # no kernel will read the config
    monkeypatch.setattr(modes, "running_shell", lambda: object())
    modes.setup("anything")
    assert calls == ["install"]
