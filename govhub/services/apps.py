from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "govhub.services"
    label = "services"
    verbose_name = "政务服务"

    def ready(self) -> None:
        from govhub.ratings import targets
        from govhub.services import permissions  # noqa: F401 - registers the app's actions
        from govhub.services.rating_targets import booking, guide, query

        targets.register("guide", guide)
        targets.register("query", query)
        targets.register("booking", booking)
