"""Charts and pictures in a lesson carry alternative text (helpers/alt_text.py)."""
from __future__ import annotations

import base64
import io

import matplotlib
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import Image

from helpers import alt_text

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def tiny_png() -> bytes:
    figure, axes = plt.subplots(figsize=(1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    alt_text.install()
    yield shell
    InteractiveShell.clear_instance()  # with its formatters: later tests in this process run in plain Python again


def test_a_figure_is_described_by_its_titles_and_axis_labels():
    figure, (left, right) = plt.subplots(1, 2)
    left.set(title="Prompt tokens sent per turn", xlabel="turn", ylabel="tokens")
    right.set(title="Cost")
    assert alt_text.describe_figure(figure) == "Chart: Prompt tokens sent per turn (tokens by turn); Cost"
    plt.close(figure)


def test_a_figure_shows_as_an_image_with_its_description(shell):
    figure, axes = plt.subplots()
    axes.set(title="Similarity", xlabel="x", ylabel="y")
    data, _ = shell.display_formatter.format(figure)
    plt.close(figure)
    assert data["text/html"].startswith('<img src="data:image/png;base64,')
    assert 'alt="Chart: Similarity (y by x)"' in data["text/html"]


def test_an_image_given_alt_text_shows_it_and_one_without_stays_as_it_was(shell):
    png = tiny_png()
    data, _ = shell.display_formatter.format(Image(data=png, width=256, alt="A lighthouse & the sea"))
    assert data["text/html"] == (f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
                                 'alt="A lighthouse &amp; the sea" width="256"/>')
    data, _ = shell.display_formatter.format(Image(data=png))
    assert "text/html" not in data and "image/png" in data
