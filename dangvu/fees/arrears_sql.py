"""The arrears rule (Điều lệ Đảng, Điều 8) as one SQL query, for the removal alert at any scale.

The same rule as :func:`dangvu.fees.arrears.unpaid_months_walked` — a month counts when the basis
in force made something due (:func:`dangvu.core.fees.monthly_due`), less was paid in any book and no
"excused" entry exists, from the member's arrival in the current cell
(:func:`dangvu.core.fees.first_counted_month`) — but the months are joined to the bases in SQL, so
a province's root reads its rows once instead of building 1.8 million Python month objects.

Each month of the window carries its own rule set's rates as a row of a VALUES table (a rule set is
chosen by the month's first day), so a rate change inside the window is honoured. Plain SQL that
SQLite (3.25+, window functions) and PostgreSQL both run; every name is quoted by the connection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from dangvu.core.fees import FeeCategory, arrears_window, months_between
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.registry.models import Member, Organization, StatusChange

from .models import FeeBasis, FeePayment, PaymentKind

_RATED = (FeeCategory.SALARIED, FeeCategory.PENSIONER, FeeCategory.ENTERPRISE)


def _month_rows(first: dt.date, last: dt.date) -> tuple[str, list]:
    """``VALUES`` rows (month, unit, per mille of each rated category, other min, max, percent past
    working age), one per month, from the rule set in force on the month's first day."""
    rows, params = [], []
    date = connection.ops.adapt_datefield_value
    for month in months_between(first, last):
        rs = ruleset_for(month)
        rates = rs["fees.rate_per_mille"]
        rows.append("(" + ", ".join(["%s"] + ["CAST(%s AS BIGINT)"] * 7) + ")")
        params += [date(month), rs["fees.round_to"], *(rates[c.value] for c in _RATED),
                   rs["fees.other_range"]["min"], rs["fees.other_range"]["max"], rs["fees.past_working_age_percent"]]
    return ", ".join(rows), params


def _rounded(x1000: str) -> str:
    """:func:`dangvu.core.fees.round_dong` in SQL (non-negative integers: division truncates = floors)."""
    return f"((({x1000}) + mo.unit * 500) / (mo.unit * 1000)) * mo.unit"


def _due() -> str:
    """:func:`dangvu.core.fees.monthly_due` in SQL; NULL where the rule refuses the basis (no due)."""
    rated = " ".join(f"WHEN b.category = '{c.value}' THEN {_rounded(f'b.base * mo.r{i}')}"
                     for i, c in enumerate(_RATED))
    return (f"CASE WHEN b.base < 0 THEN NULL {rated} "
            f"WHEN b.category = '{FeeCategory.OTHER.value}' THEN CASE "
            "WHEN b.base < mo.omin OR b.base > mo.omax THEN NULL "
            f"WHEN b.past_working_age THEN {_rounded('b.base * mo.pct * 10')} ELSE b.base END "
            "ELSE NULL END")


def _names() -> dict[str, str]:
    q = connection.ops.quote_name

    def col(model, field: str) -> str:
        return q(model._meta.get_field(field).column)
    return {
        "basis": q(FeeBasis._meta.db_table), "payment": q(FeePayment._meta.db_table),
        "change": q(StatusChange._meta.db_table), "member": q(Member._meta.db_table),
        "org": q(Organization._meta.db_table),
        "b_member": col(FeeBasis, "member"), "starts": col(FeeBasis, "starts_on"),
        "p_member": col(FeePayment, "member"), "month": col(FeePayment, "month"),
        "kind": col(FeePayment, "kind"), "amount": col(FeePayment, "amount"),
        "c_member": col(StatusChange, "member"), "on": col(StatusChange, "on"), "to_org": col(StatusChange, "to_org"),
        "m_org": col(Member, "organization"), "admitted": col(Member, "admitted_on"),
        "full_name": col(Member, "full_name"),
        "code": col(Organization, "code"), "name": col(Organization, "name"), "path": col(Organization, "path"),
    }


_FRAME = """
WITH mo (m, unit, r0, r1, r2, omin, omax, pct) AS (VALUES {months}),
b AS (SELECT f.{b_member} AS member_id, f.category, f.base, f.past_working_age, f.{starts} AS starts_on,
             LEAD(f.{starts}) OVER (PARTITION BY f.{b_member} ORDER BY f.{starts}) AS next_on
      FROM {basis} f WHERE f.{b_member} IN ({members}) AND f.{starts} <= %s),
p AS (SELECT {p_member} AS member_id, {month} AS month, SUM({amount}) AS paid,
             SUM(CASE WHEN {kind} = %s THEN 1 ELSE 0 END) AS excused
      FROM {payment} WHERE {p_member} IN ({members}) AND {month} BETWEEN %s AND %s
      GROUP BY {p_member}, {month}),
a AS (SELECT c.{c_member} AS member_id, MAX(c.{on}) AS arrived
      FROM {change} c JOIN {member} x ON x.id = c.{c_member} AND c.{to_org} = x.{m_org}
      WHERE c.{c_member} IN ({members}) GROUP BY c.{c_member}),
mm AS (SELECT b.member_id, mo.m, ({due}) AS due, COALESCE(p.paid, 0) AS paid, COALESCE(p.excused, 0) AS excused
       FROM b
       JOIN mo ON b.starts_on <= mo.m AND (b.next_on IS NULL OR mo.m < b.next_on)
       JOIN {member} x ON x.id = b.member_id
       LEFT JOIN a ON a.member_id = b.member_id
       LEFT JOIN p ON p.member_id = b.member_id AND p.month = mo.m
       WHERE (x.{admitted} IS NULL OR x.{admitted} <= mo.m) AND (a.arrived IS NULL OR a.arrived <= mo.m))
"""

