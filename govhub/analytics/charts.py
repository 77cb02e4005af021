"""Server-side SVG charts: the same markup works in the back-office dashboards, the HTML report
and the PDF (WeasyPrint renders inline SVG), with no JavaScript and nothing to vendor.
(We chose this over vendoring ECharts' 1 MB echarts.min.js: one code path for screen and PDF.)"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#1f6fb2", "#d9534f", "#f0ad4e", "#5cb85c", "#6f42c1", "#20c997", "#6c757d"]
FONT = "font-family='Noto Sans CJK SC, sans-serif'"


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
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' height='{height}' role='img' aria-label='{escape(title)}' {FONT} font-size='12'>"
    ]
    if title:
        parts.append(f"<text x='4' y='18' font-size='14' font-weight='bold'>{escape(title)}</text>")
    span = width - left - 70
    for i, (lab, v) in enumerate(zip(labels, values, strict=False)):
        y = top + i * row
        w = 0 if vmax == 0 else span * v / vmax
        parts.append(
            f"<text x='{left - 6}' y='{y + 15}' text-anchor='end'>{escape(str(lab)[:14])}</text>"
        )
        parts.append(
            f"<rect x='{left}' y='{y + 3}' width='{w:.1f}' height='{row - 6}' fill='{PALETTE[0]}'/>"
        )
        parts.append(f"<text x='{left + w + 4:.1f}' y='{y + 15}'>{v:g}{escape(unit)}</text>")
    if not values:
        parts.append(f"<text x='{left}' y='{top + 15}' fill='#777'>暂无数据</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


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
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' height='{height}' role='img' aria-label='{escape(title)}' {FONT} font-size='11'>"
    ]
    if title:
        parts.append(f"<text x='4' y='18' font-size='14' font-weight='bold'>{escape(title)}</text>")
    for k in range(5):
        y = top + ph - ph * k / 4
        parts.append(
            f"<line x1='{left}' x2='{left + pw}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e5e5e5'/>"
        )
        parts.append(
            f"<text x='{left - 4}' y='{y + 4:.1f}' text-anchor='end'>{vmax * k / 4:g}</text>"
        )
    step = max(1, len(x_labels) // 8)
    for i, lab in enumerate(x_labels):
        if i % step == 0:
            x = left + pw * i / n
            parts.append(
                f"<text x='{x:.1f}' y='{top + ph + 14}' text-anchor='middle'>{escape(lab)}</text>"
            )
    for si, (name, vals) in enumerate(series.items()):
        color = PALETTE[si % len(PALETTE)]
        pts = " ".join(
            f"{left + pw * i / n:.1f},{top + ph - ph * v / vmax:.1f}" for i, v in enumerate(vals)
        )
        parts.append(f"<polyline fill='none' stroke='{color}' stroke-width='2' points='{pts}'/>")
        lx = left + si * 130
        parts.append(f"<rect x='{lx}' y='{height - 14}' width='10' height='10' fill='{color}'/>")
        parts.append(f"<text x='{lx + 14}' y='{height - 5}'>{escape(name)}</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def sparkline(values: list[int], width: int = 120, height: int = 24) -> SafeString:
    vmax = max(max(values, default=0), 1)
    n = max(1, len(values) - 1)
    pts = " ".join(
        f"{width * i / n:.1f},{height - 2 - (height - 4) * v / vmax:.1f}"
        for i, v in enumerate(values)
    )
    return mark_safe(  # noqa: S308 - numbers only
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"
        f"<polyline fill='none' stroke='#d9534f' stroke-width='1.5' points='{pts}'/></svg>"
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
