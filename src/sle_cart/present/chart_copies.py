"""Altair without the deep copies our charts do not need.

Every time Altair builds a layered or concatenated chart (``a + b``, ``alt.layer``,
``alt.hconcat``), and again on every ``.properties()`` or ``.configure_*()`` of one,
it deep-copies every subchart so that it can lift selection parameters to the top
and name the views they bind to.  The book's charts have no selection parameters
and no named views, so those copies change nothing, yet they were about 60% of the
time taken to make the figures (each copy walks every encoding and tooltip).

:func:`skip_needless_copies` wraps Altair's two lifting steps so that, when no chart
involved has a parameter or a view name, they hand the subcharts on as they are;
otherwise Altair's own code runs unchanged.  Altair's chart methods never change a
chart in place, so sharing a subchart is safe.  The wrap is made only for the
Altair release the book pins (``requirements.txt``); under any other, Altair runs as
released.  ``tests/test_chart_copies.py`` checks that every figure's Vega-Lite spec
is the same with and without it, and that a chart with a selection still gets it
lifted.
"""

from __future__ import annotations

import threading

import altair as alt
from altair.vegalite.v6 import api

#: The Altair release whose lifting steps were read when writing the wrap.
PINNED = "6.3.0"
_LOCK = threading.Lock()
_ORIGINAL: dict[str, object] = {}


def _plain(chart) -> bool:
    """Neither ``chart`` nor any chart inside it has a parameter or a view name."""
    if not isinstance(chart, alt.TopLevelMixin | api.core.SchemaBase):
        return True
    if getattr(chart, "params", alt.Undefined) is not alt.Undefined:
        return False
    if isinstance(chart, alt.Chart) and chart.name is not alt.Undefined:
        return False
    inner = [getattr(chart, k, alt.Undefined) for k in ("layer", "hconcat", "vconcat", "concat")]
    inner += [getattr(chart, "spec", alt.Undefined)] if isinstance(chart, alt.FacetChart) else []
    groups = [g if isinstance(g, list) else [g] for g in inner if g is not alt.Undefined]
    return all(_plain(c) for group in groups for c in group)


def _combine(params, subcharts):
    if params is alt.Undefined and all(_plain(c) for c in subcharts):
        return alt.Undefined, list(subcharts)
    return _ORIGINAL["_combine_subchart_params"](params, subcharts)


def _deduplicate(layer):
    if all(_plain(c) for c in layer):
        return list(layer)
    return _ORIGINAL["_remove_duplicate_params"](layer)


def skip_needless_copies() -> bool:
    """Wrap Altair's parameter lifting (once per process); True if it is wrapped."""
    with _LOCK:
        if not _ORIGINAL and alt.__version__ == PINNED:
            _ORIGINAL["_combine_subchart_params"] = api._combine_subchart_params
            _ORIGINAL["_remove_duplicate_params"] = api._remove_duplicate_params
            api._combine_subchart_params = _combine
            api._remove_duplicate_params = _deduplicate
        return bool(_ORIGINAL)


def as_released() -> None:
    """Altair's own lifting again (for the test that compares the two)."""
    with _LOCK:
        for name, fn in _ORIGINAL.items():
            setattr(api, name, fn)
        _ORIGINAL.clear()
