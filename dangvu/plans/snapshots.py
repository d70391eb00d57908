"""Stored yearly figures for plan dashboards.

A dashboard shows each bound target year by year (up to five years). A past period — one that
ended before this year — gives the same figure until the data it reads changes, so it is computed
once, stored as an :class:`~dangvu.plans.models.IndicatorSnapshot`, and read back. The current
period is read as of today: its figure is stored under today's mark and read back the same day
while nothing it reads has changed (a province's root would otherwise count every view).

When is a stored figure out of date? Every save or delete of the apps whose data the indicators
read (registry, meetings, evaluation, admission, fees; letters, honours and inspection for the
alerts) appends a :class:`~dangvu.plans.models.DataChange`
naming the organization the row belongs to (before and after an update) and the first year it
can affect (a meeting's date, a round's year; ``None`` for rows without one, e.g. a member's
record, which changes every year's counts). Writes that bypass ``save()`` send
:data:`dangvu.common.signals.data_changed`. A stored figure of subtree S and last year Y is stale
once a change newer than its stamp names an organization inside S (or none) in a year ≤ Y (or
none). Why a change log and not a stamp computed from the data (max updated_at, counts): most of
those tables have no update time, a deletion leaves no row to see, and computing the stamp of a
province subtree would cost what the figure does. The log is one small insert per write, in the
writer's transaction, so a figure is never read as valid after a committed change it misses.

On demand: :func:`refresh` (the "Tính lại" button, ``dangvu indicators --refresh``) recomputes
and stores every past figure of the given plans regardless of stamps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Max, Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

import dangvu
from dangvu import indicators
from dangvu.common.signals import data_changed
from dangvu.core.plan_status import number
from dangvu.core.rulesets import load_rulesets
from dangvu.registry.models import Organization

from .models import DataChange, IndicatorSnapshot, StoredResult

T = TypeVar("T")

# The apps whose data indicators and alerts read (alerts also read letters, inspections and badges).
WATCHED_APPS = frozenset({"registry", "meetings", "evaluation", "admission", "fees", "letters", "honours",
                          "inspection"})
IGNORED_MODELS = frozenset({"registry.importbatch"})  # bookkeeping of an import, read by no indicator
# The date (or year) a row's effect on the figures starts from; rows of other models count for every year.
WHEN_FIELD = {
    "meetings.meeting": "held_on",
    "meetings.studysession": "held_on",
    "meetings.attendance": "meeting.held_on",
    "meetings.studyattendance": "session.held_on",
    "meetings.meetingscore": "meeting.held_on",
    "evaluation.evaluationround": "year",
    "evaluation.evaluation": "round.year",
    "fees.feebook": "month",
    "fees.feepayment": "month",
    "fees.feeremittance": "month",
}
# Where a row without its own organization belongs: the first of these parents that has one.
PARENTS = ("meeting", "session", "round", "member", "prospect")


def _label(sender: type[models.Model]) -> str:
    return f"{sender._meta.app_label}.{sender._meta.model_name}"


def _watched(sender: type[models.Model]) -> bool:
    return sender._meta.app_label in WATCHED_APPS and _label(sender) not in IGNORED_MODELS


def _follow(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


def _where(instance: models.Model) -> tuple[int | None, int | None]:
    """(organization id, first year) a row's figures belong to; None where unknown (= everywhere/every year)."""
    org_id = getattr(instance, "organization_id", None)
    if org_id is None:
        for name in PARENTS:
            parent_id = getattr(instance, f"{name}_id", None)
            if parent_id is not None:
                org_id = getattr(getattr(instance, name), "organization_id", None)
                break
    field = WHEN_FIELD.get(_label(type(instance)))
    when = _follow(instance, field) if field else None
    year = when.year if isinstance(when, dt.date) else (int(when) if isinstance(when, int) else None)
    return org_id, year


def _record(org_id: int | None, year: int | None) -> None:
    DataChange.objects.create(organization_id=org_id, year=year)


