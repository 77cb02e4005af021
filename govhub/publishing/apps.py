from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "govhub.publishing"
    label = "publishing"
    verbose_name = "内容发布"

    def ready(self):
        from govhub.publishing import outbox  # noqa: F401 - registers the editor's alert
