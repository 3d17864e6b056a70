"""The print style of the publication figures: a journal's columns, type sizes and Vega-Lite config.

Sizes are points at 1:1 on the printed page (:mod:`.publication` lays the
composites and single-column panels out with them).
"""

#: Column widths in points: a journal's double column (7 in, 180 mm) and single column (3.5 in).
DOUBLE_COLUMN, SINGLE_COLUMN = 7 * 72, 3.5 * 72
#: Height of a panel's plotting area (pt), and the first guess of the room around a view's plot.
PANEL_HEIGHT, AXIS_ROOM = 130, 40
#: Type sizes (pt at 1:1): the journal minimum for any text, axis text, and the panel headings.
MIN_TEXT, AXIS_TEXT, PANEL_TEXT = 6.5, 7, 8.5
#: Symbol areas and stroke widths in print, as a share of the screen's (a panel is about half as wide).
SYMBOL_AREA, STROKE = 0.4, 0.65
#: The narrowest a view's plotting area may become when fitted (pt).
MIN_VIEW = 60
#: How far short of its column a fitted figure may fall (pt): closer costs another measuring render.
FIT_SLACK = 6
PNG_PPI = 300
PRINT_CONFIG = {
    "view": {"stroke": None},
    "padding": 2,
    "axis": {
        "labelFontSize": AXIS_TEXT,
        "titleFontSize": AXIS_TEXT + 0.5,
        "titleFontWeight": "normal",
        "titlePadding": 4,
        "tickSize": 3,
    },
    "axisX": {"labelAngle": 0},
    "legend": {
        "orient": "bottom",
        "direction": "horizontal",
        "columns": 8,
        "labelFontSize": AXIS_TEXT,
        "titleFontSize": AXIS_TEXT + 0.5,
        "symbolSize": 40,
        # the title beside its entries, not above them: each legend is one line, no strip of white
        "titleOrient": "left",
        "titleAnchor": "start",
        "titlePadding": 6,
    },
    # a view's own title inside a panel ("C3", "C4"): smaller than the panel heading
    "title": {"fontSize": AXIS_TEXT + 0.5, "fontWeight": "normal", "subtitleFontSize": AXIS_TEXT},
    "text": {"fontSize": MIN_TEXT},
    "point": {"size": 30 * SYMBOL_AREA},
    "line": {"strokeWidth": 2 * STROKE},
    "concat": {"spacing": 14},
}
#: A single column's legend: 3 entries a row, under its title.
SINGLE_LEGEND = {"columns": 3, "titleOrient": "top"}
#: Legends stack under the panels (Vega's legend layout, added by :func:`spec`).
LEGEND_LAYOUT = {"bottom": {"direction": "vertical", "anchor": "start"}}
