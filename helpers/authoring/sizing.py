"""Sizing a class: every number the hub, the proxy and the guides set, derived from the class.

    python -m helpers.authoring.classroom sizing                      # the default class: 200 learners
    python -m helpers.authoring.classroom sizing --learners 60 --budget 5 --node-memory 32

The inputs are the class size, each learner's budget, the schedule (its install slot and lunch, from
`classroom.py`), what a learner's server holds (JupyterLab and the lessons' kernels, measured by
`benchmark/run.py`), the nodes' size and the organisation's rate-limit tier. The shipped
`docs/classroom/z2jh-values.yaml`, `litellm-config.yaml` and `tljh-setup.md` hold what this prints for
the default class (a test checks), so changing an input here and there is the only way to change them.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from .. import paths
from . import classroom, navigation

# What one learner's server holds. A lesson's kernel peaks at about 285 MB (README, "Speed and size",
# measured by benchmark/run.py); JupyterLab's own server takes about 100 MB.
JUPYTERLAB_MB = 100
KERNEL_PEAK_MB = 300
OPEN_LESSONS = 3          # kernels a learner may keep running before the limit restarts one
LIMIT_HEADROOM = 1.5      # the limit leaves half again for a lesson's plots and a learner's own experiments
MEMORY_STEP_MB = 512      # guarantees and limits are set in whole steps, as nodes are sold
CPU_LIMIT = 1             # one core at most: offline replay is light, a learner's own loop is not
CULL_EVERY_SECONDS = 300  # how often the culler looks for idle servers
CULL_MARGIN = 1.5         # a server idles through the longest pause of the day and half as long again

# A Kubernetes node keeps part of itself for the kubelet and system pods; the hub, its proxy and the
# LiteLLM proxy run on a separate core node, so a user node's allocatable share is the rest.
NODE_RESERVED_GB = 2.0
NODE_RESERVED_CPU = 0.5
NODE_START_MINUTES = 5    # a cloud node from request to ready, image pulled (the prePuller): a few minutes

# The Littlest JupyterHub: one machine for everyone, hub and proxy included.
TLJH_RESERVED_GB = 4
TLJH_LEARNERS_PER_CORE = 10
TLJH_DISK_GB = 20
TLJH_DISK_PER_LEARNER_GB = 1
TLJH_MOST_LEARNERS = 100  # past this, one machine's memory (and a reboot taking everyone down) argue for Z2JH

RAISE_FACTOR = 5          # a single key may carry up to this many budgets, room to raise one learner's
KEY_DAY_FACTOR = 1.5      # a key outlives the longest schedule by half again, so it never expires in class
INSTRUCTOR_SHARE = 0.10   # of the organisation's rate limit, kept for instructors and helpers
BURST = 4                 # the busiest minute, against the lesson's average: a room runs the same cell together


@dataclass(frozen=True)
class Tier:
    """An OpenAI usage tier's limits for a mini-class chat model. Source: OpenAI's limits page, as
    tabulated at https://www.ai-buzz.com/ai-openai-rate-limits (GPT-4o-mini row) and, for the spend to
    qualify and the monthly cap, https://hivebook.wiki/wiki/openai-api-rate-limits. Limits are per
    organisation and per model, not per key, and change over time: an organisation's own are on
    platform.openai.com, Settings, Limits."""
    number: int
    qualify: str
    monthly_cap_usd: int
    rpm: int
    tpm: int


TIERS = (
    Tier(1, "$5 paid", 100, 500, 200_000),
    Tier(2, "$50 paid, 7+ days", 500, 5_000, 2_000_000),
    Tier(3, "$100 paid, 7+ days", 1_000, 5_000, 4_000_000),
    Tier(4, "$250 paid, 14+ days", 5_000, 10_000, 10_000_000),
    Tier(5, "$1,000 paid, 30+ days", 200_000, 30_000, 150_000_000),
)


@dataclass(frozen=True)
class Class:
    learners: int = 200
    budget_usd: float = 2.0     # each learner's, per budget_days
    budget_days: int = 30
    node_cpus: int = 4
    node_memory_gb: int = 16
    tier: int | None = None     # the organisation's tier; None: the lowest that carries the class


@dataclass(frozen=True)
class Demand:
    """What a learner sends, from the recordings: the busiest lesson per minute, and all of it at once."""
    lesson: str
    requests_per_minute: float
    tokens_per_minute: float
    lesson_requests: int
    lesson_tokens: int


def _mb(mb: int) -> str:
    return f"{mb}M"


def _round_up(value: float, step: int) -> int:
    return math.ceil(value / step) * step


def demand() -> Demand:
    """The lesson whose recorded requests, spread over its minutes, come fastest (tokens break ties)."""
    best: Demand | None = None
    for path in navigation.lessons():
        recording = paths.RECORDINGS / f"{path.stem}.json"
        if not recording.exists():
            continue
        interactions = json.loads(recording.read_text(encoding="utf-8"))["interactions"]
        tokens = 0
        for interaction in interactions:
            body = interaction["response"].get("body") or {}
            usage = (body.get("json") or {}).get("usage") if isinstance(body, dict) else None
            tokens += (usage or {}).get("total_tokens") or 0
        info = navigation.lesson_info(path)
        minutes = info["teach_minutes"] + info["practice_minutes"]
        candidate = Demand(path.stem, len(interactions) / minutes, tokens / minutes, len(interactions), tokens)
        if best is None or (candidate.requests_per_minute, candidate.tokens_per_minute) > \
                (best.requests_per_minute, best.tokens_per_minute):
            best = candidate
    if best is None:
        raise ValueError("no lesson has a recording in data/recordings, so there is nothing to size the rate limits on")
    return best


def longest_pause_minutes() -> int:
    """The longest time a learner's server idles in a schedule: lunch on the full day, else a break."""
    return max(classroom.LUNCH[1], classroom.BREAK[1])


