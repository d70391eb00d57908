"""Upload fields with a size limit stated on the form and checked before the content is read (issue 12).

A limit is the name of a setting (``DANGVU_MAX_*``), read when the form is shown or checked, so the
help text and the check always agree with the configuration. The check uses ``UploadedFile.size``
(the bytes Django received), never the content: a refused file is not opened at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.functional import lazy
from django.utils.text import format_lazy

from dangvu.core.errors import Code


def limit_bytes(setting: str) -> int:
    """The limit in bytes named by a ``DANGVU_MAX_*`` setting."""
    return int(getattr(settings, setting))


def megabytes(size: int) -> str:
    """A size as Vietnamese writes it: «20 MB», «2,5 MB», «49 KB» (under 1 MB)."""
    mb = size / 1024 / 1024
    if mb < 1:
        return f"{max(1, round(size / 1024))} KB"
    return (f"{mb:.0f}" if mb >= 10 or mb.is_integer() else f"{mb:.1f}").replace(".", ",") + " MB"


def limit_text(setting: str) -> str:
    return f"Tối đa {megabytes(limit_bytes(setting))}."


def too_large(size: int, limit: int, what: str = "Tệp") -> str:
    return (f"{what} quá lớn ({megabytes(size)}); tối đa {megabytes(limit)}. "
            "Hãy giảm dung lượng hoặc tách thành nhiều tệp.")


def check_size(upload: Any, setting: str, what: str = "Tệp") -> None:
    """ValidationError (``file_too_large``) when the upload is over the limit; reads nothing."""
    limit = limit_bytes(setting)
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise forms.ValidationError(too_large(size, limit, what), code=Code.FILE_TOO_LARGE)


_lazy_limit_text = lazy(limit_text, str)


class LimitedFileField(forms.FileField):
    """A file field whose help text says its limit («Tối đa 5 MB.») and whose clean refuses a larger
    file before any form or service reads it. Django's own messages are given in Vietnamese."""

    default_error_messages = {
        "invalid": "Không nhận được tệp; hãy chọn lại.",
        "missing": "Không nhận được tệp; hãy chọn lại.",
        "empty": "Tệp rỗng (0 byte).",
        "max_length": "Tên tệp quá dài (tối đa %(max)d ký tự, tệp này %(length)d).",
        "contradiction": "Hãy chọn tệp hoặc bỏ chọn ô xóa, không cả hai.",
        "required": "Hãy chọn tệp để tải lên.",
    }

    def __init__(self, *args: Any, limit: str, what: str = "Tệp", help_text: str = "", **kwargs: Any) -> None:
        self.limit_setting, self.what = limit, what
        kwargs.setdefault("max_length", 255)
        shown = _lazy_limit_text(limit)
        super().__init__(*args, help_text=format_lazy("{} {}", help_text, shown) if help_text else shown, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        check_size(data, self.limit_setting, self.what)  # before FileField's own checks touch it
        return super().clean(data, initial)


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for files over FILE_UPLOAD_MAX_MEMORY_SIZE, keeping at most one byte more than
    the largest upload limit on disk: a 5 GB post no longer fills the temporary folder before the form
    refuses it. The file's ``size`` stays the size received, so every limit check still sees it."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.cap = max(limit_bytes(name) for name in UPLOAD_LIMITS) + 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start < self.cap:
            self.file.write(raw_data[: self.cap - start])


UPLOAD_LIMITS = ("DANGVU_MAX_UPLOAD_BYTES", "DANGVU_MAX_ATTACHMENT_BYTES", "DANGVU_MAX_DATA_FILE_BYTES")
