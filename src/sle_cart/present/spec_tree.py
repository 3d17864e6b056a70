"""Walking a Vega-Lite spec held as a dict: its views, the views that have a size, its marks.

The publication figures are laid out on these dicts rather than on Altair
objects: an Altair concatenation deep-copies every view it holds, which cost
seconds per figure when a figure is measured and re-measured to fit a column.
"""

from __future__ import annotations

CONCATS = ("hconcat", "vconcat", "concat")


def title_text(title) -> str:
    """The text of a title given as a string, a list of lines or a title dict."""
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "")


def views(chart: dict) -> list[dict]:
    """The views a concatenation holds side by side (or stacked); [] for a single view or layer."""
    return next((chart[key] for key in CONCATS if key in chart), [])


def leaves(chart: dict) -> list[dict]:
    """Every view that has a size of its own (a single chart or a layer), in reading order."""
    inner = views(chart)
    return [leaf for v in inner for leaf in leaves(v)] if inner else [chart]


def marks(chart: dict):
    """Every mark-bearing view inside ``chart`` (through concatenations and layers)."""
    for view in leaves(chart):
        yield from ([view] if "layer" not in view else [c for v in view["layer"] for c in marks(v)])
