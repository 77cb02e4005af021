from django.core.management.base import BaseCommand

from govhub.portal import address, publish


class Command(BaseCommand):
    help = "按网站地址（GOVHUB_SITE_URL）重新生成门户的全部静态页面和订阅"

    def handle(self, *args, **opts):
        if address.sync_site():
            self.stdout.write(f"网站地址已改为 {address.site_url()}")
        count = publish.publish_all()
        self.stdout.write(f"已生成 {count} 个页面（网站地址 {address.site_url()}）")
