"""Bar charts as inline SVG, drawn on the server: no script, no CDN, nothing the page's Content
Security Policy would block (presentation attributes only, never a style).

Pure functions: [(label, count)] in, markup out. Every dynamic piece (labels, numbers, ids,
title, description) goes through `markupsafe.escape` before it is placed, so the result may be
marked safe for Jinja. Each chart is `role="img"` named by its <title> and <desc>; the page shows
the same numbers in a table, so nobody depends on the picture or on its colour.

A chart fits the screen: it has a natural width in pixels (`width`, no viewBox), which the
staff stylesheet lets shrink to the width of a phone. Bars and columns are placed in percent of
that width, so they shrink with it; text keeps the page's size and never shrinks. A bar's label
sits above it, wrapped onto three lines, so that it fits a 320 px phone whole or nearly.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#1d70b8"  # 5.2:1 against white
INK = "#0b0c0c"
FONT_SIZE = 14
LINE_HEIGHT = 18
# A line of a bar's label at FONT_SIZE fits the 288 px of a 320 px phone, also with WCAG's text
# spacing applied (letters .12em and words .16em apart): 36 characters did not.
LINE_CHARS = 30
LABEL_LINES = 3  # longer labels are shortened on the picture; the table has them whole
BAR_CHART_WIDTH = 560  # on a wide screen; bars shrink on a narrower one
BAR_SHARE = 80  # percent of the width the longest bar takes: the rest is room for its count
COLUMN_LABEL_WIDTH = 48  # room for "28 Sep" under a column; the stylesheet pads columns by half
COLUMN_STEP, COLUMN_PLOT_WIDTH = 60, 900  # a column's room at most, and all columns' at most
COUNTED_STEP = 24  # a count is written above its column when the column has this much room
# The least room the columns have at each width of the staff stylesheet (its 45rem breakpoint):
# a 320 px phone less the page's padding (34 px) and the labels' room; a 720 px screen likewise.
NARROW_PLOT, WIDE_PLOT = 238, 638
WIDE_ONLY = "wide-only"  # the stylesheet hides text of this class below the breakpoint
_ID = re.compile(r"^[a-z][a-z0-9-]*$")

Rows = Sequence[tuple[str, int]]


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def label_lines(label: str, width: int = LINE_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """A label wrapped at spaces onto at most `lines` lines; the last shortened if need be."""
    wrapped = textwrap.wrap(label, width) or [""]
    if len(wrapped) > lines:
        wrapped[lines - 1 :] = [_shorten(" ".join(wrapped[lines - 1 :]), width)]
    return wrapped


def _number(value: float) -> str:
    """A coordinate: whole numbers stay whole, others keep one decimal."""
    return f"{value:.1f}".removesuffix(".0")


def _percent(value: float) -> str:
    return f"{value:.2f}".rstrip("0").removesuffix(".") + "%"


def _open_svg(
    chart_id: str, width: float, height: float, title: str, desc: str, kind: str = "bars"
) -> Markup:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id must be a lower-case name: {chart_id!r}")
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" width="{w}" '
        'height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'font-size="{size}" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(
        kind=escape(kind),
        w=escape(_number(width)),
        h=escape(_number(height)),
        id=escape(chart_id),
        size=escape(FONT_SIZE),
        ink=escape(INK),
        title=escape(title),
        desc=escape(desc),
    )


def _empty(chart_id: str, title: str, desc: str) -> Markup:
    svg = _open_svg(chart_id, 200, 40, title, desc)
    return svg + Markup('<text x="0" y="25">No reports</text></svg>')


def bar_chart(rows: Rows, *, chart_id: str, title: str, desc: str) -> Markup:
    """Horizontal bars, each under its label, the count written at the end of each bar."""
    if not rows:
        return _empty(chart_id, title, desc)
    bar_height, gap = 18, 12
    most = max(max(count for _label, count in rows), 1)
    drawn, top = [], 0
    for label, count in rows:
        lines = label_lines(label)
        bar_top = top + LINE_HEIGHT * len(lines) + 4
        length = _percent(BAR_SHARE * count / most)
        drawn.append(
            Markup(
                "<g><title>{label}: {count}</title>"
                '<text y="{text_y}">{lines}</text>'
                '<rect x="0" y="{bar_top}" width="{length}" height="{bar_h}" fill="{bar}"/>'
                '<text x="{length}" dx="6" y="{count_y}">{count}</text></g>'
            ).format(
                label=escape(label),
                count=escape(count),
                text_y=escape(top + LINE_HEIGHT - 4),
                lines=Markup("").join(
                    Markup('<tspan x="0" dy="{dy}">{line}</tspan>').format(
                        dy=escape(LINE_HEIGHT if i else 0), line=escape(line)
                    )
                    for i, line in enumerate(lines)
                ),
                bar_top=escape(bar_top),
                length=escape(length),
                bar_h=escape(bar_height),
                bar=escape(BAR),
                count_y=escape(bar_top + bar_height - 4),
            )
        )
        top = bar_top + bar_height + gap
    svg = _open_svg(chart_id, BAR_CHART_WIDTH, top - gap + 4, title, desc)
    return svg + Markup("").join(drawn) + Markup("</svg>")


def _every(plot_width: float, count: int) -> int:
    """Label every n-th column so that labels `plot_width` px apart do not overlap."""
    return math.ceil(COLUMN_LABEL_WIDTH / (plot_width / count))


def column_chart(rows: Rows, *, chart_id: str, title: str, desc: str) -> Markup:
    """Vertical columns in order, for a series over time. Short labels go under the columns:
    the last one always, and as many others as fit without overlapping. Counts go above the
    columns while they fit. What fits on a wide screen only is of the class WIDE_ONLY."""
    if not rows:
        return _empty(chart_id, title, desc)
    plot_height, top_margin, label_height = 200, 22, 30
    n = len(rows)
    width = min(COLUMN_STEP * n, COLUMN_PLOT_WIDTH)
    every_wide = _every(min(width, WIDE_PLOT), n)
    every_narrow = math.ceil(_every(min(width, NARROW_PLOT), n) / every_wide) * every_wide
    narrow_counts = min(width, NARROW_PLOT) / n >= COUNTED_STEP
    wide_counts = min(width, WIDE_PLOT) / n >= COUNTED_STEP
    step = 100 / n
    floor = top_margin + plot_height
    most = max(max(count for _label, count in rows), 1)
    # The svg's padding (the stylesheet's) is the labels' room: its width is the columns'.
    # The axis under the columns: a week of no reports is a column of nothing on it, in its place.
    parts = [
        _open_svg(
            chart_id, width + COLUMN_LABEL_WIDTH, floor + label_height, title, desc, kind="columns"
        ),
        Markup('<line x1="0" y1="{y}" x2="100%" y2="{y}" stroke="{ink}" stroke-width="1"/>').format(
            y=escape(_number(floor + 0.5)), ink=escape(INK)
        ),
    ]
    for i, (label, count) in enumerate(rows):
        middle = _percent((i + 0.5) * step)
        length = plot_height * count / most
        from_last = n - 1 - i
        label_shown = from_last % every_wide == 0
        parts.append(
            Markup(
                "<g><title>{label}: {count}</title>"
                '<rect x="{left}" y="{top}" width="{column}" height="{length}" fill="{bar}"/>'
                "{count_text}{label_text}</g>"
            ).format(
                label=escape(label),
                count=escape(count),
                left=escape(_percent((i + 0.125) * step)),
                top=escape(_number(floor - length)),
                column=escape(_percent(0.75 * step)),
                length=escape(_number(length)),
                bar=escape(BAR),
                count_text=_column_text(middle, floor - length - 5, str(count), narrow_counts)
                if wide_counts
                else Markup(""),
                label_text=_column_text(
                    middle, floor + 18, _shorten(label, 8), from_last % every_narrow == 0
                )
                if label_shown
                else Markup(""),
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _column_text(x: str, y: float, text: str, on_every_screen: bool) -> Markup:
    return Markup('<text x="{x}" y="{y}" text-anchor="middle"{kind}>{text}</text>').format(
        x=escape(x),
        y=escape(_number(y)),
        kind=Markup("") if on_every_screen else Markup(' class="{}"').format(WIDE_ONLY),
        text=escape(text),
    )
