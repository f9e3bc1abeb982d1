"""Checks for lesson 18, agents and where next."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import Hints, Verdict, verdict

if TYPE_CHECKING:
    from agents import RunResult

__all__ = ["check_tool_output"]


def check_tool_output(result: RunResult, tool_output: object) -> Verdict:
    """Exercise 1: what the function tool returned during the run."""
    outputs = [item.output for item in result.new_items if item.type == "tool_call_output_item"]
    return verdict([
        (tool_output is not None, Hints(
            "Loop over `result.new_items` and look at each item's `.type`.",
            "The item you want has the type `\"tool_call_output_item\"`; its `.output` is what the tool returned.",
            "`next(item.output for item in result.new_items if item.type == \"tool_call_output_item\")`")),
        (isinstance(tool_output, str),
         "`tool_output` should be the string the tool returned, not the item that holds it: take its `.output`."),
        (lambda: tool_output in outputs, "That is not what the tool returned in this run: take the `.output` of the "
                                         "`tool_call_output_item`, not of another item."),
    ], "That is what `opening_hours` returned; the SDK sent it to the model, which wrote the answer from it.")
