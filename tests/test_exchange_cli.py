"""`dangvu exchange` between two instances, each a subprocess on its own DANGVU_HOME (issue 18.3):
a commune exported from A, imported from the command line into B, gives the same
indicators; importing again changes nothing; a tampered file is refused with exit status 1.
B is the province's instance: it has the province T, so the commune lands under it as in A (a
commune imported into an empty instance becomes a root; tests/test_exchange.py covers that)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026

BUILD = """
import datetime as dt, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from dangvu.registry import services as s
from dangvu.meetings import services as ms
from dangvu.fees import services as fs
p = s.create_organization(None, None, code="T", name="Đảng bộ tỉnh Thử", kind="province")
c = s.create_organization(None, p, code="XA", name="Đảng bộ xã An Hòa", kind="grassroots_committee")
cells = [s.create_organization(None, c, code=code, name=name, kind="cell", sector="residential")
         for code, name in (("XA-A", "Chi bộ thôn Đông"), ("XA-B", "Chi bộ thôn Tây"))]
people = [("Nguyễn Văn An", "male"), ("Trần Thị Bình", "female"), ("Lê Văn Cường", "male"), ("Phạm Thị Dung", "female")]
for i, (name, gender) in enumerate(people):
    m = s.register_member(None, cells[i % 2], {"full_name": name, "birth_date": dt.date(1970 + i, 3, 2), "gender": gender,
        "admitted_on": dt.date(2000 + i, 5, 19), "full_on": dt.date(2001 + i, 5, 19)})
    fs.set_basis(None, m, category="salaried", base=6_000_000 + 500_000 * i, starts_on=dt.date(2026, 1, 1))
s.admit_member(None, cells[0], {"full_name": "Võ Thị Em", "birth_date": dt.date(1999, 1, 1), "gender": "female"},
               admitted_on=dt.date(2026, 2, 3))
for cell in cells:
    for month in (1, 2, 3):
        ms.record_month_meeting(None, cell, held_on=dt.date(2026, month, 10), starts_at=dt.time(8), ends_at=dt.time(10))
        fs.record_book(None, cell, dt.date(2026, month, 1), all_paid=True)
"""

PROVINCE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from dangvu.registry import services as s
s.create_organization(None, None, code="T", name="Đảng bộ tỉnh Thử", kind="province")
"""


def _env(base: Path, name: str) -> dict[str, str]:
    home = base / name
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANGVU_", "PYTEST", "DATABASE_URL"))}
    return env | {"DANGVU_HOME": str(home), "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "dangvu.settings",
                  "DANGVU_SECRET_KEY": "exchange-test-" + "k" * 40}


def _run(env: dict[str, str], *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "dangvu", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="two embedded instances (SQLite files)")
def test_commune_round_trip_between_two_instances(tmp_path):
    a, b = _env(tmp_path, "a"), _env(tmp_path, "b")
    _ok(_run(a, code=BUILD))
    package = tmp_path / "xa.zip"
    _ok(_run(a, "exchange", "export", "--org", "XA", "--out", str(package)))
    with zipfile.ZipFile(package) as z:
        assert sorted(z.namelist()) == ["README.txt", "data.json", "manifest.json", "schema.json", "signature"]
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["organization"] == {"code": "XA", "name": "Đảng bộ xã An Hòa", "parent_code": "T"}
    assert manifest["counts"]["members"] == 5

    _ok(_run(b, code=PROVINCE))
    refused = _run(b, "exchange", "import", str(package))
    assert refused.returncode == 1 and "chưa được tin cậy" in refused.stderr
    key = _ok(_run(a, "exchange", "key")).strip()
    _ok(_run(b, "exchange", "trust", key, "--label", "Xã An Hòa"))

    preview = json.loads(_ok(_run(b, "exchange", "import", str(package), "--dry-run", "--json")))
    assert preview["created"] > 0 and preview["sections"]["members"]["created"] == 5
    assert json.loads(_ok(_run(b, "stats", "--json")))["members"]["full"] == 0  # the dry run wrote nothing

    first = json.loads(_ok(_run(b, "exchange", "import", str(package), "--json")))
    assert first["created"] == preview["created"]
    assert first["sections"]["organizations"]["created"] == 3  # the commune and its two cells, under T
    want = json.loads(_ok(_run(a, "indicators", "--org", "XA", "--year", str(YEAR), "--json")))
    got = json.loads(_ok(_run(b, "indicators", "--org", "XA", "--year", str(YEAR), "--json")))
    assert got == want
    assert got["members.count"]["value"] == 5 if "members.count" in got else True

    again = json.loads(_ok(_run(b, "exchange", "import", str(package), "--json")))
    assert (again["created"], again["updated"], again["already_imported"]) == (0, 0, True)

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            raw = src.read(name)
            dst.writestr(name, raw.replace("Nguyễn Văn An".encode(), "Nguyễn Văn Ân".encode())
                         if name == "data.json" else raw)
    done = _run(b, "exchange", "import", str(broken))
    assert done.returncode == 1 and "SHA-256" in done.stderr
