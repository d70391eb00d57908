"""Why a use case was refused: one code per kind of refusal, shared by every app.

Pure Python so that ``core`` rules, services, forms and the API speak of refusals the same way.
Codes are stable identifiers (tests, the API and forms rely on them); the Vietnamese message that
goes with a refusal is written where it is raised and may change.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    # who may act
    FORBIDDEN = "forbidden"  # the actor has no right to do this here
    NOT_FOUND = "not_found"  # the object is not there (or not in the actor's scope)
    # the value given
    REQUIRED = "required"  # a value that must be given is missing
    INVALID = "invalid"  # malformed, or not one of the allowed choices
    OUT_OF_RANGE = "out_of_range"  # a number or a year outside its bounds
    TOO_LONG = "too_long"  # text longer than its field
    FUTURE_DATE = "future_date"  # a date that has not come yet where only the past makes sense
    DATE_ORDER = "date_order"  # an end before its start, an event before the one it follows
    DUPLICATE = "duplicate"  # the same thing recorded already
    UNIT_MISMATCH = "unit_mismatch"  # a measure whose unit differs from the target's
    # the state of what is changed
    STATE = "state"  # not possible in the object's present state (draft only, already decided…)
    TRANSITION = "transition"  # a member's status change the lifecycle rules refuse
    INACTIVE_MEMBER = "inactive_member"  # the member is not an active party member
    ORG_KIND = "org_kind"  # the organization is not of a kind this may be done for
    OUT_OF_SUBTREE = "out_of_subtree"  # the object lies outside the organization it must belong to
    INCOMPLETE = "incomplete"  # a step that must come first is missing
    CONFLICT = "conflict"  # clashes with other recorded data
    STALE = "stale"  # someone else changed the record since it was read
    # the Party's rules
    RULE = "rule"  # a rule of the Charter or its regulations refuses it
    # files
    FILE = "file"  # unreadable or of an unsupported kind
    FILE_TOO_LARGE = "file_too_large"
    RATE_LIMITED = "rate_limited"  # too many of these requests by one user in the time window
