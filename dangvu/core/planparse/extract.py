"""Plain text out of a plan file: .txt, .docx (python-docx), .pdf and scanned images.

A PDF page keeps its text layer (pypdf) when it has one; a page without one is rendered
(pypdfium2) and read by Tesseract's Vietnamese model, as are .jpg/.png/.tif pages. Tesseract
runs as the ``tesseract`` binary (Debian: tesseract-ocr tesseract-ocr-vie), called directly
rather than through pytesseract: each call sets OMP_THREAD_LIMIT=1 in its own environment
(3-5x faster on a busy 2-core server, same text), and the page goes through pipes, so no
temporary file holds a party document.

A hostile file's cost is bounded: at most ``max_pages`` pages, at most ``max_pixels`` pixels a
page (checked from the image header, before decoding; Pillow's decompression-bomb guard stays on
behind it), a time limit per page. Every failure is a :class:`PlanReadError` whose message is
plain Vietnamese for the user: never a library's error text or a path.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from dangvu.core.numbers import thousands
from dangvu.core.safefiles import BrokenArchive, UnsafeFile, check_archive

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

TEXT_SUFFIXES = (".txt", ".md", ".text", "")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", *IMAGE_SUFFIXES)

MAX_PAGES = 50                 # a plan is rarely over 20 pages; OCR takes ~2-4 s a page
MAX_PIXELS = 40_000_000        # A2 at 300 dpi is 35 million; a phone photo 12-50 million
OCR_LANG = "vie"
OCR_PSM = 3                    # Tesseract page segmentation: automatic layout
OCR_DPI = 300                  # a PDF page without a scan image is rendered at this resolution
OCR_MIN_DPI, OCR_MAX_DPI = 200, 400  # a scanned page at its scan's resolution, within these
PAGE_TIMEOUT_S = 180
# A long plan is 60,000 characters; the reader's work grows with the text (~50 µs a character), so
# a text over this is refused rather than read for minutes.
MAX_TEXT_CHARS = 200_000
MAX_TEXT_BYTES = 4 * MAX_TEXT_CHARS   # UTF-8 Vietnamese takes 1–3 bytes a character; UTF-16 two
# A real plan has tens of targets and at most a few hundred tasks; a text at MAX_TEXT_CHARS made of
# target lines gives ~2,000, each a row written with the draft: more is refused, not drafted.
MAX_PLAN_ITEMS = 1_000
# A plan's document.xml is a few MB (Word's XML is ~20 bytes a character); python-docx builds a full
# lxml tree (~5× the XML), so a .docx part over this is refused before it is parsed.
DOCX_MAX_PART = 32 * 1024 * 1024
# A page of text is drawn by 5–50 KB of PDF operators (a dense table or a vector seal a few hundred KB).
PDF_MAX_PAGE_CONTENT = 4 * 1024 * 1024
PDF_MAX_CONTENT = 32 * 1024 * 1024
DOCX_MAX_INFLATED = 64 * 1024 * 1024
MIN_LAYER_CHARS = 20           # fewer visible characters on a PDF page: no real text layer
TESSERACT = "tesseract"        # the binary, looked up on PATH
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"

Progress = Callable[[int, int], None]

# pdfium is not thread-safe; the web server reads scans in a background thread.
_PDFIUM_LOCK = threading.Lock()
_IMAGE_FORMATS = ["JPEG", "PNG", "TIFF"]  # JPEG covers MPO, the variant some phones write



class PlanReadError(ValueError):
    """The file cannot be read as a plan; the message is for the user (Vietnamese)."""


def read_text(path: str | Path, progress: Progress | None = None, *, max_pages: int = MAX_PAGES,
              max_pixels: int = MAX_PIXELS) -> str:
    """The plain text of a plan file. ``progress(done, total)`` is called with (0, total) first and
    after each page of a PDF or image file (total = its pages)."""
    path = Path(path)
    if not path.is_file():
        raise PlanReadError(f"Không tìm thấy tệp {path.name}.")
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            return check_length(_txt(path))
        if suffix == ".docx":
            return check_length(_docx(path))
        if suffix == ".pdf":
            return check_length(_pdf(path, progress, max_pages, max_pixels))
        if suffix in IMAGE_SUFFIXES:
            return check_length(_images(path, progress, max_pages, max_pixels))
    except PlanReadError:
        raise
    except Exception as exc:  # a broken file: zip, XML, PDF or image errors of many kinds
        raise unreadable(path.name) from exc
    raise PlanReadError(
        f"Chưa hỗ trợ định dạng {suffix or '(không có đuôi)'} — hãy dùng .txt, .docx, .pdf "
        "hoặc ảnh quét .jpg, .png, .tif."
    )


def ocr_pages(path: str | Path, *, max_pages: int = MAX_PAGES, max_pixels: int = MAX_PIXELS) -> int:
    """How many pages of the file need OCR (0 for text files and PDFs with a text layer), without
    reading them: the page and pixel limits are checked, and Tesseract's presence when any page
    needs it, so a caller can refuse a file at once and run the slow part in the background."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        return 0  # read_text says so in its own words
    try:
        if suffix == ".pdf":
            layers = _pdf_layers(path, max_pages)
            blank = [i for i, text in enumerate(layers) if not _has_layer(text)]
            _check_blank_pages(path, blank, max_pixels)
            n = len(blank)
        elif suffix in IMAGE_SUFFIXES:
            n = sum(1 for _ in _image_frames(path, max_pages, max_pixels, decode=False))
        else:
            return 0
    except PlanReadError:
        raise
    except Exception as exc:
        raise unreadable(path.name) from exc
    if n:
        require_tesseract()
    return n


