"""The plan parser on documents it was not tuned on, and on anything at all.

* Every sample plan in tests/data/plans (clean and through each OCR damage of
  test_planparse_ocr) scores ≥ 0.9 precision and recall for targets, references and
  deadlines — one test per document and damage, so a regression names its document.
* The rules those documents exercise, one by one (page furniture, letter parts, glued OCR
  numbers, recurring dates, quoted higher-level goals...).
* Property tests: random text and random mutations of the seeds always give a dict of the
  contract's shape, quickly.

Annotation decisions for the sample gold files are in tests/data/plans/README.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_planparse_ocr import DAMAGES, SAMPLE_FLOOR, check, load_scorer

from dangvu.core.planparse import parse_text
from dangvu.core.planparse.layout import strip_page_furniture
from dangvu.core.planparse.normalize import Source
from dangvu.core.planparse.references import find_references
from dangvu.core.planparse.timing import find_timings

DATA = Path(__file__).parent / "data" / "plans"
SAMPLES = sorted(DATA.glob("*.txt"))
SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


# --- every sample document, clean and damaged --------------------------------------------------

@pytest.mark.parametrize("damage", ["clean", *sorted(DAMAGES)])
@pytest.mark.parametrize("doc", SAMPLES, ids=[d.stem for d in SAMPLES])
def test_sample_scores(shared_dir, doc, damage):
    scorer = load_scorer(shared_dir)
    gold = json.loads(doc.with_suffix(".json").read_text(encoding="utf-8"))
    text = doc.read_text(encoding="utf-8")
    if damage != "clean":
        text = DAMAGES[damage](text)
    check(scorer, parse_text(text), gold, f"{doc.stem}/{damage}", SAMPLE_FLOOR)


def test_there_are_enough_samples():
    assert len(SAMPLES) >= 12
    for doc in SAMPLES:
        assert doc.with_suffix(".json").is_file(), doc.name


def test_nfd_input_parses_like_nfc():
    doc = DATA / "kh_chi_bo_thpt_nguyen_duc_nfd.txt"
    text = doc.read_text(encoding="utf-8")
    assert text != unicodedata.normalize("NFC", text)  # the sample really is decomposed
    assert parse_text(text) == parse_text(unicodedata.normalize("NFC", text))


# --- rules -------------------------------------------------------------------------------------

def _targets(body: str) -> list[tuple]:
    plan = parse_text("KẾ HOẠCH\nthử\n\n" + textwrap.dedent(body))
    return [(t["op"], t["value"], t["value_max"], t["unit"], t["by"]) for t in plan["targets"]]


@pytest.mark.parametrize(("line", "expected"), [
    ("1. Kết nạp đạt và vượt chỉ tiêu 25 đảng viên.", [(">=", 25, None, "count", None)]),
    ("1. Tỷ lệ dự sinh hoạt không dưới 90%.", [(">=", 90, None, "%", None)]),
    ("1. Tỷ lệ kết nạp đạt 3% - 4%; đảng viên trẻ đạt từ 3 đến 4%.",
     [("range", 3, 4, "%", None), ("range", 3, 4, "%", None)]),
    ("1. Tổng số đảng viên tăng 10% so với nhiệm kỳ trước.", [(">=", 10, None, "%", None)]),
    ("1. Sinh hoạt ít nhất 02 chuyên đề/năm; có 05 chi bộ đạt “Chi bộ bốn tốt”.",
     [(">=", 2, None, "count", None), (">=", 5, None, "count", None)]),
    ("1. Mỗi năm học giới thiệu ít nhất 10 học sinh ưu tú.", [(">=", 10, None, "count", None)]),
    ("1. Có 9O % tr& lên chi bộ hoàn thành tốt nhiệm vụ; duy trì 1O0% thôn có chi bộ.",
     [(">=", 90, None, "%", None), ("=", 100, None, "%", None)]),
    # Rates, durations, money, ages and base years are not targets (or not due dates).
    ("1. Mở lớp 02 buổi/ngày, không quá 03 ngày; lợi nhuận đạt 12,5 tỷ đồng; đảng viên dưới 35 tuổi.", []),
])
def test_more_target_rules(line, expected):
    assert _targets("II. CHỈ TIÊU\n\n" + line) == expected


def test_base_year_is_not_the_due_year():
    got = _targets("""\
        II. MỤC TIÊU

        1. Mục tiêu cụ thể đến năm 2030

        b) Giảm 50% số tổ chức đảng yếu kém so với cuối năm 2025; không dưới 90% chi bộ tốt.
        """)
    assert got == [(">=", 50, None, "%", 2030), (">=", 90, None, "%", 2030)]


def test_quoted_higher_level_goal_is_not_a_target():
    got = _targets("""\
        I- MỤC ĐÍCH, YÊU CẦU

        * Nghị quyết Đại hội Đảng bộ xã đề ra mục tiêu đến năm 2030 có 95% trường đạt chuẩn.

        II- CHỈ TIÊU CHỦ YẾU

        1/ Phấn đấu đến hết năm 2027:
        * Có trên 70% học sinh khá, giỏi.
        """)
    assert got == [(">", 70, None, "%", 2027)]


def test_letter_parts_and_goal_subheadings():
    plan = parse_text(textwrap.dedent("""\
        BÁO CÁO
        sơ kết

        A. KẾT QUẢ 6 THÁNG ĐẦU NĂM 2025

        1. Đã kết nạp 23 đảng viên, đạt 115% chỉ tiêu.

        B. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2025

        I. CHỈ TIÊU

        1. Về lãnh đạo nhiệm vụ sản xuất, kinh doanh

        - Doanh thu tăng 8%; tỷ lệ thất thoát dưới 18%.

        II. NHIỆM VỤ

        1. Tổng kết trong quý IV năm 2025.
        """))
    assert [(t["op"], t["value"], t["by"]) for t in plan["targets"]] == [(">=", 8, 2025), ("<", 18, 2025)]
    assert [t["timing"]["end"] for t in plan["tasks"] if t["timing"]] == ["2025-12-31"]


def _timing(text: str, issued: dt.date = dt.date(2025, 11, 25)) -> list[tuple]:
    doc = Source.of(text)
    return [(h.kind, h.start and h.start.isoformat(), h.end and h.end.isoformat())
            for h in find_timings(doc, 0, len(doc.src), issued=issued)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Thời gian: Quý III/2025.", [("by", None, "2025-09-30")]),
    ("hoàn thành trong quí IV năm 2024", [("by", None, "2024-12-31")]),
    ("thực hiện từ năm 2026 đến năm 2030.", [("between", "2026-01-01", "2030-12-31")]),
    ("thời gian: đến hết năm 2027.", [("by", None, "2027-12-31")]),
    ("Thời gian: năm 2026.", [("by", None, "2026-12-31")]),
    ("| Năm 2026 |", [("by", None, "2026-12-31")]),
    ("hoàn thành trong năm 2028.", [("by", None, "2028-12-31")]),
    ("chậm nhất ngày 15/12/2025", [("by", None, "2025-12-15")]),
    ("thời gian hoàn thành:l5/11/2024", [("by", None, "2024-11-15")]),
    ("hoàn thành trước ngày3O/9/2024", [("by", None, "2024-09-30")]),
    ("hoàn thành xong trong tháng 3/2026", [("by", None, "2026-03-31")]),
    # Recurring dates and a goal's horizon are no deadlines.
    ("báo cáo hằng năm (trước ngày 15/11) về Tỉnh ủy", [("ongoing", None, None)]),
    ("trước ngày 20 hằng tháng chuẩn bị nội dung", []),
    ("Phấn đấu đến năm 2025 thành lập chi bộ", []),
])
def test_more_timing_rules(text, expected):
    assert _timing(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Nghị quyết số 21-NQ/TW (khóa XIII), ngày 16/6/2022 về", [("21-NQ/TW", "2022-06-16")]),
    ("Nghị quyết số21-NQ/TW, ngày16/6/2022 của", [("21-NQ/TW", "2022-06-16")]),
    ("Quy ðịnh s6 69-QÐ/TW, ngày 06/7/2022", [("69-QĐ/TW", "2022-07-06")]),
    ("Thông báo kết luận số 15-TB/TU ngày 07/11/2025", [("15-TB/TU", "2025-11-07")]),
    ("Đề án số 03-ĐA/TU ngày 12/4/2021 và Hướng dẫn số 12-HD/BTCTW", [("03-ĐA/TU", "2021-04-12"),
                                                                    ("12-HD/BTCTW", None)]),
    ("Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XV", []),
])
def test_more_reference_rules(text, expected):
    refs, _ = find_references(Source.of(text), own_number=None)
    assert [(r["number"], r["date"]) for r in refs] == expected


def test_page_furniture_is_dropped_and_the_sentence_joins():
    text = ("II. CHỈ TIÊU\n- Có từ 90% trở lên chi bộ hoàn thành tốt nhiệm\n\n"
            "Đảng ủy Sở X – Kế hoạch số 27-KH/ĐU 2\n\nvụ trở lên.\n- 3 -\n"
            "Đảng ủy Sở X – Kế hoạch số 27-KH/ĐU 3\nTrang 4/5\n")
    assert strip_page_furniture(text) == (
        "II. CHỈ TIÊU\n- Có từ 90% trở lên chi bộ hoàn thành tốt nhiệm\nvụ trở lên.")
    assert _targets(text) == [(">=", 90, None, "%", None)]


def test_table_rows_without_outer_pipes_and_wrapped_cells():
    plan = parse_text(textwrap.dedent("""\
        KẾ HOẠCH
        thử

        III. TIẾN ĐỘ

        TT | Nội dung công việc | Cơ quan chủ trì | Thời gian
        1 | Xét kết nạp đợt 1 (dịp 19/5) | Ban Thường vụ | Trước
        ngày 19/5/2025
        2 | Tổng kết | Văn phòng | Năm 2026
        """))
    rows = [(t["id"], t["lead"], t["timing"]["end"]) for t in plan["tasks"]]
    assert rows == [("III.1", ["Ban Thường vụ"], "2025-05-19"), ("III.2", ["Văn phòng"], "2026-12-31")]


def test_support_of_youth_and_association_branches_after_a_body_line():
    """The task's body line stands between its title and the lead line; the supporting units are
    branches of mass organizations ("Chi đoàn", "Chi hội")."""
    plan = parse_text(textwrap.dedent("""\
        KẾ HOẠCH
        thử

        III. NHIỆM VỤ, GIẢI PHÁP

        1. Phân công đảng viên giúp đỡ quần chúng ưu tú

        Mỗi quần chúng ưu tú có một đảng viên chính thức giúp đỡ.

        Đơn vị chủ trì: Bí thư chi bộ; phối hợp: Chi đoàn thôn, Chi hội Phụ nữ thôn.

        Thời gian thực hiện: trước ngày 30/6/2026.
        """))
    [task] = plan["tasks"]
    assert (task["lead"], task["support"], task["timing"]["end"]) == (
        ["Bí thư chi bộ"], ["Chi đoàn thôn", "Chi hội Phụ nữ thôn"], "2026-06-30")


# --- never crash -------------------------------------------------------------------------------

KEYS = {"number", "date", "place", "issuer", "title", "references", "targets", "tasks"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _assert_contract(plan: object) -> None:
    assert isinstance(plan, dict) and set(plan) == KEYS
    for key in ("number", "place", "issuer", "title"):
        assert plan[key] is None or isinstance(plan[key], str)
    assert plan["date"] is None or _ISO.match(plan["date"])
    assert isinstance(plan["references"], list) and isinstance(plan["targets"], list)
    assert isinstance(plan["tasks"], list)
    for r in plan["references"]:
        assert isinstance(r["number"], str) and (r["date"] is None or _ISO.match(r["date"]))
    for t in plan["targets"]:
        assert t["op"] in {">=", ">", "<=", "<", "=", "range"} and t["unit"] in {"%", "count"}
        assert isinstance(t["value"], (int, float))
        assert t["by"] is None or isinstance(t["by"], int)
    for task in plan["tasks"]:
        timing = task["timing"]
        if timing:
            assert timing["kind"] in {"ongoing", "by", "from", "between", "conditional"}
            for k in ("start", "end"):
                assert timing[k] is None or _ISO.match(timing[k])
    json.dumps(plan, ensure_ascii=False)


def _parse_quickly(text: str) -> dict:
    t0 = time.perf_counter()
    plan = parse_text(text)
    assert time.perf_counter() - t0 < 5.0, f"slow on {len(text)} characters"
    return plan


_ALPHABET = st.sampled_from(list(
    "aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠẾỆỘỜỮĐÐð0123456789 \n\n\t.,;:-–+*/|()%&’\"•\uf0b7IVX"
    "áàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ\u0300\u0301\u0303\u0309\u0323"))
_WORDS = st.sampled_from([
    "KẾ HOẠCH", "BÁO CÁO", "Số 12-KH/ĐU", "ngày 15/6/2025", "trước ngày", "từ", "đến", "trở lên", "%",
    "\nI. MỤC TIÊU\n", "\nII. NHIỆM VỤ\n", "\nA. KẾT QUẢ\n", "\n1. ", "\n- ", "\n+ ", "\n1/ ", "|", "Quý III/",
    "năm 2026", "tháng 3/2026", "hằng năm", "Phần I\n", "đảng viên", "chi bộ", "100%", "3 - 4%", "Nghị quyết số",
    "21-NQ/TW", "(khóa XIII)", "so với năm", "ít nhất", "không quá", "thực hiện thường xuyên", "khi có văn bản",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_ALPHABET, max_size=600))
def test_random_text_never_crashes(text):
    _assert_contract(_parse_quickly(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS, max_size=80).map(" ".join))
def test_random_plan_words_never_crash(text):
    _assert_contract(_parse_quickly(text))


def _base_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
    if SEEDS_DIR.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]
    return texts


_BASES = _base_texts()


@st.composite
def _mutated(draw) -> str:
    text = draw(st.sampled_from(_BASES))
    for _ in range(draw(st.integers(1, 12))):
        n = len(text)
        a = draw(st.integers(0, n))
        b = draw(st.integers(a, min(n, a + 400)))
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "swapcase"]))
        junk = draw(st.text(alphabet=_ALPHABET, max_size=30))
        if op == "delete":
            text = text[:a] + text[b:]
        elif op == "insert":
            text = text[:a] + junk + text[a:]
        elif op == "replace":
            text = text[:a] + junk + text[b:]
        elif op == "duplicate":
            text = text[:b] + text[a:b] + text[b:]
        else:
            text = text[:a] + text[a:b].swapcase() + text[b:]
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.data_too_large])
@given(_mutated())
def test_mutated_documents_never_crash(text):
    _assert_contract(_parse_quickly(text))


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "KẾ HOẠCH", "|||", "1.", "Phần I", "A.",
                                  "- 2 -", "\u0301\u0300", "9" * 5000, "(" * 3000, "| a |" * 500,
                                  "\nII. NHIỆM VỤ\n |", "\nII. NHIỆM VỤ\n||\n| | |\n1 | |"])
def test_degenerate_inputs(text):
    _assert_contract(_parse_quickly(text))


def test_a_text_longer_than_any_plan_is_refused_before_reading(tmp_path):
    from dangvu.core.planparse import PlanReadError, parse_file, parse_text
    from dangvu.core.planparse.extract import MAX_TEXT_CHARS

    line = "- Phấn đấu 100% chi bộ sinh hoạt thường kỳ hằng tháng.\n"
    long_text = "KẾ HOẠCH\n" + line * (MAX_TEXT_CHARS // len(line) + 1)
    with pytest.raises(PlanReadError, match="Văn bản quá dài"):
        parse_text(long_text)
    big = tmp_path / "ke_hoach.txt"
    big.write_text(long_text * 5, encoding="utf-8")
    with pytest.raises(PlanReadError, match="quá dài so với một kế hoạch"):
        parse_file(big)
    assert len(parse_text("KẾ HOẠCH\nI. MỤC TIÊU\n" + line)["targets"]) == 1


def test_a_docx_that_inflates_to_gigabytes_is_refused_unread(tmp_path):
    import zipfile

    from dangvu.core.planparse import PlanReadError, parse_file

    bomb = tmp_path / "ke_hoach.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (150 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(PlanReadError, match="giải nén lớn bất thường"):
        parse_file(bomb)
