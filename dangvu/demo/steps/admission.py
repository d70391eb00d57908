"""Demo step "admission": quotas, prospects in every stage, and the records of past admissions.

Listed in :data:`dangvu.demo.steps.STEPS` after the meetings. Like the rest of the demo builder it
writes in bulk (:mod:`dangvu.demo.bulk`); it writes admission rows only:

- quotas per cell for each of the last three years and for the current term;
- for the members the demo admitted in the last three years, the completed prospect record
  (course, vetting, introducers, the cell's resolution, decision = the member's admission date,
  ceremony) linked to that member, so the pipeline and the registry tell the same story (not
  for the few whose cell had no member who could have introduced them);
- open prospects across the cells at every stage, their dates placed around the statutory
  deadlines of :mod:`dangvu.core.deadlines` (some near, some passed) and some course certificates
  near or past expiry (the pipeline reads the expiry from :mod:`dangvu.core.admission`).

Open prospects at the resolution and decision stages satisfy every check of the services, so the
demo user can complete their admission through the pages. Deterministic for a given seed and day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from dangvu.admission.models import AdmissionQuota, MassOrganization, Prospect, Stage
from dangvu.core.cccd import make_cccd
from dangvu.core.deadlines import admission_decision, cell_resolution
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold

from .. import names as N
from ..context import TERMS, DemoContext, OrgSpec, Sim

_OPEN_STAGES = (("source", 30), ("course", 24), ("vetted", 18), ("cell_resolved", 13), ("decided", 8),
                ("dropped", 7))
_DROP_REASONS = ("Chuyển đi làm ăn xa", "Xin rút đơn vì hoàn cảnh gia đình", "Chưa qua thẩm tra lý lịch",
                 "Đi học tập ở nơi khác")


def _days(rng: random.Random, a: int, b: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(a, b))


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = random.Random(f"admission-{ctx.seed}-{ctx.today.isoformat()}")
        self.today = ctx.today
        self.rs = ruleset_for(ctx.today)
        self.serial = 0
        self.by_origin: dict[str, list[Sim]] = defaultdict(list)
        for s in ctx.sims:
            self.by_origin[s.origin.code].append(s)

    # -- helpers ------------------------------------------------------------------------------
    def introducers(self, cell: OrgSpec, on: dt.date) -> list[Sim]:
        """Full members of the cell for at least the required years on ``on``, still active then."""
        years = self.rs["admission.introducer_min_full_years"]
        pool = [s for s in self.ctx.cell_members.get(cell.code, [])
                if s.full_on is not None and s.is_full_on(on) and s.full_on + relativedelta(years=years) <= on
                and s.status == "full" and s.exempt_on is None and s.end_on is None and not s.pending]
        return self.rng.sample(pool, min(2, len(pool))) if pool else []

    def full_members(self, cell: OrgSpec, on: dt.date) -> int:
        return max(1, sum(1 for s in self.ctx.cell_members.get(cell.code, []) if s.is_full_on(on)
                          and (s.end_on is None or s.end_on > on)))

    def row(self, cell: OrgSpec, **values) -> None:
        self.ctx.writer.add(Prospect, organization_id=cell.pk, name_folded=fold(values["full_name"]), **values)

    def paper(self, cell: OrgSpec, resolved: dt.date, young: bool) -> dict:
        """Course, vetting, dossier and introducers that pass every check on ``resolved``."""
        rng = self.rng
        vetted = resolved - _days(rng, 7, 40)
        dossier = vetted - _days(rng, 0, 60)
        course = dossier - _days(rng, 20, 500)
        listed = course - _days(rng, 30, 400)
        values = {"listed_on": listed, "course_passed_on": course, "course_certificate": self.certificate(),
                  "vetted_on": vetted, "dossier_on": dossier}
        intro = self.introducers(cell, resolved)
        for i, s in enumerate(intro, start=1):
            values[f"introducer_{i}_id"] = s.pk
        if len(intro) < 2 or (young and rng.random() < 0.6):
            if len(intro) == 2:
                values.pop("introducer_2_id")
            values["youth_union_resolution_on"] = dossier - _days(rng, 0, 20)
            values["youth_union_resolution_number"] = f"{rng.randint(1, 40)}-NQ/ĐTN"
        return values

    def certificate(self) -> str:
        self.serial += 1
        return f"{self.serial:04d}/GCN-BTG"

    # -- quotas -------------------------------------------------------------------------------
    def quotas(self, unit: OrgSpec) -> None:
        rng, year = self.rng, self.today.year
        for cell in unit.cells():
            yearly = []
            for y in (year - 2, year - 1, year):
                target = max(0, round(cell.size * 0.03 + rng.uniform(-0.4, 0.8)))
                students = min(target, 1 if "students" in cell.flags and target else 0)
                yearly.append(target)
                self.ctx.writer.add(AdmissionQuota, organization_id=cell.pk, year=y, term="", target=target,
                                    students_target=students, note="")
            term, first, last = TERMS[-1]
            if first <= year <= last:
                total = round(sum(yearly) / 3 * (last - first + 1) * rng.uniform(0.9, 1.1))
                students = (last - first + 1) if "students" in cell.flags else 0
                self.ctx.writer.add(AdmissionQuota, organization_id=cell.pk, year=None, term=term, target=total,
                                    students_target=min(students, total), note="")

    # -- completed admissions -----------------------------------------------------------------
    def admitted(self, unit: OrgSpec) -> None:
        rng = self.rng
        for cell in unit.cells():
            for s in self.by_origin.get(cell.code, []):
                if not s.new or s.admitted_on < self.ctx.window_start:
                    continue
                decision = s.admitted_on
                late = rng.random() < 0.06
                resolved = decision - (_days(rng, 95, 120) if late else _days(rng, 15, 70))
                adult = s.birth + relativedelta(years=self.rs["admission.age_min_years"])
                resolved = min(decision, max(resolved, adult))
                values = self.paper(cell, resolved, young=s.is_student or (decision - s.birth).days < 30 * 365)
                if "introducer_1_id" not in values:
                    continue  # no member of the cell could have introduced them: no record kept here
                ceremony_by = admission_decision(decision, ruleset_for(decision))["ceremony_by"]
                ceremony = min(decision + _days(rng, 2, max(2, (ceremony_by - decision).days - 2)), self.today)
                full = self.full_members(cell, resolved)
                self.row(cell, full_name=s.name, birth_date=s.birth, gender=s.gender, ethnicity=s.ethnicity,
                         is_student=s.is_student, occupation="Học sinh" if s.is_student else "",
                         nominated_by=MassOrganization.YOUTH_UNION if s.is_student else rng.choice(
                             MassOrganization.values[:6]), resolved_on=resolved, votes_in_favour=full,
                         full_members=full, decision_on=decision,
                         decision_number=f"{rng.randint(10, 400)}-QĐ/ĐU", ceremony_on=ceremony,
                         stage=Stage.ADMITTED, member_id=s.pk, **values)

    # -- open prospects -----------------------------------------------------------------------
    def open(self, unit: OrgSpec) -> None:
        rng = self.rng
        for cell in unit.cells():
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                stage = N.weighted(rng, _OPEN_STAGES)
                birth, student, values = self.person(unit, cell)
                self.row(cell, stage=self.place(cell, stage, birth, student, values), **values)
        # One prospect of each kind the alerts look for, whatever the draws above gave.
        cells = unit.cells()
        rng.shuffle(cells)
        for stage in ("cell_resolved", "decided", "course"):
            for cell in cells:
                birth, student, values = self.person(unit, cell)
                if self.place(cell, stage, birth, student, values, due=True) == stage:
                    self.row(cell, stage=stage, **values)
                    break

    def person(self, unit: OrgSpec, cell: OrgSpec) -> tuple[dt.date, bool, dict]:
        """A new prospect's birth date, student flag and personal details."""
        rng, today = self.rng, self.today
        region = unit.region or N.REGIONS["delta"]
        student = "students" in cell.flags or (cell.sector == "residential" and rng.random() < 0.25)
        gender = "female" if rng.random() < 0.45 else "male"
        age_years = rng.uniform(18.3, 22) if student else rng.uniform(19, 38)
        birth = today - dt.timedelta(days=int(age_years * 365.25))
        minorities = [e for e, _w in region.ethnic_mix if e != "Kinh"]
        ethnicity = rng.choice(minorities) if cell.upland and minorities else "Kinh"
        self.serial += 1
        values = {
            "full_name": N.person_name(rng, gender, ethnicity), "birth_date": birth, "gender": gender,
            "ethnicity": ethnicity, "religion": N.religion_for(rng, ethnicity), "is_student": student,
            "occupation": "Sinh viên" if student else rng.choice(N.OCCUPATIONS.get(cell.sector or "agency",
                                                                                  ("Lao động tự do",))),
            "cccd": make_cccd(self.ctx.province_code, gender, birth.year, 900_000 + self.serial % 100_000),
            "phone": rng.choice(N.PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}",
            "nominated_by": MassOrganization.YOUTH_UNION if student or age_years < 30 else rng.choice(
                MassOrganization.values[1:6]),
            "residence": cell.address,
        }
        return birth, student, values

    def _due(self, deadline, lo: int, hi: int) -> dt.date | None:
        """A day ``lo``…``hi`` days back from today whose deadline falls within the alert window
        (passed up to 5 days ago, or due within ``alerts.deadline_near_days``)."""
        near = self.rs["alerts.deadline_near_days"]
        days = [self.today - dt.timedelta(days=n) for n in range(lo, hi)]
        days = [d for d in days if -5 <= (deadline(d) - self.today).days < near]
        return self.rng.choice(days) if days else None

    def place(self, cell: OrgSpec, stage: str, birth: dt.date, student: bool, values: dict, due: bool = False) -> str:
        """Fill the dates of ``stage``; returns the stage actually written. ``due``: the course
        certificate expires soon, the decision or the ceremony deadline is near or just passed."""
        rng, today = self.rng, self.today
        if stage in ("source", "dropped"):
            values["listed_on"] = max(today - _days(rng, 20, 400), birth + relativedelta(years=16))
            if stage == "dropped":
                values["dropped_on"] = min(today, values["listed_on"] + _days(rng, 30, 200))
                values["drop_reason"] = rng.choice(_DROP_REASONS)
            return stage
        if stage in ("course", "vetted"):
            self._course(cell, stage, values, due)
            return stage
        return self._resolved(cell, stage, birth, student, values, due)

    def _course(self, cell: OrgSpec, stage: str, values: dict, due: bool) -> None:
        """The course (and, when vetted, the dossier and introducer) of an open prospect."""
        rng, today = self.rng, self.today
        valid = self.rs["admission.course_certificate_valid_years"]
        roll = rng.random()
        if due:
            course = today - relativedelta(years=valid) + _days(rng, 5, 50)
        elif roll < 0.25:  # expires within a month or two, or expired a little while ago
            course = today - relativedelta(years=valid) + _days(rng, -60, 45)
        else:
            course = today - _days(rng, 15, 700)
        values.update(course_passed_on=course, course_certificate=self.certificate(),
                      listed_on=course - _days(rng, 30, 300))
        if stage == "vetted":
            values["vetted_on"] = min(today, course + _days(rng, 30, 200))
            values["dossier_on"] = values["vetted_on"] - _days(rng, 0, 30)
            intro = self.introducers(cell, today)
            for i, s in enumerate(intro[:1], start=1):
                values[f"introducer_{i}_id"] = s.pk
                values["youth_union_resolution_on"] = values["dossier_on"]
                values["youth_union_resolution_number"] = f"{rng.randint(1, 40)}-NQ/ĐTN"

    def _resolved(self, cell: OrgSpec, stage: str, birth: dt.date, student: bool, values: dict, due: bool) -> str:
        """cell_resolved / decided: everything valid on the resolution day."""
        rng, today = self.rng, self.today
        adult = birth + relativedelta(years=self.rs["admission.age_min_years"])
        decision = None
        if due and stage == "cell_resolved":
            resolved = self._due(lambda d: cell_resolution(d, ruleset_for(d))["decision_by"], 40, 130)
        elif due:
            decision = self._due(lambda d: admission_decision(d, ruleset_for(d))["ceremony_by"], 20, 70)
            resolved = decision - _days(rng, 15, 45) if decision else None
        elif stage == "cell_resolved":  # the decision due soon, or already overdue
            resolved = today - _days(rng, 30, 110)
        else:
            resolved = today - _days(rng, 50, 120)
        if resolved is None:
            return "source"
        if resolved < adult:
            values["listed_on"] = today - _days(rng, 20, 200)
            return "source"
        values.update(self.paper(cell, resolved, young=student))
        if not values.get("introducer_1_id"):
            values["listed_on"] = today - _days(rng, 20, 200)
            for key in list(values):
                if key not in ("full_name", "birth_date", "gender", "ethnicity", "religion", "is_student",
                               "occupation", "cccd", "phone", "nominated_by", "residence", "listed_on"):
                    values.pop(key)
            return "source"
        full = self.full_members(cell, resolved)
        values.update(resolved_on=resolved, votes_in_favour=full, full_members=full)
        if stage == "decided":
            decision_by = cell_resolution(resolved, ruleset_for(resolved))["decision_by"]
            decision = decision or min(today - _days(rng, 1, 3),
                                       resolved + _days(rng, 10, max(10, (decision_by - resolved).days)))
            values.update(decision_on=max(decision, resolved), decision_number=f"{rng.randint(10, 400)}-QĐ/ĐU")
        return stage


def build_admission_demo(ctx: DemoContext) -> None:
    """Quotas, completed admissions linked to the demo's new members, and open prospects."""
    builder = _Builder(ctx)
    for unit in ctx.track(ctx.units, "Kết nạp"):
        builder.quotas(unit)
        builder.admitted(unit)
        builder.open(unit)
    ctx.writer.flush()