# What to do with a file its library cannot open, by kind: the library's own words (English, with the
# server's temporary path, e.g. python-docx's "Package not found at '/tmp/…'") never reach the user.
UNREADABLE = {
    ".docx": "Tệp này không mở được như một tệp Word (.docx). Hãy lưu lại bằng Word rồi tải lên, hoặc tải bản PDF.",
    ".pdf": "Tệp này không mở được như một tệp PDF. Hãy in lại ra PDF (hoặc lưu lại bằng phần mềm đã tạo ra "
            "nó) rồi tải lên, hoặc tải bản Word (.docx).",
    "image": "Tệp này không mở được như một ảnh (.jpg, .png, .tif). Hãy chụp hoặc quét lại rồi tải lên.",
    ".txt": "Tệp này không đọc được như văn bản thuần (.txt). Hãy lưu lại dạng văn bản (UTF-8) rồi tải lên, "
            "hoặc dán nội dung vào ô bên dưới.",
}


def unreadable(name: str) -> PlanReadError:
    """The refusal of a file its reader cannot open: what to do, by the file's kind (no library text)."""
    suffix = Path(name).suffix.lower()
    kind = "image" if suffix in IMAGE_SUFFIXES else suffix if suffix in UNREADABLE else ".txt"
    return PlanReadError(UNREADABLE[kind])


def require_tesseract(lang: str = OCR_LANG) -> None:
    """PlanReadError saying what to install when Tesseract or its language data is missing."""
    exe = shutil.which(TESSERACT)
    if exe is None:
        raise PlanReadError(f"Máy chủ chưa cài Tesseract và gói tiếng Việt để đọc bản quét. "
                            f"Quản trị viên cần cài: {INSTALL_HINT}")
    try:
        run = subprocess.run([exe, "--list-langs"], check=False, capture_output=True, timeout=30, env=_ocr_env())
    except (OSError, subprocess.SubprocessError) as exc:
        raise PlanReadError(f"Không chạy được Tesseract trên máy chủ. Quản trị viên cần cài lại: "
                            f"{INSTALL_HINT}") from exc
    langs = {line.strip() for line in run.stdout.decode("utf-8", "replace").splitlines()[1:]}
    if lang not in langs:
        raise PlanReadError("Máy chủ có Tesseract nhưng chưa cài gói tiếng Việt để đọc bản quét. "
                            "Quản trị viên cần cài: apt-get install tesseract-ocr-vie")


def check_items(parsed: dict, limit: int = MAX_PLAN_ITEMS) -> dict:
    """The parse, or a refusal when it holds more targets and tasks than any plan (bounded writes)."""
    count = len(parsed.get("targets") or ()) + len(parsed.get("tasks") or ())
    if count > limit:
        raise PlanReadError(f"Văn bản có {thousands(count)} chỉ tiêu và nhiệm vụ, quá mức của một kế hoạch "
                            f"(tối đa {thousands(limit)}). Hãy tách thành từng kế hoạch.")
    return parsed


