from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "govhub.safety"
    label = "safety"
    verbose_name = "内容安全"
    default_auto_field = "django.db.models.BigAutoField"
