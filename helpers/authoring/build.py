"""One command for everything generated: `python -m helpers.authoring.build`.

1. navigation and the README's contents table;
2. recordings that do not exist yet, synthesized by running the notebook in record mode against the
   kit's stand-in server (labelled as synthesized; a real key replaces them with KIT_MODE=record);
3. the stored outputs of every notebook, by executing it offline with nbclient;
4. the prices, costs and token counts lesson text states (helpers/authoring/figures.py);
5. docs/model-facts.md, the model catalogue and the facts each recording rests on.

Give notebook names to build only those; `--check` reports what is stale and changes nothing.
`python -m helpers.authoring.build new NN_name "Title"` writes a new lesson's skeleton
(helpers/authoring/lesson.py). A lesson that lacks a required part, or a request no stand-in rule
answers, stops the build with a message saying what to add (docs/authoring.md).
"""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from .. import misses, paths, recordings
from . import classroom, factsheet, figures, lesson, navigation

TIMEOUT = 300
# nbclient waits 60 s for a new kernel by default; on two cores shared with the browser suite and the sandbox
# engine, a kernel has taken longer than that to answer.
STARTUP_TIMEOUT = 180
OFFLINE_MISS = "offline-miss"  # the tag of a cell whose request is kept out of the recording, to show a miss


@contextmanager
def _environment(**values):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run(nb):
    """Run a notebook (as read by nbformat) top to bottom in a fresh kernel, from the lessons' folder."""
    client = NotebookClient(nb, timeout=TIMEOUT, startup_timeout=STARTUP_TIMEOUT, kernel_name="python3",
                            record_timing=False, store_widget_state=False, coalesce_streams=True,
                            resources={"metadata": {"path": str(paths.NOTEBOOKS)}})
    client.execute()
    return nb


def execute(path: Path, save: bool = True):
    """Run a notebook file top to bottom in a fresh kernel with the current environment."""
    nb = run(nbformat.read(path, as_version=4))
    if save:
        navigation.write_notebook(nb, path)
    return nb


def synthesize(path: Path) -> list[str]:
    """Create the notebook's recording from the stand-in server; returns requests no script rule matched.

    Cells tagged `offline-miss` show what offline mode says to a request nobody recorded, so they are
    not run here: their requests stay out of the recording."""
    from .standin import StandIn

    nb = nbformat.read(path, as_version=4)
    nb.cells = [cell for cell in nb.cells if OFFLINE_MISS not in cell.metadata.get("tags", [])]
    with StandIn() as server, _environment(KIT_MODE="record", OPENAI_BASE_URL=server.url,
                                           OPENAI_API_KEY="sk-kit-standin-build", KIT_REPLAY_PACE_MS="0"):
        run(nb)
    return server.unmatched


def store_outputs(path: Path) -> None:
    # Stored outputs come from recordings alone: an author's local sandbox never answers into them.
    with _environment(KIT_MODE="offline", OPENAI_API_KEY=None, OPENAI_BASE_URL=None, KIT_REPLAY_PACE_MS="0",
                      KIT_SANDBOX="off"):
        execute(path)


def new(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.authoring.build new",
                                     description="Write a new lesson's notebook, stand-in script and exercise checks.")
    parser.add_argument("name", help="like 13_batch_api: two digits (and an optional letter), then words")
    parser.add_argument("title", help='the lesson\'s title, like "The Batch API"')
    args = parser.parse_args(argv)
    for path in lesson.scaffold(args.name, args.title):
        print(f"written: {path.relative_to(paths.ROOT)}")
    print(f"Next: fill them in, then `python -m helpers.authoring.build {args.name}` (docs/authoring.md).")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["new"]:
        return new(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m helpers.authoring.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="names like 01_chat_completions (default: all)")
    parser.add_argument("--check", action="store_true", help="report stale navigation, change nothing")
    parser.add_argument("--resynthesize", action="store_true",
                        help="replace synthesized recordings of the named notebooks (never live ones)")
    args = parser.parse_args(argv)

    wanted = [path for path in navigation.lessons() if not args.notebooks or path.stem in args.notebooks]
    unfinished = {path: lesson.problems(path) for path in wanted}
    for path, missing in unfinished.items():
        if missing:
            print(f"{path.relative_to(paths.ROOT)} is not built, because " + "; ".join(missing) + ".", file=sys.stderr)
    if any(unfinished.values()):
        return 1
    stale = navigation.update(check_only=args.check) + classroom.update(check_only=args.check)
    if args.check:
        stale += figures.update(check_only=True) + factsheet.update(check_only=True)
        print("\n".join(f"stale: {name}" for name in stale) or "navigation is up to date")
        return 1 if stale else 0
    for name in stale:
        print(f"navigation written: {name}")
    for path in wanted:
        if not build_lesson(path, resynthesize=args.resynthesize):
            return 1
    for name in figures.update() + factsheet.update():  # after the recordings: both are read from them
        print(f"written: {name}")
    return 0


def build_lesson(path: Path, resynthesize: bool = False) -> bool:
    """Synthesize the lesson's recording if it has none (or is asked to), then store its outputs.

    False, with a message for authors, when a request got no answer from the lesson's stand-in script, or
    its recording has no answer to a request the lesson now sends (a miss: advice for authors, not learners)."""
    recording = recordings.recording_path(path.stem)
    if resynthesize and recording.exists():
        if recordings.holds_live_answers(recording):
            print(f"{recordings.shown(recording)} holds live answers; not replaced", file=sys.stderr)
        else:
            recording.unlink()
    if not recording.exists():
        unmatched = synthesize(path)
        if unmatched:  # a placeholder answer is no answer to keep: say which rule to add
            recording.unlink(missing_ok=True)
            script = paths.STANDIN_SCRIPTS / f"{path.stem}.json"
            print(f"{recordings.shown(recording)} is not kept: no rule in {script.relative_to(paths.ROOT)} "
                  f"answers these requests (data/standin/README.md says how to write one):", file=sys.stderr)
            for request in unmatched:
                print(f"  {request}", file=sys.stderr)
            return False
        print(f"recording synthesized: {recordings.shown(recording)}")
    try:
        store_outputs(path)
    except CellExecutionError as err:
        if err.ename != recordings.OfflineMiss.__name__:
            raise
        script = (paths.STANDIN_SCRIPTS / f"{path.stem}.json").relative_to(paths.ROOT)
        print(f"{path.name}: outputs not stored, because a cell sent a request that is not recorded.\n"
              + misses.for_authors(err.evalue, path.stem, str(script)), file=sys.stderr)
        return False
    print(f"outputs stored: {path.relative_to(paths.ROOT)}")
    return True


if __name__ == "__main__":
    sys.exit(main())
