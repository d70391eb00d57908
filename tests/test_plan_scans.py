"""Scanned plans: image-only PDFs and photos read by Tesseract (vie), the limits a hostile file
meets, the messages when Tesseract is missing, the CLI's page progress, and the web upload that
reads a scan in the background behind a progress page.

Tests that run Tesseract skip when it (or its Vietnamese data) is not installed, except in CI
(CI=true), where its absence fails: .ci/run and ./dev install it.
"""

from __future__ import annotations

import json
import os
import random
import struct
import time
import zlib
from pathlib import Path

import plan_scans
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageFile
from pypdf import PdfReader, PdfWriter
from test_planparse_ocr import load_scorer

from dangvu.core.planparse import PlanReadError, parse_file, parse_text
from dangvu.core.planparse import extract as X

# Its module-wide data set is built once: every test of this file runs on one worker.
pytestmark = pytest.mark.xdist_group("plan-scans")

DATA = Path(__file__).parent / "data" / "plans"
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-vie"

# A short fictional plan that reads as two scanned pages.
PAGE_ONE = """ĐẢNG BỘ XÃ THANH KHÊ
CHI BỘ THÔN BẾN LỘI
Số: 09-KH/CB
Thanh Khê, ngày 12 tháng 02 năm 2026

KẾ HOẠCH
sinh hoạt chi bộ năm 2026

Căn cứ Hướng dẫn số 27-HD/ĐU ngày 08/01/2026 của Đảng ủy xã Thanh Khê, Chi bộ thôn Bến Lội xây dựng kế hoạch như sau:

I. CHỈ TIÊU
1. 100% đảng viên được phân công nhiệm vụ cụ thể.
2. Tỷ lệ đảng viên dự sinh hoạt đạt từ 95% trở lên."""
PAGE_TWO = """II. NHIỆM VỤ
1. Chi ủy xây dựng chương trình sinh hoạt chuyên đề, hoàn thành trước ngày 31/3/2026.
2. Chi bộ tổng kết công tác năm, hoàn thành trước ngày 15/12/2026."""


@pytest.fixture(scope="session")
def ocr() -> None:
    try:
        X.require_tesseract()
    except PlanReadError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must install Tesseract with Vietnamese data ({INSTALL}): {exc}")
        pytest.skip(f"Tesseract with Vietnamese data is not installed ({INSTALL})")


@pytest.fixture(scope="module")
def short_scan(tmp_path_factory) -> Path:
    """PAGE_ONE and PAGE_TWO as a two-page image-only PDF, scanned slightly askew."""
    pages = plan_scans.render_pages(PAGE_ONE, 1) + plan_scans.render_pages(PAGE_TWO, 1)
    return plan_scans.to_pdf([plan_scans.degrade(p, i) for i, p in enumerate(pages)],
                             tmp_path_factory.mktemp("scan") / "ke-hoach-quet.pdf")


def _recorder():
    calls: list[tuple[int, int]] = []
    return calls, lambda done, total: calls.append((done, total))


def _angle(seed: int) -> float:
    """The rotation degrade() gives a page with this seed (its first random draw)."""
    return random.Random(seed).uniform(-1.5, 1.5)


# -- reading --------------------------------------------------------------------------------------

# Measured on this sample with these seeds (3 pages, page 1 turned 1.37°, Tesseract 5.3.0):
# targets 10/10, references 6/6, deadlines 6/6, number and date right. The floors leave room for
# another Tesseract version's slips (one reference or deadline of six).
SAMPLE = "ctr_tinh_uy_nam_son_xay_dung_dang_2026_2030"
SAMPLE_SEED = 2
FLOOR = {"targets": 0.9, "references": 0.9, "deadlines": 0.9}


