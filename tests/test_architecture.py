"""The design is enforced (issue 11): import contracts, module and function size, error codes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_shape", ROOT / "scripts" / "check_shape.py")
check_shape = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_shape)


def test_the_code_has_its_shape():
    assert check_shape.check([ROOT / "dangvu"]) == []


def test_the_shape_check_finds_what_is_out_of_shape(tmp_path):
    app = tmp_path / "dangvu" / "probe"
    app.mkdir(parents=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (app / "services.py").write_text(
        "from dangvu.common import ServiceError\n"
        "from dangvu.registry.services import _private_helper\n\n\n"
        f"def long_one():\n{body}\n\n\n"
        "def refuse():\n    raise ServiceError('Không được.')\n\n\n"
        "def rename(org, name):\n    org.name = name\n    org.save()\n"
        + "\n" * 600
    )
    problems = check_shape.check([app])
    text = "\n".join(problems)
    assert "function long_one is 62 lines" in text
    assert "ServiceError raised without a code" in text
    assert "imports private _private_helper from dangvu.registry.services" in text
    assert "lines (max 600)" in text
    assert "service rename writes outside one transaction" in text
    (app / "views.py").write_text("def page(request, Member):\n    return Member.objects.filter(pk=1)\n\n\n"
                                  "def empty(Member):\n    return Member.objects.none(), {}.values()\n")
    problems = check_shape.check([app / "views.py"])
    assert problems == ["dangvu/probe/views.py:2: a query outside the selectors (Member.objects.filter(pk=1))"]


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.fail("import-linter is not installed (requirements-test.txt)")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "0 broken" in done.stdout
