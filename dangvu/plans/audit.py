"""Every plans model's writes land in the audit log with before → after values."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.Plan, m.Reference, m.Target, m.Binding, m.Measurement, m.Task, m.TaskUpdate):
    auditlog.register(model, exclude_fields=["source_text", "evidence_content"])
