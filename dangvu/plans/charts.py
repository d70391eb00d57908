"""Server-rendered charts of a target's values: inline SVG for the pages (with a title and a
description for screen readers; the page also prints the figures as a table), PNG via
matplotlib for the DOCX report."""

from __future__ import annotations

import io
from html import escape
from textwrap import shorten

from dangvu.core.plan_status import number
from dangvu.core.safefiles import strip_controls

from .progress import Series

W, H, PAD_L, PAD_B, PAD_T = 320, 150, 34, 24, 12


def _top(tp: Series) -> float:
    if tp.target.unit == "%":
        return 100.0
    values = [v for _, v in tp.points] + [tp.target.value, tp.target.value_max or 0, tp.forecast or 0]
    return max(1.0, max(values) * 1.15)


def target_svg(tp: Series, uid: str) -> str:
    """One series of a target (a binding, or the manual values): bars per year (solid), the
    forecast for the due year (outlined), the goal as a dashed line."""
    t = tp.target
    unit = "%" if t.unit == "%" else ""
    bars = list(tp.points)
    show_forecast = tp.forecast is not None and tp.due_year not in {y for y, _ in bars}
    slots = len(bars) + (1 if show_forecast else 0)
    top = _top(tp)
    plot_w, plot_h = W - PAD_L - 8, H - PAD_B - PAD_T

    def y_of(v: float) -> float:
        return PAD_T + plot_h * (1 - min(max(v, 0.0), top) / top)

    desc = "; ".join(f"năm {y}: {number(v)}{unit}" for y, v in bars) or "chưa có số liệu"
    if show_forecast:
        desc += f"; dự báo năm {tp.due_year}: {number(tp.forecast)}{unit}"
    desc += f"; mục tiêu {tp.goal}"
    parts = [f'<svg class="spark" viewBox="0 0 {W} {H}" width="100%" role="img" '
             f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{uid}-t">{escape(shorten(tp.title, 200, placeholder=" …"))}</title>',
             f'<desc id="{uid}-d">{escape(desc)}</desc>',
             f'<line x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{W - 8}" y2="{PAD_T + plot_h}" stroke="#888"/>',
             f'<text x="{PAD_L - 4}" y="{PAD_T + 4}" font-size="12" text-anchor="end">{number(top)}{unit}</text>',
             f'<text x="{PAD_L - 4}" y="{PAD_T + plot_h}" font-size="12" text-anchor="end">0</text>']
    if slots:
        step = plot_w / slots
        bw = min(36.0, step * 0.6)
        items = [(y, v, False) for y, v in bars] + ([(tp.due_year, tp.forecast, True)] if show_forecast else [])
        for i, (year, v, is_fc) in enumerate(items):
            x = PAD_L + step * i + (step - bw) / 2
            yv = y_of(v)
            style = ('fill="#fff" stroke="#a50e0e" stroke-width="2" stroke-dasharray="4 2"' if is_fc
                     else 'fill="#a50e0e"')
            parts.append(f'<rect x="{x:.1f}" y="{yv:.1f}" width="{bw:.1f}" height="{PAD_T + plot_h - yv:.1f}" {style}/>')
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{max(yv - 3, 9):.1f}" font-size="12" text-anchor="middle">'
                         f'{number(v)}</text>')
            label = f"{year}" + (" (dự báo)" if is_fc else "")
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{H - 8}" font-size="12" text-anchor="middle">{label}</text>')
    gy = y_of(t.value)
    parts.append(f'<line x1="{PAD_L}" y1="{gy:.1f}" x2="{W - 8}" y2="{gy:.1f}" stroke="#0b6b2e" '
                 f'stroke-width="2" stroke-dasharray="6 3"/>')
    parts.append(f'<text x="{W - 10}" y="{gy - 3:.1f}" font-size="12" text-anchor="end" fill="#0b6b2e">'
                 f'mục tiêu {escape(tp.goal)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def targets_png(items: list[tuple[str, Series]], *, per_row: int = 3) -> bytes | None:
    """One PNG: a small bar chart per (caption, series) with values (years, forecast, goal line);
    the caption is shortened at a word boundary to fit."""
    items = [(c, r) for c, r in items if r.points or r.forecast is not None]
    if not items:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(items)
    cols = min(per_row, n)
    lines = (n + cols - 1) // cols
    fig, axes = plt.subplots(lines, cols, figsize=(3.2 * cols, 2.5 * lines), squeeze=False)
    for i, (caption, tp) in enumerate(items):
        ax = axes[i // cols][i % cols]
        years = [str(y) for y, _ in tp.points]
        values = [v for _, v in tp.points]
        ax.bar(years, values, color="#a50e0e")
        if tp.forecast is not None and tp.due_year not in {y for y, _ in tp.points}:
            ax.bar([f"{tp.due_year}\n(dự báo)"], [tp.forecast], color="white", edgecolor="#a50e0e",
                   linestyle="--", linewidth=1.5)
        ax.axhline(tp.target.value, color="#0b6b2e", linestyle="--", linewidth=1.2)
        if tp.target.unit == "%":
            ax.set_ylim(0, 105)
        ax.set_title(shorten(strip_controls(caption), 48, placeholder=" …"), fontsize=8)
        ax.tick_params(labelsize=7)
    for j in range(n, lines * cols):
        axes[j // cols][j % cols].axis("off")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110)
    plt.close(fig)
    return out.getvalue()
