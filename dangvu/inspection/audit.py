"""Every programme, inspection, recommendation and finding write lands in the audit log."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.Programme, m.Inspection, m.Recommendation, m.InspectionFinding):
    auditlog.register(model)
