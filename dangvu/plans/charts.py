"""Server-rendered charts of a target's values: inline SVG for the pages (with a title and a
description for screen readers; the page also prints the figures as a table), PNG via
matplotlib for the DOCX report.

Labels must stay readable for elderly readers: at least 14 px in the SVG (it is drawn at about
its own width on a phone, so that is ~14 px on screen) and 10 pt in the PNG (drawn at its own
size in the report, 13 px at 96 dpi); year labels that would touch are thinned, the forecast's
label always shown, and "(dự báo)" goes on a second line."""

from __future__ import annotations

import io
import math
from html import escape
from itertools import pairwise
from textwrap import shorten, wrap

from dangvu.core.plan_status import number
from dangvu.core.safefiles import strip_controls

from .progress import Series

W, H, PAD_L, PAD_B, PAD_T, PAD_R = 320, 196, 44, 40, 36, 8
FONT_PX = 14
# Width of a digit or letter of a sans-serif face, as a share of the font size (an upper bound
# for digits, which is what the axis shows).
CHAR_EM = 0.6
LABEL_GAP = 4
# The PNG in the report: drawn at this width (cm), two panels a row, labels in points.
CHART_WIDTH_CM = 16.0
PNG_PER_ROW = 2
PNG_LABEL_PT = 10
PNG_TITLE_PT = 10
PNG_ROW_IN = 2.9
# Rows of panels in one picture: 3 × 2.9 in (22 cm) fit the 25.7 cm of an A4 page's text.
PNG_ROWS_PER_IMAGE = 3


def _top(tp: Series) -> float:
    if tp.target.unit == "%":
        return 100.0
    values = [v for _, v in tp.points] + [tp.target.value, tp.target.value_max or 0, tp.forecast or 0]
    return float(max(1, math.ceil(max(values) * 1.15)))  # a count's scale in whole units


def text_width(text: str, size: float = FONT_PX) -> float:
    """An upper estimate of a label's width in the SVG's units."""
    return len(text) * size * CHAR_EM


def shown_labels(widths: list[float], step: float, keep_last: bool = False) -> list[bool]:
    """Which of evenly spaced labels (``step`` apart, centred on their slot) to show so that no two
    shown ones touch: every k-th from the first, and the last one when ``keep_last`` (the forecast),
    dropping the regular ones too close to it."""
    if not widths:
        return []
    widest = max(widths) + LABEL_GAP
    k = max(1, math.ceil(widest / step)) if step > 0 else len(widths)
    show = [i % k == 0 for i in range(len(widths))]
    if keep_last:
        last = len(widths) - 1
        show[last] = True
        for i in range(last):
            if show[i] and (last - i) * step < (widths[i] + widths[last]) / 2 + LABEL_GAP:
                show[i] = False
    return show


def _bar_items(tp: Series) -> list[tuple[int, float, bool]]:
    items = [(y, v, False) for y, v in tp.points]
    if tp.forecast is not None and tp.due_year not in {y for y, _ in tp.points}:
        items.append((tp.due_year, tp.forecast, True))
    return items


def _bars_svg(items: list[tuple[int, float, bool]], y_of, plot_w: float) -> list[str]:
    parts: list[str] = []
    step = plot_w / len(items)
    bw = min(36.0, step * 0.6)
    base = PAD_T + (H - PAD_B - PAD_T)
    has_fc = items[-1][2]
    show_year = shown_labels([text_width(str(y)) for y, _, _ in items], step, keep_last=has_fc)
    show_value = shown_labels([text_width(number(v)) for _, v, _ in items], step, keep_last=has_fc)
    for i, (year, v, is_fc) in enumerate(items):
        x = PAD_L + step * i + (step - bw) / 2
        cx = x + bw / 2
        yv = y_of(v)
        style = ('fill="#fff" stroke="#a50e0e" stroke-width="2" stroke-dasharray="4 2"' if is_fc
                 else 'fill="#a50e0e"')
        parts.append(f'<rect x="{x:.1f}" y="{yv:.1f}" width="{bw:.1f}" height="{base - yv:.1f}" {style}/>')
        if show_value[i]:
            parts.append(f'<text class="val" x="{cx:.1f}" y="{yv - 3:.1f}" font-size="{FONT_PX}" '
                         f'text-anchor="middle">{number(v)}</text>')
        if show_year[i]:
            parts.append(f'<text class="year" x="{cx:.1f}" y="{base + FONT_PX + 2}" font-size="{FONT_PX}" '
                         f'text-anchor="middle">{year}</text>')
        if is_fc:
            parts.append(f'<text class="year" x="{min(cx, W - PAD_R - text_width("(dự báo)") / 2):.1f}" '
                         f'y="{base + 2 * FONT_PX + 6}" font-size="{FONT_PX}" text-anchor="middle">(dự báo)</text>')
    return parts


