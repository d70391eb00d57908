#!/usr/bin/env python3
"""OCR-damaged twins and scanned copies of the sample plans.

For every NAME.txt that has a gold NAME.json in each corpus folder given:
  ocr/NAME.txt   the clean text typeset on A4, made to look scanned (tests/plan_scans.py) and read
                 back by ``tesseract -l eng``: the English model loses or garbles Vietnamese
                 diacritics ("Nghi quyét s6 21-NQ/TW") as real OCR without the right model does;
  scan/NAME.pdf  for about one document in three (chosen by a hash of NAME, so adding documents
                 does not move the choice): those scanned pages as an image-only PDF.

Deterministic (seeded by NAME) and idempotent: files already made are kept unless --force.

    .venv/bin/python tests/tools/make_plan_twins.py tests/data/plans tests/data/plans_heldout
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plan_scans  # noqa: E402


def seed_of(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def is_scanned(name: str) -> bool:
    """About a third of the documents get a scanned PDF; stable as documents are added."""
    return seed_of(name) % 3 == 0


def ocr_eng(image) -> str:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    run = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "eng", "--psm", "3", "--dpi", str(plan_scans.DPI)],
        input=buf.getvalue(), capture_output=True, check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return run.stdout.decode("utf-8", "replace").replace("\x0c", "").strip()


def make(doc: Path, force: bool) -> list[str]:
    """The twins of one document that were (re)made."""
    name = doc.stem
    ocr_path = doc.parent / "ocr" / f"{name}.txt"
    scan_path = doc.parent / "scan" / f"{name}.pdf"
    want_ocr = force or not ocr_path.exists()
    want_scan = is_scanned(name) and (force or not scan_path.exists())
    if not (want_ocr or want_scan):
        return []
    seed = seed_of(name)
    pages = plan_scans.render_pages(doc.read_text(encoding="utf-8"), seed)
    pages = [plan_scans.degrade(page, seed + i) for i, page in enumerate(pages)]
    made = []
    if want_ocr:
        ocr_path.parent.mkdir(exist_ok=True)
        ocr_path.write_text("\n\n".join(ocr_eng(p) for p in pages) + "\n", encoding="utf-8")
        made.append(str(ocr_path))
    if want_scan:
        plan_scans.to_pdf(pages, scan_path)
        made.append(f"{scan_path} ({len(pages)} trang, {scan_path.stat().st_size // 1024} KB)")
    return made


def scan_only(doc: Path, folder: Path) -> str:
    """A scanned PDF of one document into ``folder``, rendered and degraded as ``make`` does."""
    seed = seed_of(doc.stem)
    pages = plan_scans.render_pages(doc.read_text(encoding="utf-8"), seed)
    path = folder / f"{doc.stem}.pdf"
    plan_scans.to_pdf([plan_scans.degrade(page, seed + i) for i, page in enumerate(pages)], path)
    return str(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path, help="corpus folders (NAME.txt + NAME.json)")
    ap.add_argument("--force", action="store_true", help="remake files that already exist")
    ap.add_argument("--jobs", type=int, default=1, help="documents made in parallel")
    ap.add_argument("--all-scans", type=Path, metavar="DIR",
                    help="instead: a scanned PDF of every document into DIR (to score scans on a whole half)")
    args = ap.parse_args(argv)
    docs = []
    for folder in args.folders:
        if not folder.is_dir():
            print(f"{folder}: not a folder, skipped", file=sys.stderr)
            continue
        docs += [d for d in sorted(folder.glob("*.txt")) if d.with_suffix(".json").is_file()]
    if args.all_scans:
        args.all_scans.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(max(1, args.jobs)) as pool:
            for line in pool.map(scan_only, docs, [args.all_scans] * len(docs)):
                print(line)
        return 0
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        for made in pool.map(make, docs, [args.force] * len(docs)):
            for line in made:
                print(line)
    print(f"{len(docs)} documents checked", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
