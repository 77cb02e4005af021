from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "govhub.services"
    label = "services"
    verbose_name = "政务服务"

    def ready(self) -> None:
        from govhub.ratings import targets
        from govhub.services import permissions  # noqa: F401 - registers the app's actions
        from govhub.services.hooks import booking, guide, query

        targets.register("guide", guide)
        targets.register("query", query)
        targets.register("booking", booking)

        from govhub.core.site_search import register_section
        from govhub.services.hooks import guides_for_site_search

        register_section("办事指南", "/services/guides/?q=", guides_for_site_search)
