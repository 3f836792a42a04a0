"""The dashboard's charts, drawn on the server as SVG (no JavaScript, nothing from a CDN).

Horizontal bars reuse `core.charts.bar_chart`; series over time are vertical columns,
one group per week or month with a column per series. Each <svg role="img"> carries a
<title> and a <desc> with the figures; the page puts the same figures in a data table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from openmentor.core.charts import Bar, bar_chart

HEIGHT = 160
LABEL_HEIGHT = 34
COLUMN = 10
GROUP_GAP = 6
AXIS = 36


def bars(items: Sequence[tuple[str, float, str]], *, title: str) -> SafeString:
    """(label, share of the longest bar 0–1, text after the bar) for each bar."""
    return bar_chart(
        [Bar(label=label, value=value, text=text) for label, value, text in items],
        title=title,
        max_value=1.0,
    )


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    max_value: float | None = None,
) -> SafeString:
    """Grouped columns: one group per label, one column per series (tone 0, 1, …)."""
    top = max_value or max((v for _, values in series for v in values), default=0.0) or 1.0
    group = COLUMN * len(series) + GROUP_GAP
    width = AXIS + group * max(1, len(labels))
    height = HEIGHT + LABEL_HEIGHT
    shapes = []
    for i in range(len(labels)):
        x0 = AXIS + i * group
        for s, (_, values) in enumerate(series):
            value = values[i] if i < len(values) else 0.0
            h = max(0.0, min(top, value)) / top * HEIGHT
            shapes.append(
                (
                    f"chart-column chart-series-{s}",
                    x0 + s * COLUMN,
                    f"{HEIGHT - h:.1f}",
                    COLUMN - 1,
                    f"{h:.1f}",
                )
            )
    body = format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>',
        shapes,
    )
    step = max(1, len(labels) // 8)
    ticks = format_html_join(
        "",
        '<text class="chart-label" x="{}" y="{}">{}</text>',
        ((AXIS + i * group, HEIGHT + 14, label) for i, label in enumerate(labels) if i % step == 0),
    )
    legend = format_html_join(
        "",
        '<rect class="chart-column chart-series-{}" x="{}" y="{}" width="10" height="10">'
        '</rect><text class="chart-label" x="{}" y="{}">{}</text>',
        (
            (s, AXIS + s * 140, HEIGHT + 22, AXIS + s * 140 + 14, HEIGHT + 31, name)
            for s, (name, _) in enumerate(series)
        ),
    )
    top_text = f"{top:g}"
    description = "; ".join(
        f"{name}: "
        + ", ".join(f"{label} {values[i]:g}" for i, label in enumerate(labels) if i < len(values))
        for name, values in series
    )
    return format_html(
        '<svg class="chart chart-columns" role="img" viewBox="0 0 {} {}" width="{}" height="{}" '
        'preserveAspectRatio="xMinYMin meet"><title>{}</title><desc>{}</desc>'
        '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="chart-label" x="0" y="10">{}</text>'
        '<text class="chart-label" x="0" y="{}">0</text>{}{}{}</svg>',
        width,
        height,
        width,
        height,
        title,
        description,
        AXIS - 2,
        width,
        HEIGHT,
        HEIGHT,
        top_text,
        HEIGHT,
        body,
        ticks,
        legend,
    )
