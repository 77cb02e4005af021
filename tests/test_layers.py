"""The import graph points one way: core ← safety ← channels ← domain apps ← api and the web
layer, and the domain apps import each other in no circle. Read from the code by
bench/import_graph.py (every import, also inside functions, and every import_module string)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _graph():
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "bench" / "import_graph.py"
    )
    mod = sys.modules.get("import_graph")
    if mod is None:
        mod = importlib.util.module_from_spec(spec)
        sys.modules["import_graph"] = mod  # dataclasses look their module up there
        spec.loader.exec_module(mod)
    return mod


def test_no_module_imports_a_layer_above_its_own():
    g = _graph()
    report = g.report(ROOT / "govhub")
    assert report["breaches"] == [], "\n".join(report["breaches"])


def test_domain_apps_import_each_other_in_no_circle():
    g = _graph()
    report = g.report(ROOT / "govhub")
    assert report["cycles"] == [], report["cycles"]


# the link checker and the availability probe fetch the county's own pages and the links in
# them (any web address, not a platform's API): they are the checker's, below channels
_FETCHES_THE_WEB = {"safety/links.py", "safety/probe.py"}


def test_no_app_but_channels_calls_a_platform_directly():
    """Platforms are reached through channels' client modules and their public functions only
    (no HTTP library, no wechatpy client, no SMTP, no private ``_call`` with raw paths and
    tokens); the WeChat callback server may still parse and sign messages with wechatpy."""
    g = _graph()
    offenders = []
    for path in sorted((ROOT / "govhub").rglob("*.py")):
        rel = path.relative_to(ROOT / "govhub")
        if rel.parts[0] in ("channels", "core") or "migrations" in rel.parts:
            continue
        if str(rel) in _FETCHES_THE_WEB:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in (
            "import requests",
            "import httpx",
            "import urllib.request",
            "from wechatpy import WeChatClient",
            "wechatpy.client",
            "import smtplib",
            "._call(",
        ):
            if needle in text:
                offenders.append(f"{rel}: {needle}")
    assert offenders == [], offenders
    assert g  # the graph module loads (its own checks are above)


def test_the_layering_rule_catches_an_upward_import(tmp_path):
    """The checker itself: a channels module importing an app is reported."""
    g = _graph()
    pkg = tmp_path / "govhub"
    for app in ("channels", "letters"):
        (pkg / app).mkdir(parents=True)
        (pkg / app / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "channels" / "x.py").write_text("def f():\n    from govhub.letters import y\n")
    (pkg / "letters" / "y.py").write_text("from govhub.channels import x\n")
    report = g.report(pkg)
    assert len(report["breaches"]) == 1 and "govhub.channels.x" in report["breaches"][0]
