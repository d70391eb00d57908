"""Every export, import, trusted key and staged upload lands in the audit log; the domain rows an
import writes are logged by their own apps' registrations."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.ExchangeExport, m.ExchangeImport, m.TrustedKey, m.ExchangeUpload):
    auditlog.register(model, exclude_fields=["content"])
