"""Demo step "letters": letters (đơn thư) and exemplary members, through the apps' services.

The root committee receives a year of letters: most settled (one after its deadline), one open
past its deadline and one near it (the alerts show both), an anonymous denunciation kept for
reference, a report just received. Each grassroots organization (at most ``MAX_COMMITTEES``)
records its exemplary members of last year and of this year (about one in ten members on the
rolls). Deterministic for a given seed and day.
"""

from __future__ import annotations

import datetime as dt
import random

from dangvu.core.rulesets import ruleset_for
from dangvu.honours import services as hs
from dangvu.letters import services as ls
from dangvu.registry.models import Member, Organization, OrgKind

from ..context import DemoContext

MAX_COMMITTEES = 12
_GRASSROOTS = (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL)
SENDERS = ("Nguyễn Văn Thành", "Trần Thị Hoa", "Lê Văn Dũng", "Phạm Thị Lan", "Hoàng Văn Sơn", "Vũ Thị Mận")
SUBJECTS = {
    "denunciation": ("Tố cáo đảng viên vi phạm quy định về đất đai", "Tố cáo cán bộ thôn thiếu trách nhiệm"),
    "complaint": ("Khiếu nại quyết định kỷ luật khiển trách", "Khiếu nại kết quả xếp loại chất lượng"),
    "report": ("Phản ánh việc họp chi bộ không đúng định kỳ", "Kiến nghị công khai thu chi quỹ thôn"),
}


def _letters(ctx: DemoContext, rng: random.Random) -> None:
    root, today = ctx.root_org, ctx.today

    def days(kind: str) -> int:
        return ruleset_for(today)["letters.deadline_days"][kind]["grassroots"]

    def record(kind: str, received: dt.date, anonymous: bool = False):
        return ls.record_letter(None, root, received_on=received, kind=kind, anonymous=anonymous,
                                sender_name="" if anonymous else rng.choice(SENDERS),
                                sender_address="" if anonymous else "Thôn Đông, xã " + root.name.split()[-1],
                                subject=rng.choice(SUBJECTS[kind]),
                                content="Đề nghị cấp ủy xem xét, làm rõ và trả lời người gửi đơn.")

    # Settled ones, spread over the last year (one settled a week after its deadline).
    for k in range(7):
        kind = ("denunciation", "complaint", "report")[k % 3]
        received = today - dt.timedelta(days=days(kind) + 20 + 45 * k)
        late = k == 3
        closed = received + dt.timedelta(days=days(kind) + 7 if late else days(kind) - 10 - k)
        ls.close_letter(None, record(kind, received), closed_on=closed,
                        outcome="Đã xác minh, kết luận và trả lời người gửi đơn." if not late else
                        "Đã xác minh và trả lời, chậm so với thời hạn.")
    record("denunciation", today - dt.timedelta(days=days("denunciation") + 12))  # open past its deadline
    record("complaint", today - dt.timedelta(days=days("complaint") - 4))  # near its deadline
    record("denunciation", today - dt.timedelta(days=30), anonymous=True)  # kept for reference
    record("report", today - dt.timedelta(days=3))


def _exemplary(ctx: DemoContext, rng: random.Random) -> None:
    orgs = list(Organization.objects.subtree(ctx.root_org).filter(kind__in=_GRASSROOTS).order_by("path"))
    for org in orgs[:MAX_COMMITTEES]:
        ids = list(Member.objects.in_subtree(org).active().order_by("pk").values_list("pk", flat=True))
        for year in (ctx.today.year - 1, ctx.today.year):
            hs.record_exemplary(None, org, year, sorted(rng.sample(ids, len(ids) // 10)))


def letters(ctx: DemoContext) -> None:
    rng = random.Random(f"letters-{ctx.seed}-{ctx.today.isoformat()}")
    _letters(ctx, rng)
    _exemplary(ctx, rng)
