"""Every congress model's writes land in the audit log with before → after values."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.TimelineTemplate, m.Phase, m.MilestoneTemplate, m.Milestone, m.Congress,
              m.DelegateApportionment, m.ApportionmentLine, m.Draft, m.DraftComment, m.Election,
              m.BaseAdjustment, m.Candidate, m.CountingTeam, m.Ballot, m.Tally):
    auditlog.register(model, exclude_fields=["evidence_content", "content"])
