"""The dependency audit really checks: the shipped OSV snapshot flags a package at an affected
version and passes the fixed one, for PyPI and npm, with OSV's range rules."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "dependency_audit", ROOT / "bench" / "dependency_audit.py"
)
audit = importlib.util.module_from_spec(_spec)
sys.modules["dependency_audit"] = audit
_spec.loader.exec_module(audit)
SNAPSHOT = ROOT / "deploy" / "osv-snapshot"


def _ids(findings) -> set[tuple[str, str]]:
    return {(f.name, f.advisory) for f in findings}


def test_affected_versions_reported_fixed_ones_not():
    findings, count = audit.scan(
        audit.load_snapshot(SNAPSHOT),
        {
            "PyPI": [("Django", "4.2.0"), ("requests", "2.30.0"), ("Pillow", "10.1.0")],
            "npm": [("swagger-ui-dist", "3.52.5")],
        },
    )
    assert count >= 5
    assert _ids(findings) == {
        ("Django", "CVE-2023-31047"),
        ("Django", "CVE-2024-27351"),
        ("requests", "CVE-2023-32681"),
        ("Pillow", "CVE-2023-50447"),
        ("swagger-ui-dist", "CVE-2018-25031"),
    }
    fixed, _ = audit.scan(
        audit.load_snapshot(SNAPSHOT),
        {
            "PyPI": [("django", "4.2.11"), ("requests", "2.31.0"), ("pillow", "10.2.0")],
            "npm": [("swagger-ui-dist", "4.1.3")],
        },
    )
    assert fixed == []


def test_range_edges_follow_osv():
    events = [{"introduced": "4.0"}, {"fixed": "4.1.9"}, {"introduced": "4.2"}, {"fixed": "4.2.1"}]
    assert audit.in_range("PyPI", "4.1.8", events)
    assert not audit.in_range("PyPI", "4.1.9", events)
    assert not audit.in_range("PyPI", "3.2.18", events)  # before "introduced"
    assert audit.in_range("PyPI", "4.2", events)
    assert audit.in_range("PyPI", "4.2.1rc1", events)  # a pre-release of the fix is not fixed
    assert not audit.in_range("PyPI", "5.0", events)
    last = [{"introduced": "0"}, {"last_affected": "1.2.3"}]
    assert audit.in_range("npm", "1.2.3", last) and not audit.in_range("npm", "1.2.4", last)
    assert audit.in_range("npm", "1.10.0-beta.1", [{"introduced": "1.9.0"}])
    assert not audit.in_range("npm", "1.10.0-beta.1", [{"introduced": "1.10.0"}])


def test_osv_dev_zip_export_is_read(tmp_path):
    """An operator drops osv.dev's PyPI/all.zip into the snapshot as downloaded."""
    advisory = json.loads((SNAPSHOT / "PyPI" / "CVE-2023-32681.json").read_text())
    (tmp_path / "PyPI").mkdir()
    with zipfile.ZipFile(tmp_path / "PyPI" / "all.zip", "w") as zf:
        zf.writestr("GHSA-j8r2-6x86-q33q.json", json.dumps(advisory))
    findings, count = audit.scan(audit.load_snapshot(tmp_path), {"PyPI": [("requests", "2.28.1")]})
    assert count == 1 and _ids(findings) == {("requests", "CVE-2023-32681")}


def test_command_exits_nonzero_on_a_finding(tmp_path, capsys):
    lock = tmp_path / "package-lock.json"
    lock.write_text(
        json.dumps({"packages": {"": {}, "node_modules/swagger-ui-dist": {"version": "3.0.0"}}})
    )
    assert audit.main(["--lock", str(lock)]) == 1
    out = capsys.readouterr().out
    assert "AFFECTED npm swagger-ui-dist 3.0.0: CVE-2018-25031" in out
    assert audit.main(["--lock", str(lock), "--allow", "CVE-2018-25031"]) == 0
