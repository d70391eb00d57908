"""Scanned-plan fixtures: a plan's text typeset on A4 pages, made to look scanned, saved as an
image-only PDF. Deterministic: the same text and seed give the same pixels.

Used by tests/test_plan_scans.py and tests/tools/make_plan_twins.py.
"""

from __future__ import annotations

import io
import random
import time
import unicodedata
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 200
A4_MM = (210, 297)
FONT_PT = 12.5
# Vietnamese administrative layout: wider binding margin on the left.
MARGINS_MM = {"left": 30, "right": 20, "top": 20, "bottom": 20}
LINE_SPACING = 1.35
FIXED_TIME = time.gmtime(1_767_225_600)  # 2026-01-01, as Pillow wants it (struct_time)
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSerif.ttf"


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def _wrap(line: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    words, out, current = line.split(" "), [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            out.append(current)
            current = word
        else:
            current = candidate
    out.append(current)
    return out


def render_pages(text: str, seed: int = 0) -> list[Image.Image]:
    """The text typeset on clean white A4 pages (greyscale, DPI dots per inch).

    Each source line is a paragraph wrapped to the text width; a blank line leaves a gap. The seed
    only varies the first-line indent of body paragraphs, so documents do not all look alike.
    """
    rng = random.Random(seed)
    font = ImageFont.truetype(str(FONT), round(FONT_PT / 72 * DPI))
    page_w, page_h = _px(A4_MM[0]), _px(A4_MM[1])
    left, right, top, bottom = (_px(MARGINS_MM[k]) for k in ("left", "right", "top", "bottom"))
    width = page_w - left - right
    step = round(FONT_PT / 72 * DPI * LINE_SPACING)
    indent = _px(rng.choice((0, 5, 10)))
    lines: list[tuple[int, str]] = []
    for raw in unicodedata.normalize("NFC", text).replace("\t", " ").split("\n"):
        raw = raw.rstrip()
        if not raw.strip():
            lines.append((0, ""))
            continue
        first = indent if len(raw) > 80 and not raw.lstrip().startswith("|") else 0
        wrapped = _wrap(raw.strip(), font, width - first)
        lines.extend([(first, wrapped[0])] + [(0, w) for w in wrapped[1:]])
    pages: list[Image.Image] = []
    y = page_h  # forces a first page
    draw = None
    for x_off, line in lines:
        if y + step > page_h - bottom:
            if not line:
                continue  # no blank line at the head of a page
            pages.append(Image.new("L", (page_w, page_h), 255))
            draw = ImageDraw.Draw(pages[-1])
            y = top
        if line:
            draw.text((left + x_off, y), line, font=font, fill=0)
        y += step if line else step // 2
    return pages


def degrade(img: Image.Image, seed: int = 0) -> Image.Image:
    """A scanner's or copier's look: slight rotation (±1.5°), grey paper, grey ink, noise, mild blur,
    then a JPEG round trip. Greyscale in, greyscale out, same size."""
    rng = random.Random(seed)
    angle = rng.uniform(-1.5, 1.5)
    paper = rng.randint(215, 238)
    ink = rng.randint(25, 60)
    arr = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    arr = ink + arr * (paper - ink)  # white → paper, black → ink
    out = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "L")
    out = out.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=paper)
    noise = np.random.default_rng(seed).normal(0.0, rng.uniform(4.0, 8.0), (out.height, out.width))
    # Uneven lighting: a gentle gradient across the page, as from a scanner lid left ajar.
    shade = np.linspace(0.0, rng.uniform(-12.0, 12.0), out.width, dtype=np.float32)[None, :]
    arr = np.asarray(out, dtype=np.float32) + noise + shade
    out = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "L")
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9)))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.randint(55, 75))
    buf.seek(0)
    return Image.open(buf).convert("L")


def to_pdf(images: list[Image.Image], path: str | Path, quality: int = 40) -> Path:
    """An image-only PDF (no text layer): one greyscale JPEG page per image, at DPI."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = [im.convert("L") for im in images]
    # Fixed metadata (Pillow would write the clock and the path): the same pages, the same bytes.
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=DPI, quality=quality,
                  title=path.stem, creationDate=FIXED_TIME, modDate=FIXED_TIME)
    return path
