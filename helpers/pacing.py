"""Paced replay: offline, a streamed answer arrives event by event, so learners see streaming happen.

Recordings hold no timing, so each server-sent event after the first waits a fixed, plausible
delay: `KIT_REPLAY_PACE_MS` milliseconds (default 30; 0 replays at full speed, as tests and
builds do). The bytes delivered are exactly the recorded ones; only their arrival is spread out.
The session (helpers.session) hands every replayed event stream out through a `PacedStream`.
"""
from __future__ import annotations

import os
import re
import time
import warnings
from collections.abc import AsyncIterator, Iterator, Mapping

import anyio
import httpx2

PACE_ENV = "KIT_REPLAY_PACE_MS"
DEFAULT_PACE_MS = 30
# An event ends at a blank line; the three line endings SSE allows.
_EVENT_END = re.compile(rb"(?<=\n\n)|(?<=\r\n\r\n)|(?<=\r\r)")


def pace_seconds(environ: Mapping[str, str] = os.environ) -> float:
    """The pause between replayed events, from KIT_REPLAY_PACE_MS (a bad value warns and uses the default)."""
    value = environ.get(PACE_ENV, "").strip()
    if not value:
        return DEFAULT_PACE_MS / 1000
    try:
        milliseconds = float(value)
    except ValueError:
        milliseconds = -1
    if not 0 <= milliseconds <= 10_000:
        warnings.warn(f"{PACE_ENV} is {value!r}, but it must be a number of milliseconds from 0 to 10000 "
                      f"(0 for no pause); using {DEFAULT_PACE_MS}.", stacklevel=2)
        return DEFAULT_PACE_MS / 1000
    return milliseconds / 1000


def split_events(body: bytes) -> list[bytes]:
    """Server-sent events with their blank-line endings; joined they give `body` back exactly."""
    return [part for part in _EVENT_END.split(body) if part]


class PacedStream(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A recorded event stream handed out one event at a time, `pause` seconds apart."""

    def __init__(self, body: bytes, pause: float) -> None:
        self._events = split_events(body)
        self._pause = pause

    def __iter__(self) -> Iterator[bytes]:
        for number, event in enumerate(self._events):
            if number and self._pause:
                time.sleep(self._pause)
            yield event

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for number, event in enumerate(self._events):
            if number and self._pause:
                await anyio.sleep(self._pause)
            yield event
