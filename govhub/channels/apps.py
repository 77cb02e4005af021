from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "govhub.channels"
    label = "channels"
    verbose_name = "发布渠道"
