"""Running the kit for a class: workshop schedules and nbgitpuller links for a JupyterHub.

    python -m helpers.authoring.classroom link --hub https://hub.example.edu --lesson 02_parameters
    python -m helpers.authoring.classroom link --hub https://hub.example.edu --all     # a table for a handout
    python -m helpers.authoring.classroom schedules [--check]                         # docs/instructor-guide.md
    python -m helpers.authoring.classroom sizing [--learners 200 ...] [--write|--check]  # every hub and proxy number
    python -m helpers.authoring.classroom wheelhouse [--platform ...]                  # wheels, for no network
    python -m helpers.authoring.classroom keys --count 20 --budget 2 --proxy http://proxy.example.edu:4000

`keys` makes a key for each learner on the class's LiteLLM proxy (no hub needed): each learner is a
LiteLLM user with their own budget, and the handout it writes (one section per learner, to cut up) says
how to use the key. The proxy's master key comes from LITELLM_MASTER_KEY; no key is ever printed.

The schedules in the instructor guide are built from each lesson's minutes (`timing.py`, from what
the lesson holds), so they change when a lesson's length does; `update()` writes them, and a test
fails when they are stale.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from .. import models, paths
from . import navigation, timing

SCHEDULES_START = "<!-- schedules:start (written by python -m helpers.authoring.build) -->"
SCHEDULES_END = "<!-- schedules:end -->"
# Every schedule opens with the install: on laptops it is the README's first command, on Binder or a
# hub the preflight check alone, and either way the helpers see every red line before lesson 00.
INSTALL = ("Welcome; everyone installs the kit (README, Start) and runs `python -m helpers.preflight`", 15)
BREAK = ("Break", 15)
LUNCH = ("Lunch", 60)
BREAK_AFTER = 90    # minutes of sessions at most between two breaks
SLACK_SHARE = 0.10  # of every slot, at least, left free for questions, overruns and a slow install
SLACK_MINIMUM = 10
SLACK = "Wrap-up and slack: questions, catching up, lessons that ran over, where to go next"


@dataclass(frozen=True)
class Schedule:
    title: str
    available: int  # minutes in the slot, breaks included
    lessons: tuple[str, ...]  # wanted, in number order; those that fit are taught, the rest left over
    lunch: bool = False  # the first break after the slot's first third is lunch
    follows: str | None = None  # the title of the schedule this one continues (a second day), if any


# Lessons build on each other in number order; each schedule keeps that order and fits its slot.
# Chat Completions is the spine and the Responses API its equal: the 90 minutes end with a first
# Responses call (lesson 01's last exercise), and the full day teaches the whole Responses track after
# streaming and tools in the Chat Completions shape (06, 07), whose ideas 10b and 10c carry over.
# What no longer fits (02, 03, 05, 08, 12) is left for self-study: lesson 10 brings what it needs
# of 02 and 03, and 10d teaches structured output in the Responses shape from the start.
RESPONSES_TRACK = ("10_responses_api", "10b_responses_streaming", "10c_responses_tools",
                   "10d_responses_structured_output", "10e_responses_web_search")
SCHEDULES = (
    Schedule("90 minutes", 90, ("00_setup", "01_chat_completions")),
    Schedule("Half a day (3½ hours)", 210, ("00_setup", "01_chat_completions", "02_parameters",
                                            "03_conversation_history", "06_streaming")),
    Schedule("A full day (7½ hours with lunch)", 450, (
        "00_setup", "01_chat_completions", "06_streaming", "07_tools", *RESPONSES_TRACK), lunch=True),
    # After the full day: images in and caching, then building something real: embeddings,
    # retrieval, file search, batches, evaluation, async and agents.
    Schedule("A second day (7½ hours with lunch)", 450, (
        "04d_embeddings", "04f_vision", "05b_prompt_caching", "13_retrieval", "14_file_search", "15_batch",
        "16_evaluations", "17_async", "18_agents_and_next"), lunch=True, follows="A full day (7½ hours with lunch)"),
)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def slack_needed(schedule: Schedule) -> int:
    return max(SLACK_MINIMUM, math.ceil(schedule.available * SLACK_SHARE))


def plan(schedule: Schedule, infos: dict[str, dict]) -> list[tuple[str, int]]:
    """The schedule's sessions as (lesson name or activity, minutes): the install first, a break
    before any run of sessions would pass BREAK_AFTER, the wanted lessons that fit with the slack
    still free, and the rest of the slot as wrap-up and slack."""
    for name in schedule.lessons:
        if name not in infos:
            raise ValueError(f"schedule {schedule.title!r} names {name}, which is not a lesson in notebooks/")
    sessions: list[tuple[str, int]] = [INSTALL]
    elapsed = since_break = INSTALL[1]
    room = schedule.available - slack_needed(schedule)
    lunched = False
    for name in schedule.lessons:
        length = infos[name]["teach_minutes"] + infos[name]["practice_minutes"]
        pause = None
        if since_break + length > BREAK_AFTER:
            lunch = schedule.lunch and not lunched and elapsed >= schedule.available // 3
            pause = LUNCH if lunch else BREAK
        if elapsed + (pause[1] if pause else 0) + length > room:
            break  # later lessons build on this one, so none of them is taught either
        if pause:
            sessions.append(pause)
            elapsed += pause[1]
            since_break = 0
            lunched = lunched or pause is LUNCH
        sessions.append((name, length))
        elapsed += length
        since_break += length
    sessions.append((SLACK, schedule.available - elapsed))
    return sessions


def schedule_rows(schedule: Schedule, infos: dict[str, dict]) -> tuple[list[tuple[str, str, str]], int]:
    """(start, session, length) for each session, and the minutes the whole schedule takes."""
    rows, elapsed = [], 0
    for session, minutes in plan(schedule, infos):
        if session in infos:
            info = infos[session]
            number = session.split("_", 1)[0]
            label = f"{number} [{info['title']}](../notebooks/{session}.ipynb)"
            length = f"{minutes} min ({info['teach_minutes']} teaching + {info['practice_minutes']} practice)"
        else:
            label, length = session, f"{minutes} min"
        rows.append((_clock(elapsed), label, length))
        elapsed += minutes
    return rows, elapsed


def followed(schedule: Schedule) -> Schedule:
    """The schedule a second day continues."""
    return next(s for s in SCHEDULES if s.title == schedule.follows)


def schedule_table(schedule: Schedule, infos: dict[str, dict]) -> str:
    rows, total = schedule_rows(schedule, infos)
    sessions = plan(schedule, infos)
    covered = {session for session, _ in sessions}
    intro = []
    if schedule.follows is not None:  # a second day: the first day's lessons are covered too
        first = followed(schedule)
        covered |= {session for session, _ in plan(first, infos)}
        intro = [f"The day after \"{first.title}\", for the same learners.", ""]
    left = [name.split("_", 1)[0] for name in infos if name not in covered]
    lines = [f"### {schedule.title}", "", *intro, "| Start | Session | Length |", "|---|---|---|"]
    lines += [f"| {start} | {label} | {length} |" for start, label, length in rows]
    lines += ["", f"Ends at {_clock(total)}: {sessions[-1][1]} min of slack (never less than "
              f"{slack_needed(schedule)}) and a break at least every {BREAK_AFTER} min."]
    if left:
        lines.append(f"Not covered, for self-study or a follow-up session: {', '.join(left)}.")
    return "\n".join(lines)


def schedules_markdown(infos: dict[str, dict] | None = None) -> str:
    if infos is None:
        infos = {info["name"]: info for info in map(navigation.lesson_info, navigation.lessons())}
    return "\n\n".join([timing.explained(), *(schedule_table(s, infos) for s in SCHEDULES)])


def update(check_only: bool = False) -> list[str]:
    """Write the schedules into the instructor guide; return the files that were (or would be) changed."""
    text = paths.GUIDE.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(SCHEDULES_START) + ".*?" + re.escape(SCHEDULES_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{paths.GUIDE.relative_to(paths.ROOT)} has no schedule markers "
                         f"({SCHEDULES_START} … {SCHEDULES_END})")
    block = f"{SCHEDULES_START}\n{schedules_markdown()}\n{SCHEDULES_END}"
    new_text = pattern.sub(lambda _: block, text)
    if new_text == text:
        return []
    if not check_only:
        paths.GUIDE.write_text(new_text, encoding="utf-8")
    return [str(paths.GUIDE.relative_to(paths.ROOT))]


# --- nbgitpuller links ---------------------------------------------------------------------------------

def repository_url(repository: str = navigation.REPOSITORY) -> str:
    return f"https://github.com/{repository}"


def find_lesson(name: str) -> str:
    """The lesson a name means: `02_parameters`, `02_parameters.ipynb` or a unique start such as `02`."""
    names = [path.stem for path in navigation.lessons()]
    name = name.removeprefix("notebooks/").removesuffix(".ipynb")
    matches = [n for n in names if n == name] or [n for n in names if n.startswith(name)]
    if len(matches) != 1:
        problem = "matches several lessons" if matches else "is not a lesson"
        raise ValueError(f"{name!r} {problem}; choose one of: {', '.join(matches or names)}")
    return matches[0]


def nbgitpuller_url(hub: str, lesson: str | None = None, *, repository: str = navigation.REPOSITORY,
                    branch: str = navigation.BRANCH) -> str:
    """A link that copies (or updates) the kit into the learner's home on the hub and opens the lesson.

    nbgitpuller clones into a folder named after the repository and merges later changes without
    overwriting the learner's edits, so the same link works on the first visit and every one after.
    """
    parts = urlsplit(hub.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"--hub should be the hub's address, like https://hub.example.edu (got {hub!r})")
    folder = repository.rstrip("/").split("/")[-1]
    target = f"lab/tree/{folder}/notebooks" + (f"/{find_lesson(lesson)}.ipynb" if lesson else "")
    query = urlencode([("repo", repository_url(repository)), ("branch", branch), ("urlpath", target)],
                      quote_via=quote)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def links_table(hub: str, **options) -> str:
    rows = ["| # | Lesson | Link |", "|---|---|---|"]
    for path in navigation.lessons():
        number, title = path.stem.split("_", 1)[0], navigation.lesson_info(path)["title"]
        rows.append(f"| {number} | {title} | {nbgitpuller_url(hub, path.stem, **options)} |")
    return "\n".join(rows)


# --- keys without a hub (a LiteLLM proxy) ---------------------------------------------------------------

# What a learner's key may call: the kit's models and the shut-down names lessons call to show the API's 404.
KEY_MODELS = [*models.KIT_MODELS, *models.SHUT_DOWN]


class ProxyError(ValueError):
    """The proxy could not be reached or refused a request; the text says which and what to do."""


def _ask(proxy: str, master_key: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"{proxy}{path}", data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {master_key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise ProxyError(f"{proxy} refused the master key ({error.code}): check LITELLM_MASTER_KEY") from None
        if error.code == 400 and path == "/user/new":
            return {}  # the learner exists already; their budget and spend stay as they are
        raise ProxyError(f"{proxy} answered {error.code} to {path}: is it a LiteLLM proxy with a database "
                         "(DATABASE_URL)? Virtual keys need one.") from None
    except (OSError, ValueError) as error:
        raise ProxyError(f"cannot reach {proxy} ({type(error).__name__}): check --proxy and that the proxy "
                         "is running") from None


def make_keys(proxy: str, master_key: str, count: int, budget: float, *, prefix: str = "learner",
              duration: str = "7d", budget_duration: str = "30d") -> list[tuple[str, str]]:
    """(learner, key) for learners prefix-01 … prefix-NN, each a LiteLLM user with `budget` dollars."""
    if count < 1 or budget <= 0:
        raise ValueError("--count and --budget must be above 0")
    proxy = proxy.rstrip("/").removesuffix("/v1")
    limits = {"models": KEY_MODELS, "max_budget": budget}
    made = []
    for number in range(1, count + 1):
        learner = f"{prefix}-{number:0{max(2, len(str(count)))}d}"
        _ask(proxy, master_key, "/user/new", {"user_id": learner, "user_role": "internal_user",
                                              "auto_create_key": False, "budget_duration": budget_duration, **limits})
        answer = _ask(proxy, master_key, "/key/generate", {"user_id": learner, "duration": duration,
                                                            "metadata": {"issued_by": "classroom keys"}, **limits})
        if not answer.get("key"):
            raise ProxyError(f"{proxy} made no key for {learner}")
        made.append((learner, answer["key"]))
    return made


def handout(proxy: str, made: list[tuple[str, str]], budget: float, duration: str) -> str:
    base_url = proxy.rstrip("/").removesuffix("/v1") + "/v1"
    lines = ["# Your key for the class", "",
             f"Each key works for {duration} and up to ${budget:g} of requests. Keep it to yourself.", ""]
    for learner, key in made:
        lines += ["---", "", f"## {learner}", "", "Put these two lines in a file named `.env` in the kit's folder "
                  "(next to README.md), then run lesson 00's setup cell (or restart the kernel):", "", "```",
                  f"OPENAI_BASE_URL={base_url}", f"OPENAI_API_KEY={key}", "```", ""]
    return "\n".join(lines)


def write_handout(path: Path, text: str) -> None:
    """Only its owner may read it: it holds every learner's key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def keys_command(args) -> int:
    master_key = os.environ.get("LITELLM_MASTER_KEY", "")
    proxy = args.proxy or os.environ.get("KIT_LITELLM_URL", "")
    if not proxy or not master_key:
        print("error: set LITELLM_MASTER_KEY (the proxy's master key) and give --proxy (or KIT_LITELLM_URL)",
              file=sys.stderr)
        return 2
    made = make_keys(proxy, master_key, args.count, args.budget, prefix=args.prefix, duration=args.duration)
    write_handout(args.out, handout(proxy, made, args.budget, args.duration))
    print(f"{len(made)} keys made on {proxy} ({made[0][0]} … {made[-1][0]}, ${args.budget:g} each), written to "
          f"{args.out} (only you can read it; print it, hand out one section per learner, never commit it).")
    return 0


