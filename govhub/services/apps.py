from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "govhub.services"
    label = "services"
    verbose_name = "办事服务"
