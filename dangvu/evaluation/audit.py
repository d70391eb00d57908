"""Every evaluation model's writes land in the audit log with before → after values."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.EvaluationRound, m.Evaluation):
    auditlog.register(model)
