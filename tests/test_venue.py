"""A venue with no network, and a lesson outside the repository: the README's install from a wheelhouse
with the index off, then the kit's own wheel running a lesson copied into an empty folder.

`tests/run_all.sh` builds the wheelhouse (its install phase may use the registries) into .venv/wheelhouse
and sets KIT_WHEELHOUSE_REQUIRED=1, so there these tests fail rather than skip when it is missing. The
tests themselves install with `--no-index` and no pip configuration, so nothing comes from a network.
"""
import json
import os
import re
import shlex
import shutil
import tomllib
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.authoring import navigation, wheels
from helpers.paths import ROOT

WHEELHOUSE = Path(os.environ.get("KIT_WHEELHOUSE", ROOT / ".venv" / "wheelhouse"))
LESSON = "01_chat_completions"


@pytest.fixture(scope="module")
def wheelhouse():
    if not list(WHEELHOUSE.glob("openai_sdk_kit-*.whl")):
        message = (f"no wheelhouse in {WHEELHOUSE}: build it with "
                   f"`python -m helpers.authoring.classroom wheelhouse --dest {WHEELHOUSE}`")
        if os.environ.get("KIT_WHEELHOUSE_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return WHEELHOUSE


def offline_environment(home: Path) -> dict[str, str]:
    """No pip configuration (it names indexes and extra wheel folders), no key, proxies that lead nowhere."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("PIP_", "OPENAI_", "KIT_", "JUPYTER", "VIRTUAL_ENV"))}
    environment.update(PIP_CONFIG_FILE=os.devnull, HOME=str(home), KIT_REPLAY_PACE_MS="0", KIT_SANDBOX="off",
                       HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="",
                       JUPYTER_DATA_DIR=str(home / "jupyter"), JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
                       PYTHONNOUSERSITE="1")
    return environment


def readme_install() -> str:
    """The README's first command's install, with the flags its venue paragraph says to add."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```bash\n(python3 -m venv .*)\n```", text).group(1)
    assert "--no-index --find-links wheelhouse" in text
    install = command.split(" && ")[1]
    return install.replace("pip install", "pip install --no-index --find-links wheelhouse", 1)


@pytest.fixture(scope="module")
def venue(wheelhouse, tmp_path_factory):
    """A fresh venv with the kit installed as the README says, from the wheelhouse alone."""
    home = tmp_path_factory.mktemp("venue")
    env = offline_environment(home)
    venv = home / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    command = readme_install().replace(".venv/bin/", f"{venv}/bin/").replace("wheelhouse", str(wheelhouse))
    command = command.replace("-r requirements.lock", f"-r {ROOT / 'requirements.lock'}").replace(
        "-e .", f"-e {ROOT}")
    result = subprocess.run(command, shell=True, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return venv, env


def test_the_readme_install_works_from_the_wheelhouse_with_no_index(venue):
    venv, env = venue
    check = subprocess.run([venv / "bin" / "python", "-m", "pip", "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    frozen = subprocess.run([venv / "bin" / "python", "-m", "pip", "freeze", "--exclude-editable"], env=env,
                            capture_output=True, text=True, check=True).stdout.lower().split()
    target = wheels.PLATFORMS[wheels.this_platform()]
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    full = ".".join(map(str, sys.version_info[:3]))
    wanted = {pin.lower().replace("_", "-") for pin in wheels.pins(ROOT / "requirements.lock", target, python, full)}
    assert wanted <= {line.replace("_", "-") for line in frozen}, "every pin installed, at its version"
    where = subprocess.run([venv / "bin" / "python", "-c", "import helpers; print(helpers.__file__)"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where == str(ROOT / "helpers" / "__init__.py"), "the README's install is editable"


def test_the_lock_markers_are_read_for_the_target_platform():
    lock = ROOT / "requirements.lock"
    windows = wheels.pins(lock, wheels.PLATFORMS["windows-amd64"], "3.12")
    linux = wheels.pins(lock, wheels.PLATFORMS["linux-x86_64"], "3.11")
    assert any(p.startswith("colorama==") for p in windows) and not any(p.startswith("colorama==") for p in linux)
    assert any(p.startswith("pexpect==") for p in linux) and not any(p.startswith("pexpect==") for p in windows)
    assert [p for p in linux if p.startswith("contourpy==")] != [p for p in windows if p.startswith("contourpy==")]


def test_an_unknown_platform_is_a_short_message(capsys):
    from helpers.authoring import classroom

    assert classroom.main(["wheelhouse", "--platform", "amiga"]) == 2
    assert "unknown: amiga" in capsys.readouterr().err


def outputs(nb) -> list[list[str]]:
    """Each code cell's text outputs, with what differs from run to run (sanitize.cfg) blanked."""
    rules = re.findall(r"regex: (.+)\nreplace: (.+)", (ROOT / "tests" / "sanitize.cfg").read_text(encoding="utf-8"))
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts, streams = [], []  # consecutive writes to one stream are one output, however a run split them
        for output in cell.outputs:
            text = output.get("text") or output.get("data", {}).get("text/plain") or output.get("ename", "")
            text = "".join(text)
            stream = output.get("name") if output.get("output_type") == "stream" else None
            if stream is not None and streams and streams[-1] == stream:
                texts[-1] += text
                continue
            texts.append(text)
            streams.append(stream)
        for pattern, replacement in rules:
            texts = [re.sub(pattern, replacement, text) for text in texts]
        cells.append(texts)
    return cells


@pytest.fixture(scope="module")
def installed_wheel(venue, wheelhouse, tmp_path_factory):
    """The same venv with the kit's wheel instead of the editable install, installed as a lesson's header
    tells a Colab learner to (the wheel in place of the repository, the wheelhouse in place of PyPI)."""
    venv, env = venue
    wheel = wheels.build_kit(tmp_path_factory.mktemp("kit-wheel"), wheelhouse)  # this tree's, not the house's
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheelhouse)]
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(wheel)], env=env, check=True)
    source = f"git+https://github.com/{navigation.REPOSITORY}@{navigation.BRANCH}"
    assert source in navigation.COLAB_INSTALL
    requirement = shlex.split(navigation.COLAB_INSTALL.removeprefix("%pip install -q "))[0]
    subprocess.run([*pip, requirement.replace(source, wheel.as_uri())], env=env, check=True)
    return venv, env


