from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "govhub.api"
    label = "govhub_api"
    verbose_name = "接口"
