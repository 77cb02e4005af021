from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "govhub.portal"
    label = "portal"
    verbose_name = "门户网站"

    def ready(self) -> None:
        from govhub.portal import signals

        signals.connect()
