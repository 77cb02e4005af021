from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "govhub.wechat"
    label = "wechat"
    verbose_name = "微信公众号"

    def ready(self) -> None:
        from govhub.channels.wechat_messages import register_contact_lookup
        from govhub.wechat import cache
        from govhub.wechat.contacts import last_message_at

        cache._connect()
        register_contact_lookup(last_message_at)  # the 48-hour window's start
