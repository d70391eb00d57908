"""Demo step "discipline": discipline cases at every step, through :mod:`dangvu.discipline.services`.

In the first cell of the first grassroots organization with enough full members who have no
discipline yet: a case through every step (self-review, the cell's vote for a warning, the
decision, an appeal lodged within the window and decided by the level above as a reprimand); a
case decided last December (a reprimand: the finished year's grading is forced by it, the
evaluations step runs after this one); a case waiting for the cell's meeting; a case closed because
the limitation had run out; a case of a member raising a child under 12 months (not yet
considered). Deterministic for a given seed and day; dates relative to the build's day.
"""

from __future__ import annotations

import datetime as dt

from dangvu.discipline import services as ds
from dangvu.registry.models import GRASSROOTS_KINDS, Discipline, Member, Organization

from ..context import DemoContext

NEEDED = 5  # members the cases need in one cell (one of them a woman)


def _cell_and_members(ctx: DemoContext) -> tuple[Organization, list[Member], Member] | None:
    """The first cell (tree order) with enough long-standing full members without discipline."""
    disciplined = set(Discipline.objects.filter(member__isnull=False).values_list("member_id", flat=True))
    since = ctx.today - dt.timedelta(days=3 * 366)
    grassroots = Organization.objects.subtree(ctx.root_org).filter(kind__in=GRASSROOTS_KINDS).order_by("path")
    for top in grassroots:
        for cell in Organization.objects.subtree(top).filter(kind__in=("cell", "grassroots_cell")).order_by("path"):
            people = [m for m in Member.objects.filter(organization=cell, status="full", admitted_on__lt=since)
                      .order_by("pk") if m.pk not in disciplined]
            woman = next((m for m in people if m.gender == "female"), None)
            men = [m for m in people if m is not woman]
            if woman is not None and len(men) >= NEEDED - 1:
                return cell, men[:NEEDED - 1], woman
    return None


def discipline(ctx: DemoContext) -> None:
    ctx.writer.flush()
    found = _cell_and_members(ctx)
    if found is None:
        return
    cell, (first, second, third, fourth), woman = found
    today = ctx.today

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    full = Member.objects.filter(organization=cell, status="full").count()
    yes = full // 2 + 1
    # 1. Every step and an appeal.
    case = ds.open_case(first, violation_on=ago(150), summary="Không chấp hành phân công của chi bộ về việc "
                        "vận động hộ gia đình hiến đất làm đường", opened_by=None,
                        origin="Kết luận kiểm tra khi có dấu hiệu vi phạm của Ủy ban Kiểm tra Đảng ủy",
                        opened_on=ago(120))
    ds.record_self_review(None, case, on=ago(100), text="Tôi nhận thấy khuyết điểm, xin tiếp thu và sửa chữa.")
    ds.record_cell_vote(None, case, on=ago(90), form="warning", in_favour=yes, against=full - yes, full_members=full)
    ds.decide_case(None, case, on=ago(40), form="warning", decision_number="15-QĐ/ĐU", received_on=ago(38))
    ds.lodge_appeal(None, case, lodged_on=ago(30), content="Đề nghị xem xét giảm hình thức kỷ luật vì đã khắc "
                    "phục hậu quả.")
    ds.decide_appeal(None, case, on=ago(10), outcome="changed", new_form="reprimand", decision_number="08-QĐ/UBKT")
    # 2. Decided last December: the finished year's grading follows.
    dec = dt.date(today.year - 1, 12, 15)
    case = ds.open_case(second, violation_on=dec - dt.timedelta(days=100), summary="Vắng sinh hoạt chi bộ ba tháng "
                        "liền không có lý do", opened_by=None, origin="Chi bộ phát hiện",
                        opened_on=dec - dt.timedelta(days=75))
    ds.record_self_review(None, case, on=dec - dt.timedelta(days=55), text="Tôi xin nhận khuyết điểm.")
    ds.record_cell_vote(None, case, on=dec - dt.timedelta(days=35), form="reprimand", in_favour=yes,
                        against=full - yes, full_members=full)
    ds.decide_case(None, case, on=dec, form="reprimand", decision_number="22-QĐ/CB", received_on=dec)
    # 3. Waiting for the cell's meeting.
    case = ds.open_case(third, violation_on=ago(45), summary="Vi phạm quy định về những điều đảng viên không được "
                        "làm (tham gia đánh bạc)", opened_by=None, origin="Đơn phản ánh của nhân dân",
                        opened_on=ago(20))
    ds.record_self_review(None, case, on=ago(5), text="Tôi xin nhận khuyết điểm và hứa không tái phạm.")
    # 4. The limitation had run out: closed.
    case = ds.open_case(fourth, violation_on=today.replace(year=today.year - 7), summary="Khai không đúng thời gian "
                        "công tác trong hồ sơ", opened_by=None, origin="Đơn thư", opened_on=ago(60))
    ds.close_case(None, case, on=ago(50), note="Hết thời hiệu xử lý kỷ luật (mức khiển trách, 5 năm).")
    # 5. Raising a child under 12 months: not yet considered.
    case = ds.open_case(woman, violation_on=ago(70), summary="Chậm nộp đảng phí sáu tháng", opened_by=None,
                        origin="Chi bộ phát hiện", opened_on=ago(40))
    ds.set_circumstances(None, case, child_born_on=ago(150))
