"""The backup file: one ``.tar.gz`` with the database, ``media/…`` and ``manifest.json`` (last).

Reading checks everything before the caller writes anything: a readable gzip and tar stream to its
very end (the gzip CRC included), only expected member names, a manifest of the known format, and
the SHA-256 of every member against it. Members are unpacked into a scratch folder the caller
chooses and removes; nothing is put in place here.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

MANIFEST = "manifest.json"
FORMAT = "dangvu-backup"
FORMAT_VERSION = 1
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA = "media"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The file is not a usable backup; the message says why in plain Vietnamese."""


class _HashingReader:
    """Feeds what tarfile reads from a file into a SHA-256."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.sha = raw, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        return data


def media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """``(member name, path)`` of every regular file under MEDIA_ROOT (links are not followed)."""
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield f"{MEDIA}/{path.relative_to(media_root).as_posix()}", path


def _add(tar: tarfile.TarFile, name: str, path: Path) -> str:
    with path.open("rb") as f:
        info = tar.gettarinfo(fileobj=f, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return reader.sha.hexdigest()


def write_archive(out: Path, db_member: str, db_file: Path, media_root: Path, manifest: dict[str, Any]) -> int:
    """Write the backup to ``out`` (through a temporary name, so a failed run leaves no half file)
    and return how many uploaded files it holds. ``manifest["files"]`` gets every member's hash."""
    partial = out.with_name(f".{out.name}.partial")
    files: dict[str, str] = {}
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
            files[db_member] = _add(tar, db_member, db_file)
            for name, path in media_files(media_root):
                files[name] = _add(tar, name, path)
            manifest["files"] = files
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return len(files) - 1


@dataclass
class Unpacked:
    """What a verified backup holds, unpacked under ``folder``."""

    manifest: dict[str, Any]
    folder: Path
    database: Path
    media: list[str] = field(default_factory=list)

    @property
    def engine(self) -> str:
        return self.manifest["engine"]


def _member_path(name: str) -> PurePosixPath:
    """Only the manifest, one database and files under media/ with plain relative names."""
    path = PurePosixPath(name)
    plain = not path.is_absolute() and all(p not in ("", ".", "..") for p in path.parts)
    if name in (MANIFEST, *DB_MEMBERS.values()) or (plain and len(path.parts) > 1 and path.parts[0] == MEDIA):
        return path
    raise ArchiveError(f"Tệp sao lưu chứa phần lạ «{name}»: không phải bản sao lưu của Đảng vụ.")


