"""Property-based test of the whole API against its own OpenAPI schema (schemathesis).

Every operation, read and write, is called with generated requests (valid ones, and invalid ones
for the refusals) by an administrator's writing token over the test registry: no answer may be a
server error, and every answer must be one the schema declares, with that status's shape and
content type. Examples are few and derandomized (the same requests on every run, SQLite and
PostgreSQL alike), so the test stays well under a minute.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dangvu.accounts.services import issue_api_token
from dangvu.api.urls import api
from dangvu.wsgi import application

PREFIX = "/api/v1/"

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix=PREFIX))
schema.app = application
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and generation mode; a deeper run: DANGVU_API_FUZZ_EXAMPLES=500 ./dev test tests/test_api_schemathesis.py
EXAMPLES = int(os.environ.get("DANGVU_API_FUZZ_EXAMPLES", "12"))

# Ids and codes of the test registry, filled by the fixture: random ids would nearly always be
# 404s and never reach a service, so most generated ids and codes are turned into existing ones.
KNOWN: dict[str, list] = {"member_id": [], "meeting_id": [], "code": []}


def _known(kind: str, value: object) -> object:
    """An existing id or code for most generated values (one in five stays as generated)."""
    pool = KNOWN[kind]
    if not pool or isinstance(value, bool) or not isinstance(value, int | str):
        return value
    n = value if isinstance(value, int) else len(value) + sum(map(ord, value[:8]))
    return value if n % 5 == 0 else pool[n % len(pool)]


DATE_FIELDS = ("birth_date", "admitted_on", "full_on", "on", "ends_on", "held_on")


def _plausible_date(value: object) -> object:
    """Most generated dates moved into 1940–2026 (else nearly all stop at the date bounds check)."""
    if not (isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[:4].isdigit()):
        return value
    year = int(value[:4])
    if year % 5 == 0:
        return value
    day = value[8:].isdigit() and min(int(value[8:]), 28)
    return f"{1940 + year % 87:04d}{value[4:8]}{day:02d}" if day else value


def existing_records(case) -> None:
    """Point the generated request at the test registry's records (see KNOWN)."""
    for name in ("member_id", "meeting_id", "code"):
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = _known(name, case.path_parameters[name])
    if isinstance(case.query, dict) and "org" in case.query:
        case.query["org"] = _known("code", case.query["org"])
    if isinstance(case.body, dict):
        for field in ("organization", "to_org"):
            if field in case.body:
                case.body[field] = _known("code", case.body[field])
        for field in DATE_FIELDS:
            if field in case.body:
                case.body[field] = _plausible_date(case.body[field])
        if isinstance(case.body.get("attendance"), list):
            for row in case.body["attendance"]:
                if isinstance(row, dict) and "member_id" in row:
                    row["member_id"] = _known("member_id", row["member_id"])


@pytest.fixture
def _keep_test_connection():
    """The WSGI app closes the database connection after each request when it is inside a
    transaction (the test's); Django's own test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token_headers(tree, _keep_test_connection) -> dict[str, str]:
    """A writing token of the administrator of the whole test tree."""
    import datetime as dt

    from dangvu.meetings.services import record_meeting

    meeting = record_meeting(None, tree.orgs["C1A"], held_on=dt.date(2026, 5, 12), starts_at=dt.time(19, 30),
                             ends_at=dt.time(21))
    KNOWN["member_id"][:] = sorted(m.pk for m in tree.members.values())
    KNOWN["meeting_id"][:] = [meeting.pk]
    KNOWN["code"][:] = sorted(tree.orgs)
    _, key = issue_api_token(tree.users["admin"], write=True)
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, token_headers):
    existing_records(case)
    case.call_and_validate(headers=token_headers, checks=CHECKS)
