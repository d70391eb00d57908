"""Every framework load, committee entry and classification lands in the audit log."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.ClassificationFramework, m.CriterionEntry, m.CellClassification):
    auditlog.register(model)
