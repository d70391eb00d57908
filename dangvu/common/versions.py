"""No lost update: the one optimistic-concurrency check every edit service uses.

A record people edit in forms (:class:`dangvu.registry.models.Versioned`: member, organization,
locality, plan target and task, meeting, counting team) carries a ``version``. The edit page puts
the version it read in a hidden field; the service, inside its transaction, calls :func:`claim`:

- the row is locked (``SELECT … FOR UPDATE`` on PostgreSQL: a concurrent edit of the same row waits
  for the first to commit, then sees its version; on SQLite every write transaction starts with
  ``BEGIN IMMEDIATE``, so writers are serialized the same way);
- a version other than the one the form read is refused with :class:`StaleEdit`
  (``Code.STALE``, "Hồ sơ vừa được <người sửa> sửa lúc <HH:MM dd/mm/yyyy>; hãy xem lại."), carrying,
  for each field the person typed that differs from what is stored now, both values; nothing is
  written;
- otherwise the object takes the stored values (so a full ``save()`` never writes back anything
  read before the lock) and the next version, stamped with who and when.

The form side, in :mod:`dangvu.common.version_forms`: ``VersionedForm`` (the hidden field) and
``show_stale`` (the two values of each differing field beside each other, and the stored version in
the form so that saving again is a knowing choice). System jobs with no form (CLI, demo) pass
``read_version=None``: no check, the version still counts.

Only the edit services count versions; lifecycle events (status, transfer) write other fields with
``update_fields`` and leave the version alone, so they never refuse an open identity form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from dangvu.core.errors import Code

from .actors import acting_user
from .errors import ServiceError

VERSION_MAX_DIGITS = 9  # a version is a count of edits; more digits than this is not one we wrote

Change = tuple[str, Any, Any]
"""(field name, value stored now, value the person typed)."""


def editor_name(user: Any) -> str:
    if user is None:
        return "một người khác"
    return user.get_full_name() or user.get_username()


def stale_message(current: Any) -> str:
    """"Hồ sơ vừa được <người sửa> sửa lúc <HH:MM dd/mm/yyyy>; hãy xem lại." from the stored record."""
    if current.edited_at is None:
        return "Hồ sơ vừa được một người khác sửa sau khi bạn mở trang; hãy xem lại."
    when = timezone.localtime(current.edited_at).strftime("%H:%M %d/%m/%Y")
    return f"Hồ sơ vừa được {editor_name(current.edited_by)} sửa lúc {when}; hãy xem lại."


class StaleEdit(ServiceError):
    """A save over a newer version: refused, nothing written.

    ``version`` is the stored version (a form that shows this refusal carries it, so that saving
    again writes over it knowingly); ``changes`` lists each typed field that differs from what is
    stored now; ``labels`` names the changed values that are no form field of their own.
    """

    def __init__(self, current: Any, changes: list[Change], labels: Mapping[str, str] | None = None) -> None:
        super().__init__(stale_message(current), Code.STALE)
        self.version = current.version
        self.edited_by = current.edited_by
        self.edited_at = current.edited_at
        self.changes = changes
        self.labels = dict(labels or {})


def _same(stored: Any, typed: Any) -> bool:
    if isinstance(stored, models.Model) or isinstance(typed, models.Model):
        return getattr(stored, "pk", stored) == getattr(typed, "pk", typed)
    return (stored if stored is not None else "") == (typed if typed is not None else "")


def claim(obj: models.Model, read_version: int | None, by: Any, typed: Mapping[str, Any] | None = None, *,
          stored: Callable[[Any], Mapping[str, Any]] | None = None,
          labels: Mapping[str, str] | None = None) -> None:
    """Inside the caller's transaction: lock ``obj``'s row and refuse (:class:`StaleEdit`) unless
    its stored version is ``read_version``; then load the stored values into ``obj`` and stamp it
    with the next version, ``by`` and now. The caller sets its fields and saves.

    ``typed`` are the values the person typed, by field name; ``stored(current)`` gives the stored
    values under the same names (default: the attributes of those names).
    """
    model = type(obj)
    try:
        current = model._base_manager.select_for_update().get(pk=obj.pk)
    except model.DoesNotExist as exc:
        raise ServiceError("Hồ sơ này vừa bị xóa; không lưu được nữa.", Code.NOT_FOUND) from exc
    if read_version is not None and current.version != read_version:
        typed = dict(typed or {})
        now = stored(current) if stored else {k: getattr(current, k, None) for k in typed}
        changes = [(k, now.get(k), v) for k, v in typed.items() if not _same(now.get(k), v)]
        raise StaleEdit(current, changes, labels)
    for field in model._meta.concrete_fields:
        setattr(obj, field.attname, getattr(current, field.attname))
    obj.version = current.version + 1
    obj.edited_by = acting_user(by)
    obj.edited_at = timezone.now()


OLD_PAGE = "Trang sửa này đã cũ (thiếu số phiên bản của hồ sơ); hãy tải lại trang rồi sửa lại."


def read_version(raw: Any) -> int | None:
    """The version a page posted back, or None when it is missing or not one (a page from before
    versions, or a tampered one)."""
    text = str(raw if raw is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= VERSION_MAX_DIGITS:
        return int(text)
    return None
