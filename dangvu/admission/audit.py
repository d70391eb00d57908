"""Every admission model's writes land in the audit log with before → after values."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.Prospect, m.AdmissionQuota):
    auditlog.register(model, exclude_fields=["name_folded", "updated_at"])
