"""Demo step "meetings": three years of cell meetings, attendance, scores and study sessions.

Listed in :data:`dangvu.demo.steps.STEPS` after the yearly records; like the rest of the demo
builder it writes in bulk (:mod:`dangvu.demo.bulk`) (the province scale writes about
five million attendance rows). For every cell, the 36 months up to the current one:

- a regular meeting each month, chaired by the cell's secretary of the day, with its place, times
  and the day the materials went out; a thematic meeting in most quarters, often combined with
  the month's regular meeting;
- realistic gaps: some cells miss a month or skip a quarter's thematic meeting, 2–3 cells per
  grassroots organization have not met yet this month, a few meetings are too short or had their
  materials sent late (the core's :func:`~dangvu.core.meetings.meeting_warnings` flags them);
- attendance of every member on the cell's rolls that day (exempt members marked exempt, members
  temporarily transferred away excused), a handful of members with three or more unexcused
  absences in the last 12 months; upper-level committee members at some meetings;
- scores with the scoring framework in force (:func:`~dangvu.meetings.services.ensure_framework_for`),
  totals and grades by the core, for most meetings but not all;
- study sessions of the grassroots organization's yearly resolution and of a few Central documents,
  most members attending, with make-up sessions for part of those who missed them.

Deterministic for a given seed and day: its own random stream, so other steps' data stay as they were.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from dangvu.core.meetings import meeting_warnings, score_grade
from dangvu.core.rulesets import ruleset_for
from dangvu.meetings.models import (
    Attendance,
    DocumentKind,
    Meeting,
    MeetingKind,
    MeetingScore,
    StudyAttendance,
    StudySession,
    UpperAttendee,
)
from dangvu.meetings.services import ensure_framework_for, normalize_document_number
from dangvu.registry.models import Post, Transfer

from ..bulk import deferred_indexes
from ..context import DemoContext, OrgSpec

MONTHS = 36

_THEMATIC_TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tinh thần trách nhiệm với công việc",
    "Nâng cao chất lượng sinh hoạt chi bộ, thực hiện nghiêm nguyên tắc tập trung dân chủ",
    "Trách nhiệm nêu gương của cán bộ, đảng viên trong thực hiện nhiệm vụ được giao",
    "Công tác tạo nguồn, bồi dưỡng quần chúng ưu tú để kết nạp vào Đảng",
    "Phòng, chống suy thoái tư tưởng chính trị, đạo đức, lối sống trong đảng viên",
    "Tự phê bình và phê bình, giữ gìn đoàn kết nội bộ trong chi bộ",
    "Ứng dụng công nghệ số, sổ tay đảng viên điện tử trong sinh hoạt chi bộ",
    "Vai trò của đảng viên trong vận động nhân dân thực hiện chủ trương, chính sách ở địa phương",
    "Thực hiện quy định những điều đảng viên không được làm",
    "Đấu tranh phản bác các quan điểm sai trái, thù địch trên không gian mạng",
)
_SECTOR_TOPICS = {
    "residential": ("Xây dựng nông thôn mới, khu dân cư kiểu mẫu ở thôn, tổ dân phố",
                    "Giữ gìn an ninh trật tự, vệ sinh môi trường ở khu dân cư"),
    "school": ("Đổi mới phương pháp dạy học, nâng cao chất lượng giáo dục toàn diện",),
    "health": ("Nâng cao y đức, chất lượng khám, chữa bệnh cho nhân dân",),
    "private": ("Vai trò của chi bộ trong xây dựng quan hệ lao động hài hòa tại doanh nghiệp",),
    "soe": ("Thực hành tiết kiệm, chống lãng phí trong sản xuất, kinh doanh",),
    "military": ("Xây dựng lực lượng dân quân vững mạnh, rộng khắp",),
    "police": ("Giữ gìn an ninh chính trị, trật tự an toàn xã hội ở cơ sở",),
}
# Central documents every grassroots organization studied (number, title, kind, issued on).
_CENTRAL_DOCUMENTS = (
    ("57-NQ/TW", "Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
     DocumentKind.RESOLUTION, dt.date(2024, 12, 22)),
    ("68-NQ/TW", "Nghị quyết về phát triển kinh tế tư nhân", DocumentKind.RESOLUTION, dt.date(2025, 5, 4)),
    ("366-QĐ/TW", "Quy định về kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên",
     DocumentKind.REGULATION, dt.date(2025, 8, 30)),
)
# The province's documents studied every year: (number suffix, title, kind, month studied from).
_PROVINCE_DOCUMENTS = (
    ("CT/TU", "Chỉ thị của Ban Thường vụ Tỉnh ủy về tăng cường công tác phát triển đảng viên năm {year}",
     DocumentKind.DIRECTIVE, 4),
    ("NQ/TU", "Nghị quyết của Ban Chấp hành Đảng bộ tỉnh về lãnh đạo thực hiện nhiệm vụ 6 tháng cuối năm {year}",
     DocumentKind.RESOLUTION, 7),
    ("HD/BTCTU", "Hướng dẫn của Ban Tổ chức Tỉnh ủy về kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, "
     "đảng viên năm {year}", DocumentKind.GUIDANCE, 10),
)
_ROLE_TITLES = {"secretary": "Bí thư", "deputy": "Phó Bí thư", "committee_member": "Ủy viên Ban Chấp hành"}
_EXCUSES_AWAY = 0.6  # residential members working far away are usually excused


def _time(hour: int, minute: int, plus: int = 0) -> dt.time:
    total = hour * 60 + minute + plus
    return dt.time(total // 60 % 24, total % 60)


def _committee_name(org: OrgSpec) -> str:
    """'Đảng bộ xã Yên Khê' → 'Đảng ủy xã Yên Khê' (the committee of the organization)."""
    name = org.name
    return "Đảng ủy" + name[len("Đảng bộ"):] if name.startswith("Đảng bộ") else name


class _Cell:
    """One cell's habits, drawn once: meeting day and time, gaps, care taken, scoring."""

    def __init__(self, rng: random.Random, cell: OrgSpec) -> None:
        self.spec = cell
        residential = cell.sector == "residential"
        self.day = rng.randint(3, 12) if residential else rng.randint(5, 26)
        slot = rng.random()
        if residential:
            self.start = (19, 30) if slot < 0.7 else (8, 0) if slot < 0.9 else (14, 0)
            self.place = f"Nhà văn hóa {cell.locality[0]}" if cell.locality else "Nhà văn hóa"
        else:
            self.start = (14, 0) if slot < 0.4 else (15, 0) if slot < 0.7 else (16, 0) if slot < 0.9 else (8, 0)
            self.place = "Phòng họp " + cell.name.removeprefix("Chi bộ ").strip()
        self.weekend = residential and self.start == (8, 0)  # Sunday mornings
        self.workdays = not residential
        self.combine = rng.uniform(0.2, 0.8)
        self.careless = rng.uniform(0.01, 0.08)  # too short, materials late
        self.quality = rng.uniform(0.66, 0.97)
        self.scoring = 0.0 if rng.random() < 0.06 else rng.uniform(0.8, 1.0)
        self.excused = rng.uniform(0.5, 1.5)
        self.missing: set[tuple[int, int]] = set()
        self.skipped: set[tuple[int, int]] = set()
        self.pending = False


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.w = ctx.writer
        self.rng = random.Random(f"meetings-{ctx.seed}-{ctx.today.isoformat()}")
        self.today = today = ctx.today
        first = dt.date(today.year, today.month, 1) - relativedelta(months=MONTHS - 1)
        self.months = [(d.year, d.month) for d in (first + relativedelta(months=i) for i in range(MONTHS))]
        self.rs = ruleset_for(today)
        self.year_ago = today - relativedelta(months=self.rs["member.unexcused_absence_window_months"])
        for model in (Meeting, StudySession):  # attendance rows need their ids before the insert
            if model not in self.w.explicit_ids:
                assert model not in self.w.specs
                self.w.explicit_ids += (model,)
        self.frameworks = {y: ensure_framework_for(ctx.root_org, y) for y in {y for y, _ in self.months}}
        self.sims = {s.pk: s for s in ctx.sims}
        posts = Post.objects.filter(organization__path__startswith=ctx.root_org.path,
                                    role__in=tuple(_ROLE_TITLES))
        self.posts: dict[int, list[tuple[str, int, dt.date, dt.date | None]]] = defaultdict(list)
        for org_id, member_id, role, start, end in posts.values_list("organization_id", "member_id", "role",
                                                                      "started_on", "ended_on"):
            self.posts[org_id].append((role, member_id, start, end))
        self.away: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for pk, start, end in Transfer.objects.filter(kind="temporary", confirmed_on__isnull=False).filter(
                member__organization__path__startswith=ctx.root_org.path).values_list(
                "member_id", "confirmed_on", "ends_on"):
            self.away[pk].append((start, end or today))
        # Who sat in which cell when: (pk, from, until (exclusive), exempt from, excused rate, drifting).
        self.roll: dict[str, list[list]] = defaultdict(list)
        for s in ctx.sims:
            end = s.end_on or dt.date.max
            excused = 0.05
            if s.cell.sector == "residential" and not s.resident:
                excused = _EXCUSES_AWAY
            elif (today - s.birth).days > 75 * 365:
                excused = 0.2
            entry = [s.pk, s.admitted_on, end, s.exempt_on or dt.date.max, excused, False]
            if s.moved_on and s.origin is not s.cell:
                self.roll[s.origin.code].append([s.pk, s.admitted_on, min(end, s.moved_on), *entry[3:]])
                entry[1] = max(s.admitted_on, s.moved_on)
            self.roll[s.cell.code].append(entry)
        self.drifting: set[int] = set()
        self.serials = {y: sorted(self.rng.sample(range(10, 90), len(_PROVINCE_DOCUMENTS)))
                        for y in range(self.months[0][0], today.year + 1)}

    # -- who attends ------------------------------------------------------------------------------
    def _pick_drifting(self, unit: OrgSpec) -> None:
        """A handful of members who stopped coming (3+ unexcused absences in the last 12 months)."""
        pool = [e for c in unit.cells() for e in self.roll[c.code]
                if e[1] < self.year_ago and e[2] == dt.date.max and e[3] == dt.date.max and e[4] < 0.5
                and not self.sims[e[0]].posts and not self.sims[e[0]].pending and e[0] not in self.away]
        for e in self.rng.sample(pool, min(len(pool), max(1, round(len(pool) / 250)))):
            e[5] = True
            self.drifting.add(e[0])

    def _attendance(self, habits: _Cell, meeting_id: int, day: dt.date,
                    chair: int | None) -> tuple[list[tuple[int, int, str, str]], int, int]:
        """Attendance rows of one meeting, present and expected (exempt members are not expected)."""
        rng, rows = self.rng, []
        present = expected = 0
        scale = habits.excused
        for pk, start, end, exempt, excused, drifting in self.roll[habits.spec.code]:
            if not start <= day < end:
                continue
            if exempt <= day:
                rows.append((meeting_id, pk, "exempt", ""))
                continue
            expected += 1
            if pk == chair:
                status = "present"
            elif pk in self.away and any(a <= day <= b for a, b in self.away[pk]):
                status = "excused"
            else:
                r = rng.random()
                absent = 0.45 if drifting and day >= self.year_ago else 0.004
                status = ("absent" if r < absent else "excused" if r < absent + excused * scale
                          else "present")
            present += status == "present"
            rows.append((meeting_id, pk, status, ""))  # no absence reason in the demo
        return rows, present, expected

    # -- one meeting ------------------------------------------------------------------------------
    def _holder(self, org_pk: int, day: dt.date, roles: tuple[str, ...]) -> int | None:
        for role in roles:
            for r, member_id, start, end in self.posts.get(org_pk, ()):
                if r == role and start <= day and (end is None or end > day):
                    return member_id
        return None

    def _day(self, habits: _Cell, year: int, month: int, day: int) -> dt.date:
        last = (dt.date(year, month, 1) + relativedelta(months=1) - dt.timedelta(days=1)).day
        d = dt.date(year, month, min(max(1, day), last))
        if habits.weekend:  # the Sunday of that week, staying in the month
            d += dt.timedelta(days=6 - d.weekday())
            if d.month != month:
                d -= dt.timedelta(days=7)
        elif habits.workdays and d.weekday() >= 5:
            d += dt.timedelta(days=7 - d.weekday())
            if d.month != month:
                d -= dt.timedelta(days=3)
        return d

    def _meeting(self, habits: _Cell, day: dt.date, kind: str, combined: bool, topic: str) -> None:
        rng, cell = self.rng, habits.spec
        chair = self._holder(cell.pk, day, ("secretary", "deputy"))
        pk = self.w.new_id(Meeting)
        rows, present, expected = self._attendance(habits, pk, day, chair)
        if expected < 2:  # nobody (yet) to hold a meeting with; the id stays unused
            return
        rs = ruleset_for(day)
        base = rs["meeting.combined_min_minutes" if combined else "meeting.min_minutes"]
        if rng.random() < habits.careless:
            minutes = base - rng.choice((15, 20, 30, 40))
        else:
            minutes = base + rng.choice((0, 5, 10, 15, 20, 30, 45, 60))
        sent: dt.date | None = day - dt.timedelta(days=rng.randint(1, 5))
        late = rng.random()
        if late < habits.careless / 2:
            sent = None
        elif late < habits.careless * 1.5:
            sent = day
        starts = _time(*habits.start)
        ends = _time(*habits.start, minutes)
        online = cell.sector == "agency" and rng.random() < 0.015
        self.w.add(Meeting, id=pk, organization_id=cell.pk, held_on=day, starts_at=starts, ends_at=ends,
                   kind=kind, combined=combined, topic=topic, online=online,
                   place="Trực tuyến, kết nối các điểm cầu" if online else habits.place, chair_id=chair,
                   materials_sent_on=sent, minutes_file="", present_count=present, expected_count=expected)
        self.w.add_rows(Attendance, ("meeting_id", "member_id", "status", "reason"), rows)
        self._upper(cell, pk, day, 0.45 if kind == MeetingKind.THEMATIC or combined else 0.22)
        # Scoring took hold over the years; the last week's meetings are not scored yet.
        scored = habits.scoring * (0.72 + 0.08 * (3 - (self.today.year - day.year)))
        if (self.today - day).days > 7 and rng.random() < scored:
            warnings = {w.code for w in meeting_warnings(kind, combined, starts, ends, day, sent, rs)}
            self._score(habits, pk, day, warnings, present / expected)

    def _upper(self, cell: OrgSpec, meeting_id: int, day: dt.date, share: float) -> None:
        """The committee member above in charge of the cell (now and then its secretary) attends."""
        upper = cell.parent
        if upper is None or self.rng.random() >= share:
            return
        holders = sorted((r, m) for r, m, start, end in self.posts.get(upper.pk, ())
                         if start <= day and (end is None or end > day))
        if not holders:
            return
        secretary = [h for h in holders if h[0] == "secretary"]
        if secretary and self.rng.random() < 0.2:
            role, member_id = secretary[0]
        else:
            role, member_id = holders[zlib.crc32(cell.code.encode()) % len(holders)]
        sim = self.sims.get(member_id)
        if sim is None:
            return
        self.w.add(UpperAttendee, meeting_id=meeting_id, member_id=member_id, name=sim.name[:120],
                   position=f"{_ROLE_TITLES[role]} {_committee_name(upper)}"[:160])

    def _score(self, habits: _Cell, meeting_id: int, day: dt.date, warnings: set[str], rate: float) -> None:
        rng = self.rng
        framework = self.frameworks[day.year]
        core = framework.core
        points: dict[str, float] = {}
        for code, criterion in core.criteria.items():
            top = criterion.max_points
            share = min(1.0, max(0.0, habits.quality + (rng.random() - 0.5) * 0.3))
            if code == "prep.materials" and "materials_late" in warnings:
                share = rng.uniform(0.0, 0.4)
            elif code == "conduct.duration" and "too_short" in warnings:
                share = rng.uniform(0.2, 0.5)
            elif code == "attendance.rate":
                share = 1.0 if rate >= 0.9 else rate * rng.uniform(0.85, 1.0)
            points[code] = round(top * share * 2) / 2
        # What ScoringFramework.score computes, without its per-sheet checks (the sheet is valid by
        # construction, and Fractions are too slow for the province's 100,000+ sheets): half points
        # add up exactly in floats, and the grade comes from the same core function.
        total = sum(points.values())
        grade = score_grade(total, core.bands)
        self.w.add(MeetingScore, meeting_id=meeting_id, framework_id=framework.pk, points=points,
                   total=Decimal(str(round(total, 2))), grade=grade)

    # -- one cell ---------------------------------------------------------------------------------
    def _topics(self, cell: OrgSpec) -> tuple[str, ...]:
        return _THEMATIC_TOPICS + _SECTOR_TOPICS.get(cell.sector, ())

    def cell(self, habits: _Cell) -> None:
        rng, today, cell = self.rng, self.today, habits.spec
        topics = self._topics(cell)
        thematic_months = set()  # mostly in the quarter's second or last month
        for q_months in self._quarters():
            if (q_months[0][0], (q_months[0][1] - 1) // 3 + 1) not in habits.skipped:
                thematic_months.add(rng.choice(q_months[-2:]))
        for y, m in self.months:
            current = (y, m) == (today.year, today.month)
            regular_day = None
            if (y, m) not in habits.missing and not (current and habits.pending):
                regular_day = self._day(habits, y, m, habits.day + rng.randint(-2, 2))
                if regular_day > today:
                    regular_day = self._day(habits, y, m, rng.randint(1, today.day)) if today.day > 1 else today
                    regular_day = min(regular_day, today)
            thematic = (y, m) in thematic_months
            combined = thematic and regular_day is not None and rng.random() < habits.combine
            if regular_day is not None:
                topic = rng.choice(topics) if combined else f"Sinh hoạt thường kỳ tháng {m}/{y}"
                self._meeting(habits, regular_day, MeetingKind.REGULAR, combined, topic)
            if thematic and not combined and not (current and habits.pending):
                day = self._day(habits, y, m, habits.day + rng.randint(8, 16))
                if day <= today:
                    self._meeting(habits, day, MeetingKind.THEMATIC, False, rng.choice(topics))

    def _quarters(self) -> list[list[tuple[int, int]]]:
        out: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for y, m in self.months:
            out.setdefault((y, (m - 1) // 3), []).append((y, m))
        return list(out.values())

    def unit(self, unit: OrgSpec) -> None:
        rng, today = self.rng, self.today
        cells = [_Cell(rng, c) for c in unit.cells()]
        past = self.months[:-1]
        ended_quarters = [(q[0][0], (q[0][1] - 1) // 3 + 1) for q in self._quarters()
                          if dt.date(q[-1][0], q[-1][1], 1) + relativedelta(months=1) <= today and len(q) == 3]
        # Gaps: about a quarter of the cells missed a month or three, a third skipped a quarter's
        # thematic meeting, and 2–3 cells have not met yet this month.
        for habits in rng.sample(cells, max(1, round(len(cells) * 0.25)) if len(cells) > 1 else 0):
            habits.missing = set(rng.sample(past, rng.randint(1, 3)))
        for habits in rng.sample(cells, max(1, round(len(cells) * 0.3)) if len(cells) > 1 else 0):
            habits.skipped = set(rng.sample(ended_quarters, min(len(ended_quarters), rng.randint(1, 3))))
        if len(cells) >= 4:
            for habits in rng.sample(cells, rng.randint(2, 3)):
                habits.pending = True
        elif rng.random() < 0.1:
            cells[0].pending = True
        self._pick_drifting(unit)
        for habits in cells:
            self.cell(habits)
        self.studies(unit)

    # -- study sessions -----------------------------------------------------------------------------
    def _documents(self, unit: OrgSpec) -> list[tuple[str, str, str, dt.date]]:
        """(number, title, kind, studied on) of the documents the organization studied in the window:
        the Central ones, its own yearly resolution and the province's document of each quarter."""
        rng, today = self.rng, self.today
        docs = [(number, title, kind, issued + dt.timedelta(days=rng.randint(25, 70)))
                for number, title, kind, issued in _CENTRAL_DOCUMENTS]
        committee = _committee_name(unit)
        for year in range(self.months[0][0], today.year + 1):
            title = f"Nghị quyết của {committee} về lãnh đạo thực hiện nhiệm vụ chính trị năm {year}"
            docs.append(("01-NQ/ĐU", title, DocumentKind.RESOLUTION,
                         dt.date(year, 1, 12) + dt.timedelta(days=rng.randint(0, 35))))
            for (number, title, kind, month), serial in zip(_PROVINCE_DOCUMENTS, self.serials[year], strict=True):
                docs.append((f"{serial}-{number}", title.format(year=year), kind,
                             dt.date(year, month, 5) + dt.timedelta(days=rng.randint(0, 40))))
        start = dt.date(*self.months[0], 1)
        return [d for d in docs if start <= d[3] <= today - dt.timedelta(days=2)]

    def studies(self, unit: OrgSpec) -> None:
        rng, today = self.rng, self.today
        roll = [e for c in unit.cells() for e in self.roll[c.code]]
        for number, title, kind, issued in self._documents(unit):
            # held on the Friday before when the day falls on a weekend
            day = issued - dt.timedelta(days=issued.weekday() - 4) if issued.weekday() >= 5 else issued
            obliged = {e[0] for e in roll if e[1] <= day < e[2] and e[3] > day}
            came = sorted(pk for pk in obliged if rng.random() < (0.75 if pk in self.drifting else 0.92))
            self._session(unit, number, title, kind, day, False, came)
            makeup = day + dt.timedelta(days=rng.randint(14, 30))
            missed = sorted(obliged - set(came))
            if makeup <= today and missed:
                later = [pk for pk in missed if pk not in self.drifting and rng.random() < 0.6]
                if later:
                    self._session(unit, number, title, kind, makeup, True, later)

    def _session(self, unit: OrgSpec, number: str, title: str, kind: str, day: dt.date, makeup: bool,
                 members: list[int]) -> None:
        pk = self.w.new_id(StudySession)
        self.w.add(StudySession, id=pk, organization_id=unit.pk, document_title=title,
                   document_number=normalize_document_number(number), document_kind=kind, held_on=day,
                   makeup=makeup, note="Học bù cho đảng viên vắng buổi học tập chung" if makeup else
                   "Hội nghị học tập, quán triệt trực tiếp kết hợp trực tuyến")
        self.w.add_rows(StudyAttendance, ("session_id", "member_id"), [(pk, m) for m in members])


def build_meetings_demo(ctx: DemoContext) -> None:
    """Meetings, attendance, scores, upper-level attendees and study sessions of every cell."""
    ctx.writer.flush()
    builder = _Builder(ctx)
    with deferred_indexes(ctx.writer, Attendance, StudyAttendance):
        for unit in ctx.track(ctx.units, "Sinh hoạt chi bộ"):
            builder.unit(unit)
