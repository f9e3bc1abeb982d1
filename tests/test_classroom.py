"""Running the kit for a class: schedules, nbgitpuller links, the hub and proxy configuration, other servers."""
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType, SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from helpers import models, modes, paths, prices

from helpers.authoring import classroom, navigation
from helpers.paths import ROOT
from helpers.authoring.secrets import find_secrets
from tests.classroom_services import KeyService
from tests.conftest import PLANTED_KEY, run_async

DOCS = ROOT / "docs"
CLASSROOM = DOCS / "classroom"
FOLDER = navigation.REPOSITORY.split("/")[1]
LESSONS = [path.stem for path in navigation.lessons()]


def load_yaml(name):
    return yaml.safe_load((CLASSROOM / name).read_text(encoding="utf-8"))


# --- schedules -----------------------------------------------------------------------------------------

def test_the_schedules_in_the_instructor_guide_are_up_to_date():
    stale = classroom.update(check_only=True)
    assert stale == [], (f"stale: {stale}; run `python -m helpers.authoring.build` "
                         "(or `python -m helpers.authoring.classroom schedules`)")


INFOS = {info["name"]: info for info in map(navigation.lesson_info, navigation.lessons())}


@pytest.mark.parametrize("schedule", classroom.SCHEDULES, ids=lambda s: s.title)
def test_every_schedule_fits_its_slot_and_keeps_the_lessons_in_order(schedule):
    _, total = classroom.schedule_rows(schedule, INFOS)
    assert total == schedule.available
    names = [name for name, _ in classroom.plan(schedule, INFOS) if name in INFOS]
    if schedule.follows is None:
        assert names[:2] == ["00_setup", "01_chat_completions"]
    else:  # a second day continues one that starts at the beginning, and teaches nothing twice
        first = classroom.followed(schedule)
        before = [name for name, _ in classroom.plan(first, INFOS) if name in INFOS]
        assert first.follows is None and before[:2] == ["00_setup", "01_chat_completions"]
        assert not set(before) & set(names), "a second day repeats a lesson of the first"
    assert names == sorted(names, key=LESSONS.index), "lessons build on each other in number order"


@pytest.mark.parametrize("schedule", classroom.SCHEDULES, ids=lambda s: s.title)
def test_every_schedule_has_an_install_slot_breaks_and_slack(schedule):
    sessions = classroom.plan(schedule, INFOS)
    assert sessions[0] == classroom.INSTALL and sessions[-1][0] == classroom.SLACK
    slack = dict(sessions)[classroom.SLACK]
    needed = max(classroom.SLACK_MINIMUM, schedule.available * classroom.SLACK_SHARE)
    assert slack >= needed, f"{slack} min of slack in {schedule.available}"
    run = 0
    for name, minutes in sessions:
        run = 0 if name in (classroom.BREAK[0], classroom.LUNCH[0]) else run + minutes
        if name in INFOS:
            assert run <= classroom.BREAK_AFTER, f"{schedule.title}: {run} min without a break at {name}"
    assert (classroom.LUNCH in sessions) == schedule.lunch


def _taught(schedule):
    return [name for name, _ in classroom.plan(schedule, INFOS) if name in INFOS]


def _makes_a_responses_call(lesson: str) -> bool:
    from helpers import endpoints, recordings

    data = recordings.read_file(recordings.recording_path(lesson))
    return any(i["request"]["path"] == endpoints.RESPONSES for i in data["interactions"])


def test_the_shortest_schedule_reaches_a_first_responses_call():
    shortest = min(classroom.SCHEDULES, key=lambda s: s.available)
    assert any(_makes_a_responses_call(name) for name in _taught(shortest))


def test_the_full_day_teaches_the_whole_responses_track():
    full_day = max(classroom.SCHEDULES, key=lambda s: s.available)
    track = [name for name in INFOS if name.startswith("10")]
    assert set(classroom.RESPONSES_TRACK) == set(track), "a new Responses lesson belongs in RESPONSES_TRACK"
    missing = [name for name in classroom.RESPONSES_TRACK if name not in _taught(full_day)]
    assert not missing, f"the full day no longer fits {missing}: trim a Chat Completions lesson from it"


