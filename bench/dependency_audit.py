"""Dependency audit against an OSV snapshot that travels with the project (no network).

    python bench/dependency_audit.py [--snapshot deploy/osv-snapshot] [--lock package-lock.json]

Reads every advisory under the snapshot folder — ``<ecosystem>/*.json`` files in the OSV
schema (https://ossf.github.io/osv-schema/), ``<ecosystem>/*.yaml`` files as the PyPA advisory
database (github.com/pypa/advisory-database) keeps them, or osv.dev's ``<ecosystem>/all.zip``
exports as downloaded — and matches them against the Python distributions installed in the interpreter
running this script and the npm packages pinned in ``package-lock.json``. Prints one line per
finding and the figure ``checked N packages against K advisories: F findings``; exits 1 when
something is affected (``--allow ID`` for an advisory answered in docs/security.md).

Matching follows the OSV schema: an ``affected`` entry names the package and either lists
``versions`` or gives ``ECOSYSTEM``/``SEMVER`` ranges of ``introduced`` / ``fixed`` /
``last_affected`` events; a version is affected when it falls in any such interval. One
vulnerability published under several ids (PYSEC, GHSA, CVE: the ``aliases``) is one finding.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
ECOSYSTEMS = ("PyPI", "npm")


def normalise(ecosystem: str, name: str) -> str:
    """PyPI names compare case- and separator-insensitively (PEP 503); npm names exactly."""
    return re.sub(r"[-_.]+", "-", name).lower() if ecosystem == "PyPI" else name


def _semver_key(v: str) -> tuple:
    """npm versions: numbers compare numerically, a pre-release sorts before its release."""
    core, _, pre = v.lstrip("v").partition("-")
    core = core.split("+", 1)[0]
    nums = tuple(int(x) if x.isdigit() else 0 for x in (core.split(".") + ["0", "0"])[:3])
    pre_key = (
        tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    )
    return (nums, 0 if pre else 1, pre_key)


def version_key(ecosystem: str, v: str):
    if v == "0":
        return None  # "introduced": "0" means from the beginning
    if ecosystem == "PyPI":
        try:
            return (0, Version(v))
        except InvalidVersion:
            return (1, v)
    return _semver_key(v)


def _less(ecosystem: str, a: str, b: str) -> bool:
    ka, kb = version_key(ecosystem, a), version_key(ecosystem, b)
    if kb is None:
        return False
    if ka is None:
        return True
    return ka < kb


def in_range(ecosystem: str, version: str, events: list[dict]) -> bool:
    """OSV's evaluation of one range: walk its events sorted by version (``"0"`` first);
    ``introduced`` at or below the version opens, ``fixed`` at or below it closes,
    ``last_affected`` strictly below it closes. Sorting matters: published ranges list
    several branches out of order, sometimes with a bare ``introduced: "0"`` in front."""
    kinds = ("introduced", "fixed", "last_affected", "limit")
    points = [(kind, ev[kind]) for ev in events for kind in kinds if kind in ev]
    order = {"introduced": 0, "last_affected": 1, "fixed": 1, "limit": 1}

    def sort_key(point: tuple[str, str]):
        key = version_key(ecosystem, point[1])
        return (key is not None, key if key is not None else (), order[point[0]])

    with contextlib.suppress(TypeError):  # unorderable mix: keep the published order
        points.sort(key=sort_key)
    affected = False
    for kind, at in points:
        if kind == "introduced":
            affected = affected or not _less(ecosystem, version, at)
        elif kind == "fixed":
            affected = affected and _less(ecosystem, version, at)
        elif kind == "last_affected":
            affected = affected and not _less(ecosystem, at, version)
    return affected


def affected_entries(advisory: dict) -> list[dict]:
    """The advisory's ``affected`` list. Early PyPA files (OSV before 1.0) name one
    ``package`` and put ``introduced``/``fixed`` on each range under ``affects``; read as
    the same thing."""
    if "affected" in advisory:
        return advisory["affected"]
    old = advisory.get("affects")
    if not isinstance(old, dict) or "package" not in advisory:
        return []
    ranges = [
        {
            "type": r.get("type"),
            "events": [{"introduced": str(r.get("introduced", "0"))}]
            + ([{"fixed": str(r["fixed"])}] if "fixed" in r else []),
        }
        for r in old.get("ranges", [])
    ]
    return [{"package": advisory["package"], "ranges": ranges, "versions": old.get("versions", [])}]


def affects(advisory: dict, ecosystem: str, name: str, version: str) -> bool:
    want = normalise(ecosystem, name)
    for entry in affected_entries(advisory):
        pkg = entry.get("package", {})
        if pkg.get("ecosystem") != ecosystem or normalise(ecosystem, pkg.get("name", "")) != want:
            continue
        if version in entry.get("versions", []):
            return True
        for r in entry.get("ranges", []):
            if r.get("type") in ("ECOSYSTEM", "SEMVER") and in_range(
                ecosystem, version, r.get("events", [])
            ):
                return True
    return False


def _read_yaml(path: Path) -> dict:
    """A PyPA advisory kept as published (YAML). PyYAML comes with the test requirements
    (bandit needs it too); without it the audit stops rather than skip advisories silently."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - the test extra installs it
        raise SystemExit(f"PyYAML is needed to read {path} (pip install pyyaml)") from None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_snapshot(folder: Path) -> Iterator[dict]:
    """Advisories from ``<ecosystem>/*.json``, ``*.yaml`` and ``all.zip`` under ``folder``."""
    for eco in ECOSYSTEMS:
        base = folder / eco
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*.json")):
            yield json.loads(path.read_text(encoding="utf-8"))
        for path in sorted([*base.glob("*.yaml"), *base.glob("*.yml")]):
            yield _read_yaml(path)
        for path in sorted(base.glob("*.zip")):
            with zipfile.ZipFile(path) as zf:
                for item in zf.namelist():
                    if item.endswith(".json"):
                        yield json.loads(zf.read(item))


