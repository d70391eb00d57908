"""Reads of the exchange: a subtree's rows for a package, the trusted keys, the imports done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet

from dangvu.fees.models import FeePayment
from dangvu.meetings.models import MeetingScore
from dangvu.registry.models import Organization, subtree_q

from .models import ExchangeImport, ExchangeUpload, TrustedKey
from .sections import SECTIONS, Section, row_of


def _filters(org: Organization, year: int | None) -> dict[str, Q]:
    """Which rows of each section belong to ``org``'s subtree (and, for dated records, to ``year``).
    Registry rows and admissions are the subtree's present state; meetings, evaluations and the
    fee books are the year's."""
    sub = subtree_q(org)
    in_org = subtree_q(org, via="organization__")
    members = subtree_q(org, via="member__organization__")
    y = year is not None
    fee_months = (dt.date(year - 1, 12, 1), dt.date(year, 12, 1)) if y else None
    return {
        "organizations": sub,
        "members": in_org,
        "status_changes": members,
        "posts": in_org,
        "working_rules": in_org,
        "localities": in_org,
        "trainings": members,
        "assignments": members,
        "commitments": members,
        "meetings": in_org & (Q(held_on__year=year) if y else Q()),
        "attendances": subtree_q(org, via="meeting__organization__") & (Q(meeting__held_on__year=year) if y else Q()),
        "upper_attendees": subtree_q(org, via="meeting__organization__") & (
            Q(meeting__held_on__year=year) if y else Q()),
        "scoring_frameworks": Q(pk__in=MeetingScore.objects.filter(
            subtree_q(org, via="meeting__organization__")).values("framework")),
        "meeting_scores": subtree_q(org, via="meeting__organization__") & (
            Q(meeting__held_on__year=year) if y else Q()),
        "study_sessions": in_org & (Q(held_on__year=year) if y else Q()),
        "study_attendances": subtree_q(org, via="session__organization__") & (
            Q(session__held_on__year=year) if y else Q()),
        "evaluation_rounds": in_org & (Q(year=year) if y else Q()),
        "evaluations": subtree_q(org, via="round__organization__") & (Q(round__year=year) if y else Q()),
        "prospects": in_org,
        "admission_quotas": in_org,
        "fee_bases": members,
        # The fee year reaches back to the previous December (its remittance falls due in January)
        # and a payment for one of its months may sit in a later month's book (paid late): both
        # travel, so the year's shares come out the same on the other side.
        "fee_books": in_org & ((Q(month__range=fee_months) | Q(pk__in=FeePayment.objects.filter(
            month__range=fee_months).values("book"))) if y else Q()),
        "fee_payments": subtree_q(org, via="book__organization__") & (
            (Q(book__month__range=fee_months) | Q(month__range=fee_months)) if y else Q()),
        "fee_shares": in_org,
        "fee_remittances": subtree_q(org, via="sender__") & (Q(month__range=fee_months) if y else Q()),
        "badge_awards": members,
        "commendations": members | in_org,
        "plans": subtree_q(org, via="issuer__"),
        "targets": subtree_q(org, via="plan__issuer__"),
        "bindings": subtree_q(org, via="target__plan__issuer__"),
        "measurements": subtree_q(org, via="target__plan__issuer__"),
    }


def _rows(section: Section, where: Q) -> QuerySet:
    fields = section.fields()
    codes = {f"x_{f.name}_code": F(f"{f.name}__code") for f in fields
             if f.is_relation and f.related_model is Organization}
    only = [f.attname for f in fields]
    return section.model.objects.filter(where).annotate(**codes).only(*only).order_by("pk")


def export_data(org: Organization, year: int | None) -> dict[str, list[dict[str, Any]]]:
    """Every section's rows for ``org``'s subtree: what a package carries."""
    filters = _filters(org, year)
    data: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        fields = section.fields()
        qs = _rows(section, filters[section.name])
        if section.model is Organization:
            qs = qs.only(*[f.attname for f in fields], "path")
            orgs = list(qs)
            code_of = {o.path: o.code for o in orgs}
            parent = Organization.objects.get_parent(org)
            for o in orgs:
                o.x_parent_code = code_of.get(o.path[:-Organization.steplen]) or (
                    parent.code if parent and o.pk == org.pk else None)
            data[section.name] = [row_of(section, o, fields) for o in orgs]
        else:
            data[section.name] = [row_of(section, o, fields) for o in qs]
    return data


def trusted_keys() -> QuerySet[TrustedKey]:
    return TrustedKey.objects.order_by("label", "id")


def trusted_key_texts() -> set[str]:
    return set(TrustedKey.objects.values_list("public_key", flat=True))


def latest_import(sender: str, org_code: str, period: str) -> ExchangeImport | None:
    return (ExchangeImport.objects.filter(sender=sender, org_code=org_code, period=period)
            .order_by("-made_at", "-id").first())


def recent_imports(org: Organization, limit: int = 10) -> list[ExchangeImport]:
    """The latest imports of packages for organizations in ``org``'s subtree."""
    codes = Organization.objects.filter(subtree_q(org)).values("code")
    return list(ExchangeImport.objects.filter(org_code__in=codes).order_by("-imported_at", "-id")[:limit])


def upload(pk: int) -> ExchangeUpload | None:
    return ExchangeUpload.objects.select_related("scope", "applied").filter(pk=pk).first()