def test_start_times_come_from_the_lessons_minutes():
    infos = {"01_a": {"name": "01_a", "title": "A", "teach_minutes": 10, "practice_minutes": 5},
             "02_b": {"name": "02_b", "title": "B", "teach_minutes": 30, "practice_minutes": 20}}
    rows, total = classroom.schedule_rows(classroom.Schedule("test", 120, ("01_a", "02_b")), infos)
    install = classroom.INSTALL[1]
    assert [start for start, _, _ in rows[:3]] == ["0:00", classroom._clock(install), classroom._clock(install + 15)]
    assert rows[2][2] == "50 min (30 teaching + 20 practice)"
    assert total == 120


def test_a_lesson_that_grows_leaves_the_schedule_instead_of_eating_its_slack():
    infos = {"01_a": {"name": "01_a", "title": "A", "teach_minutes": 20, "practice_minutes": 10},
             "02_b": {"name": "02_b", "title": "B", "teach_minutes": 20, "practice_minutes": 10}}
    schedule = classroom.Schedule("test", 90, ("01_a", "02_b"))
    assert [name for name, _ in classroom.plan(schedule, infos) if name in infos] == ["01_a", "02_b"]
    infos["01_a"]["teach_minutes"] = 35
    assert [name for name, _ in classroom.plan(schedule, infos) if name in infos] == ["01_a"]
    assert dict(classroom.plan(schedule, infos))[classroom.SLACK] >= classroom.slack_needed(schedule)


def test_a_long_run_of_lessons_gets_a_break_and_a_full_day_a_lunch():
    infos = {f"0{n}_x": {"name": f"0{n}_x", "title": "X", "teach_minutes": 30, "practice_minutes": 10}
             for n in range(1, 9)}
    sessions = classroom.plan(classroom.Schedule("day", 450, tuple(infos), lunch=True), infos)
    names = [name for name, _ in sessions]
    assert names.count("Lunch") == 1 and names.count("Break") >= 2
    assert names.index("Lunch") > names.index("Break"), "a short break comes first, lunch after the first third"


def test_a_schedule_naming_a_missing_lesson_is_an_error():
    with pytest.raises(ValueError, match="99_gone, which is not a lesson"):
        classroom.schedule_rows(classroom.Schedule("test", 60, ("99_gone",)), {})


def test_a_guide_without_markers_is_an_error(tmp_path, monkeypatch):
    guide = tmp_path / "docs" / "instructor-guide.md"
    guide.parent.mkdir()
    guide.write_text("# Instructor guide\n")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.setattr(paths, "GUIDE", guide)
    with pytest.raises(ValueError, match="no schedule markers"):
        classroom.update(check_only=True)


# --- nbgitpuller links ---------------------------------------------------------------------------------

def test_a_lesson_link_is_the_nbgitpuller_url_properly_encoded():
    url = classroom.nbgitpuller_url("https://hub.example.edu", "02_parameters")
    assert url == ("https://hub.example.edu/hub/user-redirect/git-pull"
                   f"?repo=https%3A%2F%2Fgithub.com%2F{navigation.REPOSITORY.replace('/', '%2F')}"
                   f"&branch=main&urlpath=lab%2Ftree%2F{FOLDER}%2Fnotebooks%2F02_parameters.ipynb")
    query = parse_qs(urlsplit(url).query, strict_parsing=True)
    assert query == {"repo": [f"https://github.com/{navigation.REPOSITORY}"], "branch": ["main"],
                     "urlpath": [f"lab/tree/{FOLDER}/notebooks/02_parameters.ipynb"]}


def test_the_command_prints_the_link(capsys):
    assert classroom.main(["link", "--hub", "https://hub.example.edu", "--lesson", "02_parameters"]) == 0
    assert capsys.readouterr().out.strip() == classroom.nbgitpuller_url("https://hub.example.edu", "02_parameters")


