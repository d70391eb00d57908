"""Build and verify an exchange package: a ZIP of JSON (manifest, data, schema), the data's
SHA-256 in the manifest, and an Ed25519 signature over the manifest's bytes.

No Django here: the caller gives the records, the key and the trusted keys. Every refusal is a
:class:`PackageError` with a plain Vietnamese message.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .keys import fingerprint, public_from_text, public_text

FORMAT = "dangvu-exchange"
VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schema.json")
MEMBERS = ("manifest.json", "data.json", "schema.json", "signature", "README.txt")
MAX_DATA_BYTES = 512 * 1024 * 1024  # a province's worth of rows; refuses a ZIP bomb before reading it

README = """Gói trao đổi dữ liệu Đảng vụ (dangvu-exchange), phiên bản {version}.

Tổ chức: {name} (mã {code}); kỳ: {period}; lập lúc {made_at}.
- manifest.json: thông tin gói, khóa công khai của đơn vị gửi, SHA-256 của data.json.
- data.json: các dòng dữ liệu theo từng mục (tổ chức, đảng viên, sinh hoạt, đánh giá, kết nạp,
  đảng phí, kế hoạch).
- schema.json: lược đồ JSON Schema (draft 2020-12) của gói, cũng công bố tại
  /api/v1/exchange-schema.json.
- signature: chữ ký Ed25519 (base64) trên các byte của manifest.json.
Nhập: dangvu exchange import TỆP (hoặc trang «Nhập gói dữ liệu» của văn phòng cấp ủy).
"""


class PackageError(ValueError):
    """The file is not a package this instance accepts; ``kind`` names why (for tests and codes)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _dumps(obj: Any) -> bytes:
    # Sorted keys and no spaces: the same records always give the same bytes (and checksum).
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Package:
    manifest: dict[str, Any]
    data: dict[str, list[dict[str, Any]]]
    sha256: str  # of the whole file: the same file imported twice is recognised by it

    @property
    def org_code(self) -> str:
        return self.manifest["organization"]["code"]

    @property
    def sender(self) -> str:
        return self.manifest["sender"]["fingerprint"]

    @property
    def period(self) -> str:
        p = self.manifest["period"]
        return "" if p is None else str(p)


def build(*, organization: dict[str, Any], period: int | None, made_at: str,
          data: dict[str, list[dict[str, Any]]], key: Ed25519PrivateKey) -> bytes:
    """The package's bytes: the manifest names the data's checksum and is signed with ``key``."""
    data_bytes = _dumps(data)
    pub = public_text(key)
    manifest = {
        "format": FORMAT, "version": VERSION, "organization": organization, "period": period,
        "made_at": made_at, "sender": {"public_key": pub, "fingerprint": fingerprint(pub)},
        "files": {"data.json": {"sha256": hashlib.sha256(data_bytes).hexdigest(), "bytes": len(data_bytes)}},
        "counts": {name: len(rows) for name, rows in data.items()},
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", manifest_bytes)
        z.writestr("data.json", data_bytes)
        z.writestr("schema.json", SCHEMA_PATH.read_bytes())
        z.writestr("signature", base64.b64encode(key.sign(manifest_bytes)))
        z.writestr("README.txt", README.format(version=VERSION, name=organization["name"],
                                               code=organization["code"], made_at=made_at,
                                               period=period or "mọi năm"))
    return out.getvalue()


def _read(z: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = z.getinfo(name)
    except KeyError:
        raise PackageError(f"Gói dữ liệu thiếu tệp {name}.", "file") from None
    if info.file_size > MAX_DATA_BYTES:
        raise PackageError(f"Tệp {name} trong gói quá lớn.", "file")
    try:
        return z.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        # A damaged archive (wrong CRC, cut short, an unknown compression, an encrypted member).
        raise PackageError(f"Tệp {name} trong gói bị hỏng, không đọc được.", "file") from None


def _json(raw: bytes, name: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageError(f"Tệp {name} trong gói không phải JSON hợp lệ.", "file") from None


def verify(content: bytes, trusted: set[str]) -> Package:
    """Check a package in full before anything is written: readable, right version, signed by a
    trusted key, the data's checksum, the schema. ``trusted`` holds base64 public keys."""
    try:
        z = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PackageError("Tệp không phải gói dữ liệu Đảng vụ (không đọc được tệp ZIP).", "file") from None
    with z:
        manifest_bytes = _read(z, "manifest.json")
        manifest = _json(manifest_bytes, "manifest.json")
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PackageError("Tệp không phải gói dữ liệu Đảng vụ.", "file")
        if manifest.get("version") != VERSION:
            raise PackageError(f"Gói dữ liệu phiên bản {manifest.get('version')}; máy này chỉ nhập được "
                               f"phiên bản {VERSION}. Hãy cập nhật Đảng vụ ở nơi gửi hoặc nơi nhận.", "version")
        sender = manifest.get("sender") if isinstance(manifest.get("sender"), dict) else {}
        pub = str(sender.get("public_key", ""))
        if pub not in trusted:
            raise PackageError("Gói dữ liệu được ký bằng một khóa chưa được tin cậy trên máy này. Hãy thêm "
                               "khóa công khai của đơn vị gửi (dangvu exchange trust) rồi nhập lại.", "untrusted")
        try:
            public_from_text(pub).verify(base64.b64decode(_read(z, "signature"), validate=True), manifest_bytes)
        except (InvalidSignature, ValueError):
            raise PackageError("Chữ ký của gói dữ liệu không đúng: gói đã bị sửa sau khi ký.", "signature") from None
        data_bytes = _read(z, "data.json")
        expected = ((manifest.get("files") or {}).get("data.json") or {}).get("sha256")
        if hashlib.sha256(data_bytes).hexdigest() != expected:
            raise PackageError("Mã kiểm tra (SHA-256) của dữ liệu không khớp: tệp bị hỏng hoặc bị sửa.", "checksum")
        data = _json(data_bytes, "data.json")
    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors({"manifest": manifest, "data": data}),
                    key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "gốc"
        raise PackageError(f"Gói dữ liệu không đúng lược đồ dangvu-exchange (sai ở {where}); hãy xuất lại "
                           "gói bằng Đảng vụ.", "schema")
    return Package(manifest=manifest, data=data, sha256=hashlib.sha256(content).hexdigest())
