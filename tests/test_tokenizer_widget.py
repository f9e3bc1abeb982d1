"""The tokenizer widget, driven headlessly: its logic (tokenize, render) and its controls."""
import pytest

from helpers import tokens
from helpers.widgets.tokenizer import MAX_CHARACTERS, Tokenizer, render, tokenize


def test_each_token_is_shown_with_its_id_and_the_count():
    widget = Tokenizer("Tokenization isn't word-by-word.")
    assert widget.count == 7
    html = widget.output.value
    assert "<b>7 tokens</b> for 32 characters" in html and "with o200k_base" in html
    for token, _piece in tokens.token_pieces("Tokenization isn't word-by-word."):
        assert f"token id {token}" in html and f">{token}</small>" in html
    assert html.count("<span ") == 7


def test_typing_and_switching_the_encoding_update_the_view():
    widget = Tokenizer()
    assert widget.count == 0 and "Type some text" in widget.output.value
    widget.text.value = "आज मौसम अच्छा है"
    current = widget.count
    widget.encoding.value = "cl100k_base"
    assert widget.count > current and "with cl100k_base" in widget.output.value
    assert repr(widget) == f"Tokenizer({widget.count} tokens with cl100k_base)"


def test_spaces_line_breaks_and_markup_are_shown_safely():
    html = render(tokenize("a <b>bold</b>\nline"))
    assert "<b>bold</b>" not in html and "&lt;" in html
    assert "␣" in html and "↵" in html


def test_a_very_long_text_is_counted_but_not_drawn():
    widget = Tokenizer("word " * (MAX_CHARACTERS // 5 + 1))
    assert widget.count > MAX_CHARACTERS // 5 and "<span " not in widget.output.value
    assert "not drawn" in widget.output.value


@pytest.mark.parametrize("text, encoding, message", [
    (42, "o200k_base", "reads text"),
    ("hello", "p50k_base", "Choose one of the encodings o200k_base, cl100k_base"),
])
def test_bad_input_says_what_to_do(text, encoding, message):
    with pytest.raises(ValueError, match=message):
        tokenize(text, encoding)


def test_the_view_is_a_widget_box():
    widget = Tokenizer("hi")
    assert "application/vnd.jupyter.widget-view+json" in widget._repr_mimebundle_()
