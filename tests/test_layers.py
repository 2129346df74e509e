"""The package's shape: imports run one way. The graph is read from the source (the AST), not
from what happens to be imported at run time.

Every import statement counts, wherever it stands: at the top, inside a function (a lazy
import hides a circle, it does not remove it) and under ``if TYPE_CHECKING:`` (a type-only
import is still a dependency: the two modules cannot be understood, or moved, apart).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from importlib.util import resolve_name
from pathlib import Path

import trustoo_mock

PACKAGE = Path(trustoo_mock.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports. ``from trustoo_mock import signing``
    imports ``trustoo_mock.core.signing``; the parent packages Python runs first are not counted."""
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            package = name if path.name == "__init__.py" else name.rpartition(".")[0]
            base = resolve_name("." * node.level + (node.module or ""), package)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {module for module in found if module in known and module != name}


@cache
def import_graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(imported_modules(name, path)) for name, path in modules().items()}


def circles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """One import path back to its start for every module that lies on a circle."""
    found = []
    for start in sorted(graph):
        paths = [[start]]
        seen = {start}
        while paths:
            path = paths.pop()
            for target in sorted(graph[path[-1]]):
                if target == start:
                    found.append([*path, start])
                    paths = []
                    break
                if target not in seen:
                    seen.add(target)
                    paths.append([*path, target])
    return found


def test_the_circle_finder_sees_circles_of_any_length() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert circles(graph) == [["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"]]
    assert circles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_imports_under_type_checking_inside_functions_and_relative_ones_count(
    tmp_path: Path,
) -> None:
    module = tmp_path / "journal.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from trustoo_mock.services.fake import Fake\n"
        "def run():\n"
        "    from trustoo_mock.remote import contract_runner\n"
        "from ..domain import reviews\n"
        "from ..spec import openapi as _spec\n"
    )
    assert imported_modules("trustoo_mock.services.journal", module) == {
        "trustoo_mock.services.fake",
        "trustoo_mock.remote.contract_runner",
        "trustoo_mock.domain.reviews",
        "trustoo_mock.spec.openapi",
    }


def test_no_import_circles_inside_the_package() -> None:
    assert circles(import_graph()) == []


ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
# Bottom up: a module may import from its own layer and the ones before it.
LAYERS = ("core", "domain", "services", "server", "tools", "root")
# Row of the module table: | `domain/reviews.py` | domain | its one job |
_MODULE_ROW = re.compile(r"^\| `(?P<path>[\w/]+(?:\.py|/))` \| (?P<layer>\w+) \|", re.MULTILINE)
FRAMEWORKS = frozenset(
    {"starlette", "hypercorn", "httpx", "h11", "requests", "schemathesis", "hypothesis", "pytest"}
)


def module_of_row(path: str) -> str:
    """``server/api/call.py`` is trustoo_mock.server.api.call, ``server/`` a package,
    ``__init__.py`` the root."""
    parts = path.removesuffix(".py").removesuffix("/").split("/")
    return ".".join(["trustoo_mock", *[part for part in parts if part != "__init__"]])


@cache
def documented_layers() -> dict[str, str]:
    rows = _MODULE_ROW.findall(ARCHITECTURE.read_text(encoding="utf-8"))
    layers = {module_of_row(path): layer for path, layer in rows}
    assert len(layers) == len(rows), "a module is named in two rows"
    return layers


def test_every_module_is_in_the_architecture_table_and_every_row_is_a_module() -> None:
    documented = set(documented_layers())
    assert sorted(set(modules()) - documented) == [], "add these to docs/architecture.md"
    assert sorted(documented - set(modules())) == [], "these rows name no module"


def test_the_architecture_table_uses_only_the_known_layers() -> None:
    assert set(documented_layers().values()) <= set(LAYERS)


# A folder holds one layer; only the top level mixes them (the public modules and the root).
FOLDER_LAYERS = {
    "core": "core",
    "spec": "core",
    "store": "core",
    "domain": "domain",
    "services": "services",
    "server": "server",
    "remote": "tools",
}


