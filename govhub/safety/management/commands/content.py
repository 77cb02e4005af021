"""``govhub content``: check files for content-safety findings, or rebuild the shipped model.

    govhub content check FILE…            one JSON line per finding
    govhub content check --format table FILE…
    govhub content build-model [--data DIR]

A FILE is plain text, HTML (by its extension or a leading ``<``), or JSON Lines of
``{"id": …, "text": …}``; ``-`` reads standard input. Each finding prints as
``{"id", "start", "end", "text", "kind", "severity", "suggestion", "message"}``: positions
index the (visible) text of the document, ``kind`` is the finding's code.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhub.safety.findings import SEVERITY_LABELS


def documents(path: str):
    """(id, text, is_html) for each document of a file."""
    raw = (
        sys.stdin.read()
        if path == "-"
        else Path(path).read_text(encoding="utf-8", errors="replace")
    )
    name = "-" if path == "-" else Path(path).name
    if path.endswith((".jsonl", ".ndjson")):
        for n, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"{name} 第 {n} 行不是有效的 JSON：{exc.msg}") from exc
            yield str(row.get("id", f"{name}:{n}")), str(row.get("text") or ""), False
        return
    is_html = path.endswith((".html", ".htm")) or raw.lstrip().startswith("<")
    yield name, raw, is_html


class Command(BaseCommand):
    help = "内容安全检查：检查文件中的错别字、严重表述错误、个人信息；或重新训练语言模型"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="检查文件（纯文本、HTML 或 JSONL）")
        check.add_argument("files", nargs="+")
        check.add_argument("--format", choices=["jsonl", "table"], default="jsonl")
        check.add_argument("--as-of", help="按哪天的领导人名单和机构名称检查（默认今天）")
        build = sub.add_parser("build-model", help="用真实政府文本重新训练语言模型和近似字表")
        build.add_argument("--data", help="shared/data/portal 目录")

    def handle(self, *args, **opts):
        if opts["action"] == "build-model":
            from govhub.safety.build import build_model

            try:
                build_model(opts.get("data"), log=self.stdout.write)
            except FileNotFoundError as exc:
                raise CommandError(str(exc)) from exc
            return
        from govhub.safety.checker import check_text

        as_of = dt.date.fromisoformat(opts["as_of"]) if opts.get("as_of") else None
        table = opts["format"] == "table"
        total = 0
        for path in opts["files"]:
            if path != "-" and not Path(path).exists():
                raise CommandError(f"找不到文件：{path}")
            for doc_id, text, is_html in documents(path):
                findings = check_text(text, html=is_html, as_of=as_of)
                total += len(findings)
                for f in findings:
                    row = {
                        "id": doc_id,
                        "start": f.start,
                        "end": f.end,
                        "text": f.excerpt,
                        "kind": f.code,
                        "severity": f.severity,
                        "suggestion": f.suggestion,
                        "message": f.message,
                    }
                    if table:
                        self.stdout.write(
                            f"{doc_id}\t{f.start}-{f.end}\t{SEVERITY_LABELS[f.severity]}\t"
                            f"{f.label}\t{f.excerpt}\t→ {f.suggestion}\t{f.message}"
                        )
                    else:
                        self.stdout.write(json.dumps(row, ensure_ascii=False))
        if table:
            self.stdout.write(f"共 {total} 处")
