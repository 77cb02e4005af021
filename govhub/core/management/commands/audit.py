from django.core.management.base import BaseCommand, CommandError

from govhub.core.audit import anchor, anchor_file, verify
from govhub.core.models import AuditRecord


class Command(BaseCommand):
    help = (
        "审计日志：govhub audit verify 校验签名链与外部锚点，指出被修改、删除或重算的记录；"
        "govhub audit anchor 把链尾写到锚点文件"
    )

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify", "anchor"])

    def handle(self, *args, **opts):
        if opts["subcommand"] == "anchor":
            line = anchor()
            if line is None:
                self.stdout.write("审计日志为空，无需锚定")
            else:
                self.stdout.write(f"已锚定第 {line['seq']} 号记录到 {anchor_file()}")
            return
        total = AuditRecord.objects.count()
        problems = verify()
        if problems:
            for p in problems:
                self.stderr.write(f"审计记录 {p}")
            raise CommandError(
                f"审计日志链校验失败：发现 {len(problems)} 处问题（共 {total} 条记录）"
            )
        self.stdout.write(f"审计日志链完整：{total} 条记录校验通过")
