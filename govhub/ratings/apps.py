from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "govhub.ratings"
    label = "ratings"
    verbose_name = "好差评"

    def ready(self) -> None:
        from govhub.ratings import permissions  # noqa: F401 - registers the app's actions
