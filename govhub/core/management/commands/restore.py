from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhub.core.audit import verify
from govhub.core.backup import KEYS_NOTE, BackupError, restore


class Command(BaseCommand):
    help = (
        "恢复：govhub restore PATH 先核对清单中的校验和，再把备份写入（已迁移的）数据库和文件目录；"
        "目标数据库不空时拒绝，除非加 --force；最后逐表对比行数并校验审计链"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="govhub backup 生成的 tar.gz")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据库和文件目录")

    def handle(self, *args, **opts):
        try:
            counts = restore(Path(opts["path"]), force=opts["force"], say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        differ = 0
        self.stdout.write(f"{'表':<44}{'备份中':>8}{'恢复后':>8}")
        for label, (want, got) in counts.items():
            if want or got:
                mark = "" if want == got else "  ← 不一致"
                differ += want != got
                self.stdout.write(f"{label:<44}{want:>8}{got:>8}{mark}")
        self.stdout.write(KEYS_NOTE)
        problems = verify()
        if problems:
            self.stderr.write(f"审计日志链校验失败：{len(problems)} 处（密钥是否与备份时相同？）")
        else:
            self.stdout.write("审计日志链校验通过")
        if differ:
            raise CommandError(f"{differ} 张表的行数与备份不一致")
        self.stdout.write(
            f"恢复完成：{len(counts)} 张表行数一致；搜索索引请运行 govhub update_index 重建"
        )