def test_scanned_sample_plan_scores_against_its_gold(ocr, shared_dir, tmp_path):
    scorer = load_scorer(shared_dir)
    pages = plan_scans.render_pages((DATA / f"{SAMPLE}.txt").read_text(encoding="utf-8"), SAMPLE_SEED)
    assert len(pages) >= 2 and pages[0].size == (1654, 2339)  # A4 at 200 dpi
    pdf = plan_scans.to_pdf([plan_scans.degrade(p, SAMPLE_SEED + i) for i, p in enumerate(pages)],
                            tmp_path / "scan.pdf")
    assert abs(_angle(SAMPLE_SEED)) > 1.0
    assert all(not (p.extract_text() or "").strip() for p in PdfReader(pdf).pages)  # image only
    parsed = parse_file(pdf)
    gold = json.loads((DATA / f"{SAMPLE}.json").read_text(encoding="utf-8"))
    result = scorer.score(parsed, gold)
    for key, floor in FLOOR.items():
        p, r, f = scorer.prf(*result[key])
        assert f >= floor, f"{key}: P={p:.2f} R={r:.2f} F={f:.2f} {result[key]}"
    assert parsed["number"] == gold["number"] and parsed["date"] == gold["date"]


def test_skew_is_found_and_levelled():
    page = plan_scans.render_pages(PAGE_ONE + "\n" + PAGE_TWO, 2)[0]
    for turn in (1.3, -0.7):
        turned = page.rotate(turn, resample=Image.Resampling.BICUBIC, fillcolor=255)
        assert X.skew_angle(turned) == pytest.approx(-turn, abs=0.1)
        assert abs(X.skew_angle(X.deskew(turned))) <= 0.1
    assert X.deskew(page) is page  # a level page is left alone


def test_phone_photo_jpeg_turned_by_exif_and_png_with_transparency(ocr, tmp_path):
    page = plan_scans.degrade(plan_scans.render_pages(PAGE_ONE, 3)[0], 3)
    top = page.crop((0, 0, page.width, 900))
    # A phone stores the picture sideways and says so in EXIF (orientation 6: turn 90° clockwise).
    sideways = top.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    jpg = tmp_path / "anh-chup.JPG"
    sideways.convert("RGB").save(jpg, "JPEG", quality=80, exif=exif.tobytes())
    # A PNG whose paper is transparent: read naively it would be black on black.
    rgba = Image.new("RGBA", top.size, (0, 0, 0, 0))
    rgba.putalpha(top.point(lambda v: 255 - v))
    png = tmp_path / "ban-quet.png"
    rgba.save(png)
    for path in (jpg, png):
        calls, record = _recorder()
        text = X.read_text(path, progress=record)
        assert calls == [(0, 1), (1, 1)]
        plan = parse_text(text)
        assert plan["number"] == "09-KH/CB", (path.name, text[:300])
        assert plan["date"] == "2026-02-12"
        assert [r["number"] for r in plan["references"]] == ["27-HD/ĐU"]


def test_pdf_keeps_a_real_text_layer_and_reads_the_scanned_page(ocr, short_scan, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):  # TrueType: a text layer pypdf can read
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.1, 0.9, PAGE_ONE.replace("Bến Lội", "Bến Lội ‹lớp chữ›"), family="DejaVu Serif", size=12,
                 va="top")
        fig.savefig(tmp_path / "text.pdf")
        plt.close(fig)
    writer = PdfWriter()
    writer.append(str(tmp_path / "text.pdf"))
    writer.append(str(short_scan), pages=[1])
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)
    assert X.ocr_pages(mixed) == 1
    calls, record = _recorder()
    text = X.read_text(mixed, progress=record)
    assert calls == [(0, 2), (1, 2), (2, 2)]
    assert "Bến Lội ‹lớp chữ›" in text  # the layer, character for character (OCR would not invent ‹›)
    plan = parse_text(text)
    assert sorted(t["timing"]["end"] for t in plan["tasks"] if t["timing"]) == ["2026-03-31", "2026-12-15"]


