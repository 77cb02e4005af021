from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "govhub.backoffice"
    label = "backoffice"
    verbose_name = "后台界面"

    def ready(self):
        label_site_columns()
        label_unnamed_wagtail_fields()


# Wagtail fields declared without a (translatable) name: their form label reads the field's
# English attribute name whatever the language
UNNAMED_FIELDS = [("wagtailsearchpromotions", "SearchPromotion", "external_link_text", "链接文字")]


def label_unnamed_wagtail_fields() -> None:
    from django.apps import apps

    for app_label, model_name, field_name, label in UNNAMED_FIELDS:
        try:
            field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        except LookupError:
            continue
        if field.verbose_name == field_name.replace("_", " "):
            field.verbose_name = label


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
