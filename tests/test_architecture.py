"""The layers of docs/architecture.md hold: features depend downward only, imports inside
functions included, and the few imports inside functions each say why."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coworking"

# Lowest first. A module may import its own package and anything in a lower layer; never a
# package of its own layer (other than itself) nor of a higher one.
KERNEL = "kernel"
LAYERS: list[tuple[str, ...]] = [
    (KERNEL,),
    ("audit",),
    ("auth",),
    ("members",),
    ("partners",),
    ("documents",),
    ("space",),
    ("events",),
    ("community",),
    ("stats",),
    ("label",),
    ("backup", "seed"),
    ("wiring",),
]
# Top-level modules that wire everything together (the factory, the WSGI entry point, the
# list of every model, the migrations' environment): above every feature.
WIRING = {"__init__", "app", "wsgi", "models", "migrations"}
MAX_LOCAL_IMPORTS = 10


def layer_of(unit: str) -> int:
    for index, names in enumerate(LAYERS):
        if unit in names:
            return index
    raise AssertionError(f"{unit} is in no layer of docs/architecture.md")


def unit_of(module: str) -> str | None:
    """Return the layer unit of a module name: its feature package, the kernel or the wiring."""
    parts = module.split(".")
    if parts[0] != "coworking":
        return None
    if len(parts) == 1:
        return "wiring"
    name = parts[1]
    if name in WIRING:
        return "wiring"
    if (PACKAGE / name).is_dir():
        return name
    return KERNEL


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    line: int
    in_function: bool
    reason: str  # the comment on the import's first line


def _imports(path: Path) -> list[Import]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    text = path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text)
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside.update(id(sub) for sub in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                continue
            targets = [f"{node.module}.{alias.name}" for alias in node.names]
            if node.module != "coworking":  # `from coworking import dates` names dates only
                targets.insert(0, node.module)
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        comment = lines[node.lineno - 1].partition("#")[2].strip()
        for target in targets:
            # `from coworking import members` names a package, not an attribute.
            if target.startswith("coworking") and not _exists(target):
                continue
            found.append(Import(module, target, node.lineno, id(node) in inside, comment))
    return found


def _exists(module: str) -> bool:
    path = ROOT / Path(*module.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def all_imports() -> list[Import]:
    return [
        found
        for path in sorted(PACKAGE.rglob("*.py"))
        if "versions" not in path.parts
        for found in _imports(path)
    ]


def violations(imports: list[Import]) -> list[str]:
    """Return every import that goes up a layer or sideways to another package of its layer."""
    wrong = []
    for found in imports:
        source, target = unit_of(found.source), unit_of(found.target)
        if source is None or target is None or source == target:
            continue
        if layer_of(target) >= layer_of(source):
            wrong.append(
                f"{found.source}:{found.line} imports {found.target} ({source} → {target})"
            )
    return wrong


def test_features_depend_downward_only():
    assert violations(all_imports()) == []


def test_a_cycle_fails_the_check():
    """A deliberate cycle, members importing events, is caught (here without editing a file)."""
    edge = Import("coworking.members.services", "coworking.events.models", 1, True, "")
    assert violations(all_imports() + [edge]) == [
        "coworking.members.services:1 imports coworking.events.models (members → events)"
    ]


def test_the_kernel_imports_no_feature():
    kernel = [found for found in all_imports() if unit_of(found.source) == KERNEL]
    features = [found for found in kernel if unit_of(found.target) not in (None, KERNEL)]
    assert features == []


def test_imports_inside_functions_are_few_and_say_why():
    local = [found for found in all_imports() if found.in_function]
    assert len(local) < MAX_LOCAL_IMPORTS
    assert [found for found in local if not found.reason] == []


@pytest.mark.parametrize("name", [path.stem for path in PACKAGE.iterdir() if path.is_dir()])
def test_every_package_has_a_layer(name):
    if name in ("migrations", "translations", "__pycache__"):
        return
    layer_of(name)


def test_architecture_document_lists_the_layers():
    document = (ROOT / "docs" / "architecture.md").read_text()
    for names in LAYERS[1:-1]:
        for name in names:
            assert f"`{name}`" in document, name
