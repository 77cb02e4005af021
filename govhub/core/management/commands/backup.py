from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhub.core.backup import KEYS_NOTE, BackupError, backup


class Command(BaseCommand):
    help = (
        "备份：govhub backup PATH 把数据库（各表 JSON 行，个人信息保持密文）、上传文件和已发布页面"
        "写成一个 tar.gz，附清单（每表行数、每个文件的 SHA-256）；密钥不在其中"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件路径，例如 /srv/backup/govhub-20260101.tar.gz")

    def handle(self, *args, **opts):
        try:
            result = backup(Path(opts["path"]), say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        rows = sum(result.tables.values())
        self.stdout.write(
            f"已备份到 {result.archive}：{len(result.tables)} 张表 {rows} 行，"
            f"{result.files} 个文件，{result.bytes / 1e6:.1f} MB"
        )
        self.stdout.write(KEYS_NOTE)
