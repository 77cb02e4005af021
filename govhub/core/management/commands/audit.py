from django.core.management.base import BaseCommand, CommandError

from govhub.core.audit import verify
from govhub.core.models import AuditRecord


class Command(BaseCommand):
    help = "审计日志：govhub audit verify 校验哈希链，指出被修改或删除的记录"

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args, **opts):
        total = AuditRecord.objects.count()
        problems = verify()
        if problems:
            for p in problems:
                self.stderr.write(f"审计记录 {p}")
            raise CommandError(
                f"审计日志链校验失败：发现 {len(problems)} 处问题（共 {total} 条记录）"
            )
        self.stdout.write(f"审计日志链完整：{total} 条记录校验通过")
