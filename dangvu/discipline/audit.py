"""Every discipline case and appeal write lands in the audit log with before → after values; every
read of a case page is logged by the views (``log_read``)."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.DisciplineCase, m.DisciplineAppeal):
    auditlog.register(model)