def installed_python() -> list[tuple[str, str]]:
    seen = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if name:
            seen[normalise("PyPI", name)] = dist.version
    return sorted(seen.items())


def npm_packages(lock: Path) -> list[tuple[str, str]]:
    if not lock.is_file():
        return []
    data = json.loads(lock.read_text(encoding="utf-8"))
    found = set()
    for key, info in data.get("packages", {}).items():
        if key and "version" in info:
            found.add((key.rsplit("node_modules/", 1)[-1], info["version"]))
    return sorted(found)


@dataclass
class Finding:
    ecosystem: str
    name: str
    version: str
    advisory: str
    summary: str
    fixed: list[str]


def _fixed_versions(advisory: dict, ecosystem: str, name: str) -> list[str]:
    out = []
    for entry in affected_entries(advisory):
        pkg = entry.get("package", {})
        if pkg.get("ecosystem") == ecosystem and normalise(ecosystem, pkg.get("name", "")) == (
            normalise(ecosystem, name)
        ):
            for r in entry.get("ranges", []):
                if r.get("type") in ("ECOSYSTEM", "SEMVER"):  # not GIT commit hashes
                    out += [ev["fixed"] for ev in r.get("events", []) if "fixed" in ev]
    return out


def _summary(advisory: dict) -> str:
    """OSV's ``summary``, or (PyPA advisories have none) the first sentence of ``details``."""
    text = advisory.get("summary") or " ".join(str(advisory.get("details", "")).split())
    return text if len(text) <= 120 else text[:117].rsplit(" ", 1)[0] + "…"


def scan(
    advisories: Iterable[dict], packages: dict[str, list[tuple[str, str]]]
) -> tuple[list[Finding], int]:
    """Findings for ``packages`` ({ecosystem: [(name, version)]}); also the advisory count."""
    index: dict[tuple[str, str], list[dict]] = {}
    count = 0
    for adv in advisories:
        count += 1
        if adv.get("withdrawn"):
            continue
        for entry in affected_entries(adv):
            pkg = entry.get("package", {})
            key = (
                pkg.get("ecosystem", ""),
                normalise(pkg.get("ecosystem", ""), pkg.get("name", "")),
            )
            index.setdefault(key, []).append(adv)
    findings = []
    for eco, pkgs in packages.items():
        for name, version in pkgs:
            seen: set[str] = set()  # ids and aliases already reported for this package
            for adv in index.get((eco, normalise(eco, name)), []):
                ids = {adv["id"], *adv.get("aliases", [])}
                if not seen.isdisjoint(ids):
                    continue
                if affects(adv, eco, name, version):
                    seen |= ids
                    findings.append(
                        Finding(
                            eco,
                            name,
                            version,
                            adv["id"],
                            _summary(adv),
                            _fixed_versions(adv, eco, name),
                        )
                    )
    return findings, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, default=ROOT / "deploy" / "osv-snapshot")
    parser.add_argument("--lock", type=Path, default=ROOT / "package-lock.json")
    parser.add_argument("--allow", action="append", default=[], help="advisory id answered")
    args = parser.parse_args(argv)
    packages = {"PyPI": installed_python(), "npm": npm_packages(args.lock)}
    findings, count = scan(load_snapshot(args.snapshot), packages)
    stamp = args.snapshot / "SNAPSHOT"
    # the first line of SNAPSHOT says when and from where; the rest lists the files' sources
    when = stamp.read_text().strip().splitlines()[0] if stamp.is_file() else "unknown date"
    open_findings = [f for f in findings if f.advisory not in args.allow]
    for f in findings:
        mark = "answered" if f.advisory in args.allow else "AFFECTED"
        fixed = ", ".join(f.fixed) or "no fix"
        print(
            f"{mark} {f.ecosystem} {f.name} {f.version}: {f.advisory} {f.summary} (fixed: {fixed})"
        )
    n = sum(len(v) for v in packages.values())
    print(
        f"checked {n} packages ({len(packages['PyPI'])} PyPI, {len(packages['npm'])} npm) "
        f"against {count} advisories (snapshot {when}): {len(open_findings)} findings"
    )
    if count == 0:
        print("the snapshot is empty: nothing was checked", file=sys.stderr)
        return 2
    return 1 if open_findings else 0


if __name__ == "__main__":
    sys.exit(main())
