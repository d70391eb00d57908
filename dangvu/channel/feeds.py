"""The .ics text of a calendar feed (RFC 5545, written by the ``icalendar`` library)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from dangvu.core.rulesets import ruleset_for

from .selectors import FeedEvent


def calendar_bytes(name: str, events: list[FeedEvent]) -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//Dang vu//Lich hop chi bo//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = dt.datetime.now(tz)
    for e in events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("summary", e.summary)
        if e.starts_at is None:
            event.add("dtstart", e.day)
        else:
            start = dt.datetime.combine(e.day, e.starts_at, tzinfo=tz)
            end = (dt.datetime.combine(e.day, e.ends_at, tzinfo=tz) if e.ends_at
                   # an invitation gives only the start: the rule's shortest meeting (Chỉ thị 50-CT/TW)
                   else start + dt.timedelta(minutes=ruleset_for(e.day)["meeting.min_minutes"]))
            event.add("dtstart", start)
            event.add("dtend", end)
        if e.place:
            event.add("location", e.place)
        if e.description:
            event.add("description", e.description)
        cal.add_component(event)
    return cal.to_ical()