def target_svg(tp: Series, uid: str) -> str:
    """One series of a target (a binding, or the manual values): bars per year (solid), the
    forecast for the due year (outlined), the goal as a dashed line named in the top row."""
    t = tp.target
    unit = "%" if t.unit == "%" else ""
    items = _bar_items(tp)
    top = _top(tp)
    plot_w, plot_h = W - PAD_L - PAD_R, H - PAD_B - PAD_T

    def y_of(v: float) -> float:
        return PAD_T + plot_h * (1 - min(max(v, 0.0), top) / top)

    desc = "; ".join(f"năm {y}: {number(v)}{unit}" for y, v in tp.points) or "chưa có số liệu"
    if items and items[-1][2]:
        desc += f"; dự báo năm {tp.due_year}: {number(tp.forecast)}{unit}"
    desc += f"; mục tiêu {tp.goal}"
    parts = [f'<svg class="spark" viewBox="0 0 {W} {H}" width="100%" role="img" '
             f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{uid}-t">{escape(shorten(tp.title, 200, placeholder=" …"))}</title>',
             f'<desc id="{uid}-d">{escape(desc)}</desc>',
             f'<line x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{W - PAD_R}" y2="{PAD_T + plot_h}" stroke="#888"/>',
             f'<text x="{PAD_L - 4}" y="{PAD_T + 5}" font-size="{FONT_PX}" text-anchor="end">{number(top)}{unit}</text>',
             f'<text x="{PAD_L - 4}" y="{PAD_T + plot_h}" font-size="{FONT_PX}" text-anchor="end">0</text>']
    if items:
        parts += _bars_svg(items, y_of, plot_w)
    gy = y_of(t.value)
    parts.append(f'<line x1="{PAD_L}" y1="{gy:.1f}" x2="{W - PAD_R}" y2="{gy:.1f}" stroke="#0b6b2e" '
                 f'stroke-width="2" stroke-dasharray="6 3"/>')
    # The goal's name sits in its own row above the plot, where no bar's value can reach it.
    parts.append(f'<line x1="{PAD_L}" y1="{FONT_PX - 4}" x2="{PAD_L + 18}" y2="{FONT_PX - 4}" stroke="#0b6b2e" '
                 f'stroke-width="2" stroke-dasharray="6 3"/>')
    parts.append(f'<text class="goal" x="{PAD_L + 22}" y="{FONT_PX}" font-size="{FONT_PX}" fill="#0b6b2e">'
                 f'mục tiêu {escape(tp.goal)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _thin_ticks(ax, renderer) -> None:
    """Hide every other year label of a panel until no two shown labels overlap (the forecast's,
    the last, always stays)."""
    labels = ax.get_xticklabels()
    for k in range(1, len(labels) + 1):
        for i, label in enumerate(labels):
            label.set_visible(i == len(labels) - 1 or i % k == 0)
        boxes = [lb.get_window_extent(renderer) for lb in labels if lb.get_visible()]
        if all(not a.overlaps(b) for a, b in pairwise(boxes)):
            return


def chart_figure(items: list[tuple[str, Series]], per_row: int = PNG_PER_ROW):
    """The matplotlib figure of :func:`targets_png`, labels laid out (tests measure it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    n = len(items)
    cols = min(per_row, n)
    lines = (n + cols - 1) // cols
    width_in = CHART_WIDTH_CM / 2.54
    fig, axes = plt.subplots(lines, cols, figsize=(width_in, PNG_ROW_IN * lines), squeeze=False)
    chars = int(width_in / cols * 72 / (PNG_TITLE_PT * CHAR_EM)) - 2
    for i, (caption, tp) in enumerate(items):
        ax = axes[i // cols][i % cols]
        ax.bar([str(y) for y, _ in tp.points], [v for _, v in tp.points], color="#a50e0e")
        if tp.forecast is not None and tp.due_year not in {y for y, _ in tp.points}:
            ax.bar([f"{tp.due_year}\n(dự báo)"], [tp.forecast], color="white", edgecolor="#a50e0e",
                   linestyle="--", linewidth=1.5)
        ax.axhline(tp.target.value, color="#0b6b2e", linestyle="--", linewidth=1.2)
        if tp.target.unit == "%":
            ax.set_ylim(0, 105)
        else:  # a count's axis in whole units: no "2.5 đảng viên"
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))  # decimal comma
        caption = shorten(strip_controls(caption), chars * 2, placeholder=" …")
        ax.set_title("\n".join(wrap(caption, chars)[:2]), fontsize=PNG_TITLE_PT)
        ax.tick_params(labelsize=PNG_LABEL_PT)
    for j in range(n, lines * cols):
        axes[j // cols][j % cols].axis("off")
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    for i in range(n):
        _thin_ticks(axes[i // cols][i % cols], renderer)
    return fig


def targets_pngs(items: list[tuple[str, Series]], *, rows_per_image: int = PNG_ROWS_PER_IMAGE) -> list[bytes]:
    """:func:`targets_png` in pieces of ``rows_per_image`` rows, each short enough for a page (one
    picture taller than the page is cut off by Word)."""
    items = [(c, r) for c, r in items if r.points or r.forecast is not None]
    size = rows_per_image * PNG_PER_ROW
    return [png for i in range(0, len(items), size) if (png := targets_png(items[i:i + size]))]


def targets_png(items: list[tuple[str, Series]], *, per_row: int = PNG_PER_ROW) -> bytes | None:
    """One PNG, :data:`CHART_WIDTH_CM` wide: a small bar chart per (caption, series) with values
    (years, forecast, goal line); the caption wrapped on two lines at most; ``per_row`` panels a
    row (two keep the labels apart at 10 pt)."""
    items = [(c, r) for c, r in items if r.points or r.forecast is not None]
    if not items:
        return None
    import matplotlib.pyplot as plt

    fig = chart_figure(items, per_row)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=200)
    plt.close(fig)
    return out.getvalue()
