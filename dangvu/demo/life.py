"""The life simulation behind the demo's members: who they are, when they joined, and what happened
to them in the last three years (deaths, exemptions, removals, discipline, transfers).

Every member's lifecycle is simulated first and checked event by event with
:func:`dangvu.core.lifecycle.check_transition` (the rule the registry services apply), then written
together with its history (``StatusChange``) through the bulk loader, so the stored status is always
the last status of the timeline. Rule parameters (probation length, discipline forms, temporary
transfer months, minimum admission age) come from :func:`dangvu.core.rulesets.ruleset_for`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from dateutil.relativedelta import relativedelta

from dangvu.core.cccd import PROVINCE_CODES, make_cccd
from dangvu.core.lifecycle import DISCIPLINE_LABELS, Event, check_transition, probation_ends
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold
from dangvu.registry.models import Discipline, Member, OrgKind, StatusChange, Transfer

from . import names as N
from .context import DemoContext, DemoError, OrgSpec, Sim, age_on, between, pick, years_after

# Age bands (from, to, share), share of women and share admitted in the last three years.
_PROFILES: dict[str, tuple[tuple[tuple[int, int, float], ...], float, float]] = {
    "residential": (((24, 45, 0.35), (45, 65, 0.35), (65, 86, 0.30)), 0.35, 0.07),
    "agency": (((24, 35, 0.35), (35, 50, 0.45), (50, 60, 0.20)), 0.42, 0.08),
    "school": (((23, 35, 0.35), (35, 50, 0.45), (50, 58, 0.20)), 0.75, 0.09),
    "health": (((24, 35, 0.35), (35, 50, 0.45), (50, 58, 0.20)), 0.65, 0.08),
    "soe": (((23, 35, 0.35), (35, 50, 0.45), (50, 59, 0.20)), 0.30, 0.08),
    "private": (((22, 35, 0.55), (35, 50, 0.40), (50, 58, 0.05)), 0.45, 0.15),
    "military": (((21, 35, 0.50), (35, 50, 0.45), (50, 55, 0.05)), 0.05, 0.10),
    "police": (((22, 35, 0.55), (35, 50, 0.40), (50, 55, 0.05)), 0.12, 0.10),
}

_THEORY: dict[str, tuple[tuple[str, float], ...]] = {
    "residential": (("", 45), ("elementary", 45), ("intermediate", 8), ("advanced", 2)),
    "agency": (("", 5), ("elementary", 30), ("intermediate", 50), ("advanced", 15)),
    "school": (("", 15), ("elementary", 60), ("intermediate", 22), ("advanced", 3)),
    "health": (("", 25), ("elementary", 55), ("intermediate", 18), ("advanced", 2)),
    "soe": (("", 45), ("elementary", 43), ("intermediate", 12)),
    "private": (("", 55), ("elementary", 38), ("intermediate", 7)),
    "military": (("", 5), ("elementary", 45), ("intermediate", 45), ("advanced", 5)),
    "police": (("", 5), ("elementary", 45), ("intermediate", 45), ("advanced", 5)),
}


def ethnicity(rng: random.Random, region: N.Region, upland: bool, workplace: bool) -> str:
    if rng.random() < 0.02:  # moved here for work or marriage, from anywhere in the country
        return rng.choice(sorted(N.ETHNIC))
    minorities = tuple((e, w) for e, w in region.ethnic_mix if e != "Kinh")
    if not minorities:
        return "Kinh"
    if upland:
        return pick(rng, minorities) if rng.random() < 0.85 else "Kinh"
    share = sum(w for _, w in minorities) / 100 * (0.5 if workplace else 0.25)
    return pick(rng, minorities) if rng.random() < share else "Kinh"


def _admission_dates(ctx: DemoContext, s: Sim, sector: str, student: str,
                     forced_admission: tuple[dt.date, dt.date] | None) -> None:
    """Birth and admission days: forced into a window, admitted in the last three years, or long ago."""
    rng, today = ctx.rng, ctx.today
    age_min = ruleset_for(today)["admission.age_min_years"]
    if forced_admission is not None:
        s.admitted_on = between(rng, *forced_admission)
        admit_age = age_min + rng.uniform(0.1, 0.9) if student == "pupil" else rng.uniform(age_min + 1, 33)
        s.birth = s.admitted_on - dt.timedelta(days=int(admit_age * 365.25))
    elif s.new:
        s.admitted_on = between(rng, ctx.window_start, today - dt.timedelta(days=7))
        top = 23 if student else 36
        admit_age = rng.uniform(age_min + 0.3, top)
        s.birth = s.admitted_on - dt.timedelta(days=int(admit_age * 365.25))
    else:
        bands = _PROFILES[sector][0]
        low, high, _ = rng.choices(bands, [b[2] for b in bands])[0]
        if student:
            low, high = age_min + 1, age_min + 4
        age = rng.uniform(low, high)
        s.birth = today - dt.timedelta(days=int(age * 365.25))
        latest = ctx.window_start - dt.timedelta(days=1)
        earliest = years_after(s.birth, age_min + 0.3)
        if earliest >= latest:  # too young to have joined before the window: a new member
            s.new = True
            s.admitted_on = between(rng, max(earliest, ctx.window_start), today - dt.timedelta(days=7))
        else:
            s.admitted_on = between(rng, earliest, min(latest, years_after(s.birth, 38)))


def _residence(ctx: DemoContext, s: Sim, unit: OrgSpec, cell: OrgSpec, sector: str, age_now: int) -> str:
    """Where the member lives; sets ``resident`` and the residence cell."""
    rng = ctx.rng
    s.resident = True
    residence = f"{cell.locality[0]}, {unit.place}, tỉnh {ctx.province}" if cell.locality else ""
    if sector == "residential":
        if age_now < 50 and rng.random() < 0.1:  # works far away, still on this cell's rolls
            s.resident = False
            residence = f"xã {N.commune_name(rng, set())}, tỉnh {rng.choice(N.PROVINCE_NAMES)}"
        s.residence_org = cell
    else:
        villages = ctx.extra.get("villages", {}).get(unit.code, [])
        if villages and rng.random() < 0.65:
            s.residence_org = rng.choice(villages)
            residence = f"{s.residence_org.locality[0]}, {unit.place}, tỉnh {ctx.province}"
        else:
            s.resident = False
            residence = f"xã {N.commune_name(rng, set())}, tỉnh {ctx.province}"
    return residence


def _work(rng: random.Random, s: Sim, sector: str, student: str, age_now: int) -> tuple[str, str]:
    """(occupation, education)."""
    if student == "pupil":
        occupation = "Học sinh lớp 12"
    elif student:
        occupation = "Sinh viên"
    elif sector == "residential" and age_now >= 62:
        occupation = rng.choice(N.OCCUPATIONS_RETIRED + ("Hưu trí", "Nông dân"))
    else:
        occupation = rng.choice([o for o in N.OCCUPATIONS[sector] if o not in N.OCCUPATIONS_RETIRED])
    if s.birth.year < 1965:
        education = rng.choice(N.EDUCATION_OLD)
    elif s.birth.year < 1985:
        education = rng.choice(N.EDUCATION_MID)
    else:
        education = rng.choice(N.EDUCATION_YOUNG)
    if student == "pupil":
        education = "12/12"
    return occupation, education


def _admission_events(ctx: DemoContext, s: Sim, unit: OrgSpec, forced: bool) -> None:
    """Admission and recognition of full membership."""
    rng = ctx.rng
    s.full_on = probation_ends(s.admitted_on)
    if s.new:
        s.events.append((s.admitted_on, 0, Event.ADMIT, {"decision": ctx.decision(unit)}))
        decided = s.full_on + dt.timedelta(days=rng.randint(3, 45))
        overdue = rng.random() < 0.12
        if not forced and not overdue and decided <= ctx.today:
            s.recog_on = decided
            s.events.append((decided, 1, Event.RECOGNIZE_FULL, {"decision": ctx.decision(unit)}))
    else:
        s.events.append((s.admitted_on, 0, Event.ADMIT, {"note": "Nhập hồ sơ đảng viên"}))
        s.recog_on = s.full_on
        s.events.append((s.full_on, 1, Event.RECOGNIZE_FULL, {"register": True}))


def _person(ctx: DemoContext, unit: OrgSpec, cell: OrgSpec, *, new: bool, student: str = "",
            forced_admission: tuple[dt.date, dt.date] | None = None) -> Sim:
    """One member: identity, admission and (when due) recognition events."""
    rng, today = ctx.rng, ctx.today
    sector = cell.sector or "agency"
    female_share = _PROFILES[sector][1]
    region = unit.region or N.REGIONS["delta"]
    s = Sim()
    s.cell = s.origin = cell
    s.unit = unit
    s.new = new
    s.gender = "female" if rng.random() < female_share else "male"
    s.ethnicity = ethnicity(rng, region, cell.upland, sector != "residential")
    _admission_dates(ctx, s, sector, student, forced_admission)
    s.name = N.person_name(rng, s.gender, s.ethnicity)
    s.is_student = bool(student)
    s.theory = "" if s.new and rng.random() < 0.8 else pick(rng, _THEORY[sector])
    age_now = age_on(s.birth, today)
    residence = _residence(ctx, s, unit, cell, sector, age_now)
    occupation, education = _work(rng, s, sector, student, age_now)
    local = rng.random() < 0.8
    ctx.cccd_serial += 1
    cccd = make_cccd(ctx.province_code if local else rng.choice(sorted(PROVINCE_CODES)), s.gender, s.birth.year,
                     (ctx.cccd_serial * 7919 + 104_729) % 1_000_000)
    home = (f"{unit.place}, tỉnh {ctx.province}" if local and unit.kind != OrgKind.GRASSROOTS_CELL
            else f"xã {N.commune_name(rng, set())}, tỉnh {rng.choice(N.PROVINCE_NAMES)}")
    phone = ""
    if rng.random() < (0.7 if age_now >= 70 else 0.95):
        phone = rng.choice(N.PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
    s.data = {
        "gender": s.gender, "ethnicity": s.ethnicity, "religion": N.religion_for(rng, s.ethnicity),
        "home_town": home, "residence": residence, "phone": phone, "cccd": cccd, "education": education,
        "qualification": "" if student else rng.choice(N.QUALIFICATIONS[sector]), "occupation": occupation,
        "commune_official": False,
    }
    _admission_events(ctx, s, unit, forced_admission is not None)
    return s


def cell_people(ctx: DemoContext, unit: OrgSpec, cell: OrgSpec) -> list[Sim]:
    rng, today = ctx.rng, ctx.today
    new_rate = _PROFILES[cell.sector or "agency"][2]
    out: list[Sim] = []
    if "recent" in cell.flags:
        # A new enterprise cell: two members moved in from other cells, one admitted since.
        assert cell.established_on is not None
        others = [c for c in unit.cells() if c is not cell and not c.flags & {"recent", "small"}]
        for _ in range(cell.size - 1):
            letter = cell.established_on + dt.timedelta(days=rng.randint(3, 20))
            s = _person(ctx, unit, cell, new=False)
            while s.recog_on is None or s.recog_on >= letter:  # only full members move in
                s = _person(ctx, unit, cell, new=False)
            s.origin = rng.choice(others)
            s.locked = True
            confirmed = letter + dt.timedelta(days=rng.randint(2, 10))
            _add_transfer(ctx, s, "permanent", s.origin, cell, letter, confirmed,
                          reason="Chuyển công tác về doanh nghiệp mới thành lập")
            s.moved_on = confirmed
            out.append(s)
        start = cell.established_on + dt.timedelta(days=40)
        s = _person(ctx, unit, cell, new=True, forced_admission=(start, today - dt.timedelta(days=10)))
        s.locked = True
        out.append(s)
        return out
    forced = 2 if "small" in cell.flags else 0
    span = ruleset_for(today)["admission.probation_months"]
    for i in range(forced):  # still within probation: the cell has fewer full members than required
        recent = today - relativedelta(months=span) + dt.timedelta(days=20)
        # The first one's probation ends within weeks (the "probation ending" alert).
        window = (recent - dt.timedelta(days=15), recent + dt.timedelta(days=5)) if i == 0 else (
            recent, today - dt.timedelta(days=15))
        s = _person(ctx, unit, cell, new=True, forced_admission=window)
        s.locked = True
        out.append(s)
    students = 0
    if "students" in cell.flags:
        students = rng.randint(1, 2)
        kind = "pupil" if cell.sector == "school" else "university"
        for _ in range(students):
            if kind == "pupil":
                recent = today - dt.timedelta(days=300)
                s = _person(ctx, unit, cell, new=True, student=kind,
                            forced_admission=(recent, today - dt.timedelta(days=20)))
            else:
                s = _person(ctx, unit, cell, new=True, student=kind)
            s.locked = True
            out.append(s)
    for _ in range(cell.size - forced - students):
        out.append(_person(ctx, unit, cell, new=rng.random() < new_rate))
    if cell.sector == "residential" and rng.random() < 0.4:
        candidates = [s for s in out if 28 <= age_on(s.birth, today) <= 55 and s.resident]
        for s in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
            s.data["commune_official"] = True
            s.data["occupation"] = rng.choice(("Công chức xã", "Cán bộ xã", "Công chức Văn phòng – Thống kê"))
    return out


def _add_transfer(ctx: DemoContext, s: Sim, kind: str, src: OrgSpec, dst: OrgSpec, letter: dt.date,
                  confirmed: dt.date | None, *, ends_on: dt.date | None = None, returned: dt.date | None = None,
                  reason: str = "") -> None:
    state = "pending" if confirmed is None else ("returned" if returned else "confirmed")
    plan = {"kind": kind, "from": src, "to": dst, "letter_on": letter, "confirmed_on": confirmed,
            "ends_on": returned or ends_on, "state": state, "reason": reason,
            "cause_on": letter - dt.timedelta(days=ctx.rng.randint(5, 30))}
    out_event = Event.TRANSFER_OUT if kind == "permanent" else Event.TEMPORARY_OUT
    s.events.append((letter, 2, out_event, {"transfer": plan, "from": src, "to": dst, "note": reason}))
    if confirmed is not None:
        label = "chính thức" if kind == "permanent" else "tạm thời"
        s.events.append((confirmed, 3, Event.TRANSFER_IN, {"from": src, "to": dst, "note": f"Tiếp nhận {label}"}))
    if returned is not None:
        s.events.append((returned, 4, Event.TEMPORARY_RETURN, {"from": dst, "to": src}))


def _end(s: Sim, day: dt.date, event: str, payload: dict[str, Any]) -> None:
    """The last event of a timeline (death, removal, expulsion)."""
    s.end_on = day
    s.events.append((day, 9, event, payload))
    if s.recog_on is not None and s.recog_on >= day:  # never recognized: the decision did not come
        s.recog_on = None
        s.events = [e for e in s.events if e[2] != Event.RECOGNIZE_FULL]


def _busy(s: Sim) -> bool:
    return s.end_on is not None or s.exempt_on is not None or s.moved_on is not None or s.pending or s.away


def _endings(ctx: DemoContext, unit: OrgSpec, sims: list[Sim], free: list[Sim]) -> None:
    """Deaths (mostly the elderly), removals and expulsion: each the last event of a timeline."""
    rng, today, start = ctx.rng, ctx.today, ctx.window_start
    yesterday = today - dt.timedelta(days=1)
    for s in free:
        age = age_on(s.birth, today)
        if rng.random() < (0.07 if age >= 68 else 0.002):
            _end(s, between(rng, max(start, s.admitted_on + dt.timedelta(days=30)), yesterday), Event.DEATH, {})
        elif age < 60 and rng.random() < 0.004:
            _end(s, between(rng, max(start, s.admitted_on + dt.timedelta(days=90)), yesterday), Event.STRIKE_OFF,
                 {"decision": ctx.decision(unit), "note": rng.choice(N.STRIKE_OFF_REASONS)})
    expulsions = int(len(sims) / 1500 + rng.random())
    pool = [s for s in free if s.end_on is None and s.recog_on and s.recog_on < today - dt.timedelta(days=200)
            and age_on(s.birth, today) < 62]
    for s in rng.sample(pool, min(expulsions, len(pool))):
        _end(s, between(rng, max(start, s.recog_on + dt.timedelta(days=30)), yesterday), Event.EXPEL, {
            "form": "expulsion", "decision": ctx.decision(unit, "QĐ/UBKT"),
            "note": "Vi phạm pháp luật, bị tòa án tuyên phạt tù"})


def _exemptions(ctx: DemoContext, free: list[Sim]) -> None:
    """Exemption of elderly members (Điều lệ Đảng, Điều 7), before any later death."""
    rng, today = ctx.rng, ctx.today
    yesterday = today - dt.timedelta(days=1)
    for s in free:
        if s.cell.sector != "residential" or s.recog_on is None:
            continue
        seventy = years_after(s.birth, 70)
        if seventy < today - dt.timedelta(days=365) and rng.random() < 0.4:
            lo = max(seventy, s.recog_on + dt.timedelta(days=1), today - relativedelta(years=8))
            hi = (s.end_on - dt.timedelta(days=30)) if s.end_on else yesterday
            if lo < hi:
                s.exempt_on = between(rng, lo, hi)
                s.events.append((s.exempt_on, 5, Event.EXEMPT, {"note": "Tuổi cao, sức yếu, có đơn đề nghị"}))


def _discipline(ctx: DemoContext, unit: OrgSpec, sims: list[Sim], free: list[Sim]) -> None:
    """Reprimand and warning (probationary members only those; Điều lệ Đảng, Điều 35)."""
    rng, today, start = ctx.rng, ctx.today, ctx.window_start
    yesterday = today - dt.timedelta(days=1)
    cases = max(1, round(len(sims) / 180 * rng.uniform(0.6, 1.4)))
    pool = [s for s in free if not _busy(s)]
    for s in rng.sample(pool, min(cases, len(pool))):
        day = between(rng, max(start, s.admitted_on + dt.timedelta(days=60)), yesterday)
        rs = ruleset_for(day)
        probationary = not s.is_full_on(day)
        forms = [f for f in ("reprimand", "warning")
                 if f in rs["discipline.forms_probationary" if probationary else "discipline.forms_member"]]
        form = rng.choices(forms, [7, 3][: len(forms)])[0]
        s.events.append((day, 6, Event.DISCIPLINE, {
            "form": form, "decision": ctx.decision(unit, "QĐ/ĐU"), "note": rng.choice(N.DISCIPLINE_REASONS),
            "self_corrected": rng.random() < 0.2}))


class _Movers:
    """Transfers between the cells of one unit (the small and new cells stay as they are)."""

    def __init__(self, ctx: DemoContext, cells: list[OrgSpec], free: list[Sim]) -> None:
        self.ctx, self.rng, self.cells, self.free = ctx, ctx.rng, cells, free

    def target_for(self, s: Sim) -> OrgSpec:
        same = [c for c in self.cells
                if c is not s.cell and (c.sector == "residential") == (s.cell.sector == "residential")]
        others = [c for c in self.cells if c is not s.cell]
        return self.rng.choice(same if same and self.rng.random() < 0.75 else others)

    def candidates(self) -> list[Sim]:
        today = self.ctx.today
        return [s for s in self.free if not _busy(s) and age_on(s.birth, today) < 65
                and s.admitted_on < today - dt.timedelta(days=120)]

    def sample(self, share: int, least: int) -> list[Sim]:
        return self.rng.sample(self.candidates(), min(max(least, share), len(self.candidates())))

    def permanent(self, n_sims: int) -> None:
        """Permanent transfers (confirmed), a few still pending."""
        ctx, rng, today, start = self.ctx, self.rng, self.ctx.today, self.ctx.window_start
        for s in self.sample(round(n_sims / 90), 2):
            dst = self.target_for(s)
            letter = between(rng, max(start, s.admitted_on + dt.timedelta(days=30)), today - dt.timedelta(days=40))
            confirmed = letter + dt.timedelta(days=rng.randint(3, 25))
            kind = "residential" if s.cell.sector == "residential" else "workplace"
            _add_transfer(ctx, s, "permanent", s.cell, dst, letter, confirmed,
                          reason=rng.choice(N.TRANSFER_REASONS[kind]))
            s.moved_on = confirmed
            s.cell = dst
        for s in self.sample(round(n_sims / 400), 1):
            letter = today - dt.timedelta(days=rng.randint(3, 40))
            if letter <= s.admitted_on:
                continue
            kind = "residential" if s.cell.sector == "residential" else "workplace"
            _add_transfer(ctx, s, "permanent", s.cell, self.target_for(s), letter, None,
                          reason=rng.choice(N.TRANSFER_REASONS[kind]))
            s.pending = True

    def temporary(self, n_sims: int) -> None:
        """Temporary transfers: some still away, some back."""
        ctx, rng, today, start, cells = self.ctx, self.rng, self.ctx.today, self.ctx.window_start, self.cells
        yesterday = today - dt.timedelta(days=1)
        rs = ruleset_for(today)
        low, high = rs["transfer.temporary_work_min_months"], rs["transfer.temporary_work_max_months"]
        workplaces = [c for c in cells if c.sector in ("private", "soe", "agency")] or cells
        for s in self.sample(round(n_sims / 200), 1):
            dst = rng.choice([c for c in workplaces if c is not s.cell] or [c for c in cells if c is not s.cell])
            letter = between(rng, max(start, s.admitted_on + dt.timedelta(days=30)), today - dt.timedelta(days=30))
            ends = letter + relativedelta(months=rng.randint(low, max(low, high - 1)))
            confirmed = letter + dt.timedelta(days=rng.randint(3, 15))
            returned = ends if ends < today - dt.timedelta(days=5) else None
            _add_transfer(ctx, s, "temporary", s.cell, dst, letter, min(confirmed, yesterday), ends_on=ends,
                          returned=returned, reason=rng.choice(N.TRANSFER_REASONS["temporary"]))
            s.away = returned is None


def unit_events(ctx: DemoContext, unit: OrgSpec, sims: list[Sim]) -> None:
    """Deaths, exemptions, removals, discipline and transfers over the last three years."""
    free = [s for s in sims if not s.locked]
    _endings(ctx, unit, sims, free)
    _exemptions(ctx, free)
    _discipline(ctx, unit, sims, free)
    cells = [c for c in unit.cells() if not c.flags & {"recent", "small"}]  # these stay small
    if len(cells) < 2:
        return
    movers = _Movers(ctx, cells, free)
    movers.permanent(len(sims))
    movers.temporary(len(sims))


def write_unit(ctx: DemoContext, unit: OrgSpec, sims: list[Sim]) -> None:
    """Check each timeline with the lifecycle rule, then write members and their history."""
    writer = ctx.writer
    for s in sims:
        status: str | None = None
        rows = []
        for on, _, event, p in sorted(s.events, key=lambda e: (e[0], e[1])):
            check = Event.DISCIPLINE if event == Event.EXPEL else event
            try:
                after = check_transition(check, status, on, admitted_on=s.admitted_on if status else None,
                                         discipline_form=p.get("form"), rs=ruleset_for(on))
            except ValueError as exc:
                raise DemoError(f"{s.name}: {event} {on}: {exc}") from exc
            rows.append((on, event, status or "", after, p))
            status = after
        s.status = str(status)
        recognized = s.recog_on is not None
        if recognized:
            ctx.card_serial += 1
        s.pk = writer.new_id(Member)
        writer.add(
            Member, id=s.pk, organization_id=s.cell.pk, full_name=s.name, name_folded=fold(s.name),
            birth_date=s.birth, admitted_on=s.admitted_on, full_on=s.full_on if recognized else None,
            status=s.status, political_theory=s.theory, is_student=s.is_student, resident=s.resident,
            card_number=f"{ctx.province_code[1:]}.{ctx.card_serial:06d}" if recognized else "", **s.data,
        )
        s.data = None
        for on, event, before, after, p in rows:
            src, dst = p.get("from"), p.get("to")
            if event == Event.ADMIT:
                dst = s.origin
            note = p.get("note", "")
            if event == Event.RECOGNIZE_FULL and not p.get("register"):
                note = f"Quyết định ngày {on:%d/%m/%Y}"
            if p.get("form"):
                note = f"{DISCIPLINE_LABELS[p['form']]}. {note}".strip()
                writer.add(Discipline, member_id=s.pk, form=p["form"], decided_on=on,
                           decision_number=p.get("decision", ""), reason=p.get("note", ""),
                           self_corrected=p.get("self_corrected", False))
            if "transfer" in p:
                t = p["transfer"]
                writer.add(Transfer, member_id=s.pk, kind=t["kind"], from_org_id=t["from"].pk,
                           to_org_id=t["to"].pk, cause_on=t["cause_on"], letter_on=t["letter_on"],
                           ends_on=t["ends_on"], confirmed_on=t["confirmed_on"], state=t["state"],
                           reason=t["reason"])
            writer.add(StatusChange, member_id=s.pk, event=str(event), on=on, from_status=before, to_status=after,
                       from_org_id=src.pk if src else None, to_org_id=dst.pk if dst else None,
                       decision_number=p.get("decision", ""), note=note)
        s.events = []
    writer.flush()

