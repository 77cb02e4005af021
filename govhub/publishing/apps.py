from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "govhub.publishing"
    label = "publishing"
    verbose_name = "内容发布"
