"""Every channel write lands in the audit log: notices, replies, read receipts, e-mail addresses
and calendar tokens are personal data (the token's digest only; the key is never stored)."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.Notice, m.NoticeRead, m.MeetingReply, m.StudyAck, m.FeedToken):
    auditlog.register(model)
auditlog.register(m.MemberContact, mask_fields=["email"])
auditlog.register(m.Outbox, exclude_fields=["body"], mask_fields=["to_email"])
