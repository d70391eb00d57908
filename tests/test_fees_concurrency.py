"""Issue 15, point 7: two writers recording the same month's book at the same moment lose
nothing and "all paid" duplicates nothing, on SQLite (the embedded installation: a file in WAL
mode, ``BEGIN IMMEDIATE``, in a child process) and on PostgreSQL (``DATABASE_URL`` set: threads
in this process, ``SELECT … FOR UPDATE``). Every entry written has its audit record."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import fee_race
import pytest
from conftest import ROOT, make_member_data
from django.db import connection
from person_names import letters

from dangvu.core import clock
from dangvu.core.fees import add_months, month_start
from dangvu.fees import services as s
from dangvu.registry import services as rs

ROUNDS = 4
MEMBERS = 12


def _prepare(tree):
    """C1A with ``MEMBERS`` more members, each with a basis; in every round's month one member
    (An) already has an entry, which writer B corrects."""
    cell = tree.orgs["C1A"]
    people = [rs.register_member(None, cell, make_member_data(
        f"Đảng Viên Đua {letters(i)}", dt.date(1970 + i, 1 + i % 12, 1 + i), admitted_on=dt.date(2005, 1, 5),
        full_on=dt.date(2006, 1, 5))) for i in range(MEMBERS)]
    for i, member in enumerate([tree.members["an"], tree.members["cuong"], *people]):
        # distinct dues by position, not by primary key (PostgreSQL's sequences do not restart per test)
        s.set_basis(None, member, category="salaried", base=6_000_000 + 1000 * i, starts_on=dt.date(2020, 1, 1))
    for n in range(ROUNDS):
        month = add_months(month_start(clock.today()), -n)
        s.record_book(None, cell, month, lines={tree.members["an"].pk: s.BookLine(s.LineKind.PAID, amount=90_000)})
    from dangvu.fees.models import FeePayment

    FeePayment.objects.filter(member=tree.members["an"]).update(reason="entered earlier")  # B's target
    return cell, people


def _measure(tree, tmp_path) -> dict:
    cell, people = _prepare(tree)
    users = [tree.users["office"], tree.users["secretary"]]
    partial, excused = tree.members["cuong"].pk, people[0].pk
    if connection.vendor != "sqlite":
        return fee_race.rounds(cell.pk, users, partial, excused, ROUNDS)
    db_file = tmp_path / "fee-race.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(db_file)
    connection.connection.backup(copy)
    copy.close()
    command = [sys.executable, str(Path(fee_race.__file__)), str(db_file), str(cell.pk), *(str(u.pk) for u in users),
               str(partial), str(excused), str(ROUNDS)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_two_writers_on_the_same_months_book_lose_nothing(tree, tmp_path, capsys):
    figures = _measure(tree, tmp_path)
    with capsys.disabled():
        print(f"\n[fee book race] {connection.vendor}: {figures}")
    assert {k: figures[k] for k in ("rounds", "saved", "errors", "lost", "duplicates", "unaudited")} == {
        "rounds": ROUNDS, "saved": 2 * ROUNDS, "errors": 0, "lost": 0, "duplicates": 0, "unaudited": 0}, figures


@pytest.mark.django_db(transaction=True)
def test_the_race_counts_what_it_claims(tree):
    """The checker is not blind: after "all paid" alone, B's two exceptions and correction are
    counted lost, and an entry written twice behind the services' back (no audit) is counted."""
    cell, people = _prepare(tree)
    users = [tree.users["office"], tree.users["secretary"]]
    month = month_start(clock.today())
    s.record_book(users[0], cell, month, all_paid=True)
    from dangvu.fees.models import FeePayment

    entry = FeePayment.objects.filter(book__organization=cell, month=month, recorded_by=users[0]).first()
    FeePayment.objects.bulk_create([FeePayment(book=entry.book, member=entry.member, month=month, amount=entry.amount,
                                               due=entry.due, recorded_by=users[0])])
    figures = fee_race.check(cell.pk, month, users, tree.members["cuong"].pk, people[0].pk)
    assert figures == {"lost": 3, "duplicates": 1, "unaudited": 1}, figures
