"""Two sessions saving the same member at the same moment (used by tests/test_versions.py).

Each session is a thread with its own database connection, as under the web server (each worker
serves requests in threads): both read the member (the edit page is open), wait for each other, then
save ``occupation`` together. A round counts the saves, the refusals (``Code.STALE``), the crashes
(e.g. "database is locked") and the lost changes (a save reported as done whose value is not the
one stored).

Run as a script against a SQLite file, the way the embedded installation runs (WAL, ``BEGIN
IMMEDIATE``) — the suite's in-memory test database cannot stand for it (its shared cache answers
"database table is locked" at once instead of waiting)::

    python tests/version_race.py DB_FILE MEMBER_ID USER_ID USER_ID ROUNDS [--no-version]

prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
from typing import Any


def race(member_pk: int, users: list, values: list[str], with_version: bool = True) -> list[Any]:
    """One round; each session's outcome: "saved", the refusal's code, or "error: …"."""
    from django.db import connection

    from dangvu.common import ServiceError
    from dangvu.registry import services as s
    from dangvu.registry.models import Member

    barrier = threading.Barrier(len(users))
    outcome: list[Any] = [None] * len(users)

    def session(i: int) -> None:
        try:
            member = Member.objects.get(pk=member_pk)  # the edit page was opened…
            barrier.wait(timeout=30)  # …then both press Save together
            s.update_member(users[i], member, version=member.version if with_version else None,
                            occupation=values[i])
            outcome[i] = "saved"
        except ServiceError as exc:
            outcome[i] = str(exc.code)
        except Exception as exc:  # noqa: BLE001 - a crash is what the round reports
            outcome[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=session, args=(i,)) for i in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcome


def rounds(member_pk: int, users: list, count: int, with_version: bool = True) -> dict[str, Any]:
    """``count`` rounds: {rounds, wins, refusals, lost, errors, examples of errors}."""
    from dangvu.registry.models import Member

    figures: dict[str, Any] = {"rounds": 0, "wins": 0, "refusals": 0, "lost": 0, "errors": 0, "error_texts": []}
    for n in range(count):
        values = [f"Nghề của người thứ {i + 1}, vòng {n + 1}" for i in range(len(users))]
        outcome = race(member_pk, users, values, with_version)
        stored = Member.objects.get(pk=member_pk).occupation
        saved = [v for v, o in zip(values, outcome, strict=True) if o == "saved"]
        figures["rounds"] += 1
        figures["wins"] += len(saved)
        figures["refusals"] += outcome.count("stale")
        errors = [o for o in outcome if o not in ("saved", "stale")]
        figures["errors"] += len(errors)
        figures["error_texts"] = (figures["error_texts"] + [str(e) for e in errors])[:3]
        figures["lost"] += sum(1 for v in saved if v != stored)  # reported saved, but not what is stored
    return figures


def main(argv: list[str]) -> int:
    db_file, member_pk, user_a, user_b, count = argv[:5]
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ.setdefault("DANGVU_SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    users = [User.objects.get(pk=int(user_a)), User.objects.get(pk=int(user_b))]
    figures = rounds(int(member_pk), users, int(count), with_version="--no-version" not in argv)
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