@pytest.mark.parametrize("hub, prefix", [("https://hub.example.edu/", "https://hub.example.edu/hub/"),
                                         ("https://example.edu/jupyter", "https://example.edu/jupyter/hub/")])
def test_a_hub_with_a_slash_or_under_a_path(hub, prefix):
    assert classroom.nbgitpuller_url(hub, "01").startswith(prefix + "user-redirect/git-pull?")


def test_a_lesson_can_be_named_by_its_start_or_file_and_a_fork_by_its_repository():
    url = classroom.nbgitpuller_url("https://hub.example.edu", "notebooks/05_tokens_and_cost.ipynb",
                                    repository="someone/kit-fork", branch="workshop")
    query = parse_qs(urlsplit(url).query)
    assert query["repo"] == ["https://github.com/someone/kit-fork"] and query["branch"] == ["workshop"]
    assert query["urlpath"] == ["lab/tree/kit-fork/notebooks/05_tokens_and_cost.ipynb"]
    assert classroom.find_lesson("06") == "06_streaming"  # "05" also starts 05b_prompt_caching


def test_without_a_lesson_the_link_opens_the_notebooks_folder():
    query = parse_qs(urlsplit(classroom.nbgitpuller_url("https://hub.example.edu")).query)
    assert query["urlpath"] == [f"lab/tree/{FOLDER}/notebooks"]


@pytest.mark.parametrize("lesson, message", [("99_nothing", "is not a lesson"), ("04", "matches several lessons")])
def test_an_unknown_or_ambiguous_lesson_lists_the_choices(lesson, message, capsys):
    assert classroom.main(["link", "--hub", "https://hub.example.edu", "--lesson", lesson]) == 2
    err = capsys.readouterr().err
    assert message in err and "04a_legacy_completions" in err


@pytest.mark.parametrize("hub", ["hub.example.edu", "ftp://hub.example.edu", "https://hub.example.edu/?x=1"])
def test_a_hub_that_is_not_an_address_is_refused(hub):
    with pytest.raises(ValueError, match="hub's address"):
        classroom.nbgitpuller_url(hub, "01")


