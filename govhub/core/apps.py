from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhub.core"
    label = "core"
    verbose_name = "基础"
