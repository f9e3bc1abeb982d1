"""Widgets the lessons display: each keeps its logic apart from its view, so tests drive it headlessly."""
