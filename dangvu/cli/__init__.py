"""The ``dangvu`` command. Each ``cmd_*.py`` module here adds its sub-commands via ``register``.

Commands that only run pure ``core`` code (tally, apportion, plan parse, rules) never start
Django, so they work without a database; the others call :func:`setup_django` first.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class CommandError(Exception):
    """A user error: printed as one plain line, exit status ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


SECRET_KEY_FILE = "secret_key"


def _home() -> Path:
    """``DANGVU_HOME`` as :mod:`dangvu.settings` reads it (needed before Django is configured)."""
    return Path(os.environ.get("DANGVU_HOME", Path.home() / ".local" / "share" / "dangvu")).expanduser()


def local_secret_key(create: bool = False) -> None:
    """Give the process the embedded database's own secret key when none is set: the key kept in
    ``DANGVU_HOME/secret_key``, made (random, readable by its owner only) when ``create`` is on.
    ``dangvu demo``, ``serve`` and ``bench`` create it; other commands use it when it is there."""
    if os.environ.get("DANGVU_SECRET_KEY"):
        return
    path = _home() / SECRET_KEY_FILE
    if not path.exists():
        if not create:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(50))
    os.environ["DANGVU_SECRET_KEY"] = path.read_text(encoding="utf-8").strip()


def setup_django(migrate: bool = True) -> None:
    """Configure Django from the environment and bring the schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings")
    local_secret_key()
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def print_json(data: Any) -> None:
    """JSON on stdout, Vietnamese kept readable."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dangvu", description="Đảng vụ — công tác đảng ở cơ sở")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        sys.stderr.write(f"dangvu: {exc}\n")
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
