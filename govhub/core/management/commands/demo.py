from django.core.management.base import BaseCommand

from govhub.core import demo


class Command(BaseCommand):
    help = "建立示范县演示数据（可重复执行，结果相同）"

    def add_arguments(self, parser):
        parser.add_argument("--apps", nargs="*", help="只建立这些应用的演示内容")
        parser.add_argument("--quiet-logins", action="store_true")

    def handle(self, *args, apps, quiet_logins, **opts):
        self.stdout.write("正在建立示范县演示数据…")
        county = demo.build(apps, stdout=self.stdout)
        self.stdout.write(f"完成：{len(county.departments)} 个部门，{len(county.users)} 名工作人员")
        if not quiet_logins:
            self.stdout.write(
                f"\n演示账号（密码均为 {demo.DEMO_PASSWORD}），每一步由负责它的人完成："
            )
            for loop, steps in demo.DEMO_LOOPS:
                self.stdout.write(f"  {loop}")
                for username, step in steps:
                    user = county.users[username]
                    name = user.first_name or username
                    self.stdout.write(f"    {username:<13} {name:<5} {step}")
