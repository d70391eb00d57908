"""Demo step "fees": three years of party fees for every member, the rows the fees services write.

Listed in :data:`dangvu.demo.steps.STEPS` after the meetings (it reads who drifted away from the
cell's meetings). Like the rest of the builder it writes in bulk (:mod:`dangvu.demo.bulk`), with
the same fields and values as :mod:`dangvu.fees.services` (``set_basis``, ``record_book``,
``correct_payment``, ``set_cell_share``, ``record_remittance``, ``confirm_remittance``): dues come
from :func:`dangvu.core.fees.monthly_due` under each month's rule set. For the 36 months up to the
current one:

- a basis for every member from their admission (or the first month): salaried staff of agencies,
  schools, health, the army and police on their salary and allowances, enterprise staff on their
  wage, residential pensioners on their pension, other residential members on the cell's amount
  (half past working age); a raise for most salaried staff in July 2024 (the new base salary);
- a book per cell and month, collected by the cell's secretary between the 5th and the 25th,
  mostly "all paid as due"; a few members pay more (voluntary), pay several months ahead, have a
  month excused with a reason, or miss a month; a few cells have not collected the current month
  yet; one payment per grassroots organization written wrong and corrected;
- in each grassroots organization, one member who stopped coming to meetings has also paid
  nothing for four of the last twelve months: the removal alert names both grounds;
- the committee's share for its cells, and each cell's remittance to its committee every month
  (the committee's own to the level above in the province), confirmed a few days later; one
  remittance per organization sent late and one confirmed with a difference.

Deterministic for a given seed and day: its own random stream.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from dangvu.core.fees import FeeCategory, FeeError, add_months, month_start, monthly_due
from dangvu.core.rulesets import ruleset_for
from dangvu.fees.models import FeeBasis, FeeBook, FeePayment, FeeRemittance, FeeShare, PaymentKind
from dangvu.meetings import selectors as meetings
from dangvu.registry.models import CELL_KINDS, Member, OrgKind, Post

from ..bulk import deferred_indexes
from ..context import DemoContext, OrgSpec, Sim, age_on

MONTHS = 36
RAISE_ON = dt.date(2024, 7, 1)  # lương cơ sở 1.800.000 → 2.340.000 đồng (Nghị định 73/2024/NĐ-CP)
_SALARIED = {"agency", "school", "health", "military", "police"}
_ENTERPRISE = {"soe", "private"}
_EXCUSES = ("Ốm điều trị dài ngày", "Đi làm ăn xa, đã báo chi bộ", "Gia đình có việc tang", "Nằm viện phẫu thuật")
_WRONG = "Ghi nhầm số tiền khi nhập sổ"


def _months(today: dt.date) -> list[dt.date]:
    first = add_months(month_start(today), -(MONTHS - 1))
    return [add_months(first, i) for i in range(MONTHS)]


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx, self.w, self.today = ctx, ctx.writer, ctx.today
        self.rng = random.Random(f"fees-{ctx.seed}-{ctx.today.isoformat()}")
        self.months = _months(ctx.today)
        self.rulesets = {m: ruleset_for(m) for m in self.months}
        if FeePayment not in self.w.explicit_ids:  # a correction points at the entry it corrects
            assert FeePayment not in self.w.specs
            self.w.explicit_ids += (FeePayment, FeeBook)
        self.secretaries: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
        for org_id, member_id, start, end in Post.objects.filter(
                organization__path__startswith=ctx.root_org.path, role="secretary").values_list(
                "organization_id", "member_id", "started_on", "ended_on"):
            self.secretaries[org_id].append((member_id, start, end))
        # Members who stopped coming to meetings (3+ unexcused months in the last 12).
        rs = ruleset_for(ctx.today)
        start = add_months(ctx.today, -rs["member.unexcused_absence_window_months"]) + dt.timedelta(days=1)
        members = Member.objects.filter(organization__path__startswith=ctx.root_org.path).active()
        self.drifting = {r["member_id"] for r in meetings.unexcused_absence_months(
            members, start, ctx.today, rs["member.unexcused_absence_removal"])}
        self.bases: dict[int, list[tuple[dt.date, str, int, bool]]] = {}
        self.by_unit: dict[int, list[Sim]] = defaultdict(list)  # one pass over the province's members
        for s in ctx.sims:
            if s.pk is not None:
                self.by_unit[id(s.unit)].append(s)
                if s.moved_on and s.origin is not s.cell and s.origin.unit not in (None, s.unit):
                    self.by_unit[id(s.origin.unit)].append(s)  # moved here from another unit's cell

    # -- bases ------------------------------------------------------------------------------------
    def _basis(self, s: Sim) -> list[tuple[dt.date, str, int, bool]]:
        """(starts_on, category, base, past working age) of one member, oldest first."""
        rng, sector = self.rng, s.cell.sector or "agency"
        first = max(self.months[0], month_start(s.admitted_on or self.months[0]))
        age = age_on(s.birth, self.today)
        if sector in _SALARIED or sector in _ENTERPRISE:
            category = FeeCategory.SALARIED if sector in _SALARIED else FeeCategory.ENTERPRISE
            base = rng.randrange(4_500, 14_000) * 1000 if sector in _SALARIED else rng.randrange(5_000, 22_000) * 1000
            out = [(first, category.value, base, False)]
            if category is FeeCategory.SALARIED and first < RAISE_ON <= self.months[-1] and rng.random() < 0.9:
                out.append((RAISE_ON, category.value, round(base * 1.3 / 1000) * 1000, False))
            return out
        if age >= 60 and rng.random() < 0.6:  # retired staff living in the village
            return [(first, FeeCategory.PENSIONER.value, rng.randrange(3_200, 9_000) * 1000, False)]
        amount = rng.choice((10_000, 15_000, 20_000, 20_000, 30_000))
        return [(first, FeeCategory.OTHER.value, amount, age >= 62)]

    def _due(self, bases: list[tuple[dt.date, str, int, bool]], month: dt.date) -> int | None:
        found = [b for b in bases if b[0] <= month]
        if not found:
            return None
        _, category, base, old = found[-1]
        try:
            return monthly_due(category, base, self.rulesets[month], past_working_age=old).due
        except FeeError:
            return None

    # -- who is in a cell's book ------------------------------------------------------------------
    def _rolls(self, unit: OrgSpec) -> dict[str, list[Sim]]:
        """Who was on each cell's rolls at some point (a member who moved is in both cells)."""
        rolls: dict[str, list[Sim]] = defaultdict(list)
        for s in self.by_unit.get(id(unit), ()):
            rolls[s.cell.code].append(s)
            if s.moved_on and s.origin is not s.cell:
                rolls[s.origin.code].append(s)
        return rolls

    @staticmethod
    def _in_cell(s: Sim, cell: OrgSpec, day: dt.date) -> bool:
        if not s.admitted_on or s.admitted_on > day or (s.end_on and s.end_on <= day):
            return False
        if s.moved_on and s.origin is not s.cell:
            return day < s.moved_on if cell is s.origin else day >= s.moved_on
        return True

    def _collector(self, cell: OrgSpec, day: dt.date) -> int | None:
        return next((m for m, start, end in self.secretaries.get(cell.pk, ())
                     if start <= day and (end is None or end > day)), None)

    # -- one unit ---------------------------------------------------------------------------------
    def unit(self, unit: OrgSpec) -> None:
        rng, w = self.rng, self.w
        rolls = self._rolls(unit)
        for s in dict.fromkeys(x for sims in rolls.values() for x in sims):
            if s.pk in self.bases:
                continue  # moved between units: one basis, written once
            self.bases[s.pk] = self._basis(s)
            for starts, category, base, old in self.bases[s.pk]:
                w.add(FeeBasis, member_id=s.pk, category=category, base=base, past_working_age=old, starts_on=starts,
                      note="Theo bảng lương" if category != FeeCategory.OTHER else "Mức chi bộ quy định")
        ended = [m for m in self.months if m < month_start(self.today)]
        owing = next(iter(sorted(s.pk for sims in rolls.values() for s in sims if s.pk in self.drifting)), None)
        self.unpaid = {(owing, m) for m in rng.sample(ended[-12:], 4)} if owing else set()
        self.owing, self.correct_from = owing, ended[-6]
        cells = [c for c in unit.walk() if c.kind in CELL_KINDS]
        shares = self.rulesets[self.months[-1]]["fees.kept_percent"]
        share = shares["commune_grassroots"]  # a chi bộ cơ sở keeps what a grassroots organization keeps
        if unit.kind == OrgKind.GRASSROOTS_COMMITTEE:
            share = rng.choice(range(shares["cell_in_committee_min"], shares["cell_in_committee_max"] + 1, 10))
            w.add(FeeShare, organization_id=unit.pk, kept_percent=share, starts_on=self.months[0])
        received: dict[tuple[int, dt.date], int] = defaultdict(int)
        self.corrected = late_done = diff_done = False
        for cell in cells:
            day_of = rng.randint(5, 25)
            covered: set[tuple[int, dt.date]] = set()  # paid ahead in an earlier book
            books = []
            for month in self.months:
                collected_on = month.replace(day=day_of)
                if collected_on > self.today:
                    continue  # not collected yet this month
                books.append((w.new_id(FeeBook), month, collected_on))
                w.add(FeeBook, id=books[-1][0], organization_id=cell.pk, month=month,
                      collected_by_id=self._collector(cell, collected_on), collected_on=collected_on)
            # The books go in before their lines: a line written before its book leaves SQLite a
            # pending foreign-key check, and each later insert then scans for it.
            w.flush()
            for book_id, month, collected_on in books:
                total = sum(self._member_month(book_id, s, month, covered)
                            for s in rolls.get(cell.code, ()) if self._in_cell(s, cell, collected_on))
                late_done, diff_done = self._remit(cell, month, total, share, received, late_done, diff_done)
        self._remit_unit(unit, received)

    def _member_month(self, book_id: int, s: Sim, month: dt.date, covered: set[tuple[int, dt.date]]) -> int:
        """What one member's line in a month's book writes (as ``record_book`` would); the đồng paid."""
        due = self._due(self.bases[s.pk], month)
        if due is None or (s.pk, month) in covered or (s.pk, month) in self.unpaid:
            return 0
        rng = self.rng
        draw = rng.random()
        entries: list[tuple[dt.date, int, int, str, str]] = []
        if draw < 0.004:
            return 0  # missed this month: a single gap, never three
        if draw < 0.010:
            entries.append((month, 0, due, PaymentKind.EXCUSED, rng.choice(_EXCUSES)))
        elif draw < 0.020 and month < add_months(self.months[-1], -2) and s.pk != self.owing:
            for i in range(3):  # three months ahead, each at its own due
                later = add_months(month, i)
                d = self._due(self.bases[s.pk], later) or due
                entries.append((later, d, d, PaymentKind.PAYMENT, ""))
                covered.add((s.pk, later))
        elif draw < 0.045:  # more than due: the rest is voluntary
            entries.append((month, due + rng.choice((5_000, 10_000, 20_000, 50_000)), due, PaymentKind.PAYMENT, ""))
        else:
            entries.append((month, due, due, PaymentKind.PAYMENT, ""))
        w = self.w
        for for_month, amount, d, kind, reason in entries:
            pk = w.new_id(FeePayment)
            wrong = not self.corrected and kind == PaymentKind.PAYMENT and month >= self.correct_from
            # one line per organization written as ten times the amount, corrected the same day
            w.add(FeePayment, id=pk, book_id=book_id, member_id=s.pk, month=for_month, kind=kind,
                  amount=amount * 10 if wrong else amount, due=d, reason=reason)
            if wrong:
                w.add(FeePayment, id=w.new_id(FeePayment), book_id=book_id, member_id=s.pk, month=for_month,
                      kind=PaymentKind.CORRECTION, amount=-amount * 9, due=d, reason=_WRONG, corrects_id=pk)
                self.corrected = True
        return sum(e[1] for e in entries)

    def _remit(self, org: OrgSpec, month: dt.date, collected: int, kept: int,
               received: dict[tuple[int, dt.date], int], late_done: bool, diff_done: bool) -> tuple[bool, bool]:
        """The cell's remittance to its parent for ``month``: sent early next month (one sent two
        months late), confirmed a few days later (one with a difference)."""
        parent = org.parent
        amount = collected - collected * kept // 100
        if parent is None or amount <= 0:
            return late_done, diff_done
        rng = self.rng
        sent_on = add_months(month, 1) + dt.timedelta(days=rng.randint(1, 8))  # before fees.remit_by_day (10); one late below
        late = not late_done and rng.random() < 0.05
        if late:
            sent_on = add_months(month, 3) + dt.timedelta(days=rng.randint(0, 10))
        if sent_on > self.today:
            return late_done, diff_done
        confirmed_on = sent_on + dt.timedelta(days=rng.randint(1, 6))
        confirmed = amount
        differs = not diff_done and rng.random() < 0.05
        if differs:
            confirmed = amount - rng.choice((1_000, 5_000, 10_000))
        done = confirmed_on <= self.today
        self.w.add(FeeRemittance, sender_id=org.pk, receiver_id=parent.pk, month=month, amount=amount,
                   sent_on=sent_on, note="Nộp chậm do chi bộ thu chậm" if late else "",
                   confirmed_amount=confirmed if done else None, confirmed_on=confirmed_on if done else None)
        if done:
            received[(parent.pk, month)] += confirmed
        return late_done or late, diff_done or (differs and done)

    def _remit_unit(self, unit: OrgSpec, received: dict[tuple[int, dt.date], int]) -> None:
        """Sub-committees pass their cells' money on to the committee; the committee to the level
        above when the province is built (the commune demo's committee is the top)."""
        rs = self.rulesets[self.months[-1]]["fees.kept_percent"]
        for org in reversed(list(unit.walk())):  # the deepest first: each passes on what it received
            if org.kind in CELL_KINDS or org.kind == OrgKind.GROUP or org.parent is None:
                continue
            # a đảng bộ bộ phận passes everything on; the committee keeps its grassroots share
            kept = 0 if org.kind == OrgKind.SUB_COMMITTEE else rs["commune_grassroots"]
            for month in self.months:
                got = received.get((org.pk, month), 0)
                if got:
                    self._remit(org, month, got, kept, received, True, True)


def build_fees_demo(ctx: DemoContext) -> None:
    """Fee bases, monthly books with their entries, shares and remittances of every unit."""
    ctx.writer.flush()
    builder = _Builder(ctx)
    with deferred_indexes(ctx.writer, FeePayment):
        for unit in ctx.track(ctx.units, "Đảng phí"):
            builder.unit(unit)
    ctx.writer.flush()
