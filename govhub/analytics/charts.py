"""Server-side SVG charts: the same markup works in the back-office dashboards, the HTML report
and the PDF (WeasyPrint renders inline SVG), with no JavaScript and nothing to vendor.
(We chose this over vendoring ECharts' 1 MB echarts.min.js: one code path for screen and PDF.)"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

PALETTE = ["#1f6fb2", "#d9534f", "#f0ad4e", "#5cb85c", "#6f42c1", "#20c997", "#6c757d"]
FONT = "Noto Sans CJK SC, sans-serif"


def _svg(parts: list[SafeString]) -> SafeString:
    """The pieces, each made by format_html (its texts escaped there), as one safe string."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _svg_open(width: int, height: int, title: str, font_size: int) -> SafeString:
    return format_html(
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {} {}' width='{}' height='{}' "
        "role='img' aria-label='{}' font-family='{}' font-size='{}'>",
        width,
        height,
        width,
        height,
        title,
        FONT,
        font_size,
    )


def _title(title: str) -> SafeString:
    return format_html("<text x='4' y='18' font-size='14' font-weight='bold'>{}</text>", title)


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1
    import math

    mag = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * mag:
            return m * mag
    return 10 * mag


def bar_chart(
    labels: list[str],
    values: list[float],
    *,
    title: str = "",
    width: int = 640,
    unit: str = "",
    horizontal: bool = True,
) -> SafeString:
    """A horizontal bar chart (labels on the left) — readable with long Chinese names."""
    n = max(1, len(values))
    row = 22
    left = 170
    top = 28 if title else 8
    height = top + n * row + 10
    vmax = _nice_max(max(values, default=0))
    parts = [_svg_open(width, height, title, 12)]
    if title:
        parts.append(_title(title))
    span = width - left - 70
    for i, (lab, v) in enumerate(zip(labels, values, strict=False)):
        y = top + i * row
        w = 0 if vmax == 0 else span * v / vmax
        parts.append(
            format_html(
                "<text x='{}' y='{}' text-anchor='end'>{}</text>", left - 6, y + 15, str(lab)[:14]
            )
        )
        parts.append(
            format_html(
                "<rect x='{}' y='{}' width='{}' height='{}' fill='{}'/>",
                left,
                y + 3,
                f"{w:.1f}",
                row - 6,
                PALETTE[0],
            )
        )
        parts.append(
            format_html(
                "<text x='{}' y='{}'>{}{}</text>", f"{left + w + 4:.1f}", y + 15, f"{v:g}", unit
            )
        )
    if not values:
        parts.append(format_html("<text x='{}' y='{}' fill='#777'>暂无数据</text>", left, top + 15))
    parts.append(SafeString("</svg>"))
    return _svg(parts)


def line_chart(
    x_labels: list[str],
    series: dict[str, list[float]],
    *,
    title: str = "",
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Lines over time (e.g. posts per day, findings per day), with a legend."""
    left, right, top, bottom = 48, 12, 30 if title else 10, 38
    pw, ph = width - left - right, height - top - bottom
    allv = [v for s in series.values() for v in s]
    vmax = _nice_max(max(allv, default=0))
    n = max(1, len(x_labels) - 1)
    parts = [_svg_open(width, height, title, 11)]
    if title:
        parts.append(_title(title))
    for k in range(5):
        y = top + ph - ph * k / 4
        parts.append(
            format_html(
                "<line x1='{}' x2='{}' y1='{}' y2='{}' stroke='#e5e5e5'/>",
                left,
                left + pw,
                f"{y:.1f}",
                f"{y:.1f}",
            )
        )
        parts.append(
            format_html(
                "<text x='{}' y='{}' text-anchor='end'>{}</text>",
                left - 4,
                f"{y + 4:.1f}",
                f"{vmax * k / 4:g}",
            )
        )
    step = max(1, len(x_labels) // 8)
    for i, lab in enumerate(x_labels):
        if i % step == 0:
            x = left + pw * i / n
            parts.append(
                format_html(
                    "<text x='{}' y='{}' text-anchor='middle'>{}</text>",
                    f"{x:.1f}",
                    top + ph + 14,
                    lab,
                )
            )
    for si, (name, vals) in enumerate(series.items()):
        color = PALETTE[si % len(PALETTE)]
        pts = " ".join(
            f"{left + pw * i / n:.1f},{top + ph - ph * v / vmax:.1f}" for i, v in enumerate(vals)
        )
        parts.append(
            format_html(
                "<polyline fill='none' stroke='{}' stroke-width='2' points='{}'/>", color, pts
            )
        )
        lx = left + si * 130
        parts.append(
            format_html(
                "<rect x='{}' y='{}' width='10' height='10' fill='{}'/>", lx, height - 14, color
            )
        )
        parts.append(format_html("<text x='{}' y='{}'>{}</text>", lx + 14, height - 5, name))
    parts.append(SafeString("</svg>"))
    return _svg(parts)


def sparkline(values: list[int], width: int = 120, height: int = 24) -> SafeString:
    vmax = max(max(values, default=0), 1)
    n = max(1, len(values) - 1)
    pts = " ".join(
        f"{width * i / n:.1f},{height - 2 - (height - 4) * v / vmax:.1f}"
        for i, v in enumerate(values)
    )
    return format_html(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' viewBox='0 0 {} {}'>"
        "<polyline fill='none' stroke='#d9534f' stroke-width='1.5' points='{}'/></svg>",
        width,
        height,
        width,
        height,
        pts,
    )


# --- ECharts options for the back-office dashboards -----------------------------------------
# The dashboards draw with Apache ECharts (node_modules/echarts, served by staticfiles) from
# these JSON options; the SVG above stays as the no-JavaScript fallback and in the PDF report.


def echarts_line(x_labels: list[str], series: dict[str, list[float]], *, title: str = "") -> dict:
    """ECharts option of a line chart over time (the same data as :func:`line_chart`)."""
    return {
        "title": {"text": title, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": list(series)},
        "grid": {"left": 56, "right": 16, "top": 40, "bottom": 48},
        "xAxis": {"type": "category", "data": list(x_labels)},
        "yAxis": {"type": "value"},
        "color": PALETTE,
        "series": [
            {"name": name, "type": "line", "smooth": False, "showSymbol": False, "data": list(vals)}
            for name, vals in series.items()
        ],
    }


def echarts_bar(labels: list[str], values: list[float], *, title: str = "", unit: str = "") -> dict:
    """ECharts option of a horizontal bar chart (the same data as :func:`bar_chart`)."""
    return {
        "title": {"text": title, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 150, "right": 48, "top": 40, "bottom": 24},
        "xAxis": {"type": "value", "name": unit.strip()},
        "yAxis": {"type": "category", "inverse": True, "data": [str(x)[:14] for x in labels]},
        "color": PALETTE,
        "series": [
            {"type": "bar", "data": list(values), "label": {"show": True, "position": "right"}}
        ],
    }
