"""Members: the scoped list (minimal personal data) and one member's record."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router

from dangvu.accounts.audit import log_read
from dangvu.core.lifecycle import EVENT_LABELS
from dangvu.core.text import fold
from dangvu.registry import selectors
from dangvu.registry.models import Member

from .common import DB_INT_MAX, access, paginate
from .schemas import ErrorOut, MemberDetail, MemberFilters, MemberPage, ValidationErrorOut

router = Router(tags=["Đảng viên"])

NOT_FOUND = "Không tìm thấy đảng viên."


def member_item(m: Member) -> dict:
    return {
        "id": m.pk,
        "organization": m.organization.code,
        "organization_name": m.organization.name,
        "full_name": m.full_name,
        "birth_date": m.birth_date,
        "gender": m.gender,
        "ethnicity": m.ethnicity,
        "status": m.status,
        "admitted_on": m.admitted_on,
        "full_on": m.full_on,
        "is_student": m.is_student,
        "resident": m.resident,
    }


@router.get(
    "/",
    response={200: MemberPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Danh sách đảng viên trong phạm vi được xem",
)
def list_members(request: HttpRequest, filters: Query[MemberFilters]):
    acc = access(request)
    page, page_size, q, org, status = (filters.page, filters.page_size, filters.q, filters.org,
                                       filters.status)
    needle = fold(q) if q else ""
    qs = selectors.search_members(acc, scope=acc.get_org(org) if org else None, words=[needle] if needle else [],
                                  statuses=(status.value,) if status else None)
    total, rows = paginate(qs, page, page_size)
    return {"count": total, "page": page, "page_size": page_size, "results": [member_item(m) for m in rows]}


@router.get(
    "/{member_id}",
    response={200: MemberDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Hồ sơ một đảng viên",
)
def get_member(request: HttpRequest, member_id: int):
    if not 1 <= member_id <= DB_INT_MAX:
        raise Http404(NOT_FOUND)
    m = access(request).get_member(member_id)  # absent and out of scope look the same: 404
    log_read(request.user, m, "member_record", via="api")
    return member_detail(request, m)


def history_item(h) -> dict:
    return {
        "event": h.event,
        "event_label": EVENT_LABELS.get(h.event, h.event),
        "on": h.on,
        "from_status": h.from_status,
        "to_status": h.to_status,
        "from_org": h.from_org.code if h.from_org else None,
        "to_org": h.to_org.code if h.to_org else None,
        "decision_number": h.decision_number,
        "note": h.note,
    }


def member_detail(request: HttpRequest, m: Member) -> dict:
    """One member's record as the API gives it (the read and the write endpoints answer the same)."""
    history = selectors.member_history(m)
    # Identity numbers and phones go only to a reader who may edit the member's organization.
    identity = request.user.has_perm("registry.export_identity", m.organization)
    return {
        **member_item(m),
        "status_label": m.get_status_display(),
        "religion": m.religion,
        "home_town": m.home_town,
        "residence": m.residence,
        "phone": m.phone if identity else None,
        "cccd": m.cccd if identity else None,
        "card_number": m.card_number,
        "political_theory": m.political_theory,
        "education": m.education,
        "qualification": m.qualification,
        "occupation": m.occupation,
        "commune_official": m.commune_official,
        "version": m.version,
        "history": [history_item(h) for h in history],
    }