def test_every_folder_holds_one_layer() -> None:
    misplaced = {
        module: layer
        for module, layer in documented_layers().items()
        if module.count(".") >= 1
        and module.split(".")[1] in FOLDER_LAYERS
        and FOLDER_LAYERS[module.split(".")[1]] != layer
    }
    assert misplaced == {}
    folders = {path.parent.name for path in PACKAGE.rglob("__init__.py")} - {"trustoo_mock", "api"}
    assert folders == set(FOLDER_LAYERS)


def test_imports_never_go_up_a_layer() -> None:
    rank = {module: LAYERS.index(layer) for module, layer in documented_layers().items()}
    upward = [
        f"{module} ({documented_layers()[module]}) imports {target} ({documented_layers()[target]})"
        for module, targets in sorted(import_graph().items())
        for target in sorted(targets)
        if rank.get(target, 0) > rank.get(module, len(LAYERS))
    ]
    assert upward == []


def _third_party(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.partition(".")[0])
    return found


def test_core_and_domain_import_no_web_or_test_framework() -> None:
    below_the_services = {
        module
        for module, layer in documented_layers().items()
        if LAYERS.index(layer) < LAYERS.index("services")
    }
    offending = {
        module: sorted(_third_party(modules()[module]) & FRAMEWORKS)
        for module in sorted(below_the_services & set(modules()))
        if _third_party(modules()[module]) & FRAMEWORKS
    }
    assert offending == {}


def test_nothing_inside_the_package_imports_from_the_package_root() -> None:
    assert (
        sorted(name for name, targets in import_graph().items() if "trustoo_mock" in targets) == []
    )


# -- who owns which table ---------------------------------------------------------------------

STORE_MODULE = "trustoo_mock.store.database"
DOMAIN_PACKAGE = "trustoo_mock.domain"


def _store_calls(tree: ast.AST) -> list[ast.Call]:
    """Calls of a method of a store: ``store.find(...)``, ``ctx.store.update(...)``."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (
            (isinstance(node.func.value, ast.Name) and node.func.value.id == "store")
            or (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "store")
        )
    ]


def _strings(node: ast.expr) -> list[str]:
    """The string literals an argument is or holds (a tuple of table names, say)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [text for element in node.elts for text in _strings(element)]
    return []


def _first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


@cache
def known_tables() -> frozenset[str]:
    """Every table (or id sequence) the domain names as a store call's first argument, and
    the store's own ``meta``."""
    found = {"meta"}
    for name, path in modules().items():
        if name.startswith(DOMAIN_PACKAGE + "."):
            for call in _store_calls(ast.parse(path.read_text(encoding="utf-8"))):
                table = _first_string(call)
                if table is not None:
                    found.add(table)
    return frozenset(found)


def tables_named(source: str, tables: frozenset[str]) -> list[str]:
    """``line: call`` of each store call that names a table: a string literal as its first
    argument, or a known table's name anywhere among its arguments."""
    found = []
    for call in _store_calls(ast.parse(source)):
        arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
        named = {text for argument in arguments for text in _strings(argument)} & tables
        if _first_string(call) is not None or named:
            found.append(f"{call.lineno}: {ast.unparse(call)}")
    return found


def test_the_table_finder_sees_literal_names_and_known_names_in_any_argument() -> None:
    tables = frozenset({"shops", "reviews"})
    source = (
        'ctx.store.find_one("shops", shop_id="1")\n'
        'store.insert("anything", {})\n'
        'call.ctx.store.derived(("reviews", "products"), key, compute)\n'
        "ctx.store.batch()\n"
        "ctx.store.derived(tables, key, compute)\n"
        'ctx.other.find("shops")\n'
    )
    assert [line.partition(":")[0] for line in tables_named(source, tables)] == ["1", "2", "3"]


def test_only_the_domain_and_the_store_name_tables() -> None:
    assert {"shops", "platforms", "grants", "deliveries", "webhooks"} <= known_tables()
    outside = {
        name: tables_named(path.read_text(encoding="utf-8"), known_tables())
        for name, path in modules().items()
        if name != STORE_MODULE and name != DOMAIN_PACKAGE and not name.startswith(DOMAIN_PACKAGE)
    }
    assert {name: calls for name, calls in outside.items() if calls} == {}, (
        "move these behind a function of the domain module that owns the table"
    )