def _place_fields(sender: type[models.Model]) -> list[str]:
    """The columns that decide where a row's figures belong (organization, parents, its date)."""
    names = {f.attname for f in sender._meta.concrete_fields}
    wanted = ["organization_id", *(f"{p}_id" for p in PARENTS)]
    field = WHEN_FIELD.get(_label(sender), "")
    if field and "." not in field:
        wanted.append(field)
    return [n for n in wanted if n in names]


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    # An update may move a row to another organization or year: then the old place changes too.
    if raw or not _watched(sender) or instance._state.adding or instance.pk is None:
        return
    fields = _place_fields(sender)
    if not fields:
        return
    old = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    if old is None or all(old[f] == getattr(instance, f) for f in fields):
        return
    previous = sender._base_manager.get(pk=instance.pk)
    instance._snapshot_old_place = _where(previous)


def _after_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or not _watched(sender):
        return
    places = {_where(instance)}
    old = getattr(instance, "_snapshot_old_place", None)
    if old is not None:
        places.add(old)
        del instance._snapshot_old_place
    for org_id, year in places:
        _record(org_id, year)


def _after_delete(sender, instance, **kwargs) -> None:
    if _watched(sender):
        try:
            place = _where(instance)
        except models.ObjectDoesNotExist:  # its parent went first in a cascade: assume anywhere, any year
            place = (None, None)
        _record(*place)


def _on_data_changed(sender, organization_id: int | None = None, year: int | None = None, **kwargs) -> None:
    _record(organization_id, year)


