"""Every meetings model's writes land in the audit log with before → after values."""

from auditlog.registry import auditlog

from . import models as m

for model in (m.Meeting, m.Attendance, m.UpperAttendee, m.ScoringFramework, m.MeetingScore, m.StudySession,
              m.StudyAttendance):
    auditlog.register(model)
