from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "govhub.qa"
    label = "qa"
    verbose_name = "智能问答"
