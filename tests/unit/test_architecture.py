"""The dependency direction of docs/architecture.md, read from the imports with `ast`.

Every `recovery` module is placed in a part (`recovery.<part>`), every part in a layer; an
import may point down, never up. A kind's rule imports no SQL and no browser. A part this
table does not know fails the test: place it in LAYERS (and in the docs) when adding one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

RECOVERY = Path(__file__).resolve().parents[2] / "recovery"

# Lowest first. A part imports parts of lower layers, and of its own layer only where ALSO says.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "__init__",
            "errors",
            "money",
            "config",
            "calendar",
            "models",
            "resources",
            "exports",
            "frame_values",
            "helper_processes",
        }
    ),
    frozenset({"store"}),
    frozenset({"portal", "evidence", "sources", "ledger", "users"}),
    frozenset({"claims"}),
    frozenset({"reports"}),
    frozenset({"demo", "filing_workspace", "testing"}),
    frozenset({"service", "web", "cli"}),
)
# Imports within a layer above the bottom one, the only ones allowed: (importer, imported).
ALSO = frozenset(
    {
        ("sources", "portal"),  # the portal's downloads feed the importers
        ("demo", "testing"),  # the demo runs the product against the fakes
        ("filing_workspace", "demo"),  # a workspace for filing is the demo's, approved
        ("cli", "web"),
        ("cli", "service"),
        ("service", "web"),
        ("web", "service"),
    }
)
# Frameworks of the top layer: nothing below `demo`/`testing` imports them.
FACES = ("fastapi", "starlette", "typer", "apscheduler", "procrastinate")
# A kind's rule is pure: frames in, findings out.
SQL = ("sqlalchemy", "sqlmodel", "psycopg", "sqlite3", "recovery.store")
# A kind declares its portal form as data: the browser is driven by `recovery.portal`.
BROWSER = ("playwright",)
# What a kind module may import from `recovery.claims` (beside the other kinds).
KIND_MAY_USE = ("findings", "inputs", "draft_input", "chargeback_types", "kinds")
# And from `recovery.portal`: the steps of a dispute form.
KIND_MAY_USE_FROM_PORTAL = ("form_steps",)


@dataclass(frozen=True)
class Edge:
    importer: str  # module, dotted
    imported: str  # module, dotted
    line: int

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def module_name(path: Path) -> str:
    parts = path.relative_to(RECOVERY.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[Edge]:
    """Every absolute and relative import in the file, inside functions too."""
    importer = module_name(path)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(importer, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield Edge(importer, module, node.lineno)
            # `from recovery.claims import drafting` imports the module recovery.claims.drafting
            for alias in node.names:
                yield Edge(importer, f"{module}.{alias.name}", node.lineno)


def all_edges() -> list[Edge]:
    return [edge for path in sorted(RECOVERY.rglob("*.py")) for edge in imports_of(path)]


def part_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "recovery":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(part: str) -> int:
    for number, layer in enumerate(LAYERS):
        if part in layer:
            return number
    raise LookupError(f"recovery.{part} has no layer: place it in LAYERS and the docs")


def against_direction(edges: list[Edge], known: set[str]) -> list[str]:
    """The edges pointing up or sideways; `known` are the modules that exist (a name imported
    from a module, `from recovery.x import name`, is not a module of its own)."""
    wrong = []
    for edge in edges:
        if edge.imported not in known:
            continue
        importer, imported = part_of(edge.importer), part_of(edge.imported)
        if importer is None or imported is None or importer == imported:
            continue
        low, high = layer_of(imported), layer_of(importer)
        if low > high or (low == high > 0 and (importer, imported) not in ALSO):
            wrong.append(str(edge))
    return wrong


def faces_below_the_top(edges: list[Edge]) -> list[str]:
    top = layer_of("demo")
    return [
        str(edge)
        for edge in edges
        if (part := part_of(edge.importer)) is not None
        and layer_of(part) < top
        and edge.imported.split(".")[0] in FACES
    ]


def sql_in_kinds(edges: list[Edge], known: set[str]) -> list[str]:
    """Imports of SQL or of the browser by a kind module, directly or through the claims and
    portal modules it uses."""
    by_importer: dict[str, list[Edge]] = {}
    for edge in edges:
        by_importer.setdefault(edge.importer, []).append(edge)
    wrong = []
    for module in sorted(m for m in by_importer if m.startswith("recovery.claims.kinds")):
        seen, todo = {module}, [module]
        while todo:
            for edge in by_importer.get(todo.pop(), []):
                name = edge.imported
                if name == "recovery.store" or name.startswith(SQL + BROWSER):
                    wrong.append(f"{module}: {edge}")
                elif name.startswith(("recovery.claims.", "recovery.portal.")) and name in known:
                    part, used = name.split(".")[1:3]
                    if used not in (KIND_MAY_USE if part == "claims" else KIND_MAY_USE_FROM_PORTAL):
                        wrong.append(f"{module}: {edge} (not a pure module of {part})")
                    elif name not in seen:
                        seen.add(name)
                        todo.append(name)
    return wrong


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return all_edges()


@pytest.fixture(scope="module")
def known() -> set[str]:
    return {module_name(path) for path in RECOVERY.rglob("*.py")}


def test_every_import_points_down_the_layers(edges: list[Edge], known: set[str]) -> None:
    assert against_direction(edges, known) == []


def test_nothing_below_the_top_imports_a_web_cli_or_scheduler_framework(
    edges: list[Edge],
) -> None:
    assert faces_below_the_top(edges) == []


def test_a_kinds_rule_imports_no_sql_and_no_browser(edges: list[Edge], known: set[str]) -> None:
    assert sql_in_kinds(edges, known) == []


def test_every_part_has_a_layer(known: set[str]) -> None:
    for module in known:
        part = part_of(module)
        assert part is not None
        layer_of(part)


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("recovery.ledger", "recovery.claims.findings"),
        ("recovery.store.db", "recovery.claims.detection"),
        ("recovery.store.db", "recovery.store.changes"),  # (same part: not an edge at all)
        ("recovery.claims.detection", "recovery.reports.ledger_view"),
        ("recovery.sources.importing", "recovery.testing.scenario"),
        ("recovery.models", "recovery.store.db"),
        ("recovery.ledger", "recovery.sources.importing"),
    ],
)
def test_the_check_catches_an_edge_against_the_direction(importer: str, imported: str) -> None:
    """The checks themselves, on edges made up for the purpose: each is caught (but the one
    inside a part)."""
    known = {importer, imported}
    wrong = against_direction([Edge(importer, imported, 1)], known)
    assert wrong == (
        [] if part_of(importer) == part_of(imported) else [f"{importer}:1 imports {imported}"]
    )


@pytest.mark.parametrize(
    "imported",
    [
        "sqlalchemy",
        "sqlmodel.sql",
        "recovery.store.db",
        "recovery.claims.reader",
        "playwright.sync_api",
        "recovery.portal.dispute_form",
    ],
)
def test_the_check_catches_sql_or_the_browser_in_a_kind(imported: str) -> None:
    module = "recovery.claims.kinds.shortage"
    known = {module, "recovery.claims.reader", "recovery.store.db", "recovery.portal.dispute_form"}
    assert sql_in_kinds([Edge(module, imported, 1)], known) != []


def test_the_check_follows_a_kind_through_the_claims_modules_it_uses() -> None:
    """SQL reached through a pure-looking claims module is SQL all the same."""
    kind, helper = "recovery.claims.kinds.price", "recovery.claims.inputs"
    edges = [Edge(kind, helper, 1), Edge(helper, "sqlalchemy", 2)]
    assert sql_in_kinds(edges, {kind, helper}) != []
    steps = "recovery.portal.form_steps"
    through_portal = [Edge(kind, steps, 1), Edge(steps, "playwright.sync_api", 2)]
    assert sql_in_kinds(through_portal, {kind, steps}) != []
    assert sql_in_kinds([Edge(kind, steps, 1)], {kind, steps}) == []
    assert faces_below_the_top([Edge("recovery.claims.detection", "typer", 3)]) != []