def main(argv=None) -> int:
    from . import sizing, wheels  # they use this module's schedules

    parser = argparse.ArgumentParser(prog="python -m helpers.authoring.classroom", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    link = commands.add_parser("link", help="print an nbgitpuller link for a JupyterHub")
    link.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    which = link.add_mutually_exclusive_group()
    which.add_argument("--lesson", help="a lesson, e.g. 02_parameters (default: the notebooks folder)")
    which.add_argument("--all", action="store_true", help="a Markdown table with a link for every lesson")
    link.add_argument("--repository", default=navigation.REPOSITORY, help="owner/name on GitHub (a fork)")
    link.add_argument("--branch", default=navigation.BRANCH)
    schedules = commands.add_parser("schedules", help="write the schedules into docs/instructor-guide.md")
    schedules.add_argument("--check", action="store_true", help="report whether they are stale, change nothing")
    size = commands.add_parser("sizing", help="print every number the hub, the proxy and the TLJH guide set")
    defaults = sizing.Class()
    size.add_argument("--learners", type=int, default=defaults.learners)
    size.add_argument("--budget", type=float, default=defaults.budget_usd, help="each learner's, in dollars")
    size.add_argument("--budget-days", type=int, default=defaults.budget_days)
    size.add_argument("--node-cpus", type=int, default=defaults.node_cpus, help="a user node's cores (Z2JH)")
    size.add_argument("--node-memory", type=int, default=defaults.node_memory_gb, help="a user node's memory, GB")
    size.add_argument("--tier", type=int, help="the organisation's OpenAI usage tier (default: the lowest that fits)")
    writing = size.add_mutually_exclusive_group()
    writing.add_argument("--write", action="store_true", help="write the numbers into docs/classroom/")
    writing.add_argument("--check", action="store_true", help="report whether docs/classroom/ holds them")
    wheels.add_arguments(commands.add_parser("wheelhouse", help="download a wheel of every pinned package, "
                                                               "for installing with no network"))
    keys = commands.add_parser("keys", help="make a key for each learner on a LiteLLM proxy and write a handout")
    keys.add_argument("--count", type=int, required=True, help="how many learners")
    keys.add_argument("--budget", type=float, required=True, help="each learner's budget in US dollars")
    keys.add_argument("--proxy", help="the proxy's address, e.g. http://proxy.example.edu:4000 (or KIT_LITELLM_URL)")
    keys.add_argument("--duration", default=f"{sizing.key_lifetime_hours()}h",
                      help="how long each key lasts, within the proxy's upper bound (default %(default)s)")
    keys.add_argument("--prefix", default="learner", help="learners are named PREFIX-01, PREFIX-02, ...")
    keys.add_argument("--out", type=Path, default=Path("classroom-keys.md"), help="the handout (default %(default)s)")
    args = parser.parse_args(argv)

    try:
        if args.command == "keys":
            return keys_command(args)
        if args.command == "wheelhouse":
            return wheels.main(args)
        if args.command == "sizing":
            numbers = sizing.size(sizing.Class(args.learners, args.budget, args.budget_days, args.node_cpus,
                                               args.node_memory, args.tier))
            if not (args.write or args.check):
                print(sizing.explain(numbers))
                return 0
            changed = sizing.update(numbers, check_only=args.check)
            print("\n".join(f"{'stale' if args.check else 'written'}: {name}" for name in changed)
                  or "docs/classroom/ holds these numbers")
            return 1 if changed and args.check else 0
        if args.command == "link":
            options = {"repository": args.repository, "branch": args.branch}
            print(links_table(args.hub, **options) if args.all else nbgitpuller_url(args.hub, args.lesson, **options))
            return 0
        stale = update(check_only=args.check)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    verb = "stale" if args.check else "written"
    print("\n".join(f"{verb}: {name}" for name in stale) or "schedules are up to date")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