def check_length(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The text, or a refusal when it is longer than any plan (bounded work for the reader)."""
    if len(text) > limit:
        raise PlanReadError(f"Văn bản quá dài ({thousands(len(text))} ký tự; tối đa {thousands(limit)}). Hãy "
                            "tách thành từng kế hoạch hoặc chỉ tải phần mục tiêu, nhiệm vụ.")
    return text


# -- text formats ----------------------------------------------------------------------------------

def _txt(path: Path) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise PlanReadError(f"Tệp {path.name} quá dài so với một kế hoạch (tối đa {thousands(MAX_TEXT_CHARS)} "
                            "ký tự).")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    # Old Windows files: cp1258 is the Vietnamese code page.
    return data.decode("cp1258", errors="replace")


def _docx(path: Path) -> str:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        check_archive(path, max_member=DOCX_MAX_PART, max_inflated=DOCX_MAX_INFLATED)
    except BrokenArchive:
        raise  # read_text words it as any broken file
    except UnsafeFile as exc:
        raise PlanReadError(str(exc)) from exc
    document = docx.Document(str(path))
    blocks: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            blocks.append(Paragraph(child, document).text)
        elif child.tag == f"{_W}tbl":
            blocks.extend(_table(Table(child, document)))
    blocks.extend(_footnotes(document))
    text = "\n\n".join(b for b in blocks if b.strip())
    if not text.strip():
        raise PlanReadError(f"Tệp {path.name} không có chữ.")
    return text


def _table(table) -> list[str]:
    """A schedule table (3+ columns) as "| a | b | c |" rows; a layout table cell by cell."""
    out: list[str] = []
    rows = table.rows
    for row in rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if not cells or cells[-1] != text:  # merged cells repeat their text
                cells.append(text)
        if len(rows) >= 2 and len([c for c in cells if c]) >= 3:
            out.append("| " + " | ".join(" ".join(c.split()) for c in cells) + " |")
        else:
            for c in cells:
                out.extend(p for p in c.split("\n") if p.strip())
    return out


def _footnotes(document) -> list[str]:
    """Footnote texts (python-docx does not expose them; they often cite documents)."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            root = ET.fromstring(rel.target_part.blob)
            notes = []
            for note in root.iter(f"{_W}footnote"):
                text = "".join(t.text or "" for t in note.iter(f"{_W}t")).strip()
                if text:
                    notes.append(text)
            return notes
    return []


# -- PDF: text layer, else OCR ---------------------------------------------------------------------

def _has_layer(text: str) -> bool:
    return sum(1 for c in text if not c.isspace()) >= MIN_LAYER_CHARS


def _pdf_layers(path: Path, max_pages: int) -> list[str]:
    """The text layer of every page ("" where a page has none)."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    n = len(reader.pages)
    if n > max_pages:
        raise PlanReadError(f"Tệp {path.name} có {n} trang, quá giới hạn {max_pages} trang một lần đọc. "
                            "Hãy chỉ tải lên các trang của kế hoạch.")
    layers, total = [], 0
    for number, page in enumerate(reader.pages, start=1):
        # The page's drawing instructions, decoded (pypdf stops at 75 MB a stream): a 200 KB file can
        # hold 70 MB of text operators that take 10 s and 400 MB to extract, so they are measured first.
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
        total += size
        if size > PDF_MAX_PAGE_CONTENT or total > PDF_MAX_CONTENT:
            raise PlanReadError(f"Trang {number} của tệp {path.name} chứa lượng dữ liệu bất thường; không đọc. "
                                "Hãy in lại tệp ra PDF hoặc tải lên bản Word.")
        layers.append(page.extract_text() or "")
    return layers


def _render_dpi(page, number: int, name: str, max_pixels: int) -> int:
    """The resolution to render a scanned page at: that of its scan image (resampling a scan costs
    Tesseract accuracy: 200-dpi sample scans lost targets and dates when rendered at 300, and
    300-dpi ones when rendered at 200), held to OCR_MIN_DPI..OCR_MAX_DPI; OCR_DPI when the page holds
    no large image. An embedded image over the pixel limit is refused: pdfium would decode it whole."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    best = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        px_w, px_h = obj.get_px_size()
        if px_w * px_h > max_pixels:
            raise _page_too_big(number, name, max_pixels)
        left, bottom, right, top = obj.get_bounds()
        extent = max(right - left, top - bottom)
        if extent >= 0.5 * max(width, height):
            best = max(best, max(px_w, px_h) * 72 / extent)
    return round(min(max(best, OCR_MIN_DPI), OCR_MAX_DPI)) if best else OCR_DPI


def _page_too_big(number: int, name: str, max_pixels: int) -> PlanReadError:
    return PlanReadError(f"Trang {number} của tệp {name} quá khổ để nhận dạng chữ "
                         f"(tối đa {max_pixels / 1e6:g} triệu điểm ảnh một trang).")


def _render_scale(page, number: int, name: str, max_pixels: int) -> tuple[float, int]:
    """(scale, dpi) to render the page for OCR, or PlanReadError when that is too many pixels."""
    width, height = page.get_size()  # points, 1/72 inch
    dpi = _render_dpi(page, number, name, max_pixels)
    scale = dpi / 72
    if width * height * scale * scale > max_pixels:
        raise _page_too_big(number, name, max_pixels)
    return scale, dpi


def _check_blank_pages(path: Path, blank: list[int], max_pixels: int) -> None:
    """The pixel limits of the pages to OCR, checked before any is rendered."""
    if not blank:
        return
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            for i in blank:
                _render_scale(pdf[i], i + 1, path.name, max_pixels)
        finally:
            pdf.close()


def _pdf(path: Path, progress: Progress | None, max_pages: int, max_pixels: int) -> str:
    layers = _pdf_layers(path, max_pages)
    total = len(layers)
    blank = [i for i, text in enumerate(layers) if not _has_layer(text)]
    _check_blank_pages(path, blank, max_pixels)
    if blank:
        require_tesseract()
    if progress:
        progress(0, total)
    pages: list[str] = []
    pdf = None
    try:
        for i, layer in enumerate(layers):
            if _has_layer(layer):
                pages.append(layer)
            else:
                if pdf is None:
                    import pypdfium2 as pdfium

                    with _PDFIUM_LOCK:
                        pdf = pdfium.PdfDocument(str(path))
                with _PDFIUM_LOCK:
                    page = pdf[i]
                    scale, dpi = _render_scale(page, i + 1, path.name, max_pixels)
                    image = page.render(scale=scale, grayscale=True).to_pil()
                    page.close()
                pages.append(_ocr(image, dpi, i + 1, path.name))
            if progress:
                progress(i + 1, total)
    finally:
        if pdf is not None:
            with _PDFIUM_LOCK:
                pdf.close()
    text = "\n\n".join(pages)
    if len(text.strip()) < MIN_LAYER_CHARS:
        raise PlanReadError(f"Không nhận ra chữ nào trong tệp {path.name}; hãy quét lại rõ hơn.")
    return text


# -- images ----------------------------------------------------------------------------------------

def _image_frames(path: Path, max_pages: int, max_pixels: int, decode: bool = True) -> Iterator:
    """Each page of an image file (a TIFF may hold several), size-checked before it is decoded."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            # Past Pillow's own bomb threshold its warning becomes an error: never decode such a file.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path, formats=_IMAGE_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_big(path.name, max_pixels) from exc
    except Exception as exc:
        raise PlanReadError(f"Tệp {path.name} không phải ảnh .jpg, .png hoặc .tif hợp lệ.") from exc
    with img:
        n = getattr(img, "n_frames", 1)
        if n > max_pages:
            raise PlanReadError(f"Tệp {path.name} có {n} trang, quá giới hạn {max_pages} trang một lần "
                                "đọc. Hãy chỉ tải lên các trang của kế hoạch.")
        for i in range(n):
            img.seek(i)
            w, h = img.size
            if w * h > max_pixels:
                raise _too_big(path.name, max_pixels, (w, h))
            if not decode:
                yield None
                continue
            frame = ImageOps.exif_transpose(img)  # phone photos are often stored sideways
            dpi = float((img.info.get("dpi") or (0, 0))[0] or 0)
            yield _grey(frame), (round(dpi) if 70 <= dpi <= 1200 else 0)


def _too_big(name: str, max_pixels: int, size: tuple[int, int] | None = None) -> PlanReadError:
    shown = f" ({size[0]}×{size[1]} điểm ảnh)" if size else ""
    return PlanReadError(f"Ảnh {name} quá lớn{shown}, tối đa {max_pixels / 1e6:g} triệu điểm ảnh một trang. "
                         "Hãy quét hoặc chụp lại ở độ phân giải thấp hơn (300 dpi là đủ).")


def _grey(img):
    """Greyscale, transparent parts on white (a PNG with alpha would turn them black)."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(base, rgba)
    return img.convert("L")


def _images(path: Path, progress: Progress | None, max_pages: int, max_pixels: int) -> str:
    total = sum(1 for _ in _image_frames(path, max_pages, max_pixels, decode=False))
    require_tesseract()
    if progress:
        progress(0, total)
    pages = []
    for i, (image, dpi) in enumerate(_image_frames(path, max_pages, max_pixels)):
        pages.append(_ocr(image, dpi, i + 1, path.name))
        if progress:
            progress(i + 1, total)
    text = "\n\n".join(pages)
    if len(text.strip()) < MIN_LAYER_CHARS:
        raise PlanReadError(f"Không nhận ra chữ nào trong ảnh {path.name}; hãy chụp lại thẳng, rõ và đủ sáng.")
    return text


# -- OCR -------------------------------------------------------------------------------------------

def _ocr_env() -> dict[str, str]:
    # Tesseract's OpenMP threads spin against each other and the web server on a small machine.
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _ocr(image, dpi: int, number: int, name: str) -> str:
    """One greyscale page through Tesseract (vie, automatic layout), after a deskew."""
    image = deskew(image)
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    exe = shutil.which(TESSERACT) or TESSERACT
    cmd = [exe, "stdin", "stdout", "-l", OCR_LANG, "--psm", str(OCR_PSM)]
    if dpi:
        cmd += ["--dpi", str(dpi)]  # else Tesseract estimates it from the letters' size
    try:
        run = subprocess.run(cmd, check=False, input=buf.getvalue(), capture_output=True, timeout=PAGE_TIMEOUT_S,
                             env=_ocr_env())
    except subprocess.TimeoutExpired as exc:
        raise PlanReadError(f"Nhận dạng chữ trang {number} của tệp {name} quá lâu; hãy quét lại "
                            "trang đó rõ hơn hoặc tách tệp.") from exc
    except OSError as exc:
        raise PlanReadError(f"Không chạy được Tesseract trên máy chủ. Quản trị viên cần cài: "
                            f"{INSTALL_HINT}") from exc
    if run.returncode != 0:
        raise PlanReadError(f"Không nhận dạng được chữ ở trang {number} của tệp {name}; hãy quét lại.")
    return run.stdout.decode("utf-8", "replace").replace("\x0c", "").strip()


def skew_angle(image, limit: float = 3.0) -> float:
    """The rotation (degrees, counter-clockwise) that levels the text lines of a page: the angle
    whose row profile of ink is sharpest, searched on a reduced copy, coarse then fine."""
    import numpy as np
    from PIL import Image

    # About 800 px across (half an A4 page at 200 dpi): a 12-megapixel photo costs no more.
    small = image.reduce(max(1, min(image.size) // 800))
    arr = np.asarray(small, dtype=np.uint8)
    paper, dark = float(np.percentile(arr, 50)), float(arr.min())  # min: a page may hold three lines
    if paper - dark < 40:
        return 0.0  # a blank or flat page: nothing to level
    # Thin strokes of a 200-dpi scan are grey, not black: ink is anything clearly darker than paper.
    ink = Image.fromarray(((arr < paper - max(25.0, 0.3 * (paper - dark))) * 255).astype(np.uint8), "L")

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.BILINEAR), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-limit, limit + 1e-9, 0.25), key=sharpness)
    return float(max(np.arange(coarse - 0.2, coarse + 0.21, 0.05), key=sharpness))


def deskew(image):
    """The page turned level when it is scanned slightly askew (≥ 0.15°); else unchanged."""
    import numpy as np
    from PIL import Image

    angle = skew_angle(image)
    if abs(angle) < 0.15:
        return image
    paper = int(np.percentile(np.asarray(image.reduce(8) if min(image.size) >= 800 else image), 50))
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=paper)