def test_a_lesson_copied_into_an_empty_folder_runs_offline_from_the_installed_wheel(installed_wheel, tmp_path):
    venv, env = installed_wheel
    folder = tmp_path / "anywhere"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / f"{LESSON}.ipynb", folder)
    where = subprocess.run([venv / "bin" / "python", "-c", "from helpers import paths; print(paths.RECORDINGS)"],
                           cwd=folder, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(ROOT)), where
    run = ("import sys, nbformat\n"
           "from nbclient import NotebookClient\n"
           f"nb = nbformat.read({LESSON!r} + '.ipynb', as_version=4)\n"
           "NotebookClient(nb, timeout=300, startup_timeout=120, kernel_name='python3', allow_errors=True,"
           " resources={'metadata': {'path': '.'}}).execute()\n"
           "nbformat.write(nb, 'ran.ipynb')\n")
    result = subprocess.run([venv / "bin" / "python", "-c", run], cwd=folder, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    ran = nbformat.read(folder / "ran.ipynb", as_version=4)
    stored = nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)
    got, wanted = outputs(ran), outputs(stored)
    # Installed, the recordings live in the package: the banner names that place instead of data/.
    got = [[text.replace("helpers/_data/", "data/") for text in cell] for cell in got]
    assert any(cell for cell in got), "the lesson printed nothing: it did not run"
    assert got == wanted
    banner = json.dumps(got[0])
    assert "Offline" in banner or "offline" in banner


# --- Colab ------------------------------------------------------------------------------------------------

COLAB_SHIPS = {"jupyterlab", "ipykernel", "pandas", "matplotlib", "numpy"}  # Colab's own, at its versions
AUTHORS_ONLY = {"nbformat", "nbclient"}  # the build and the tests; no lesson imports them


def test_the_colab_extra_is_the_learner_pins_colab_lacks():
    pins = [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    wanted = [pin for pin in pins if pin.split("==")[0] not in COLAB_SHIPS | AUTHORS_ONLY]
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extra["colab"] == wanted


@pytest.mark.parametrize("path", navigation.lessons(), ids=lambda p: p.stem)
def test_every_lesson_header_has_a_colab_badge_and_the_install_to_run_first(path):
    header = "".join(nbformat.read(path, as_version=4).cells[0].source)
    url = f"https://colab.research.google.com/github/{navigation.REPOSITORY}/blob/{navigation.BRANCH}/notebooks/{path.name}"
    assert f"[![Open in Colab]({navigation.COLAB_BADGE})]({url})" in header
    assert f"`{navigation.COLAB_INSTALL}`" in header


def test_the_readme_table_launches_every_lesson_on_binder_and_colab():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in navigation.lessons():
        assert f"[![Colab]({navigation.COLAB_BADGE})]({navigation.colab_url(path.stem)})" in text, path.stem
        assert navigation.binder_url(path.stem) in text, path.stem
