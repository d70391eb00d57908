"""Every commendation and badge write lands in the audit log with before → after values."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.Commendation, m.BadgeAward, m.ExemplaryReview, m.ExemplaryMember):
    auditlog.register(model)
