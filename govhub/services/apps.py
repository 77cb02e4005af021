from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "govhub.services"
    label = "services"
    verbose_name = "政务服务"

    def ready(self) -> None:
        from govhub.services import permissions  # noqa: F401 - registers the app's actions
