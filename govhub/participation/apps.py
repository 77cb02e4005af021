from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "govhub.participation"
    label = "participation"
    verbose_name = "互动交流"

    def ready(self) -> None:
        from govhub.participation import permissions  # noqa: F401 - registers the actions
