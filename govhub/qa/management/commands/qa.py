"""``govhub qa import FILE`` and ``govhub qa evaluate FILE``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhub.qa import actions
from govhub.qa.evaluate import evaluate, read_set


class Command(BaseCommand):
    help = "智能问答：导入知识库（CSV/xlsx/JSONL），评测问题集"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="cmd", required=True)
        imp = sub.add_parser("import", help="导入知识库条目")
        imp.add_argument("file")
        ev = sub.add_parser("evaluate", help="评测：top-1、top-3、不应回答问题的误答率")
        ev.add_argument("file")

    def handle(self, *args, cmd: str, file: str, **opts):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        if cmd == "import":
            try:
                report = actions.import_entries(None, path.name, path.read_bytes())
            except actions.ImportError_ as exc:
                raise CommandError(str(exc)) from exc
            if report.errors:
                for e in report.errors[:50]:
                    self.stderr.write(e)
                raise CommandError(f"{len(report.errors)} 处错误，未导入")
            self.stdout.write(f"导入完成：新增 {report.created} 条，更新 {report.updated} 条")
        else:
            try:
                pairs = read_set(path)
            except ValueError as exc:
                raise CommandError(f"问题集格式错误：{exc}") from exc
            for line in evaluate(pairs).lines():
                self.stdout.write(line)
