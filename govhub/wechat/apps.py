from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "govhub.wechat"
    label = "wechat"
    verbose_name = "微信公众号"

    def ready(self) -> None:
        from govhub.wechat import cache

        cache._connect()
