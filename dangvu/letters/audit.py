"""Every letter write lands in the audit log; its contents are left out of the recorded changes
(they stay readable only on the letter's own page, where each read is logged)."""

from auditlog.registry import auditlog

from . import models as m

auditlog.register(m.Letter, exclude_fields=["sender_name", "sender_address", "subject", "content", "outcome"])
