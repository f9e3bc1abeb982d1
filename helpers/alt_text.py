"""Images in a lesson say what they show to a screen reader.

JupyterLab shows an `image/png` output as an <img> without alternative text. For the two kinds of image
lessons show, setup() adds an HTML form of the same picture with an `alt` (JupyterLab prefers HTML to PNG):

- a matplotlib figure, described by its title and each chart's title and axis labels;
- an `IPython.display.Image(..., alt="...")`, described by its own `alt` (lesson 04b passes the
  prompt that made the picture). An Image without `alt` stays as it was.

The PNG stays in the output beside it, for nbval's image skip and for other front ends.
"""
from __future__ import annotations

import base64
import html
from typing import Any

from .shell import running_shell


def describe_figure(figure: Any) -> str:
    """'Chart: <title>; <axes title> (<y label> by <x label>); ...', from what the figure itself says."""
    parts = []
    title = figure.get_suptitle() if hasattr(figure, "get_suptitle") else ""
    if title:
        parts.append(title)
    for axes in figure.get_axes():
        if not axes.get_visible() or not axes.axison and not axes.get_title():
            continue
        labels = [label for label in (axes.get_ylabel(), axes.get_xlabel()) if label]
        described = axes.get_title() or "a chart"
        if labels:
            described += f" ({' by '.join(labels)})"
        parts.append(described)
    return "Chart: " + ("; ".join(parts) if parts else "a figure with no title")


def _img(png_base64: str, alt: str, width: float | None = None, height: float | None = None) -> str:
    size = "".join(f' {name}="{int(value)}"' for name, value in (("width", width), ("height", height)) if value)
    return f'<img src="data:image/png;base64,{png_base64}" alt="{html.escape(alt)}"{size}/>'


def figure_html(figure: Any) -> str | None:
    from IPython.core.pylabtools import print_figure

    if type(figure).__name__ != "Figure":  # a subfigure is shown as part of its figure
        return None
    png = print_figure(figure, "png", bbox_inches="tight", base64=True)
    return _img(png, describe_figure(figure)) if png else None


def image_html(image: Any) -> str | None:
    if not getattr(image, "alt", None) or not image.embed or image.format != "png" or not image.data:
        return None
    return _img(base64.b64encode(image.data).decode("ascii"), image.alt, image.width, image.height)


def install() -> None:
    """Register the HTML forms in the running notebook (nothing happens in plain Python)."""
    shell = running_shell()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    # Registered for Figure's base class: the inline backend, once pyplot is imported, drops every
    # formatter registered for Figure itself and adds its own PNG one.
    formatter.for_type_by_name("matplotlib.figure", "FigureBase", figure_html)
    formatter.for_type_by_name("IPython.core.display", "Image", image_html)
