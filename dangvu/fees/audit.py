"""Every fees write lands in the audit log with before → after values (a payment or a correction
is personal financial data; the issue asks every payment and correction audited)."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.FeeBasis, m.FeeBook, m.FeePayment, m.FeeShare, m.FeeRemittance):
    auditlog.register(model)
