"""Check the code's shape (issue 11): no module over 600 lines, no function over 60 lines, every
ServiceError raised with a code, no app importing another app's private names.

    python scripts/check_shape.py [PATH ...]      # default: dangvu/

Exits 1 and lists what is out of shape. CI runs it; so does tests/test_shape.py.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
ROOT = Path(__file__).resolve().parent.parent
# Long by nature: the plan reader's pattern tables and the lexicon (issue 11 exempts them).
FUNCTION_LENGTH_EXEMPT: set[str] = set()
SKIP_PARTS = {"migrations", "__pycache__"}


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "dangvu" else None


def check_file(path: Path) -> list[str]:
    parts = path.parts
    # Named from the package root ("dangvu/registry/services.py"), wherever the tree lies.
    rel = "/".join(parts[len(parts) - 1 - parts[::-1].index("dangvu"):]) if "dangvu" in parts else path.name
    source = path.read_text(encoding="utf-8")
    problems: list[str] = []
    lines = source.count("\n") + 1
    if lines > MAX_MODULE_LINES:
        problems.append(f"{rel}: {lines} lines (max {MAX_MODULE_LINES})")
    tree = ast.parse(source, rel)
    own_app = _app(rel.removesuffix(".py").replace("/", "."))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            name = f"{rel}:{node.name}"
            if length > MAX_FUNCTION_LINES and name not in FUNCTION_LENGTH_EXEMPT:
                problems.append(f"{rel}:{node.lineno}: function {node.name} is {length} lines "
                                f"(max {MAX_FUNCTION_LINES})")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "ServiceError":
            if len(node.args) < 2 and not any(k.arg == "code" for k in node.keywords) \
                    and not any(isinstance(a, ast.Starred) for a in node.args):
                problems.append(f"{rel}:{node.lineno}: ServiceError raised without a code")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dangvu."):
            other = _app(node.module)
            if other and other != own_app and other not in {"core", "common"}:
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    problems.append(f"{rel}:{node.lineno}: imports private {', '.join(private)} "
                                    f"from {node.module}")
    return problems


def check(paths: list[Path]) -> list[str]:
    problems: list[str] = []
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for f in files:
            if not SKIP_PARTS.intersection(f.parts):
                problems.extend(check_file(f.resolve()))
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT / "dangvu"]
    problems = check(paths)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