def connect() -> None:
    """Listen to the watched models only: a delete listener on every model would stop Django's
    fast cascade deletes everywhere."""
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            if not _watched(model):
                continue
            uid = f"dangvu.plans.snapshots.{_label(model)}"
            pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
            post_save.connect(_after_save, sender=model, dispatch_uid=uid)
            post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    data_changed.connect(_on_data_changed, dispatch_uid="dangvu.plans.snapshots.data_changed")


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """The rule sets and the code figures were computed with: either changing makes them stale.
    The code is told by a digest of the package's Python sources, not by its version number, which
    does not change between deployments of the same release."""
    sets = [(rs.name, str(rs.effective), sorted(rs.params.items())) for rs in load_rulesets()]
    text = json.dumps([dangvu.__version__, code_digest(), sets], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()


def code_digest(root: Path | None = None) -> str:
    """SHA-1 over the package's ``.py`` files (path and content, in path order)."""
    root = root or Path(dangvu.__file__).resolve().parent
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


KEPT_DAYS = 2
"""A kept page figure for other params (another day, another occasion) is dropped after this many days."""


def stored(name: str, org: Organization, params: str, compute: Callable[[], T], dump: Callable[[T], Any],
           load: Callable[[Any], T]) -> T:
    """``compute()`` (figures over ``org``'s subtree) read back from a :class:`StoredResult` while no
    change has been logged in the subtree since it was computed, else computed and stored again.
    ``params`` names what else it depends on (the day, the options); the rule sets and code version
    are added here. ``dump``/``load`` turn the value into JSON and back."""
    tag = f"|{rules_fingerprint()[:12]}"  # the rule sets and code these figures were computed with
    key = params + tag
    row = StoredResult.objects.filter(organization=org, name=name, params=key).only("data_stamp", "value").first()
    if row is not None and changes_since(org, row.data_stamp) == 0:
        return load(row.value)
    stamp = data_stamp()  # read first: a change committed while computing makes the row stale
    value = compute()
    now = timezone.now()
    StoredResult.objects.update_or_create(organization=org, name=name, params=key, defaults={
        "data_stamp": stamp, "value": dump(value), "computed_at": now})
    # The same figures kept for other days or options are dropped once KEPT_DAYS old, and those of
    # other rule sets or code at once: a few rows per organization and page, not one per day viewed.
    (StoredResult.objects.filter(organization=org, name=name)
     .filter(Q(computed_at__lt=now - dt.timedelta(days=KEPT_DAYS)) | ~Q(params__endswith=tag))
     .delete())
    return value


def data_stamp() -> int:
    """The change log's last id: what is computed after reading it misses no change logged up to it."""
    return DataChange.objects.aggregate(m=Max("id"))["m"] or 0


def changes_since(org, stamp: int) -> int:
    """Changes logged after ``stamp`` that may touch ``org``'s subtree (those naming no organization
    count everywhere). Read from the log's newest rows only (its id index)."""
    return (DataChange.objects.filter(id__gt=stamp)
            .filter(Q(organization__isnull=True) | Q(organization__path__startswith=org.path)).count())


# -- reading and storing ---------------------------------------------------------------------------

def _params_key(params: dict) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def _detail(v: indicators.Value) -> str:
    return f"{number(v.numerator)}/{number(v.denominator)}" if v.denominator else ""


class Figures:
    """The indicator figures of one page: each computed once per page; past ones read from storage
    when still valid, else computed and stored by :meth:`save`. ``force`` recomputes every one."""

    def __init__(self, today: dt.date, *, force: bool = False) -> None:
        self.today = today
        self.force = force
        self.memo: dict[tuple, tuple[float | None, str]] = {}
        self.stored: dict[tuple, tuple[float | None, str]] = {}
        self.loaded: set[int] = set()
        self.stamp: int | None = None
        self.new: list[IndicatorSnapshot] = []
        self.computed = 0  # indicator computations this page ran (tests read it)
        self.today_mark = f"@{today.isoformat()}"
        # Like every kept figure, keyed by the rule sets and code it was computed with: a deployment
        # that changes either computes the dashboards' figures again.
        self.rules = rules_fingerprint()[:12] + "|"

    def _past(self, period: indicators.Period) -> bool:
        return period.end.year < self.today.year

    def preload(self, orgs: list) -> None:
        """Read the stored figures of these subtrees (and which are still valid) in three queries."""
        todo = {o.pk: o for o in orgs if o.pk not in self.loaded}
        if not todo or self.force:
            return
        self.loaded |= set(todo)
        if self.stamp is None:
            self.stamp = data_stamp()
        rows = list(IndicatorSnapshot.objects.filter(organization_id__in=list(todo), params__startswith=self.rules)
                    .filter(Q(end__lt=dt.date(self.today.year, 1, 1)) | Q(params__endswith=self.today_mark)))
        if not rows:
            return
        since = min(r.data_stamp for r in rows)
        changes = list(DataChange.objects.filter(id__gt=since).values("organization__path", "year")
                       .annotate(last=Max("id")))
        by_path: dict[str | None, list[tuple[int | None, int]]] = defaultdict(list)
        for c in changes:
            by_path[c["organization__path"]].append((c["year"], c["last"]))
        for r in rows:
            org = todo[r.organization_id]
            stale = any(last > r.data_stamp and (year is None or year <= r.end.year)
                        for path, seen in by_path.items() if path is None or path.startswith(org.path)
                        for year, last in seen)
            if not stale:
                self.stored[(r.key, r.organization_id, r.start, r.end, r.params)] = (r.value, r.detail)

    def value(self, key: str, org, period: indicators.Period, params: dict) -> tuple[float | None, str]:
        """(value, "numerator/denominator") of one indicator over ``org``'s subtree in ``period``."""
        # The current period is read as of today: stored under today's mark, valid for today only.
        pkey = self.rules + _params_key(params) + ("" if self._past(period) else self.today_mark)
        k = (key, org.pk, period.start, period.end, pkey)
        if k in self.memo:
            return self.memo[k]
        self.preload([org])
        if k in self.stored:
            self.memo[k] = self.stored[k]
            return self.memo[k]
        v = indicators.compute(key, org, period, **params)
        self.computed += 1
        out = (None if v.value is None else float(v.value)), _detail(v)
        self.memo[k] = out
        if self.stamp is None:  # forced: the stamp is read before computing, so a later write still counts
            self.stamp = data_stamp()
        self.new.append(IndicatorSnapshot(organization_id=org.pk, key=key, params=pkey, start=period.start,
                                          end=period.end, value=out[0], detail=out[1][:80], data_stamp=self.stamp))
        return out

    def save(self) -> None:
        """Store the past figures computed on this page (one upsert)."""
        if not self.new:
            return
        now = timezone.now()
        for s in self.new:
            s.computed_at = now
        IndicatorSnapshot.objects.bulk_create(
            self.new, update_conflicts=True,
            unique_fields=["organization", "key", "params", "start", "end"],
            update_fields=["value", "detail", "computed_at", "data_stamp"])
        # Current-period figures of earlier days, and figures of other rule sets or code, are of no
        # use any more.
        orgs = {s.organization_id for s in self.new}
        (IndicatorSnapshot.objects.filter(organization_id__in=orgs)
         .filter(Q(end__gte=dt.date(self.today.year, 1, 1)) & ~Q(params__endswith=self.today_mark)
                 | ~Q(params__startswith=self.rules)).delete())
        self.new = []
