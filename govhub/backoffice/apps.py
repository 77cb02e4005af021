from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "govhub.backoffice"
    label = "backoffice"
    verbose_name = "后台界面"

    def ready(self):
        label_site_columns()


def label_site_columns() -> None:
    """Wagtail's list of sites declares three columns by field name only (``Column("port")``),
    so their headers read Port, Site name, Root page whatever the language: give them the
    fields' own (translated) names."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.text import capfirst
    from wagtail.models import Site
    from wagtail.sites.views import IndexView

    for column in IndexView.columns:
        try:
            field = Site._meta.get_field(column.name)
        except FieldDoesNotExist:
            continue
        if column.label == capfirst(column.name.replace("_", " ")):
            column.label = capfirst(field.verbose_name)
