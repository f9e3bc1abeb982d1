"""Checks for lesson 04c, audio."""
import io
import math
import wave
from typing import Any

from openai.types.audio import TranscriptionVerbose

from . import Verdict, verdict

__all__ = ["check_language_and_duration", "check_cues", "check_speech_seconds"]


def check_language_and_duration(verbose: TranscriptionVerbose, language: object, seconds: Any) -> Verdict:
    """Exercise 1: two fields of a verbose transcription."""
    return verdict([
        (isinstance(language, str), "`language` should be a string: look at `verbose.language`."),
        (lambda: language == verbose.language, "The language the model heard is in `verbose.language`."),
        (isinstance(seconds, (int, float)) and not isinstance(seconds, bool),
         "`seconds` should be a number: look at `verbose.duration`."),
        (lambda: math.isclose(seconds, verbose.duration), "The clip's length in seconds is `verbose.duration`."),
    ], f"{language}, {seconds} seconds.")


def check_cues(verbose: TranscriptionVerbose, cues: Any) -> Verdict:
    """Exercise 2: (start, end, text) for each segment."""
    assert verbose.segments is not None  # the lesson asked for timestamp_granularities=["segment"]
    expected = [(s.start, s.end, s.text.strip()) for s in verbose.segments]
    return verdict([
        (isinstance(cues, list) and cues, "`cues` should be a non-empty list, one entry per segment."),
        (lambda: len(cues) == len(expected), f"There are {len(expected)} segments in `verbose.segments`."),
        (lambda: all(isinstance(c, tuple) and len(c) == 3 for c in cues),
         "Each cue is a tuple of three: (start, end, text)."),
        (lambda: [c[:2] for c in cues] == [e[:2] for e in expected],
         "Take the times from `segment.start` and `segment.end`."),
        (lambda: [c[2] for c in cues] == [e[2] for e in expected],
         "Take the text from `segment.text`, with `.strip()` to drop the space in front."),
    ], "One cue per segment: that is all a subtitle file needs.")


def check_speech_seconds(audio_bytes: bytes, speech_seconds: Any) -> Verdict:
    """Exercise 3: the length of a WAV file from its header."""
    with wave.open(io.BytesIO(audio_bytes)) as sound:
        frames, rate = sound.getnframes(), sound.getframerate()
    return verdict([
        (isinstance(speech_seconds, (int, float)) and not isinstance(speech_seconds, bool),
         "`speech_seconds` should be a number of seconds."),
        (speech_seconds != 0, "Open the bytes with `wave.open(io.BytesIO(audio_bytes))` and read the frames."),
        (not math.isclose(speech_seconds, frames), "That is the number of frames: divide by `getframerate()`."),
        (math.isclose(speech_seconds, frames / rate, rel_tol=1e-6),
         "Divide `getnframes()` by `getframerate()` (frames per second)."),
    ], f"{frames / rate:.2f} seconds of audio.")
