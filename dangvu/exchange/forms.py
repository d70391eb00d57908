from __future__ import annotations

from typing import Any

from django.forms import Form

from dangvu.common.uploads import LimitedFileField


class UploadForm(Form):
    file = LimitedFileField(
        label="Gói dữ liệu (.zip)", limit="DANGVU_MAX_UPLOAD_BYTES",
        help_text="Tệp do cấp dưới xuất bằng «dangvu exchange export»; được kiểm tra chữ ký và mã kiểm tra.",
        error_messages={"required": "Hãy chọn tệp gói dữ liệu (.zip) để tải lên."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".zip,application/zip"
