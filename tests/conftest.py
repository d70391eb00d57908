"""Shared fixtures. Tests may read ../shared/seeds and ../shared/gold: they skip when absent, except in CI (CI=true), where absence fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests judge results, not speed: no per-example deadline, no "too slow" health check,
# so a loaded CI machine cannot turn a correct property into a failure.
hypothesis_settings.register_profile("dangvu", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("dangvu")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DANGVU_SHARED", ROOT.parent / "shared"))

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# there unless told it is safe (it is: the loop only talks to the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _login_throttle_only_where_tested(request, settings):
    """Django's test client logs in without a request, which django-axes refuses; throttling
    is switched on only in the tests marked ``axes`` (they post to the real login page)."""
    if "axes" not in request.keywords:
        settings.AXES_ENABLED = False
    # Test users need no slow key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/seeds is missing: CI must have the shared seeds and gold")
        pytest.skip("../shared/seeds is not present")
    return SHARED


# -- a small registry shared by the Django tests ------------------------------------------
import datetime as dt  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

PASSWORD = "mat-khau-thu-nghiem-2026"


@dataclass
class Tree:
    """Province P → commune C1 (cells C1A residential, C1B agency) and commune C2 (cell C2A).

    Users: admin (admin on P), office (office on C1), secretary (secretary of C1A),
    viewer (viewer on C1), member (own record: ``own``, in C1A), nobody (no role).
    ``inside`` / ``outside`` are members of C1A and C2A.
    """

    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)

    @property
    def inside(self):
        return self.members["an"]

    @property
    def outside(self):
        return self.members["binh"]

    @property
    def own(self):
        return self.members["cuong"]


def make_member_data(name: str, birth: dt.date, gender: str = "male", **extra) -> dict:
    return {"full_name": name, "birth_date": birth, "gender": gender, "ethnicity": "Kinh", **extra}


@pytest.fixture
def tree(db) -> Tree:
    from django.contrib.auth.models import User

    from dangvu.accounts.models import Role
    from dangvu.registry import services as s

    t = Tree()
    p = s.create_organization(None, None, code="P", name="Đảng bộ tỉnh Thử Nghiệm", kind="province")
    c1 = s.create_organization(None, p, code="C1", name="Đảng bộ xã Hòa Bình", kind="grassroots_committee")
    c2 = s.create_organization(None, p, code="C2", name="Đảng bộ xã Yên Lạc", kind="grassroots_committee")
    c1a = s.create_organization(None, c1, code="C1A", name="Chi bộ thôn Đồng Tâm", kind="cell",
                                sector="residential")
    c1b = s.create_organization(None, c1, code="C1B", name="Chi bộ Văn phòng xã", kind="cell", sector="agency")
    c2a = s.create_organization(None, c2, code="C2A", name="Chi bộ thôn Bến Đò", kind="cell",
                                sector="residential")
    t.orgs = {o.code: o for o in (p, c1, c2, c1a, c1b, c2a)}
    t.members["an"] = s.register_member(None, c1a, make_member_data(
        "Nguyễn Văn An", dt.date(1980, 3, 2), admitted_on=dt.date(2010, 5, 19), full_on=dt.date(2011, 5, 19)))
    t.members["binh"] = s.register_member(None, c2a, make_member_data(
        "Trần Thị Bình", dt.date(1990, 7, 9), "female", admitted_on=dt.date(2015, 2, 3), full_on=dt.date(2016, 2, 3)))
    t.members["cuong"] = s.register_member(None, c1a, make_member_data(
        "Lê Văn Cường", dt.date(1975, 1, 20), admitted_on=dt.date(2000, 9, 2), full_on=dt.date(2001, 9, 2)))
    t.members["dung"] = s.admit_member(None, c1b, make_member_data("Phạm Thị Dung", dt.date(1998, 4, 30), "female"),
                                       admitted_on=dt.date(2026, 3, 1))
    roles = {
        "admin": ("admin", "P", None),
        "office": ("office", "C1", None),
        "secretary": ("secretary", "C1A", None),
        "viewer": ("viewer", "C1", None),
        "member": ("member", "C1A", t.members["cuong"]),
    }
    for username, (kind, code, member) in roles.items():
        user = User.objects.create_user(username, password=PASSWORD)
        Role.objects.create(user=user, kind=kind, organization=t.orgs[code], member=member)
        t.users[username] = user
    t.users["nobody"] = User.objects.create_user("nobody", password=PASSWORD)
    return t


def logged_in(user):
    """A test client signed in as ``user`` that answers errors as pages (not exceptions)."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


DB_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})  # not django_db_blocker: autouse


def pytest_collection_modifyitems(config, items) -> None:
    """``DANGVU_TEST_DB_ONLY=1`` (CI's second pass, on PostgreSQL): run only the tests that reach the
    database. The rest (the plan reader, OCR, the pure rules) give the same result on any
    database and have just run on SQLite; running them again only costs CI time."""
    if os.environ.get("DANGVU_TEST_DB_ONLY") != "1":
        return
    keep, drop = [], []
    spawns: dict[Path, bool] = {}  # a file that starts the app in a child process may reach the database there
    for item in items:
        path = Path(str(item.fspath))
        if path not in spawns:
            text = path.read_text(encoding="utf-8")
            spawns[path] = "subprocess" in text or "DATABASE_URL" in text
        uses_db = (DB_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("django_db")
                   or spawns[path])
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
