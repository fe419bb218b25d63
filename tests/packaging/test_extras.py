"""Each optional extra declares what its code imports, and nothing it does not."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from wan_r2v._extras import SANDBOX_MODULES

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
OWN = {"wan_r2v", "wan_r2v_api", "bench", "__future__"}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _declared(extra: str) -> set[str]:
    names = {_name(r) for r in PROJECT["optional-dependencies"][extra]}
    for name in list(names):
        if name == "wan-r2v":  # an extra that pulls in other extras
            names.discard(name)
            spec = next(r for r in PROJECT["optional-dependencies"][extra] if _name(r) == name)
            inner = re.search(r"\[([\w,\s-]+)\]", spec)
            assert inner, spec
            for other in inner.group(1).split(","):
                names |= _declared(other.strip())
    return names


def _imports(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name.partition(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return {node.module.partition(".")[0]}
    return set()


def _imported_modules(files: list[Path], *, top_level_only: bool = False) -> set[str]:
    """Third-party modules these files import (anywhere, or only when the module loads)."""
    modules: set[str] = set()
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        if top_level_only:  # statements run at import: the module's own, and under if/try
            nodes: list[ast.AST] = []
            for top in tree.body:
                if isinstance(top, ast.Import | ast.ImportFrom):
                    nodes.append(top)
                elif isinstance(top, ast.Try) or (
                    isinstance(top, ast.If) and "TYPE_CHECKING" not in ast.unparse(top.test)
                ):
                    nodes += [n for n in ast.iter_child_nodes(top)]
        else:
            nodes = list(ast.walk(tree))
        for node in nodes:
            modules |= _imports(node)
    return modules - OWN - set(sys.stdlib_module_names)


def _distributions(modules: set[str]) -> set[str]:
    """The distributions providing these modules (a module not installed here: its own name)."""
    owners = metadata.packages_distributions()
    return {_name(owners.get(m, [m])[0]) for m in modules}


RUNTIME = {_name(r) for r in PROJECT["dependencies"]}


def test_the_sandbox_extra_declares_exactly_what_the_sandbox_imports() -> None:
    imported = _imported_modules(sorted((ROOT / "src/wan_r2v/sandbox").glob("*.py")))
    needed = _distributions(imported) - RUNTIME
    assert needed == _declared("sandbox"), "fix [project.optional-dependencies] sandbox"
    assert (
        imported - {"attrs", "httpx", "dateutil"} <= SANDBOX_MODULES
    )  # what the import error names


def test_the_bench_extra_declares_what_bench_imports() -> None:
    imported = _imported_modules(sorted((ROOT / "bench").glob("*.py")))
    needed = _distributions(imported) - RUNTIME
    assert needed <= _declared("bench"), "fix [project.optional-dependencies] bench"


def _library_files() -> list[Path]:
    return [
        p
        for p in sorted((ROOT / "src/wan_r2v").rglob("*.py"))
        if "sandbox" not in p.parts and p.name != "pytest_plugin.py"
    ]


def test_the_library_loads_only_the_runtime_dependencies() -> None:
    # `import wan_r2v...` must work on a plain install: an extra's module is imported where used
    loaded = _distributions(_imported_modules(_library_files(), top_level_only=True))
    assert loaded <= RUNTIME


def test_whatever_the_library_imports_is_declared_somewhere() -> None:
    declared = set(RUNTIME)
    for extra in PROJECT["optional-dependencies"]:
        declared |= _declared(extra)
    assert _distributions(_imported_modules(_library_files())) <= declared