def longest_schedule_minutes() -> int:
    return max(schedule.available for schedule in classroom.SCHEDULES)


def key_lifetime_hours() -> int:
    """How long a learner's key lasts: the longest schedule's day, with margin (the proxy's upper bound)."""
    return math.ceil(longest_schedule_minutes() / 60 * KEY_DAY_FACTOR)


def size(c: Class) -> dict:
    """Every number, keyed by where it goes."""
    if c.learners < 1 or c.budget_usd <= 0 or c.budget_days < 1 or c.node_cpus < 1:
        raise ValueError("learners, budget, budget days and node CPUs must be positive")
    if c.node_memory_gb <= NODE_RESERVED_GB:
        raise ValueError(f"a node needs more than {NODE_RESERVED_GB:g} GB of memory (kept for the system)")
    guarantee = _round_up(JUPYTERLAB_MB + KERNEL_PEAK_MB, MEMORY_STEP_MB)
    limit = _round_up((JUPYTERLAB_MB + OPEN_LESSONS * KERNEL_PEAK_MB) * LIMIT_HEADROOM, MEMORY_STEP_MB)
    per_node = int((c.node_memory_gb - NODE_RESERVED_GB) * 1024 // guarantee)
    cpu_guarantee = math.floor((c.node_cpus - NODE_RESERVED_CPU) / per_node * 100) / 100
    nodes = math.ceil(c.learners / per_node)
    install = classroom.INSTALL[1]
    warm = min(c.learners, math.ceil(c.learners * NODE_START_MINUTES / install))
    cull_minutes = _round_up(longest_pause_minutes() * CULL_MARGIN, 15)
    key_hours = key_lifetime_hours()

    need = demand()
    peak_rpm = math.ceil(c.learners * need.requests_per_minute * BURST)
    peak_tpm = math.ceil(c.learners * need.tokens_per_minute * BURST)
    class_budget = c.learners * c.budget_usd
    usable = 1 - INSTRUCTOR_SHARE

    def carries(tier: Tier) -> bool:
        return tier.rpm * usable >= peak_rpm and tier.tpm * usable >= peak_tpm and tier.monthly_cap_usd >= class_budget

    if c.tier is None:
        tier = next((t for t in TIERS if carries(t)), TIERS[-1])
    else:
        matches = [t for t in TIERS if t.number == c.tier]
        if not matches:
            raise ValueError(f"--tier should be one of {', '.join(str(t.number) for t in TIERS)} (got {c.tier})")
        tier = matches[0]
    learner_rpm = max(1, math.floor(tier.rpm * usable / c.learners))
    learner_tpm = max(1, math.floor(tier.tpm * usable / c.learners))
    tljh_memory = math.ceil(c.learners * guarantee / 1024 + TLJH_RESERVED_GB)
    return {
        "class": c,
        "demand": need,
        "tier": tier,
        "tier_carries": carries(tier),
        "peak_rpm": peak_rpm,
        "peak_tpm": peak_tpm,
        "learners_per_node": per_node,
        "nodes": nodes,
        "z2jh": {
            "singleuser.memory.guarantee": _mb(guarantee),
            "singleuser.memory.limit": _mb(limit),
            "singleuser.cpu.guarantee": cpu_guarantee,
            "singleuser.cpu.limit": CPU_LIMIT,
            "cull.timeout": cull_minutes * 60,
            "cull.every": CULL_EVERY_SECONDS,
            "scheduling.userPlaceholder.replicas": warm,
            "hub.extraEnv.KIT_BUDGET_USD": f"{c.budget_usd:g}",
            "hub.extraEnv.KIT_BUDGET_DURATION": f"{c.budget_days}d",
            "hub.extraEnv.KIT_KEY_DURATION": f"{key_hours}h",
        },
        "litellm": {
            "litellm_settings.max_budget": _number(class_budget),
            "litellm_settings.budget_duration": f"{c.budget_days}d",
            "litellm_settings.max_internal_user_budget": _number(c.budget_usd),
            "litellm_settings.internal_user_budget_duration": f"{c.budget_days}d",
            "litellm_settings.default_key_generate_params.rpm_limit": learner_rpm,
            "litellm_settings.default_key_generate_params.tpm_limit": learner_tpm,
            "litellm_settings.upperbound_key_generate_params.max_budget": _number(c.budget_usd * RAISE_FACTOR),
            "litellm_settings.upperbound_key_generate_params.duration": f"{key_hours}h",
            "litellm_settings.upperbound_key_generate_params.rpm_limit": learner_rpm,
            "litellm_settings.upperbound_key_generate_params.tpm_limit": learner_tpm,
        },
        "tljh": {
            "limits.memory": _mb(limit),
            "services.cull.timeout": cull_minutes * 60,
            "memory_gb": tljh_memory,
            "cores": math.ceil(c.learners / TLJH_LEARNERS_PER_CORE),
            "disk_gb": TLJH_DISK_GB + c.learners * TLJH_DISK_PER_LEARNER_GB,
        },
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def explain(numbers: dict) -> str:
    """The table the command prints: each number with what it comes from."""
    c: Class = numbers["class"]
    z, lite, tljh = numbers["z2jh"], numbers["litellm"], numbers["tljh"]
    need: Demand = numbers["demand"]
    tier: Tier = numbers["tier"]
    guarantee = z["singleuser.memory.guarantee"]
    rows = [
        ("singleuser.memory.guarantee", guarantee,
         f"JupyterLab {JUPYTERLAB_MB} MB + one lesson's kernel {KERNEL_PEAK_MB} MB, in {MEMORY_STEP_MB} MB steps"),
        ("singleuser.memory.limit", z["singleuser.memory.limit"],
         f"(JupyterLab + {OPEN_LESSONS} kernels) x {LIMIT_HEADROOM:g}, in {MEMORY_STEP_MB} MB steps"),
        ("learners per node", numbers["learners_per_node"],
         f"({c.node_memory_gb} GB - {NODE_RESERVED_GB:g} GB for the system) / {guarantee}"),
        ("user nodes", numbers["nodes"], f"{c.learners} learners / {numbers['learners_per_node']} per node, "
                                        "scaled up before the class starts"),
        ("singleuser.cpu.guarantee", z["singleuser.cpu.guarantee"],
         f"({c.node_cpus} cores - {NODE_RESERVED_CPU:g}) / {numbers['learners_per_node']} learners: memory fills "
         "a node first"),
        ("cull.timeout", z["cull.timeout"], f"the longest pause (lunch, {longest_pause_minutes()} min) x "
                                            f"{CULL_MARGIN:g}, in 15 min steps: nobody is culled over lunch"),
        ("scheduling.userPlaceholder.replicas", z["scheduling.userPlaceholder.replicas"],
         f"{c.learners} learners arrive within the {classroom.INSTALL[1]} min install slot; seats for those "
         f"arriving while a new node starts ({NODE_START_MINUTES} min)"),
        ("KIT_BUDGET_USD / KIT_BUDGET_DURATION", f"{z['hub.extraEnv.KIT_BUDGET_USD']} / "
                                                 f"{z['hub.extraEnv.KIT_BUDGET_DURATION']}", "each learner's budget"),
        ("KIT_KEY_DURATION", z["hub.extraEnv.KIT_KEY_DURATION"],
         f"the longest schedule ({longest_schedule_minutes()} min) x {KEY_DAY_FACTOR:g}, in whole hours"),
        ("litellm max_budget", lite["litellm_settings.max_budget"], f"{c.learners} learners x ${c.budget_usd:g}"),
        ("litellm key max_budget (upper bound)", lite["litellm_settings.upperbound_key_generate_params.max_budget"],
         f"{RAISE_FACTOR} budgets: room to raise one learner's"),
        ("peak requests / tokens a minute", f"{numbers['peak_rpm']:,} / {numbers['peak_tpm']:,}",
         f"{c.learners} learners x lesson {need.lesson} ({need.requests_per_minute:.2f} requests, "
         f"{need.tokens_per_minute:,.0f} tokens a minute) x {BURST} for the busiest minute"),
        ("organisation tier", tier.number,
         f"{tier.qualify}: {tier.rpm:,} RPM, {tier.tpm:,} TPM, ${tier.monthly_cap_usd:,} a month"
         + ("" if numbers["tier_carries"] else "; NOT enough for this class: ask OpenAI for higher limits")),
        ("each key's rpm_limit / tpm_limit", f"{lite['litellm_settings.default_key_generate_params.rpm_limit']:,} / "
                                             f"{lite['litellm_settings.default_key_generate_params.tpm_limit']:,}",
         f"the tier's limits less {INSTRUCTOR_SHARE:.0%} for instructors, shared by {c.learners}"),
        ("TLJH machine", f"{tljh['memory_gb']} GB, {tljh['cores']} cores, {tljh['disk_gb']} GB disk",
         f"{guarantee} a learner + {TLJH_RESERVED_GB} GB; a core per {TLJH_LEARNERS_PER_CORE}; "
         f"{TLJH_DISK_GB} GB + {TLJH_DISK_PER_LEARNER_GB} GB a learner"
         + (f"; past {TLJH_MOST_LEARNERS} learners use Zero to JupyterHub" if c.learners > TLJH_MOST_LEARNERS
            else "")),
    ]
    lines = [f"Class of {c.learners}: ${c.budget_usd:g} each per {c.budget_days} days, "
             f"{c.node_cpus}-core {c.node_memory_gb} GB nodes", "",
             "| setting | value | from |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {why} |" for name, value, why in rows]
    return "\n".join(lines)


def tljh_machine(numbers: dict) -> str:
    """The TLJH guide's machine size, written between its sizing-machine markers."""
    c: Class = numbers["class"]
    tljh = numbers["tljh"]
    note = (f" A class of {c.learners} is past what one machine carries well ({TLJH_MOST_LEARNERS} learners): "
            "prefer Zero to JupyterHub ([z2jh-values.yaml](z2jh-values.yaml))." if c.learners > TLJH_MOST_LEARNERS
            else "")
    return (f"For {c.learners} learners working at once: {tljh['memory_gb']} GB of memory "
            f"({numbers['z2jh']['singleuser.memory.guarantee'].removesuffix('M')} MB each plus {TLJH_RESERVED_GB} GB), "
            f"{tljh['cores']} CPU cores (one per {TLJH_LEARNERS_PER_CORE}), {tljh['disk_gb']} GB of disk.{note} "
            "Another class size: `python -m helpers.authoring.classroom sizing --learners N`.")


def tljh_settings(numbers: dict) -> str:
    """The TLJH guide's per-learner settings, written between its sizing-settings markers."""
    tljh = numbers["tljh"]
    return ("```bash\n"
            f"sudo tljh-config set limits.memory {tljh['limits.memory']}   # per learner: {OPEN_LESSONS} open "
            f"lessons (a kernel peaks near {KERNEL_PEAK_MB} MB) and headroom\n"
            f"sudo tljh-config set services.cull.timeout {tljh['services.cull.timeout']}   # idle servers stop "
            "after lunch and half as long again; files stay\n"
            "sudo tljh-config reload\n"
            "```")


# --- writing the numbers into the shipped files ---------------------------------------------------------

Z2JH = "z2jh-values.yaml"
LITELLM = "litellm-config.yaml"
TLJH = "tljh-setup.md"


def _yaml_scalar(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"' if value.replace(".", "", 1).isdigit() else value  # "2" stays a string
    return repr(value) if isinstance(value, float) else str(value)


def set_yaml_scalars(text: str, values: dict[str, object], name: str) -> str:
    """Replace the scalar at each dotted key path, keeping every comment and the layout."""
    lines = text.split("\n")
    stack: list[tuple[int, str]] = []
    found: set[str] = set()
    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith(("#", "-")) or ":" not in stripped:
            continue
        indent = len(line) - len(stripped)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key, _, rest = stripped.partition(":")
        stack.append((indent, key))
        path = ".".join(k for _, k in stack)
        if path in values:
            comment = ""
            if "#" in rest:
                value_part, _, tail = rest.partition("#")
                comment = " " * (len(value_part) - len(value_part.rstrip()) or 1) + "#" + tail
            lines[number] = f"{' ' * indent}{key}: {_yaml_scalar(values[path])}{comment}"
            found.add(path)
    missing = sorted(set(values) - found)
    if missing:
        raise ValueError(f"docs/classroom/{name} has no setting {', '.join(missing)}: put it back, then run again")
    return "\n".join(lines)


def _replace_marked(text: str, marker: str, content: str, name: str) -> str:
    start, end = f"<!-- {marker}:start (written by python -m helpers.authoring.classroom sizing --write) -->", \
        f"<!-- {marker}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"docs/classroom/{name} lacks the markers {start} … {end}")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{content}\n{end}{after}"


def rendered(numbers: dict) -> dict[str, str]:
    """The three files as they should be for these numbers."""
    folder = paths.ROOT / "docs" / "classroom"
    z2jh = set_yaml_scalars((folder / Z2JH).read_text(encoding="utf-8"), numbers["z2jh"], Z2JH)
    litellm = set_yaml_scalars((folder / LITELLM).read_text(encoding="utf-8"), numbers["litellm"], LITELLM)
    tljh = _replace_marked((folder / TLJH).read_text(encoding="utf-8"), "sizing-machine", tljh_machine(numbers), TLJH)
    tljh = _replace_marked(tljh, "sizing-settings", tljh_settings(numbers), TLJH)
    return {Z2JH: z2jh, LITELLM: litellm, TLJH: tljh}


def update(numbers: dict, check_only: bool = False) -> list[str]:
    """Write the numbers into the shipped files; return those that were (or would be) changed."""
    folder = paths.ROOT / "docs" / "classroom"
    stale = []
    for name, text in rendered(numbers).items():
        path = folder / name
        if path.read_text(encoding="utf-8") != text:
            stale.append(f"docs/classroom/{name}")
            if not check_only:
                path.write_text(text, encoding="utf-8")
    return stale
