"""Small server-rendered SVG bar charts (no JavaScript library; CSP allows none inline).

Each chart is an <svg role="img"> with a <title> and a <desc> that says the same as the
bars in words, so a screen reader hears the figures; the page shows them as numbers too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
PLOT_WIDTH = 300
VALUE_WIDTH = 70


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no figure (e.g. a suppressed group)
    text: str = ""  # shown after the bar; defaults to the value as a percentage
    tone: str = ""  # a CSS class suffix: "", "before", "flag"


def bar_chart(
    bars: Sequence[Bar], *, title: str, max_value: float = 1.0, threshold: float | None = None
) -> SafeString:
    """Horizontal bars scaled to `max_value`; an optional dashed line marks `threshold`."""
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    scale = PLOT_WIDTH / max_value if max_value > 0 else 0.0
    rows = []
    descriptions = []
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        text = bar.text or ("—" if bar.value is None else f"{100 * bar.value:.0f} %")
        descriptions.append(f"{bar.label}: {text}")
        length = 0.0 if bar.value is None else max(0.0, min(max_value, bar.value)) * scale
        rows.append(
            (
                y + BAR_HEIGHT - 6,
                bar.label,
                f"chart-bar {('chart-bar-' + bar.tone) if bar.tone else ''}".strip(),
                LABEL_WIDTH,
                y,
                f"{length:.1f}",
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                text,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" class="chart-label">{}</text>'
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text x="{}" y="{}" class="chart-value">{}</text>',
        ((r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[0], r[8]) for r in rows),
    )
    line = SafeString("")
    if threshold is not None and max_value > 0:
        x = LABEL_WIDTH + threshold * scale
        line = format_html(
            '<line class="chart-threshold" x1="{}" x2="{}" y1="0" y2="{}"></line>',
            f"{x:.1f}",
            f"{x:.1f}",
            height,
        )
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" '
        'preserveAspectRatio="xMinYMin meet"><title>{}</title><desc>{}</desc>{}{}</svg>',
        width,
        height,
        width,
        height,
        title,
        "; ".join(descriptions),
        body,
        line,
    )
