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
            self.stdout.write(f"\n演示账号（每个角色一个，密码均为 {demo.DEMO_PASSWORD}）：")
            for username in demo.DEMO_LOGINS:
                memberships = list(county.users[username].memberships.select_related("department"))
                roles = (
                    "、".join(dict.fromkeys(m.get_role_display() for m in memberships))
                    or "超级管理员"
                )
                depts = list(dict.fromkeys(m.department.name for m in memberships))
                where = (
                    depts[0] + (f" 等 {len(depts)} 个部门" if len(depts) > 1 else "")
                    if depts
                    else ""
                )
                self.stdout.write(f"  {username:<11} {roles:<8} {where}")
