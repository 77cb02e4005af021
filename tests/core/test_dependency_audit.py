"""The dependency audit really checks: the shipped OSV snapshot (PyPA advisories kept as
published, GHSA JSON) flags a package at an affected version and passes the fixed one, for
PyPI and npm, with OSV's range rules."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import yaml

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


def _scan(packages):
    return audit.scan(audit.load_snapshot(SNAPSHOT), packages)


def test_every_stored_advisory_is_read():
    """Each file of the snapshot yields one advisory with an id and something to match."""
    files = [p for eco in ("PyPI", "npm") for p in (SNAPSHOT / eco).glob("*.*")]
    advisories = list(audit.load_snapshot(SNAPSHOT))
    assert len(advisories) == len(files) >= 100
    for adv in advisories:
        assert adv["id"] and audit.affected_entries(adv), adv["id"]


def test_snapshot_says_where_every_file_comes_from():
    """SNAPSHOT names the source (repository path and commit, or "hand-written") of each file,
    so a refresh or a review can tell copied data from anything else."""
    lines = (SNAPSHOT / "SNAPSHOT").read_text(encoding="utf-8").splitlines()
    sources = {line.split()[0]: line for line in lines if line.startswith(("PyPI/", "npm/"))}
    files = {f"{eco}/{p.name}" for eco in ("PyPI", "npm") for p in (SNAPSHOT / eco).glob("*.*")}
    assert set(sources) == files
    for line in sources.values():
        assert "hand-written" in line or len(line.split()[-1]) == 40, line  # a git commit


def test_affected_versions_reported_fixed_ones_not():
    findings, count = _scan(
        {
            "PyPI": [
                ("Django", "4.1.8"),
                ("requests", "2.30.0"),
                ("Pillow", "10.1.0"),
                ("setuptools", "65.5.0"),
                ("wagtail", "6.1.2"),
                ("urllib3", "2.0.6"),
            ],
            "npm": [("swagger-ui-dist", "3.52.5")],
        }
    )
    assert count >= 100
    assert {
        ("Django", "PYSEC-0000-CVE-2023-31047"),  # PyPA's placeholder id for CVE-2023-31047
        ("requests", "PYSEC-2023-74"),
        ("Pillow", "CVE-2023-50447"),
        ("setuptools", "PYSEC-2022-43012"),
        ("wagtail", "PYSEC-2024-86"),
        ("urllib3", "PYSEC-2023-212"),
        ("swagger-ui-dist", "GHSA-6c9x-mj3g-h47x"),
        ("swagger-ui-dist", "CVE-2018-25031"),
    } <= _ids(findings)
    fixed, _ = _scan(
        {
            "PyPI": [
                ("django", "4.1.9"),
                ("requests", "2.31.0"),
                ("pillow", "10.2.0"),
                ("setuptools", "65.5.1"),
                ("wagtail", "6.1.3"),
                ("urllib3", "2.0.7"),
            ],
            "npm": [("swagger-ui-dist", "4.1.3")],
        }
    )
    assert not {
        "PYSEC-0000-CVE-2023-31047",
        "PYSEC-2023-74",
        "CVE-2023-50447",
        "PYSEC-2022-43012",
        "PYSEC-2024-86",
        "PYSEC-2023-212",
        "GHSA-6c9x-mj3g-h47x",
        "CVE-2018-25031",
    } & {f.advisory for f in fixed}


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


def test_branches_listed_out_of_order_are_sorted_as_osv_says():
    """PyPA's CVE-2023-31047 record: a bare ``introduced: 0`` then branches, newest first."""
    events = [
        {"introduced": "0"},
        {"introduced": "4.0"},
        {"fixed": "4.1.9"},
        {"introduced": "3.2"},
        {"fixed": "3.2.19"},
    ]
    assert audit.in_range("PyPI", "2.2.28", events)  # "0" opens everything below 3.2.19
    assert audit.in_range("PyPI", "3.2.18", events)
    assert not audit.in_range("PyPI", "3.2.19", events)
    assert audit.in_range("PyPI", "4.0.5", events)
    assert not audit.in_range("PyPI", "4.1.9", events)


def test_early_pypa_schema_and_withdrawn_records():
    """``package``/``affects`` files (OSV before 1.0) match; withdrawn ones never do."""
    findings, _ = _scan({"PyPI": [("cryptography", "3.3.1"), ("redis", "4.5.5")]})
    assert ("cryptography", "PYSEC-2021-63") in _ids(findings)  # early schema, fixed 3.3.2
    assert not any(f.advisory == "PYSEC-2023-73" for f in findings)  # withdrawn
    later, _ = _scan({"PyPI": [("cryptography", "3.3.2")]})
    assert ("cryptography", "PYSEC-2021-63") not in _ids(later)


def test_one_vulnerability_under_two_ids_is_one_finding(tmp_path):
    """PYSEC and GHSA records of the same CVE (osv.dev's export has both) report once."""
    pysec = yaml.safe_load((SNAPSHOT / "PyPI" / "PYSEC-2023-74.yaml").read_text())
    ghsa = {
        "id": "GHSA-j8r2-6x86-q33q",
        "aliases": ["CVE-2023-32681"],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "requests"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}
                ],
            }
        ],
    }
    findings, count = audit.scan([pysec, ghsa], {"PyPI": [("requests", "2.30.0")]})
    assert count == 2 and len(findings) == 1


def test_osv_dev_zip_export_is_read(tmp_path):
    """An operator drops osv.dev's PyPI/all.zip into the snapshot as downloaded."""
    advisory = yaml.safe_load((SNAPSHOT / "PyPI" / "PYSEC-2023-74.yaml").read_text())
    (tmp_path / "PyPI").mkdir()
    with zipfile.ZipFile(tmp_path / "PyPI" / "all.zip", "w") as zf:
        zf.writestr("PYSEC-2023-74.json", json.dumps(advisory))
    findings, count = audit.scan(audit.load_snapshot(tmp_path), {"PyPI": [("requests", "2.28.1")]})
    assert count == 1 and _ids(findings) == {("requests", "PYSEC-2023-74")}


def test_command_exits_nonzero_on_a_finding(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(audit, "installed_python", lambda: [])  # only the lock file's packages
    lock = tmp_path / "package-lock.json"
    lock.write_text(
        json.dumps({"packages": {"": {}, "node_modules/swagger-ui-dist": {"version": "3.0.0"}}})
    )
    assert audit.main(["--lock", str(lock)]) == 1
    out = capsys.readouterr().out
    assert "AFFECTED npm swagger-ui-dist 3.0.0: GHSA-6c9x-mj3g-h47x" in out
    assert "AFFECTED npm swagger-ui-dist 3.0.0: CVE-2018-25031" in out
    allowed = ["--allow", "CVE-2018-25031", "--allow", "GHSA-6c9x-mj3g-h47x"]
    assert audit.main(["--lock", str(lock), *allowed]) == 0
