"""POST /v1/moderations."""
from __future__ import annotations

from helpers import models

from .call import Call
from .text import _joined, _round
from .wire import Answer, Seed, json_answer

MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
)
IMAGE_SCORED = {"self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence", "violence/graphic"}


def answer(call: Call) -> Answer:
    given = call.body.get("input")
    if isinstance(given, list) and given and isinstance(given[0], dict):  # one multimodal input
        inputs = [(_joined(given), any(part.get("type") == "image_url" for part in given))]
    else:
        inputs = [(text, False) for text in ([given] if isinstance(given, str) else given or [])]
    raised = call.entry().get("categories", {})
    results = [_moderation_result(text, has_image, raised) for text, has_image in inputs]
    return json_answer({"id": "modr-" + call.seed.hex("id", 32),
                        "model": call.model or models.MODERATION, "results": results})


def _moderation_result(text: str, has_image: bool, raised: dict) -> dict:
    seed = Seed("moderation", text)  # the same text always scores the same
    scores = {c: float(raised[c]) if c in raised else _round(10 ** -(2 + 4 * seed.unit(c)))
              for c in MODERATION_CATEGORIES}
    kinds = {c: (["text"] if text else []) + (["image"] if has_image and c in IMAGE_SCORED else [])
             for c in MODERATION_CATEGORIES}
    return {"flagged": any(s > 0.5 for s in scores.values()), "categories": {c: s > 0.5 for c, s in scores.items()},
            "category_scores": scores, "category_applied_input_types": kinds}