def test_missing_tesseract_or_vietnamese_data_says_what_to_install(tmp_path, monkeypatch):
    png = tmp_path / "trang.png"
    Image.new("L", (400, 300), 255).save(png)
    real_tesseract = X.shutil.which(X.TESSERACT)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no tesseract anywhere
    for call in (lambda: X.read_text(png), lambda: X.ocr_pages(png)):
        with pytest.raises(PlanReadError) as err:
            call()
        message = str(err.value)
        assert message.startswith("Máy chủ chưa cài Tesseract và gói tiếng Việt")
        assert message.endswith(INSTALL)
        assert str(tmp_path) not in message and "Error" not in message
    if real_tesseract is None or not Path("/usr/share/tesseract-ocr/5/tessdata/eng.traineddata").exists():
        return
    # Tesseract present, its Vietnamese data not: only English in the data folder it is given.
    monkeypatch.setenv("PATH", str(Path(real_tesseract).parent))
    data = tmp_path / "tessdata"
    data.mkdir()
    (data / "eng.traineddata").symlink_to("/usr/share/tesseract-ocr/5/tessdata/eng.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(data))
    with pytest.raises(PlanReadError, match=r"chưa cài gói tiếng Việt.*apt-get install tesseract-ocr-vie$"):
        X.read_text(png)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in a few bytes: a decompression bomb's calling card."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_page_and_pixel_limits_refuse_before_any_decoding(tmp_path):
    tif = tmp_path / "ba-trang.tif"
    frames = [Image.new("L", (300, 200), 255) for _ in range(3)]
    frames[0].save(tif, save_all=True, append_images=frames[1:])
    pdf = tmp_path / "ba-trang.pdf"
    frames[0].save(pdf, "PDF", save_all=True, append_images=frames[1:])
    for path in (tif, pdf):
        for call in (X.read_text, X.ocr_pages):
            with pytest.raises(PlanReadError, match=r"có 3 trang, quá giới hạn 2 trang"):
                call(path, max_pages=2)
    big = tmp_path / "lon.png"
    Image.new("L", (1200, 1000), 255).save(big)
    with pytest.raises(PlanReadError, match=r"quá lớn \(1200×1000 điểm ảnh\), tối đa 1 triệu điểm ảnh"):
        X.read_text(big, max_pixels=1_000_000)
    with pytest.raises(PlanReadError, match=r"Trang 1 của tệp ba-trang.pdf quá khổ"):
        X.ocr_pages(pdf, max_pixels=100_000)
    # A one-inch page holding a 2000 × 2000 image: 160,000 pixels once rendered (at most 400 dpi), but
    # pdfium would decode the image whole.
    dense = tmp_path / "day-dac.pdf"
    Image.new("L", (2000, 2000), 255).save(dense, "PDF", resolution=2000)
    for call in (X.read_text, X.ocr_pages):
        with pytest.raises(PlanReadError, match=r"Trang 1 của tệp day-dac.pdf quá khổ"):
            call(dense, max_pixels=1_000_000)
    # 40,000 × 40,000 claimed in 100 bytes: refused from the header, never decoded.
    bomb = tmp_path / "bom.png"
    bomb.write_bytes(_png_header_only(40_000, 40_000))
    decoded = []
    with pytest.MonkeyPatch.context() as mp:  # any decoding of pixels is recorded
        mp.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size))
        for limit in (X.MAX_PIXELS, 10**12):  # ours, then Pillow's own guard behind it
            with pytest.raises(PlanReadError, match=r"Ảnh bom.png quá lớn") as err:
                X.read_text(bomb, max_pixels=limit)
            assert str(tmp_path) not in str(err.value)
    assert decoded == []
    fake = tmp_path / "gia.jpg"
    fake.write_bytes(b"GIF89a" + b"\x00" * 50)
    with pytest.raises(PlanReadError, match=r"không phải ảnh .jpg, .png hoặc .tif hợp lệ"):
        X.read_text(fake)


# -- command line ---------------------------------------------------------------------------------

def test_cli_shows_page_progress_on_stderr_and_json_alone_on_stdout(ocr, short_scan, capsys):
    from dangvu.cli import main

    assert main(["plan", "parse", str(short_scan), "--json"]) == 0
    out, err = capsys.readouterr()
    plan = json.loads(out)
    assert plan["number"] == "09-KH/CB"
    assert [t["value"] for t in plan["targets"]] == [100, 95]
    assert err.splitlines() == ["Đang nhận dạng chữ: trang 1/2", "Đang nhận dạng chữ: trang 2/2",
                                "Đã nhận dạng chữ xong 2 trang."]


