"""A tokenizer to play with: type text, see each token coloured with its id, and the count.

    from helpers.widgets.tokenizer import Tokenizer
    Tokenizer("Tokens are pieces of words.")

It runs tiktoken locally (no API call, nothing billed) with the encodings current models use:
o200k_base, and cl100k_base for the legacy models. `tokenize` and `render` are the logic, plain
functions a test calls directly; `Tokenizer` is the view around them.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .. import tokens

__all__ = ["ENCODINGS", "COLOURS", "MAX_CHARACTERS", "Tokenized", "tokenize", "render", "Tokenizer"]

ENCODINGS = {
    "o200k_base": "o200k_base (gpt-6-luna, gpt-5.4-mini and every current model)",
    "cl100k_base": "cl100k_base (legacy: gpt-3.5-turbo-instruct, text-embedding-3-small)",
}
COLOURS = ("#fde2a3", "#c8e6c9", "#bbdefb", "#f8bbd0", "#d1c4e9", "#ffccbc")
MAX_CHARACTERS = 20_000  # beyond this the page gets slow to draw; the count is still given


@dataclass(frozen=True)
class Tokenized:
    encoding: str
    pieces: list[tuple[int, str]]  # (token id, its text)
    characters: int

    @property
    def count(self) -> int:
        return len(self.pieces)


def tokenize(text: str, encoding: str = tokens.DEFAULT_ENCODING) -> Tokenized:
    """The text's tokens; ValueError says what to change when the text or encoding is not usable."""
    if not isinstance(text, str):
        raise ValueError(f"The tokenizer reads text (a str); got {type(text).__name__}.")
    if encoding not in ENCODINGS:
        raise ValueError(f"Choose one of the encodings {', '.join(ENCODINGS)}; got {encoding!r}.")
    return Tokenized(encoding, tokens.token_pieces(text, encoding), len(text))


def _shown(piece: str) -> str:
    # Spaces and line breaks are part of tokens: make them visible.
    return html.escape(piece).replace(" ", "␣").replace("\n", "↵").replace("\t", "→")


def render(result: Tokenized) -> str:
    """HTML: the count, then each token on its own colour with its id underneath."""
    if not result.pieces:
        return "<p><b>0 tokens</b>. Type some text above to see its tokens.</p>"
    plural = "s" * (result.count != 1)
    summary = (f"<p><b>{result.count:,} token{plural}</b> for {result.characters:,} characters "
               f"({result.characters / result.count:.1f} characters per token) with {result.encoding}.</p>")
    if result.characters > MAX_CHARACTERS:
        return summary + f"<p>The text is longer than {MAX_CHARACTERS:,} characters, so its tokens are not drawn.</p>"
    spans = [
        f"<span title='token id {token}' style='display:inline-block; margin:1px; padding:0 2px; "
        f"background:{COLOURS[index % len(COLOURS)]}; border-radius:3px; text-align:center; "
        f"font-family:monospace'>{_shown(piece)}<br><small style='color:#555'>{token}</small></span>"
        for index, (token, piece) in enumerate(result.pieces)]
    return summary + "<div style='line-height:2.2'>" + "".join(spans) + "</div>"


class Tokenizer:
    """The tokenizer's controls; display it as the last line of a cell."""

    def __init__(self, text: str = "", encoding: str = tokens.DEFAULT_ENCODING) -> None:
        self.text = widgets.Textarea(value=text, placeholder="Type or paste text",
                                     layout=widgets.Layout(width="48em", height="5em"))
        self.encoding = widgets.Dropdown(options=[(label, name) for name, label in ENCODINGS.items()],
                                         value=encoding, description="encoding",
                                         layout=widgets.Layout(width="48em"))
        self.output = widgets.HTML()
        self.result: Tokenized | None = None
        for control in (self.text, self.encoding):
            control.observe(lambda _change: self.update(), names="value")
        self.view = widgets.VBox([self.text, self.encoding, self.output])
        self.update()

    def update(self) -> None:
        self.result = tokenize(self.text.value, self.encoding.value)
        self.output.value = render(self.result)

    @property
    def count(self) -> int:
        return self.result.count if self.result is not None else 0

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.view._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"Tokenizer({self.count} tokens with {self.encoding.value})"
