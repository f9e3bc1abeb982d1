"""One command for everything generated: `python -m helpers.authoring.build`.

1. navigation and the README's contents table;
2. recordings that do not exist yet, synthesized by running the notebook in record mode against the
   kit's stand-in server (labelled as synthesized; a real key replaces them with KIT_MODE=record);
3. the stored outputs of every notebook, by executing it offline with nbclient;
4. docs/model-facts.md, the model catalogue and the facts each recording rests on.

Give notebook names to build only those; `--check` reports what is stale and changes nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .. import paths, recordings
from . import classroom, factsheet, navigation

TIMEOUT = 300


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
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                            store_widget_state=False, coalesce_streams=True,
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
    """Create the notebook's recording from the stand-in server; returns requests no script rule matched."""
    from .standin import StandIn

    with StandIn() as server, _environment(KIT_MODE="record", OPENAI_BASE_URL=server.url,
                                           OPENAI_API_KEY="sk-kit-standin-build", KIT_REPLAY_PACE_MS="0"):
        execute(path, save=False)
    return server.unmatched


def store_outputs(path: Path) -> None:
    with _environment(KIT_MODE="offline", OPENAI_API_KEY=None, OPENAI_BASE_URL=None, KIT_REPLAY_PACE_MS="0"):
        execute(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.authoring.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="names like 01_chat_completions (default: all)")
    parser.add_argument("--check", action="store_true", help="report stale navigation, change nothing")
    parser.add_argument("--resynthesize", action="store_true",
                        help="replace synthesized recordings of the named notebooks (never live ones)")
    args = parser.parse_args(argv)

    stale = navigation.update(check_only=args.check) + classroom.update(check_only=args.check)
    if args.check:
        stale += factsheet.update(check_only=True)
        print("\n".join(f"stale: {name}" for name in stale) or "navigation is up to date")
        return 1 if stale else 0
    for name in stale:
        print(f"navigation written: {name}")
    wanted = set(args.notebooks)
    for path in navigation.lessons():
        if wanted and path.stem not in wanted:
            continue
        recording = recordings.recording_path(path.stem)
        if args.resynthesize and recording.exists():
            if recordings.holds_live_answers(recording):
                print(f"{recordings.shown(recording)} holds live answers; not replaced", file=sys.stderr)
            else:
                recording.unlink()
        if not recording.exists():
            unmatched = synthesize(path)
            print(f"recording synthesized: {recordings.shown(recording)}")
            for request in unmatched:
                print(f"  no stand-in script rule matched: {request}", file=sys.stderr)
        store_outputs(path)
        print(f"outputs stored: {path.relative_to(paths.ROOT)}")
    for name in factsheet.update():  # after the recordings: it lists what each of them rests on
        print(f"written: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
