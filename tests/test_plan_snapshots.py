"""Stored yearly figures of plan dashboards (issue 14 point 2): past years are computed once and
read back, recomputed when the data of that year changes or on demand; the current period is
stored for the day and read back while nothing it reads has changed."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvu.core import clock
from dangvu.core.planparse import parse_text

TODAY = clock.today()
Y = TODAY.year


def _plan(tree, bound: list[tuple[str, int]]):
    """A saved plan of commune C1 (the sample text's targets left out) with targets bound to
    ``(indicator, due year)``."""
    from dangvu.demo.steps.plans import sample_text
    from dangvu.plans import services as s

    text = sample_text("Hòa Bình")
    plan = s.draft_from_parse(None, tree.orgs["C1"], parse_text(text), "ke-hoach.txt", text)
    s.confirm_all(None, plan)
    s.save_plan(None, plan)
    for t in list(plan.targets.all()):
        s.delete_target(None, t)
    for i, (key, due) in enumerate(bound):
        t = s.add_target(None, plan, text=f"Chỉ tiêu đo bằng {key} ({i + 1})", op=">=", value=1 + i, unit="count",
                         by_year=due)
        s.bind_target(None, t, key)
    return plan


@pytest.fixture
def computed(monkeypatch):
    """Every indicator computation as (key, organization code, period end year)."""
    from dangvu import indicators

    calls: list[tuple[str, str, int]] = []
    real = indicators.compute

    def counting(key, org, period, **params):
        calls.append((key, org.code, period.end.year))
        return real(key, org, period, **params)

    monkeypatch.setattr(indicators, "compute", counting)
    return calls


def _view(client, plan) -> tuple[dict, int]:
    """The dashboard's figures ``{target text: [(year, value), …]}`` and its query count."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("plans:plan_dashboard", args=[plan.pk]))
    assert r.status_code == 200
    return {c["p"].target.text: [tuple(p) for p in c["p"].points] for c in r.context["cards"]}, len(ctx)


def _meeting(cell, held_on: dt.date):
    from dangvu.meetings import services as ms

    return ms.record_meeting(None, cell, held_on=held_on, starts_at=dt.time(8), ends_at=dt.time(10))


def test_second_view_reads_past_years_from_storage_and_a_past_meeting_refreshes_its_year(tree, computed):
    plan = _plan(tree, [("meetings.count", Y + 2)])
    c1a = tree.orgs["C1A"]
    _meeting(c1a, dt.date(Y - 2, 3, 10))
    _meeting(c1a, dt.date(Y - 1, 4, 10))
    client = logged_in(tree.users["office"])

    first, q_first = _view(client, plan)
    assert sorted(y for _, _, y in computed) == list(range(Y - 4, Y + 1))  # five years, each once
    points = dict(next(iter(first.values())))
    assert (points[Y - 2], points[Y - 1]) == (1.0, 1.0)

    computed.clear()
    second, q_second = _view(client, plan)
    assert second == first
    assert computed == []  # nothing changed: every year read back, the current one for today
    assert q_second < q_first
    next_day = TODAY + dt.timedelta(days=1) if TODAY.month < 12 or TODAY.day < 31 else TODAY - dt.timedelta(days=1)
    with clock.frozen(next_day):  # another day: the current year is read as of that day
        computed.clear()
        _view(client, plan)
        assert [y for _, _, y in computed] == [Y]

    # A meeting recorded (through the service) in last year: the next view shows it, and
    # recomputes last year only — the year before keeps its stored figure.
    _meeting(c1a, dt.date(Y - 1, 9, 12))
    computed.clear()
    third, _ = _view(client, plan)
    assert dict(next(iter(third.values())))[Y - 1] == 2.0
    assert sorted(y for _, _, y in computed) == [Y - 1, Y]

    # A meeting of another commune changes nothing stored for C1.
    _meeting(tree.orgs["C2A"], dt.date(Y - 3, 5, 5))
    computed.clear()
    _view(client, plan)
    assert computed == []

    # A member record (no date of its own) counts for every year: all are recomputed.
    an = tree.inside
    an.ethnicity = "Tày"
    an.save()
    computed.clear()
    _view(client, plan)
    assert sorted(y for _, _, y in computed) == list(range(Y - 4, Y + 1))


def test_other_rules_or_code_compute_the_figures_again_and_drop_the_old_ones(tree, computed, monkeypatch):
    """Dashboard figures are keyed by the rule sets and code they were computed with, as every
    kept figure: a deployment that changes either computes them again; the old rows are dropped."""
    from dangvu.plans import snapshots
    from dangvu.plans.models import IndicatorSnapshot

    plan = _plan(tree, [("meetings.count", Y + 2)])
    client = logged_in(tree.users["office"])
    first, _ = _view(client, plan)
    before = set(IndicatorSnapshot.objects.values_list("params", flat=True))
    assert before and all(p.startswith(snapshots.rules_fingerprint()[:12] + "|") for p in before)
    monkeypatch.setattr(snapshots, "rules_fingerprint", lambda: "f" * 40)
    computed.clear()
    again, _ = _view(client, plan)
    assert again == first
    assert sorted(y for _, _, y in computed) == list(range(Y - 4, Y + 1))  # every year computed again
    after = set(IndicatorSnapshot.objects.values_list("params", flat=True))
    assert after and all(p.startswith("f" * 12 + "|") for p in after)  # the old rows are gone


def test_deleting_or_moving_a_meeting_refreshes_both_years(tree, computed):
    plan = _plan(tree, [("meetings.count", Y + 2)])
    meeting = _meeting(tree.orgs["C1A"], dt.date(Y - 3, 3, 10))
    client = logged_in(tree.users["office"])
    _view(client, plan)
    meeting.held_on = dt.date(Y - 1, 3, 10)  # a typo fixed: the meeting was last year
    meeting.save()
    figures, _ = _view(client, plan)
    points = dict(next(iter(figures.values())))
    assert (points.get(Y - 3), points[Y - 1]) == (0.0, 1.0)
    meeting.delete()
    figures, _ = _view(client, plan)
    assert dict(next(iter(figures.values())))[Y - 1] == 0.0


def test_refresh_button_and_command_recompute_every_past_year(tree, computed, capsys):
    from dangvu.cli import main
    from dangvu.plans.models import IndicatorSnapshot

    plan = _plan(tree, [("meetings.count", Y + 2)])
    client = logged_in(tree.users["office"])
    _view(client, plan)
    IndicatorSnapshot.objects.update(value=99)  # a stored figure gone wrong (e.g. data written behind our back)
    figures, _ = _view(client, plan)
    assert dict(next(iter(figures.values())))[Y - 1] == 99  # read from storage, as designed
    computed.clear()
    r = client.post(reverse("plans:plan_refresh", args=[plan.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("plans:plan_dashboard", args=[plan.pk])
    assert sorted(y for _, _, y in computed) == list(range(Y - 4, Y + 1))
    figures, _ = _view(client, plan)
    assert dict(next(iter(figures.values())))[Y - 1] == 0.0
    # a viewer may not recompute, nor an office outside the plan's subtree
    assert logged_in(tree.users["viewer"]).post(reverse("plans:plan_refresh", args=[plan.pk])).status_code == 403
    from django.contrib.auth.models import User

    from dangvu.accounts.models import Role

    outsider = User.objects.create_user("vanphong-yen-lac")
    Role.objects.create(user=outsider, kind="office", organization=tree.orgs["C2"])
    assert logged_in(outsider).post(reverse("plans:plan_refresh", args=[plan.pk])).status_code == 404
    assert logged_in(tree.users["office"]).get(reverse("plans:plan_refresh", args=[plan.pk])).status_code == 405

    IndicatorSnapshot.objects.update(value=99)
    computed.clear()
    assert main(["indicators", "--refresh", "--org", "C1", "--json"]) == 0
    assert '"plans": 1' in capsys.readouterr().out
    assert sorted(y for _, _, y in computed) == list(range(Y - 4, Y + 1))
    assert set(IndicatorSnapshot.objects.values_list("value", flat=True)) == {0.0}


def test_dashboard_queries_do_not_grow_with_targets_or_years(tree, monkeypatch):
    from dangvu.plans import progress

    one = _plan(tree, [("meetings.count", Y + 2)])
    four = _plan(tree, [("meetings.count", Y + 1), ("meetings.count", Y + 2), ("meetings.count", Y + 3),
                        ("meetings.count", Y + 4)])
    client = logged_in(tree.users["office"])
    counts = {}
    for years in (2, 5):
        monkeypatch.setattr(progress, "HISTORY_YEARS", years)
        for name, plan in (("one", one), ("four", four)):
            _view(client, plan)
            figures, counts[name, years] = _view(client, plan)  # the second view: past years stored
            assert all(len(points) == years for points in figures.values())
    assert len(set(counts.values())) == 1, counts


def test_stored_figures_equal_fresh_ones_for_every_target_of_the_demo_plans(db, settings):
    from dangvu.demo.services import build_demo
    from dangvu.plans.models import IndicatorSnapshot, Plan
    from dangvu.plans.progress import plan_progress
    from dangvu.plans.snapshots import Figures

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    build_demo("commune", 77, today=TODAY)
    plans = list(Plan.objects.all())
    assert plans
    for plan in plans:
        plan_progress(plan, TODAY)  # computes and stores the past years
        stored = Figures(TODAY)
        from_storage = plan_progress(plan, TODAY, figures=stored)
        fresh = plan_progress(plan, TODAY, figures=Figures(TODAY, force=True))
        past_points = sum(1 for r in fresh for x in r.series for y, _ in x.points if y < Y)
        assert past_points > 0
        # read back, the current period too (stored for today, nothing changed since)
        assert stored.computed == 0
        for a, b in zip(from_storage, fresh, strict=True):
            assert a.target.pk == b.target.pk
            assert [(x.points, x.value, x.detail, x.status, x.forecast) for x in a.series] == \
                [(x.points, x.value, x.detail, x.status, x.forecast) for x in b.series], a.target.text
    current = IndicatorSnapshot.objects.filter(end__year__gte=Y)
    assert IndicatorSnapshot.objects.filter(end__year__lt=Y).count() > 0
    assert current.count() > 0 and all(p.endswith(f"@{TODAY.isoformat()}") for p in current.values_list("params", flat=True))