def test_all_prints_a_row_with_a_working_link_per_lesson(capsys):
    assert classroom.main(["link", "--hub", "https://hub.example.edu", "--all"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[2:]
    for row, lesson in zip(rows, LESSONS, strict=True):
        url = row.rstrip(" |").rsplit("| ", 1)[1]
        assert parse_qs(urlsplit(url).query)["urlpath"] == [f"lab/tree/{FOLDER}/notebooks/{lesson}.ipynb"]


# --- configuration files -------------------------------------------------------------------------------

def test_no_classroom_file_holds_a_key_or_secret():
    for path in CLASSROOM.iterdir():
        assert find_secrets(path.read_text(encoding="utf-8")) == [], path.name


def test_the_z2jh_values_set_image_culling_memory_and_the_proxy():
    values = load_yaml("z2jh-values.yaml")
    single, hub = values["singleuser"], values["hub"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert values["cull"]["enabled"] is True and 0 < values["cull"]["timeout"] <= 4 * 3600
    assert single["memory"]["guarantee"] and single["memory"]["limit"]
    proxy = hub["extraEnv"]["KIT_LITELLM_URL"]
    assert single["extraEnv"]["OPENAI_BASE_URL"] == f"{proxy}/v1"
    assert "OPENAI_API_KEY" not in single["extraEnv"], "each learner's key is made by the hub, never shared"
    assert hub["extraEnv"]["LITELLM_MASTER_KEY"]["valueFrom"]["secretKeyRef"]["name"]
    mount = hub["extraFiles"]["openai-kit"]["mountPath"]
    assert mount.startswith("/usr/local/etc/jupyterhub/jupyterhub_config.d/") and mount.endswith(".py")
    port = urlsplit(proxy).port
    for part in (hub, single):
        assert part["networkPolicy"]["egress"][0]["ports"][0]["port"] == port


def test_the_litellm_config_offers_exactly_the_kits_models_with_the_real_key_from_the_environment():
    """The kit's models, then the shut-down names the lessons call, so that the API itself refuses them."""
    config = load_yaml("litellm-config.yaml")
    entries = config["model_list"]
    assert [e["model_name"] for e in entries] == [*models.KIT_MODELS, *models.SHUT_DOWN]
    for entry in entries:
        params = entry["litellm_params"]
        assert params["api_key"] == "os.environ/OPENAI_API_KEY"
        assert params["model"].split("/", 1) in (["openai", entry["model_name"]],
                                                 ["text-completion-openai", entry["model_name"]])
    assert config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert config["general_settings"]["database_url"] == "os.environ/DATABASE_URL"
    settings = config["litellm_settings"]
    assert settings["max_budget"] > 0 and settings["max_internal_user_budget"] > 0


def test_the_litellm_prices_are_the_kits_prices():
    for entry in load_yaml("litellm-config.yaml")["model_list"]:
        if entry["model_name"] in models.SHUT_DOWN:  # the API answers 404, nothing is billed
            assert "input_cost_per_token" not in entry["litellm_params"]
            continue
        params, price = entry["litellm_params"], prices.price(entry["model_name"])
        assert isinstance(params.get("input_cost_per_token", 0.0), (int, float)), "YAML read it as text"
        assert params.get("input_cost_per_token", 0) == pytest.approx(price.input_per_million / 1e6)
        assert params.get("output_cost_per_token", 0) == pytest.approx(price.output_per_million / 1e6)
    transcribe = next(e for e in load_yaml("litellm-config.yaml")["model_list"] if e["model_name"] == models.TRANSCRIBE)
    per_hour = float(re.search(r"\$([\d.]+) per hour", prices.price(models.TRANSCRIBE).other).group(1))
    assert transcribe["litellm_params"]["input_cost_per_second"] * 3600 == pytest.approx(per_hour)


# --- the hub's per-learner keys ------------------------------------------------------------------------

class FakeProxy(BaseHTTPRequestHandler):
    """LiteLLM's two admin endpoints, as far as the hub uses them."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.calls.append((self.path, self.headers["Authorization"], body))
        if self.path == "/key/generate":
            answer, status = {"key": PLANTED_KEY, "user_id": body["user_id"]}, 200
        else:
            answer, status = {"error": {"message": "user already exists"}}, 400  # a returning learner
        KeyService.reply(self, status, answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_proxy():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProxy)
    server.calls = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def load_hub_config(monkeypatch, tljh=False, path=CLASSROOM / "hub_config.py"):
    """Execute hub_config.py as JupyterHub does (traitlets sets __file__); returns the hook it installed."""
    from traitlets.config import Config

    if tljh:
        normalize = ModuleType("tljh.normalize")
        normalize.generate_system_username = lambda name: name
        monkeypatch.setitem(sys.modules, "tljh", ModuleType("tljh"))
        monkeypatch.setitem(sys.modules, "tljh.normalize", normalize)
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return config.Spawner.pre_spawn_hook, namespace


def spawn(hook, name="ada", environment=None):
    spawner = SimpleNamespace(user=SimpleNamespace(name=name), environment=dict(environment or {}),
                              log=logging.getLogger("test-hub"))
    run_async(hook, spawner)
    return spawner.environment


def test_the_hub_config_agrees_with_the_kit(monkeypatch):
    _, namespace = load_hub_config(monkeypatch)
    assert namespace["KIT_MODELS"] == list(models.KIT_MODELS)
    assert namespace["SHUT_DOWN_MODELS"] == list(models.SHUT_DOWN)
    assert namespace["KIT_FOLDER"] == ROOT.name  # the checkout it sits in, whatever its name


def test_a_renamed_fork_finds_its_own_folder_and_kit_folder_wins(monkeypatch, tmp_path):
    monkeypatch.delenv("KIT_LITELLM_URL", raising=False)
    monkeypatch.delenv("KIT_FOLDER", raising=False)
    fork = tmp_path / "our-llm-course" / "docs" / "classroom"
    fork.mkdir(parents=True)
    shutil.copy(CLASSROOM / "hub_config.py", fork / "hub_config.py")
    hook, namespace = load_hub_config(monkeypatch, tljh=True, path=fork / "hub_config.py")
    assert namespace["KIT_FOLDER"] == "our-llm-course"
    assert spawn(hook, name="ada") == {"PYTHONPATH": "/home/jupyter-ada/our-llm-course"}
    monkeypatch.setenv("KIT_FOLDER", "workshop-kit")
    hook, namespace = load_hub_config(monkeypatch, tljh=True, path=fork / "hub_config.py")
    assert spawn(hook, name="ada") == {"PYTHONPATH": "/home/jupyter-ada/workshop-kit"}


def test_a_copy_outside_a_checkout_without_kit_folder_sets_no_pythonpath(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("KIT_LITELLM_URL", raising=False)
    monkeypatch.delenv("KIT_FOLDER", raising=False)
    copy = tmp_path / "jupyterhub_config.d" / "openai-kit.py"
    copy.parent.mkdir()
    shutil.copy(CLASSROOM / "hub_config.py", copy)
    hook, namespace = load_hub_config(monkeypatch, tljh=True, path=copy)
    assert namespace["KIT_FOLDER"] is None
    with caplog.at_level(logging.WARNING):
        assert spawn(hook, name="ada") == {}
    assert "KIT_FOLDER is not set" in caplog.text


def test_the_hub_gives_each_learner_a_key_of_their_own_with_a_budget(monkeypatch, fake_proxy, caplog):
    server, url = fake_proxy
    master = "sk-" + "master" + "Z" * 20
    monkeypatch.setenv("KIT_LITELLM_URL", url)
    monkeypatch.setenv("LITELLM_MASTER_KEY", master)
    monkeypatch.setenv("KIT_BUDGET_USD", "1.5")
    hook, _ = load_hub_config(monkeypatch)
    environment = spawn(hook, environment={"OTHER": "kept"})
    assert environment == {"OTHER": "kept", "OPENAI_API_KEY": PLANTED_KEY, "OPENAI_BASE_URL": f"{url}/v1"}
    (user_path, auth, user), (key_path, _, key) = server.calls
    assert (user_path, key_path) == ("/user/new", "/key/generate")
    assert auth == f"Bearer {master}"
    assert user["user_id"] == key["user_id"] == "ada"
    assert user["max_budget"] == key["max_budget"] == 1.5
    assert key["models"] == [*models.KIT_MODELS, *models.SHUT_DOWN] and key["duration"] == "12h"
    assert PLANTED_KEY not in caplog.text and master not in caplog.text


def test_a_base_url_set_for_the_class_wins_over_the_hubs(monkeypatch, fake_proxy):
    _, url = fake_proxy
    monkeypatch.setenv("KIT_LITELLM_URL", url)
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-" + "m" * 24)
    hook, _ = load_hub_config(monkeypatch)
    environment = spawn(hook, environment={"OPENAI_BASE_URL": "https://proxy.example.edu/v1"})
    assert environment["OPENAI_BASE_URL"] == "https://proxy.example.edu/v1"


def test_when_the_proxy_is_down_the_learner_starts_offline(monkeypatch, caplog):
    monkeypatch.setenv("KIT_LITELLM_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-" + "m" * 24)
    hook, _ = load_hub_config(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="test-hub"):
        environment = spawn(hook)
    assert "OPENAI_API_KEY" not in environment and "OPENAI_BASE_URL" not in environment
    assert "their lessons run offline" in caplog.text


def test_without_a_proxy_configured_the_hub_starts_learners_offline(monkeypatch, caplog):
    monkeypatch.delenv("KIT_LITELLM_URL", raising=False)
    hook, _ = load_hub_config(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="test-hub"):
        assert spawn(hook) == {}
    assert "works offline" in caplog.text


def test_on_tljh_the_learners_copy_of_the_kit_goes_on_pythonpath(monkeypatch):
    monkeypatch.delenv("KIT_LITELLM_URL", raising=False)
    monkeypatch.delenv("KIT_FOLDER", raising=False)
    hook, _ = load_hub_config(monkeypatch, tljh=True)
    assert spawn(hook, name="ada") == {"PYTHONPATH": f"/home/jupyter-ada/{ROOT.name}"}


def test_pythonpath_wins_over_the_installed_kit(tmp_path):
    """The TLJH setup relies on it: the learner's copy is imported even where the kit is installed too."""
    copy = tmp_path / FOLDER / "helpers"
    copy.mkdir(parents=True)
    (copy / "__init__.py").write_text("")
    result = subprocess.run([sys.executable, "-c", "import helpers; print(helpers.__file__)"], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(tmp_path / FOLDER)}, capture_output=True, text=True)
    assert result.stdout.strip() == str(copy / "__init__.py"), result.stderr


# --- the image ------------------------------------------------------------------------------------------

def image_command() -> list[str]:
    text = (CLASSROOM / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(jupyter-repo2docker .*?)\n```", text, re.S).group(1)
    return shlex.split(block.replace("\\\n", " "))[1:]


def test_the_documented_image_command_builds_the_image_the_values_file_names():
    from repo2docker.__main__ import make_r2d

    r2d = make_r2d(image_command())
    image = load_yaml("z2jh-values.yaml")["singleuser"]["image"]
    assert r2d.output_image_spec == f"{image['name']}:{image['tag']}"
    assert r2d.repo == classroom.repository_url() and r2d.ref == navigation.BRANCH
    assert (r2d.user_name, r2d.user_id) == ("jovyan", 1000)
    # nbgitpuller copies the kit to ~/<repository name>: the image's editable install must point there.
    assert r2d.target_repo_dir == f"/home/jovyan/{FOLDER}"
    assert re.fullmatch(r"RUN python -m pip install --no-cache-dir nbgitpuller==[\d.]+", r2d.appendix)


def test_repo2docker_renders_that_image_from_binder(tmp_path):
    arguments = image_command()
    arguments = [a for a in arguments[:-1] if a not in ("--no-run", "--push")]  # the repository is a local copy
    arguments = [a for i, a in enumerate(arguments) if a != "--ref" and (i == 0 or arguments[i - 1] != "--ref")]
    copy = tmp_path / FOLDER
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "tests"))
    repo2docker = shutil.which("jupyter-repo2docker", path=str(Path(sys.executable).parent))
    result = subprocess.run([repo2docker, "--no-build", *arguments, str(copy)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = result.stdout
    assert "RUN ./binder/postBuild" in dockerfile
    assert dockerfile.rstrip().endswith(image_command()[image_command().index("--appendix") + 1])


# --- any OpenAI-compatible server ----------------------------------------------------------------------

def test_the_sdk_sends_requests_to_openai_base_url(monkeypatch, standin):
    from openai import OpenAI

    monkeypatch.setenv("OPENAI_BASE_URL", standin.url)
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    answer = OpenAI().chat.completions.create(model=models.CHAT, messages=[{"role": "user", "content": "Hello"}])
    assert answer.choices[0].message.content
    (request,) = standin.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {PLANTED_KEY}"


def test_a_learner_on_another_server_goes_live_and_the_banner_names_it(monkeypatch, capsys):
    from openai import OpenAI

    from helpers.authoring.standin import StandIn

    monkeypatch.delenv("KIT_MODE")
    monkeypatch.setattr(modes, "load_dotenv", lambda: None)
    with StandIn(require_key=False) as server:  # like Ollama or vLLM: any key will do
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "ollama")  # not sk-: allowed with a base URL
        modes.setup("01_chat_completions")
        assert modes.current.mode == "live" and modes.current.server == server.url
        assert f"Live mode: requests go to {server.url}" in capsys.readouterr().out
        OpenAI().models.list()
    assert [(r.path, r.headers["authorization"]) for r in server.requests] == [("/v1/models", "Bearer ollama")]


def test_the_live_banner_names_the_server(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    assert modes.make_banner("live", "01_chat_completions").startswith(
        "Live mode: requests go to http://localhost:11434/v1 with the key in OPENAI_API_KEY (never shown)")
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert "requests go to https://api.openai.com/v1" in modes.make_banner("live", "01_chat_completions")


# --- the docs ------------------------------------------------------------------------------------------

def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors."""
    headings = re.findall(r"^#+ (.+)$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_link_in_the_docs_leads_somewhere(page):
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://")):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        assert path.exists(), f"{page.name} links to {target}, which does not exist"
        if anchor:
            assert anchor in _anchors(path.read_text(encoding="utf-8")), f"{page.name}: no heading for #{anchor}"


def test_the_docs_name_the_kits_repository():
    for name in ("README.md", "tljh-setup.md"):
        assert navigation.REPOSITORY in (CLASSROOM / name).read_text(encoding="utf-8"), name


# --- keys without a hub --------------------------------------------------------------------------------

@pytest.fixture
def key_service(standin):
    """The key service of the classroom tests (LiteLLM's virtual keys and budgets), here in front of the stand-in."""
    from tests.classroom_services import KeyService

    master = "sk-" + "master" + "Q" * 20
    service = KeyService(standin.url.removesuffix("/v1"), master)
    yield service, master
    service.close()


def test_keys_makes_a_budgeted_key_per_learner_and_a_handout_that_works(key_service, tmp_path, monkeypatch, capsys):
    import openai

    service, master = key_service
    monkeypatch.setenv("LITELLM_MASTER_KEY", master)
    out = tmp_path / "handout.md"
    assert classroom.main(["keys", "--count", "3", "--budget", "1.5", "--proxy", service.url, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert sorted(service.users) == ["learner-01", "learner-02", "learner-03"]
    assert {u.max_budget for u in service.users.values()} == {1.5}
    made = {entry.user_id: key for key, entry in service.keys.items()}
    assert sorted(made) == sorted(service.users)
    text = out.read_text()
    assert (out.stat().st_mode & 0o777) == 0o600
    for learner, key in made.items():
        assert f"## {learner}" in text and f"OPENAI_API_KEY={key}" in text
        assert key not in printed
    assert f"OPENAI_BASE_URL={service.url}/v1" in text and master not in text
    # The handout's key works, and only for its learner's budget.
    client = openai.OpenAI(api_key=made["learner-02"], base_url=f"{service.url}/v1", max_retries=0)
    assert client.chat.completions.create(model=models.CHAT, messages=[{"role": "user", "content": "Hi"}]).choices
    assert service.calls[-1][1] == "learner-02"
    service.users["learner-02"].max_budget = 0
    with pytest.raises(openai.UnprocessableEntityError) as refused:
        client.chat.completions.create(model=models.CHAT, messages=[{"role": "user", "content": "Hi"}])
    assert refused.value.body["type"] == "budget_exceeded"


def test_keys_says_what_to_do_without_a_master_key_or_a_proxy(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("LITELLM_MASTER_KEY", raising=False)
    assert classroom.main(["keys", "--count", "2", "--budget", "1", "--proxy", "http://127.0.0.1:9"]) == 2
    assert "LITELLM_MASTER_KEY" in capsys.readouterr().err
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-" + "m" * 20)
    with socket_closed() as port:
        assert classroom.main(["keys", "--count", "2", "--budget", "1", "--proxy", f"http://127.0.0.1:{port}",
                               "--out", str(tmp_path / "k.md")]) == 2
    assert "cannot reach" in capsys.readouterr().err and not (tmp_path / "k.md").exists()


def test_keys_reports_a_refused_master_key(key_service, monkeypatch, capsys, tmp_path):
    service, _ = key_service
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-" + "wrong" * 5)
    assert classroom.main(["keys", "--count", "1", "--budget", "1", "--proxy", service.url,
                           "--out", str(tmp_path / "k.md")]) == 2
    assert "refused the master key (401)" in capsys.readouterr().err


class socket_closed:
    """A port on 127.0.0.1 where nothing listens."""

    def __enter__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def __exit__(self, *exc):
        return False
