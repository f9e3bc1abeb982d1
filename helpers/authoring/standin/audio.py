"""POST /v1/audio/speech and /v1/audio/transcriptions."""
from __future__ import annotations

import math
import re

from helpers.tokens import count_text

from .call import Call
from .media import _audio_seconds, _timestamp, wav
from .text import _encoding, _round
from .wire import Answer, ApiError, Seed, json_answer

LANGUAGES = {"fr": "french", "de": "german", "es": "spanish", "it": "italian", "ja": "japanese"}


def speech(call: Call) -> Answer:
    if call.body.get("response_format", "mp3") != "wav":
        raise ApiError(400, "The stand-in server only synthesizes wav audio: ask for response_format='wav'.",
                       param="response_format")
    return Answer(wav(call.text), content_type="audio/wav")


def transcription(call: Call) -> Answer:
    body, model, entry = call.body, call.model, call.entry()
    name, data = call.files.get("file", ("audio", b""))
    pieces = [s if isinstance(s, dict) else {"text": s} for s in entry.get("segments", [])]
    text = entry.get("text") or entry.get("content") or " ".join(p["text"].strip() for p in pieces)
    text = text or f"This is a placeholder transcription of {name} from the stand-in server."
    duration = _audio_seconds(data) or round(0.4 * len(text.split()) + 0.5, 2)
    segments = _segments(pieces or [{"text": s} for s in re.split(r"(?<=[.!?])\s+", text.strip())],
                         duration, model, call.seed)
    fmt = body.get("response_format") or "json"
    if fmt == "text":
        return Answer((text + "\n").encode(), content_type="text/plain; charset=utf-8")
    if fmt in ("srt", "vtt"):
        mark = "," if fmt == "srt" else "."
        cues = [(f"{s['id'] + 1}\n" if fmt == "srt" else "") + f"{_timestamp(s['start'], mark)} --> "
                f"{_timestamp(s['end'], mark)}\n{s['text'].strip()}\n" for s in segments]
        return Answer((("WEBVTT\n\n" if fmt == "vtt" else "") + "\n".join(cues) + "\n").encode(),
                      content_type="text/plain; charset=utf-8")
    seconds = {"type": "duration", "seconds": math.ceil(duration)}
    if fmt == "verbose_json":
        return json_answer({"task": "transcribe", "language": LANGUAGES.get(body.get("language"), "english"),
                            "duration": duration, "text": text, "segments": segments, "usage": seconds})
    if model == "whisper-1":
        return json_answer({"text": text, "usage": seconds})
    audio, prompt, used = round(duration * 10), count_text(body.get("prompt") or "", model), count_text(text, model)
    usage = {"type": "tokens", "input_tokens": audio + prompt,
             "input_token_details": {"text_tokens": prompt, "audio_tokens": audio},
             "output_tokens": used, "total_tokens": audio + prompt + used}
    return json_answer({"text": text, "usage": usage}, tokens=usage["total_tokens"])


def _segments(pieces: list[dict], duration: float, model: str, seed: Seed) -> list[dict]:
    """Whisper-style segments, timed in proportion to their length unless the script gives times."""
    total = sum(len(p["text"]) for p in pieces) or 1
    segments, clock = [], 0.0
    for index, piece in enumerate(pieces):
        start = float(piece.get("start", clock))
        end = float(piece.get("end", start + duration * len(piece["text"]) / total))
        text = " " + piece["text"].strip()
        segments.append({
            "id": index, "seek": int(start * 100) // 3000 * 3000, "start": round(start, 2), "end": round(end, 2),
            "text": text, "tokens": _encoding(model).encode(text, disallowed_special=()), "temperature": 0.0,
            "avg_logprob": _round(-0.1 - 0.3 * seed.unit(f"seg{index}")),
            "compression_ratio": _round(1.2 + 0.4 * seed.unit(f"ratio{index}")),
            "no_speech_prob": _round(0.001 + 0.02 * seed.unit(f"silence{index}")),
        })
        clock = end
    return segments
