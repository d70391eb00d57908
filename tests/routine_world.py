"""A cell with many members and a few months of habits, for the monthly-routine tests.

The cell C1A of the shared ``tree`` gets ``EXTRA`` more members (one of them exempt from
activity) and three regular meetings on the second Tuesday of the last three months, 19:00–21:00
at its culture house, chaired by Nguyễn Văn An, materials sent 2 days before; the latest one is
scored with ``LAST_POINTS``. "Today" is fixed at ``TODAY`` by the caller (``clock.frozen``).
"""

from __future__ import annotations

import datetime as dt
from itertools import product

from conftest import make_member_data

D, T = dt.date, dt.time
TODAY = D(2026, 11, 20)
PLACE = "Nhà văn hóa thôn Đồng Tâm"
EXTRA = 44  # with An and Cường: 46 members on the rolls, 45 expected (one exempt)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương")
GIVEN = ("Văn Bảo", "Thị Châu", "Đức Dũng", "Thị Giang")

# Last month's sheet: every criterion a person scores a little under its maximum; the three
# data-decided criteria are whatever the data gave then (here full).
LAST_POINTS = {
    "prep.agenda": 7, "prep.notice": 6, "prep.materials": 6, "conduct.duration": 8, "conduct.procedure": 5,
    "conduct.minutes": 6, "content.review": 9, "content.tasks": 9, "content.briefing": 5, "content.debate": 4,
    "attendance.rate": 10, "attendance.discipline": 4, "results.resolution": 7, "results.follow_up": 6,
}
DATA_DECIDED = ("prep.materials", "conduct.duration", "attendance.rate")
# This month with nothing unusual: last month's points for the others, full points from the data.
EXPECTED_TOTAL = sum(v for k, v in LAST_POINTS.items() if k not in DATA_DECIDED) + 6 + 8 + 10


def second_tuesday(year: int, month: int) -> dt.date:
    first = D(year, month, 1)
    return first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)


def build(tree) -> dict:
    """Members and past meetings; returns the people and meetings made."""
    from dangvu.meetings import services as ms
    from dangvu.registry import services as rs

    cell = tree.orgs["C1A"]
    people = []
    for i, (family, given) in enumerate(product(FAMILY, GIVEN)):
        if i >= EXTRA:
            break
        people.append(rs.register_member(None, cell, make_member_data(
            f"{family} {given}", D(1950 + i % 30, 1 + i % 12, 1 + i % 27), "female" if "Thị" in given else "male",
            admitted_on=D(2005, 3, 1), full_on=D(2006, 3, 1))))
    exempt = people[-1]
    rs.exempt(None, exempt, D(2024, 1, 15), "Tuổi cao, sức yếu")
    past = []
    for month in (8, 9, 10):
        day = second_tuesday(2026, month)
        past.append(ms.record_meeting(None, cell, held_on=day, starts_at=T(19, 0), ends_at=T(21, 0), place=PLACE,
                                      chair=tree.inside, materials_sent_on=day - dt.timedelta(days=2),
                                      topic=f"Sinh hoạt thường kỳ tháng {month}"))
    ms.score_meeting(None, past[-1], LAST_POINTS)
    return {"cell": cell, "people": people, "past": past}
