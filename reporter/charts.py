"""Bar charts as inline SVG, drawn on the server: no script, no CDN, nothing the page's Content
Security Policy would block (presentation attributes only, never a style).

Pure functions: [(label, count)] in, markup out. Every dynamic piece (labels, numbers, ids,
title, description) goes through `markupsafe.escape` before it is placed, so the result may be
marked safe for Jinja. Each chart is `role="img"` named by its <title> and <desc>; the page shows
the same numbers in a table, so nobody depends on the picture or on its colour.

A chart has its natural size in pixels (width and height), so its text is the page's size; the
page puts it in a box that scrolls sideways on a narrow screen, as it does for tables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#1d70b8"  # 5.2:1 against white
INK = "#0b0c0c"
FONT_SIZE = 14
LABEL_CHARS = 38  # longer labels are shortened on the picture; the table has them whole
COLUMN_LABEL_WIDTH = 48  # room for "28 Sep" under a column
_ID = re.compile(r"^[a-z][a-z0-9-]*$")

Rows = Sequence[tuple[str, int]]


def _shorten(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    """A coordinate: whole numbers stay whole, others keep one decimal."""
    return f"{value:.1f}".removesuffix(".0")


def _open_svg(chart_id: str, width: float, height: float, title: str, desc: str) -> Markup:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id must be a lower-case name: {chart_id!r}")
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'font-size="{size}" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(
        w=escape(_number(width)),
        h=escape(_number(height)),
        id=escape(chart_id),
        size=escape(FONT_SIZE),
        ink=escape(INK),
        title=escape(title),
        desc=escape(desc),
    )


def _empty(chart_id: str, title: str, desc: str) -> Markup:
    svg = _open_svg(chart_id, 400, 40, title, desc)
    return svg + Markup('<text x="0" y="25">No reports</text></svg>')


def bar_chart(rows: Rows, *, chart_id: str, title: str, desc: str) -> Markup:
    """Horizontal bars, one row per label, the count written at the end of each bar."""
    if not rows:
        return _empty(chart_id, title, desc)
    label_width, bar_space, row_height, bar_height = 340, 400, 28, 18
    most = max(max(count for _label, count in rows), 1)
    parts = [
        _open_svg(chart_id, label_width + bar_space + 60, row_height * len(rows) + 8, title, desc)
    ]
    for i, (label, count) in enumerate(rows):
        top = 4 + i * row_height
        length = bar_space * count / most
        parts.append(
            Markup(
                "<g><title>{label}: {count}</title>"
                '<text x="{text_x}" y="{text_y}" text-anchor="end">{short}</text>'
                '<rect x="{bar_x}" y="{top}" width="{length}" height="{bar_h}" fill="{bar}"/>'
                '<text x="{count_x}" y="{text_y}">{count}</text></g>'
            ).format(
                label=escape(label),
                short=escape(_shorten(label)),
                count=escape(count),
                text_x=escape(label_width - 10),
                text_y=escape(top + bar_height - 4),
                bar_x=escape(label_width),
                top=escape(top),
                length=escape(_number(length)),
                bar_h=escape(bar_height),
                bar=escape(BAR),
                count_x=escape(_number(label_width + length + 6)),
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def column_chart(rows: Rows, *, chart_id: str, title: str, desc: str) -> Markup:
    """Vertical columns in order, for a series over time. Short labels go under the columns:
    the last one always, and as many others as fit without overlapping. Counts go above the
    columns while they fit."""
    if not rows:
        return _empty(chart_id, title, desc)
    plot_width, plot_height, top_margin, label_height = 900, 200, 22, 30
    margin = COLUMN_LABEL_WIDTH / 2  # so that the first and last labels are not cut
    step = min(60.0, plot_width / len(rows))
    column = step * 0.75
    every = math.ceil(COLUMN_LABEL_WIDTH / step)
    counted = step >= 24
    floor = top_margin + plot_height
    most = max(max(count for _label, count in rows), 1)
    width = 2 * margin + step * len(rows)
    parts = [_open_svg(chart_id, width, floor + label_height, title, desc)]
    for i, (label, count) in enumerate(rows):
        left = margin + i * step + (step - column) / 2
        middle = left + column / 2
        length = plot_height * count / most
        shown = label if (len(rows) - 1 - i) % every == 0 else ""
        parts.append(
            Markup(
                "<g><title>{label}: {count}</title>"
                '<rect x="{left}" y="{top}" width="{column}" height="{length}" fill="{bar}"/>'
                "{count_text}"
                '<text x="{middle}" y="{label_y}" text-anchor="middle">{shown}</text></g>'
            ).format(
                label=escape(label),
                count=escape(count),
                left=escape(_number(left)),
                top=escape(_number(floor - length)),
                column=escape(_number(column)),
                length=escape(_number(length)),
                bar=escape(BAR),
                count_text=Markup('<text x="{x}" y="{y}" text-anchor="middle">{n}</text>').format(
                    x=escape(_number(middle)),
                    y=escape(_number(floor - length - 5)),
                    n=escape(count),
                )
                if counted
                else Markup(""),
                middle=escape(_number(middle)),
                label_y=escape(floor + 18),
                shown=escape(_shorten(shown, 8)),
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