def test_cli_without_tesseract_prints_the_install_line(short_scan, tmp_path, monkeypatch, capsys):
    from dangvu.cli import main

    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["plan", "parse", str(short_scan), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().endswith(INSTALL) and "Tesseract" in err


# -- web: upload → progress → review --------------------------------------------------------------

@pytest.fixture
def jobs_dir(settings, tmp_path) -> Path:
    settings.DANGVU_SCAN_JOBS_DIR = tmp_path / "jobs"
    return settings.DANGVU_SCAN_JOBS_DIR


def _client(tree, role: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(tree.users[role])
    return client


def _upload(client, path: Path, name: str | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("plans:plan_upload", args=["C1"]),
                       {"file": SimpleUploadedFile(name or path.name, path.read_bytes())})


def _poll(client, url: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(url)
        if r.status_code != 200 or "Refresh" not in r or time.monotonic() > deadline:
            return r
        time.sleep(0.2)


def test_web_upload_of_a_scan_reads_it_in_the_background_then_opens_the_draft(ocr, tree, short_scan, jobs_dir):
    from dangvu.plans import scan_jobs
    from dangvu.plans.models import Plan, PlanState

    client = _client(tree, "office")
    slots = scan_jobs._worker_slots()
    slots.acquire()  # hold the reader so the queued and running pages can be seen
    try:
        r = _upload(client, short_scan)
        assert r.status_code == 302, r.content.decode()[-1500:]
        url = r["Location"]
        job = url.rstrip("/").rsplit("/", 1)[1]
        assert url == reverse("plans:plan_scan", args=[job])
        assert not Plan.objects.exists()
        page = client.get(url)
        assert page.status_code == 200 and page["Refresh"] == "2"
        html = page.content.decode()
        assert "Đang chờ đến lượt" in html and "ke-hoach-quet.pdf" in html
        assert '<progress max="2" value="0">' in html
        # someone else cannot follow (or learn of) this job
        assert _client(tree, "admin").get(url).status_code == 404
        scan_jobs._set_state(jobs_dir / job, status=scan_jobs.RUNNING, done=1, total=2)
        html = client.get(url).content.decode()
        assert "Đang nhận dạng chữ: trang 2/2" in html and '<progress max="2" value="1">' in html
    finally:
        slots.release()
    ready = _poll(client, url)
    assert ready.status_code == 200 and "Refresh" not in ready, ready.content.decode()[-1500:]
    assert "Mở bản nháp" in ready.content.decode()
    assert not Plan.objects.exists()  # reading the page writes nothing
    r = client.post(url)
    plan = Plan.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("plans:plan_review", args=[plan.pk])
    assert (plan.state, plan.number, plan.source_name) == (PlanState.DRAFT, "09-KH/CB", "ke-hoach-quet.pdf")
    assert [(t.op, t.value) for t in plan.targets.order_by("pk")] == [("=", 100), (">=", 95)]
    assert sorted(str(t.ends_on) for t in plan.tasks.all()) == ["2026-03-31", "2026-12-15"]
    assert "Chi bộ tổng kết công tác năm" in plan.source_text
    review = client.get(r["Location"])
    assert review.status_code == 200 and "Đã đọc bản quét" in review.content.decode()
    # polling again (a second tab) neither makes a second draft nor fails
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == r["Location"]
    assert Plan.objects.count() == 1
    left = sorted(p.name for p in (jobs_dir / job).iterdir())
    assert left == ["claimed", "job.json", "state.json"]  # the upload and the text are not kept


def test_web_scan_without_a_plan_in_it_ends_with_a_message(ocr, tree, jobs_dir, tmp_path):
    from dangvu.plans.models import Plan

    img = plan_scans.degrade(plan_scans.render_pages("Ảnh chụp một tờ giấy mời họp lớp.", 8)[0], 8)
    photo = tmp_path / "giay-moi.jpg"
    img.crop((0, 0, img.width, 500)).save(photo, "JPEG", quality=80)
    client = _client(tree, "office")
    r = _upload(client, photo)
    assert r.status_code == 302
    r = _poll(client, r["Location"])
    assert r.status_code == 200 and "Refresh" not in r
    html = r.content.decode()
    assert "không tìm thấy chỉ tiêu hay nhiệm vụ nào" in html and 'role="alert"' in html
    assert reverse("plans:plan_upload", args=["C1"]) in html
    assert not Plan.objects.exists()


def test_web_upload_of_a_scan_without_tesseract_is_refused_at_once(tree, short_scan, jobs_dir, tmp_path,
                                                                   monkeypatch, settings):
    monkeypatch.setenv("PATH", str(tmp_path))
    client = _client(tree, "office")
    r = _upload(client, short_scan)
    assert r.status_code == 400
    assert INSTALL in r.content.decode()
    assert not jobs_dir.exists()
    settings.DANGVU_SCAN_MAX_PAGES = 1
    monkeypatch.undo()
    r = _upload(client, short_scan)
    assert r.status_code == 400 and "có 2 trang, quá giới hạn 1 trang" in r.content.decode()


def test_unknown_or_malformed_job_is_404(tree, jobs_dir):
    client = _client(tree, "office")
    for job in ("0" * 32, "x", "0" * 31 + "g"):
        assert client.get(reverse("plans:plan_scan", args=[job])).status_code == 404


def test_scan_fixtures_are_deterministic_grey_and_image_only(tmp_path):
    a = plan_scans.degrade(plan_scans.render_pages(PAGE_TWO, 4)[0], 4)
    b = plan_scans.degrade(plan_scans.render_pages(PAGE_TWO, 4)[0], 4)
    assert a.tobytes() == b.tobytes() and a.mode == "L"
    dark, light = a.reduce(8).getextrema()
    assert dark < 120 and 200 < light < 250  # grey ink on grey paper, never pure white
    pdf = plan_scans.to_pdf([a, b], tmp_path / "x.pdf")
    assert pdf.stat().st_size < 2 * 400_000
    assert [p.extract_text() for p in PdfReader(pdf).pages] == ["", ""]


def _fake_job(jobs_dir: Path, user, status: str, pid: int, **state) -> str:
    """A job as its files say, without a reader behind it."""
    from dangvu.plans import scan_jobs

    job = os.urandom(16).hex()
    (jobs_dir / job).mkdir(parents=True)
    scan_jobs._write(jobs_dir / job / "job.json", {"user": user.pk, "org": "C1", "name": "cu.pdf", "pages": 2})
    scan_jobs._set_state(jobs_dir / job, status=status, done=0, total=2, pid=pid, **state)
    return job


def test_a_job_whose_server_died_says_so_and_stops_polling(tree, jobs_dir):
    import subprocess
    import sys

    from dangvu.plans import scan_jobs

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid now belongs to no process
    client = _client(tree, "office")
    for status in (scan_jobs.QUEUED, scan_jobs.RUNNING):
        job = _fake_job(jobs_dir, tree.users["office"], status, gone.pid)
        r = client.get(reverse("plans:plan_scan", args=[job]))
        assert r.status_code == 200 and "Refresh" not in r
        assert "bị gián đoạn" in r.content.decode()
    # alive but silent for longer than any page may take: gone as well
    job = _fake_job(jobs_dir, tree.users["office"], scan_jobs.RUNNING, os.getpid())
    state = scan_jobs._read(jobs_dir / job / "state.json")
    scan_jobs._write(jobs_dir / job / "state.json", {**state, "updated": time.time() - scan_jobs.STALE_SECONDS - 1})
    assert "bị gián đoạn" in client.get(reverse("plans:plan_scan", args=[job])).content.decode()


def test_too_many_waiting_scans_are_refused_on_the_form(ocr, tree, short_scan, jobs_dir):
    from dangvu.plans import scan_jobs

    for _ in range(scan_jobs.MAX_ACTIVE_PER_USER):
        _fake_job(jobs_dir, tree.users["office"], scan_jobs.QUEUED, os.getpid())
    r = _upload(_client(tree, "office"), short_scan)
    assert r.status_code == 400
    assert "Bạn đang có 3 bản quét chờ đọc" in r.content.decode()
    assert len(list(jobs_dir.iterdir())) == scan_jobs.MAX_ACTIVE_PER_USER
