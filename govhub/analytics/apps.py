from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "govhub.analytics"
    label = "analytics"
    verbose_name = "统计分析"
