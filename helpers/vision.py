"""What an image in a prompt costs in input tokens, offline.

Current OpenAI models cut an image into 32×32-pixel patches after fitting it into the size its
`detail` allows, and bill the patches times a per-model multiplier as input tokens. The rules and
their sources are in `RULES` (`helpers.models` quotes the sources). Where the public evidence
disagrees, each rule takes the larger count, so a cost estimate or the budget guard never counts
low.

The kit must know the image's size without fetching anything: a base64 data URL carries the image
itself (its header gives width and height); an URL of an image shipped in the kit's own `data/images/`
on GitHub is read from the file here. Any other URL is counted at the most its `detail` can cost.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import models, paths

PATCH = 32  # pixels on a side of one patch
LOW_SIDE = 512  # detail "low": the model sees the image fitted into 512×512
IMAGES_FOLDER = "data/images"
DETAILS = ("low", "high", "auto", "original")


@dataclass(frozen=True)
class Rule:
    multiplier: float  # input tokens per patch
    box: int  # detail "high": the image is fitted into box×box pixels...
    high_patches: int  # ...and then into this many patches
    original_patches: int  # detail "original": the image at its own size, up to this many patches
    auto: str  # what detail "auto" (or no detail) means for these models
    refuses_larger: bool = False  # "original" refuses an image over original_patches (True) or shrinks it


# GPT-5.6 and later families (the GPT-6 models): patches × 1.2 (vybestack/llxprt-code#3477, quoting
# OpenAI's vision guide for "GPT-5.2 and later ... and GPT-6+"); "high" fits into 2048×2048 and 2,500
# patches, and "auto" behaves like "original", the image's own size, refused above 30,000 patches
# (Prism-Shadow/agenthub#194, quoting the guide's model sizing table for gpt-5.6). llxprt-code#3477 puts
# the "high" budget at 1,536 patches and "original" at 10,000: the larger budgets are used.
GPT56_MULTIPLIER = 1.2
GPT56_AND_LATER = Rule(multiplier=GPT56_MULTIPLIER, box=2048, high_patches=2_500, original_patches=30_000,
                       auto="original", refuses_larger=True)
# GPT-5.4 family: 2,500 patches at "high", 10,000 at "original", auto as high (omnara-ai/omnara#446,
# Prism-Shadow/agenthub#194). The multiplier of gpt-5.4-mini is 1.62 in omnara-ai/omnara#446's first
# version and 1.2 in its second: 1.62 is used.
GPT54 = Rule(multiplier=1.62, box=2048, high_patches=2_500, original_patches=10_000, auto="high")
RULES = {"gpt-6": GPT56_AND_LATER, "gpt-5.6": GPT56_AND_LATER, "gpt-5.4": GPT54}
# A model the kit does not know gets the largest of both.
UNKNOWN = Rule(multiplier=max(r.multiplier for r in RULES.values()), box=2048, high_patches=2_500,
               original_patches=30_000, auto="original")


def rule_for(model: str) -> Rule:
    entry = models.model(model)
    return RULES.get(entry.family, UNKNOWN) if entry is not None else UNKNOWN


def _fit(width: int, height: int, side: int) -> tuple[int, int]:
    """The size after shrinking (never enlarging) to fit inside side×side, keeping the aspect ratio."""
    scale = min(1.0, side / max(width, height))
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def patches(width: int, height: int) -> int:
    return math.ceil(width / PATCH) * math.ceil(height / PATCH)


def image_tokens(width: int | None, height: int | None, detail: str | None = "auto", model: str = "") -> int:
    """Input tokens of one image of this size (None: not known, so the most this detail can cost)."""
    rule = rule_for(model)
    detail = detail or "auto"
    if detail not in DETAILS:
        raise ValueError(f"detail is one of {', '.join(DETAILS)}; got {detail!r}.")
    if detail == "auto":
        detail = rule.auto
    if detail == "low":
        most = patches(LOW_SIDE, LOW_SIDE)
        count = most if width is None or height is None else patches(*_fit(width, height, LOW_SIDE))
    elif detail == "high":
        most = rule.high_patches
        count = most if width is None or height is None else min(patches(*_fit(width, height, rule.box)), most)
    else:
        most = rule.original_patches
        count = most if width is None or height is None else min(patches(width, height), most)
    return math.ceil(count * rule.multiplier)


# --- finding an image's size ----------------------------------------------------------------------------

def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG, JPEG, GIF or WebP file's header; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    kind = data[12:16]
    if kind == b"VP8X" and len(data) >= 30:
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The frame header (SOF0..SOF15 but DHT, JPG and DAC) holds the size; walk the segments to it."""
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None


DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,(?P<data>.*)", re.DOTALL)


def kit_image_url(name: str) -> str:
    """The public address of an image shipped in the kit's data/images/ (what a live request can fetch)."""
    return f"https://raw.githubusercontent.com/{paths.REPOSITORY}/{paths.BRANCH}/{IMAGES_FOLDER}/{name}"


def size_of_url(url: str) -> tuple[int, int] | None:
    """The size of the image an image_url names, when the kit can know it without a network."""
    found = DATA_URL.fullmatch(url.strip())
    if found:
        try:
            head = base64.b64decode(found["data"][:65_536])  # a multiple of 4 characters, or all of it
        except (binascii.Error, ValueError):
            return None
        return image_size(head)
    parts = urlsplit(url)
    prefix = f"/{paths.REPOSITORY}/"
    if parts.netloc == "raw.githubusercontent.com" and parts.path.startswith(prefix):
        ref_and_path = parts.path[len(prefix):].split("/", 1)
        if len(ref_and_path) == 2 and ref_and_path[1].startswith(IMAGES_FOLDER + "/"):
            name = ref_and_path[1][len(IMAGES_FOLDER) + 1:]
            local = paths.DATA / "images" / name
            if "/" not in name and local.is_file():
                return image_size(local.read_bytes()[:65_536])
    return None


def part_image(part: dict) -> tuple[str, str | None] | None:
    """(url, detail) of an image content part, Chat Completions' `image_url` or the Responses `input_image`."""
    kind = part.get("type")
    if kind == "image_url":
        image = part.get("image_url")
        image = image if isinstance(image, dict) else {"url": image}
        return str(image.get("url") or ""), image.get("detail")
    if kind == "input_image":
        return str(part.get("image_url") or ""), part.get("detail")
    return None


def part_tokens(part: dict, model: str = "") -> int:
    """Input tokens of one content part if it is an image, else 0; an unknown size counts the most."""
    found = part_image(part)
    if found is None:
        return 0
    url, detail = found
    size = size_of_url(url) if url else None
    width, height = size if size else (None, None)
    return image_tokens(width, height, detail if detail in DETAILS else "auto", model)


def patches_over_limit(part: dict, model: str) -> int | None:
    """The patch count of an image part the API refuses as too large (models that keep the image's own size
    at "original" or "auto" and refuse it past the limit), or None."""
    found = part_image(part)
    rule = rule_for(model)
    if found is None or not rule.refuses_larger:
        return None
    url, detail = found
    if (detail or "auto") == "auto":
        detail = rule.auto
    size = size_of_url(url) if url else None
    if detail != "original" or size is None:
        return None
    count = patches(*size)
    return count if count > rule.original_patches else None
