"""Every registry model's writes land in the audit log with before → after values."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.Organization, m.WorkingRules, m.Member, m.StatusChange, m.Transfer, m.Discipline,
              m.Post, m.Locality, m.Training, m.Assignment, m.Commitment, m.ResidenceLink, m.ImportBatch,
              m.SpecialStatus):
    auditlog.register(model, exclude_fields=["name_folded", "updated_at", "content"])
