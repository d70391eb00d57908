"""``dangvu badges --org CODE --occasion YYYY-MM-DD [--posthumous] [--json]``: the members of a
subtree due a Party badge on an occasion (:func:`dangvu.honours.selectors.badge_rows`).

Any date is accepted (the Party also awards badges on other important anniversaries), but a date
that is not one of the rule set's occasions (3/2, 19/5, 2/9, 7/11) is named in a note on stderr.
The JSON record of each member: ``{"member", "name", "badge", "party_age_days", "early"}``; with
``--posthumous`` deceased members are listed too, with ``"posthumous": true``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dangvu.cli import CommandError, print_json, setup_django
from dangvu.core import clock
from dangvu.core.badges import is_occasion, next_occasion, occasions_text
from dangvu.core.rulesets import ruleset_for


def _parse_date(text: str | None) -> dt.date:
    # Parsed here, not by argparse, so the error message stays in Vietnamese.
    if text is None:
        today = clock.today()
        return next_occasion(today, ruleset_for(today))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD, ví dụ 2026-02-03).") from None


def _badges(args: argparse.Namespace) -> int:
    occasion = _parse_date(args.occasion)
    rs = ruleset_for(occasion)
    if not is_occasion(occasion, rs):
        sys.stderr.write(f"Lưu ý: ngày {occasion:%d/%m/%Y} không phải dịp tặng Huy hiệu Đảng thường lệ "
                         f"({occasions_text(rs)}); danh sách vẫn tính đến ngày này.\n")
    setup_django()
    from dangvu.core.text import nfc
    from dangvu.honours.selectors import badge_rows
    from dangvu.registry.selectors import org_by_code

    org = org_by_code(nfc(args.org).strip().upper())
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{args.org}».")
    rows = badge_rows(org, occasion, posthumous=args.posthumous, rs=rs)
    if args.json:
        print_json([r.as_dict() | ({"posthumous": r.due.posthumous} if args.posthumous else {}) for r in rows])
        return 0
    lines = [f"Huy hiệu Đảng dịp {occasion:%d/%m/%Y} — {org.name} ({org.code}): {len(rows)} đảng viên"]
    for r in rows:
        marks = "".join([" (tặng sớm)" if r.due.early else "", " (truy tặng)" if r.due.posthumous else ""])
        lines.append(f"  {r.member.full_name} — {r.member.organization.name}: huy hiệu {r.due.badge} năm, "
                     f"tuổi đảng {r.party_age_years} năm ({r.due.party_age_days} ngày){marks}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("badges", help="Danh sách đảng viên đủ điều kiện tặng Huy hiệu Đảng vào một dịp")
    p.add_argument("--org", required=True, metavar="CODE", help="mã tổ chức đảng (cả cây trực thuộc)")
    p.add_argument("--occasion", metavar="YYYY-MM-DD", help="ngày trao tặng (mặc định: dịp gần nhất sắp tới)")
    p.add_argument("--posthumous", action="store_true", help="kể cả đảng viên đã từ trần (truy tặng)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(func=_badges)