def _unpack_member(tar: tarfile.TarFile, info: tarfile.TarInfo, folder: Path) -> tuple[str, bytes | None]:
    """Copy one member to ``folder``, returning its SHA-256 (and the bytes of the manifest)."""
    if not info.isfile():
        raise ArchiveError(f"Tệp sao lưu chứa phần lạ «{info.name}»: không phải bản sao lưu của Đảng vụ.")
    source = tar.extractfile(info)
    if info.name == MANIFEST:
        if info.size > MAX_MANIFEST_BYTES:
            raise ArchiveError("Bảng kê manifest.json lớn bất thường: không phải bản sao lưu của Đảng vụ.")
        data = source.read()
        return hashlib.sha256(data).hexdigest(), data
    target = folder / _member_path(info.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest(), None


def _read_all(path: Path, folder: Path) -> tuple[dict[str, str], bytes | None]:
    """Every member's hash (and the manifest's bytes); the gzip stream is read to its end."""
    hashes: dict[str, str] = {}
    manifest = None
    with gzip.open(path, "rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
        for info in tar:
            _member_path(info.name)
            if info.name in hashes:
                raise ArchiveError(f"Tệp sao lưu chứa hai lần phần «{info.name}»: không dùng được.")
            hashes[info.name], data = _unpack_member(tar, info, folder)
            manifest = data if data is not None else manifest
        while gz.read(_CHUNK):  # the rest, so that gzip checks its CRC and length
            pass
    return hashes, manifest


def read_archive(path: Path, folder: Path) -> Unpacked:
    """Unpack and verify the backup at ``path`` into ``folder``; ArchiveError if anything is off."""
    if not path.is_file():
        raise ArchiveError(f"Không có tệp sao lưu «{path}».")
    try:
        hashes, raw = _read_all(path, folder)
    except gzip.BadGzipFile as exc:
        if "CRC" in str(exc) or "length" in str(exc):
            raise ArchiveError(f"Tệp sao lưu «{path.name}» bị hỏng (mã kiểm tra của tệp nén không khớp). "
                               "Không có gì được ghi.") from exc
        raise ArchiveError(f"«{path.name}» không phải tệp sao lưu của Đảng vụ (không phải tệp .tar.gz). "
                           "Không có gì được ghi.") from exc
    except (tarfile.TarError, EOFError, zlib.error, UnicodeError) as exc:
        raise ArchiveError(f"Tệp sao lưu «{path.name}» bị hỏng hoặc không đầy đủ (bị cắt cụt, sai byte). "
                           "Không có gì được ghi.") from exc
    except OSError as exc:  # reading the file or writing the scratch copy (a full disk)
        raise ArchiveError(f"Không đọc hết được tệp sao lưu «{path.name}»: {exc.strerror or exc}. "
                           "Không có gì được ghi.") from exc
    if raw is None:
        raise ArchiveError(f"Tệp «{path.name}» không có bảng kê manifest.json: không phải bản sao lưu của Đảng vụ "
                           "hoặc đã bị cắt mất phần cuối. Không có gì được ghi.")
    manifest = check_manifest(raw)
    _check_hashes(manifest, hashes)
    db = DB_MEMBERS[manifest["engine"]]
    return Unpacked(manifest, folder, folder / db, sorted(n for n in hashes if n.startswith(f"{MEDIA}/")))


def _check_hashes(manifest: dict[str, Any], hashes: dict[str, str]) -> None:
    listed = manifest["files"]
    hashes = {k: v for k, v in hashes.items() if k != MANIFEST}
    for name in sorted(set(listed) | set(hashes)):
        if name not in hashes:
            raise ArchiveError(f"Tệp sao lưu thiếu phần «{name}» mà bảng kê ghi. Không có gì được ghi.")
        if name not in listed:
            raise ArchiveError(f"Tệp sao lưu có phần «{name}» không có trong bảng kê. Không có gì được ghi.")
        if hashes[name] != listed[name]:
            raise ArchiveError(f"Phần «{name}» của tệp sao lưu bị hỏng (mã kiểm tra SHA-256 không khớp). "
                               "Không có gì được ghi.")
    if DB_MEMBERS[manifest["engine"]] not in hashes:
        raise ArchiveError("Tệp sao lưu không có cơ sở dữ liệu. Không có gì được ghi.")


def _bad_manifest(why: str) -> ArchiveError:
    return ArchiveError(f"Bảng kê manifest.json không hợp lệ ({why}): không phải bản sao lưu của Đảng vụ "
                        "hoặc đã bị sửa. Không có gì được ghi.")


def check_manifest(raw: bytes) -> dict[str, Any]:
    """The manifest, if it has the shape this version writes."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _bad_manifest("không đọc được JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad_manifest("thiếu dấu hiệu định dạng")
    if data.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(f"Bản sao lưu theo định dạng số {data.get('format_version')!r}; phiên bản Đảng vụ này "
                           f"chỉ đọc định dạng số {FORMAT_VERSION}. Không có gì được ghi.")
    if data.get("engine") not in DB_MEMBERS:
        raise _bad_manifest("loại cơ sở dữ liệu lạ")
    for key in ("dangvu_version", "created_at"):
        if not isinstance(data.get(key), str):
            raise _bad_manifest(f"thiếu {key}")
    if not _str_map(data.get("migrations")):
        raise _bad_manifest("thiếu trạng thái migration")
    files = data.get("files")
    if not _str_map(files) or not all(_SHA256.match(v) for v in files.values()):
        raise _bad_manifest("danh sách tệp sai")
    tables = data.get("tables")
    if not isinstance(tables, dict) or not tables or not all(_table_ok(v) for v in tables.values()):
        raise _bad_manifest("bảng kiểm tra các bảng dữ liệu sai")
    return data


def _str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _table_ok(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("rows"), int) and not isinstance(value["rows"], bool)
            and value["rows"] >= 0 and isinstance(value.get("sha256"), str) and bool(_SHA256.match(value["sha256"])))


def move_media(unpacked: Unpacked, media_root: Path) -> None:
    """Put the unpacked uploads in place (MEDIA_ROOT is empty or absent: the caller checked)."""
    source = unpacked.folder / MEDIA
    if not source.is_dir():
        return
    media_root.mkdir(parents=True, exist_ok=True)
    for child in source.iterdir():
        shutil.move(str(child), media_root / child.name)
