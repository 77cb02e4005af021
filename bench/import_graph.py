"""The import graph of govhub's apps, read from the code (every ``import``, also inside
functions, and every ``import_module("govhub.…")``), and the layering rule it must obey:

    core  ←  safety  ←  channels  ←  domain apps  ←  api and the web layer

A module belongs to its app's layer, except the web entry points of a domain app (``api``,
``views``, ``admin_views``, ``urls``, ``wagtail_hooks``, ``forms``, ``templatetags``,
``management``), ``govhub.api`` and the project modules (``urls``, ``settings``, ``cli``…), which
form the top layer. A module may import its own layer and those below; among the domain apps,
imports may not run in a circle. ``tests/test_layers.py`` fails on any breach; this script prints
the app-level graph (as a Mermaid diagram for docs/architecture.md) and the breaches.

    .venv/bin/python bench/import_graph.py [--root govhub] [--mermaid]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOWER_LAYERS = {"core": 0, "safety": 1, "channels": 2}
DOMAIN = 3
WEB = 4
LAYER_NAMES = {0: "core", 1: "safety", 2: "channels", 3: "domain", 4: "web"}
ENTRY_MODULES = {
    "api",
    "views",
    "admin_views",
    "urls",
    "wagtail_hooks",
    "forms",
    "templatetags",
    "management",
}
PROJECT_MODULES = {"urls", "settings", "cli", "wsgi", "asgi", "__main__", "config", "__init__"}


@dataclass(frozen=True)
class Import:
    source: str  # dotted module that imports, e.g. govhub.letters.notify
    target: str  # dotted module imported, e.g. govhub.wechat.models
    line: int


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[Import]:
    """Every govhub module ``path`` imports, wherever the import stands."""
    source = module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[Import] = []
    package = source if path.name == "__init__.py" else source.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] if base in {"govhub"} else [base]
        elif isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name == "import_module" and node.args and isinstance(node.args[0], ast.Constant):
                value = node.args[0].value
                if isinstance(value, str):
                    targets = [value]
        for t in targets:
            if t.startswith("govhub.") or t == "govhub":
                out.append(Import(source, t, getattr(node, "lineno", 0)))
    return out


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] not in PROJECT_MODULES else "project"


def layer_of(module: str, root: Path) -> int:
    parts = module.split(".")
    if len(parts) < 2:
        return WEB
    app = parts[1]
    if app in LOWER_LAYERS:
        return LOWER_LAYERS[app]
    if app == "api" or app in PROJECT_MODULES or not (root / app).is_dir():
        return WEB
    if len(parts) > 2 and parts[2] in ENTRY_MODULES:
        return WEB
    return DOMAIN


def all_imports(root: Path) -> list[Import]:
    out: list[Import] = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        out.extend(imports_of(path, root))
    return out


def layer_breaches(imports: list[Import], root: Path) -> list[str]:
    """Imports of a higher layer than the importing module's."""
    out = []
    for imp in imports:
        src, dst = layer_of(imp.source, root), layer_of(imp.target, root)
        if dst > src and app_of(imp.source) != app_of(imp.target):  # an app's inside is its own
            out.append(
                f"{imp.source}:{imp.line} ({LAYER_NAMES[src]}) imports {imp.target} "
                f"({LAYER_NAMES[dst]})"
            )
    return out


def domain_edges(imports: list[Import], root: Path) -> dict[tuple[str, str], list[Import]]:
    """App-to-app edges among domain apps, counting only their domain (non-entry) modules."""
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for imp in imports:
        if layer_of(imp.source, root) != DOMAIN or layer_of(imp.target, root) != DOMAIN:
            continue
        a, b = app_of(imp.source), app_of(imp.target)
        if a != b:
            edges[(a, b)].append(imp)
    return edges


def cycles(edges) -> list[list[str]]:
    """Strongly connected groups of more than one app (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def app_edges(imports: list[Import]) -> dict[tuple[str, str], int]:
    """Every app-to-app edge (all modules), with the number of importing files."""
    files: dict[tuple[str, str], set[str]] = defaultdict(set)
    for imp in imports:
        a, b = app_of(imp.source), app_of(imp.target)
        if a != b and "project" not in (a, b):
            files[(a, b)].add(imp.source)
    return {k: len(v) for k, v in sorted(files.items())}


def mermaid(edges: dict[tuple[str, str], int], bad: set[tuple[str, str]]) -> str:
    lines = ["```mermaid", "flowchart BT"]
    for i, ((a, b), n) in enumerate(edges.items()):
        lines.append(f"  {a} -->|{n}| {b}")
        if (a, b) in bad:
            lines.append(f"  linkStyle {i} stroke:#c00,stroke-width:2px")
    lines.append("```")
    return "\n".join(lines)


def report(root: Path) -> dict:
    imports = all_imports(root)
    breaches = layer_breaches(imports, root)
    dom = domain_edges(imports, root)
    circles = cycles(dom)
    bad: set[tuple[str, str]] = set()
    for text in breaches:
        src = text.split(":", 1)[0]
        dst = text.split(" imports ", 1)[1].split(" ", 1)[0]
        bad.add((app_of(src), app_of(dst)))
    for group in circles:
        for a, b in dom:
            if a in group and b in group:
                bad.add((a, b))
    return {
        "imports": imports,
        "breaches": breaches,
        "cycles": circles,
        "edges": app_edges(imports),
        "bad": bad,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(ROOT / "govhub"))
    ap.add_argument("--mermaid", action="store_true", help="print the graph as a Mermaid diagram")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    r = report(root)
    if args.mermaid:
        print(mermaid(r["edges"], r["bad"]))
    else:
        for (a, b), n in r["edges"].items():
            mark = "  ✗" if (a, b) in r["bad"] else ""
            print(f"{a:>12} → {b:<12} {n} file(s){mark}")
    print(f"\nlayer breaches: {len(r['breaches'])}")
    for line in r["breaches"]:
        print("  " + line)
    print(f"circles among domain apps: {len(r['cycles'])}")
    for group in r["cycles"]:
        print("  " + " ↔ ".join(group))
    print("command: .venv/bin/python bench/import_graph.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
