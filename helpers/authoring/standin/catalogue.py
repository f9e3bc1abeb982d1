"""GET /v1/models and /v1/models/{model}: the kit's models and a few others, with their shutdown dates."""
from __future__ import annotations

from helpers import lifecycle, models

from .call import Call
from helpers.endpoints import MODELS
from .wire import Answer, ApiError, Seed, json_answer

OTHER_MODELS = (models.CHAT_BALANCED, "gpt-6-astra", "gpt-5.6-luna", "gpt-5.4", "gpt-5.4-nano",
                "text-embedding-3-large", "whisper-1", "gpt-4o-transcribe", "tts-1", "gpt-image-1.5")


def listing(call: Call) -> Answer:
    return json_answer({"object": "list", "data": [_model_object(name) for name in _model_names()]})


def one(call: Call) -> Answer:
    name = call.path[len(MODELS) + 1:]
    if name not in _model_names():
        raise ApiError(404, f"The model '{name}' does not exist", param="model", code="model_not_found")
    return json_answer(_model_object(name))


def _model_names() -> list[str]:
    return list(dict.fromkeys(models.KIT_MODELS + OTHER_MODELS))


def _model_object(name: str) -> dict:
    seed = Seed("model", name)
    when = lifecycle.shutdown_date(name)  # /v1/models carries each model's announced shutdown (models.SMOKE_TEST)
    return {"id": name, "object": "model", "created": 1680000000 + int(seed.unit("created") * 100_000_000),
            "owned_by": "openai" if name in OTHER_MODELS else "system",
            "shutdown_date": when.isoformat() if when else None}