_UNPAID = """,
u AS (SELECT member_id, m FROM mm WHERE excused = 0 AND paid < due),
n AS (SELECT member_id FROM u GROUP BY member_id HAVING COUNT(*) >= %s)
SELECT u.member_id, x.{full_name}, o.{code}, o.{name}, o.{path}, u.m
FROM u JOIN n ON n.member_id = u.member_id JOIN {member} x ON x.id = u.member_id
JOIN {org} o ON o.id = x.{m_org}
ORDER BY u.member_id, u.m
"""

# The figures of the fees indicators, as :mod:`dangvu.fees.indicators` states them month by month:
# dues (NULL: nothing due), dues of excused months, paid beyond due, members who owed a month and
# members who owed and paid every owed month in full.
_FIGURES = """,
owing AS (SELECT member_id, SUM(CASE WHEN paid < due THEN 1 ELSE 0 END) AS short
          FROM mm WHERE due > 0 AND excused = 0 GROUP BY member_id)
SELECT (SELECT COALESCE(SUM(due), 0) FROM mm),
       (SELECT COALESCE(SUM(CASE WHEN excused > 0 THEN due ELSE 0 END), 0) FROM mm),
       (SELECT COALESCE(SUM(CASE WHEN paid > COALESCE(due, 0) THEN paid - COALESCE(due, 0) ELSE 0 END), 0) FROM mm),
       (SELECT COUNT(*) FROM owing),
       (SELECT COUNT(*) FROM owing WHERE short = 0)
"""


def _run(members: QuerySet[Member], first: dt.date, last: dt.date, tail: str, tail_params: list) -> list[tuple]:
    """:data:`_FRAME` (every counted member-month of ``members`` from ``first`` to ``last`` with its
    due, paid sum and excused entries) followed by ``tail``."""
    month_values, month_params = _month_rows(first, last)
    sub, sub_params = members.order_by().values("pk").query.sql_with_params()
    date = connection.ops.adapt_datefield_value
    names = _names()
    sql = _FRAME.format(months=month_values, members=sub, due=_due(), **names) + tail.format(**names)
    params = [*month_params, *sub_params, date(last), PaymentKind.EXCUSED.value, *sub_params,
              date(first), date(last), *sub_params, *tail_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def unpaid_rows(members: QuerySet[Member], today: dt.date, rs: RuleSet,
                at_least: int) -> list[tuple[int, str, str, str, str, dt.date]]:
    """(member id, name, org code, org name, org path, month) of every month unpaid without reason
    in the arrears window of ``today`` (:func:`~dangvu.core.fees.arrears_window`), for the members
    of ``members`` with at least ``at_least`` such months; by member, oldest month first.

    A month counts from the member's arrival in the current cell: the later of the admission and
    the last transfer into it, on or before the month's first day (a member who arrived on the 1st
    owes that month; later in the month, from the next — :func:`~dangvu.core.fees.first_counted_month`)."""
    first, last = arrears_window(today, rs)
    if last < first:
        return []
    rows = _run(members, first, last, _UNPAID, [at_least])
    return [(pk, name, code, org_name, path, m if isinstance(m, dt.date) else dt.date.fromisoformat(m))
            for pk, name, code, org_name, path, m in rows]


@dataclass(frozen=True)
class FeeFigures:
    due: int            # dues of the months (a basis the rule refuses: nothing due)
    due_excused: int    # of which in months the cell excused
    voluntary: int      # paid beyond what was due, month by month
    owed: int           # members who owed at least one month not excused
    paid_in_full: int   # of those, members who paid every such month in full


NO_FIGURES = FeeFigures(0, 0, 0, 0, 0)  # no month in the span


def fee_figures(members: QuerySet[Member], first: dt.date, last: dt.date) -> FeeFigures:
    """The fees indicators' member-side figures over the months ``first``..``last`` of ``members``
    (each month with a basis in force, from the arrival in the current cell), in one query."""
    if last < first:
        return NO_FIGURES
    [row] = _run(members, first, last, _FIGURES, [])
    return FeeFigures(*(int(x or 0) for x in row))
