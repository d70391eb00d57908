"""Check the code's shape (issue 11): no module over 600 lines, no function over 60 lines, every
ServiceError raised with a code, no app importing another app's private names, every public service
that writes in one transaction.

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
_WRITES = {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create",
           "update_or_create", "add_child", "add_root"}


def _is_services(rel: str) -> bool:
    parts = rel.split("/")
    return parts[-1] == "services.py" or parts[-1].startswith("services_") or "services" in parts[:-1]


_QUERIES = {"filter", "exclude", "annotate", "aggregate", "select_for_update"}


def _is_entry(rel: str) -> bool:
    """Views, forms, the API, the CLI and document writers: they read through selectors only."""
    parts = rel.split("/")
    return (parts[-1] in ("forms.py", "views.py") or parts[-1].startswith("views_") or "views" in parts[:-1]
            or (len(parts) > 1 and parts[1] in ("api", "cli", "web", "reports")))


def _raw_query(node: ast.AST) -> bool:
    """A call of ``X.objects.<anything but none>`` or of a filtering method."""
    func = node.func if isinstance(node, ast.Call) else None
    if not isinstance(func, ast.Attribute):
        return False
    if isinstance(func.value, ast.Attribute) and func.value.attr == "objects":
        return func.attr != "none"
    return func.attr in _QUERIES


def _unatomic_writer(node: ast.FunctionDef) -> bool:
    """A public service that writes with no ``transaction.atomic`` around its whole body."""
    if node.name.startswith("_") or any("atomic" in ast.unparse(d) for d in node.decorator_list):
        return False
    return any(isinstance(x, ast.Attribute) and x.attr in _WRITES for x in ast.walk(node))


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
    if _is_services(rel):
        problems.extend(f"{rel}:{n.lineno}: service {n.name} writes outside one transaction"
                        for n in tree.body if isinstance(n, ast.FunctionDef) and _unatomic_writer(n))
    if _is_entry(rel):
        problems.extend(f"{rel}:{n.lineno}: a query outside the selectors ({ast.unparse(n)[:60]})"
                        for n in ast.walk(tree) if _raw_query(n))
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
