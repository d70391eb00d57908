"""Drafts of the congress documents (numbered versions) and the comments on them, with how each
comment was answered. One transaction per function; refusals are :class:`ServiceError`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangvu.common import Code, ServiceError, ensure_can_edit
from dangvu.core.text import nfc
from dangvu.registry.models import Organization

from ..models import CommentState, Congress, Draft, DraftComment, DraftKind


@transaction.atomic
def add_draft(by, congress: Congress, *, kind: str, issued_on: dt.date, summary: str = "",
              file_name: str = "", content: bytes | None = None) -> Draft:
    """The next numbered version (lần 1, 2, 3…) of a congress document."""
    ensure_can_edit(by, congress.organization)
    if kind not in DraftKind.values:
        raise ServiceError("Loại văn kiện không hợp lệ.", Code.INVALID, field="kind")
    previous = Draft.objects.filter(congress=congress, kind=kind).order_by("-version").first()
    if previous and issued_on < previous.issued_on:
        raise ServiceError(f"Dự thảo lần {previous.version + 1} không thể trước dự thảo lần {previous.version} "
                           f"({previous.issued_on:%d/%m/%Y}).", Code.DATE_ORDER, field="issued_on")
    return Draft.objects.create(congress=congress, kind=kind, version=(previous.version + 1) if previous else 1,
                                issued_on=issued_on, summary=summary, file_name=file_name, content=content)


@transaction.atomic
def add_comment(by, draft: Draft, *, received_on: dt.date, text: str, source_org: Organization | None = None,
                source_name: str = "") -> DraftComment:
    ensure_can_edit(by, draft.congress.organization)
    if not nfc(text):
        raise ServiceError("Nội dung góp ý không được để trống.", Code.REQUIRED, field="text")
    if not source_org and not nfc(source_name):
        raise ServiceError("Ghi tổ chức hoặc hội nghị góp ý.", Code.REQUIRED)
    if received_on < draft.issued_on:
        raise ServiceError(f"Ngày nhận góp ý không thể trước ngày phát hành dự thảo ({draft.issued_on:%d/%m/%Y}).",
                           Code.DATE_ORDER, field="received_on")
    return DraftComment.objects.create(draft=draft, received_on=received_on, text=nfc(text), source_org=source_org,
                                       source_name=nfc(source_name))


@transaction.atomic
def answer_comment(by, comment: DraftComment, *, state: str, response: str = "") -> DraftComment:
    ensure_can_edit(by, comment.draft.congress.organization)
    if state not in CommentState.values:
        raise ServiceError("Cách xử lý không hợp lệ.", Code.INVALID, field="state")
    if state == CommentState.EXPLAINED and not nfc(response):
        raise ServiceError("Giải trình thì phải ghi nội dung giải trình.", Code.REQUIRED, field="response")
    comment.state, comment.response = state, nfc(response)
    comment.save()
    return comment
