"""POST /v1/images/generations."""
from __future__ import annotations

import base64
import re

from helpers import models
from helpers.tokens import count_text

from .call import Call
from .media import png
from .wire import Answer, Seed, json_answer

IMAGE_OUTPUT_TOKENS = {"low": 272, "medium": 1056, "high": 4160}  # per 1024x1024 image


def answer(call: Call) -> Answer:
    body, model, seed = call.body, call.model or models.IMAGE, call.seed
    size = body.get("size") if body.get("size") not in (None, "auto") else "1024x1024"
    quality = body.get("quality") if body.get("quality") not in (None, "auto") else "medium"
    width, height = (int(v) for v in size.split("x")) if re.fullmatch(r"\d+x\d+", size) else (1024, 1024)
    count = int(body.get("n") or 1)
    prompt = count_text(body.get("prompt") or "", model)
    output = count * round(IMAGE_OUTPUT_TOKENS.get(quality, 4160) * width * height / 1024**2)
    data = [{"b64_json": base64.b64encode(png(64, round(64 * height / width), Seed(seed.key, i))).decode()}
            for i in range(count)]
    return json_answer({
        "created": seed.created, "background": "opaque", "data": data, "output_format": "png",
        "quality": quality, "size": size,
        "usage": {"input_tokens": prompt, "input_tokens_details": {"image_tokens": 0, "text_tokens": prompt},
                  "output_tokens": output, "total_tokens": prompt + output,
                  "output_tokens_details": {"image_tokens": output, "text_tokens": 0}},
    }, tokens=prompt + output)
