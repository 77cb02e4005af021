from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhub.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from wagtail.models import ModelLogEntry, PageLogEntry

        from govhub.core import logins  # noqa: F401  (connects the login audit receivers)
        from govhub.core.audit import mirror_wagtail_log_entry

        logins.connect_lockout_signal()

        # Edits made in Wagtail's own views (pages, images, documents, snippets) are logged by
        # Wagtail; mirroring each entry puts them in the hash chain beside govhub's own changes.
        for model in (PageLogEntry, ModelLogEntry):
            post_save.connect(
                mirror_wagtail_log_entry,
                sender=model,
                dispatch_uid=f"govhub-audit-{model.__name__}",
            )
