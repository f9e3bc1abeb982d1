"""How long a lesson takes, from what it holds: the one place lesson minutes come from.

Teaching time is the lesson's prose read and explained, each code cell run and discussed, and each
recorded answer read; practice time is its exercises. Navigation, the README's contents table and
the instructor guide's schedules all take their minutes from `lesson_minutes`, so a lesson that
grows gets longer everywhere at once.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .. import recordings

WORDS_PER_MINUTE = 150      # prose read aloud and explained (a talk runs at about 130-160 words a minute)
MINUTES_PER_CODE_CELL = 1   # the instructor runs a demonstration cell and talks through its output
MINUTES_PER_REQUEST = 0.25  # each recorded answer the lesson shows is read by the room
MINUTES_PER_EXERCISE = 4    # a learner reads the task, tries it, runs the check, maybe takes a hint
ROUND_TO = 5                # minutes on a plan are multiples of five, rounded up

EXERCISE_CHECK = re.compile(r"\blesson\w+\.check_\w+\(")
FOLDED = re.compile(r"<details>.*?</details>", re.S)  # a folded solution is read in practice, not taught
COMMENT = re.compile(r"<!--.*?-->", re.S)  # unseen when rendered: the figure markers
NAVIGATION = ("nav-top", "nav-bottom")


@dataclass(frozen=True)
class Minutes:
    teach: int
    practice: int

    @property
    def total(self) -> int:
        return self.teach + self.practice


@dataclass(frozen=True)
class Contents:
    """What a lesson holds, as far as its length goes."""
    words: int
    demo_cells: int
    exercises: int
    requests: int


def _round_up(minutes: float) -> int:
    return max(ROUND_TO, math.ceil(minutes / ROUND_TO - 1e-9) * ROUND_TO)


def contents(path: Path) -> Contents:
    nb = nbformat.read(path, as_version=4)
    prose = [COMMENT.sub("", FOLDED.sub("", cell.source)) for cell in nb.cells
             if cell.cell_type == "markdown" and cell.metadata.get("kit") not in NAVIGATION]
    code = [cell.source for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    exercises = sum(bool(EXERCISE_CHECK.search(source)) for source in code)
    recording = recordings.recording_path(path.stem)
    requests = len(recordings.read_file(recording)["interactions"]) if recording.exists() else 0
    return Contents(words=sum(len(text.split()) for text in prose), demo_cells=len(code) - exercises,
                    exercises=exercises, requests=requests)


def minutes_for(held: Contents) -> Minutes:
    teach = (held.words / WORDS_PER_MINUTE + held.demo_cells * MINUTES_PER_CODE_CELL
             + held.requests * MINUTES_PER_REQUEST)
    return Minutes(teach=_round_up(teach), practice=_round_up(held.exercises * MINUTES_PER_EXERCISE))


def lesson_minutes(path: Path) -> Minutes:
    """Teaching and practice minutes of the lesson notebook at `path`."""
    return minutes_for(contents(path))


def explained() -> str:
    """How the minutes are worked out, in a sentence for instructors."""
    return (f"A lesson's teaching time counts its prose at {WORDS_PER_MINUTE} words a minute, "
            f"{MINUTES_PER_CODE_CELL} min for each demonstration cell and {MINUTES_PER_REQUEST:g} min for each "
            f"recorded answer; its practice time is {MINUTES_PER_EXERCISE} min an exercise. Each is rounded up "
            f"to {ROUND_TO} minutes.")
