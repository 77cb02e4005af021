"""Wagtail's first migrations name the page tree's root "Root", the root collection of images and
documents "Root" and the first page "Welcome to your new Wagtail site!"; the back office shows
these names (breadcrumbs, collection choosers, the site history). Chinese names instead, unless an
administrator has renamed them already."""

from django.db import migrations

NAMES = [
    ("Root", "根目录"),
    ("Welcome to your new Wagtail site!", "欢迎页"),
]


def rename(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    for old, new in NAMES:
        Page.objects.filter(depth__lte=2, title=old).update(title=new, draft_title=new)
    Collection.objects.filter(depth=1, name="Root").update(name="全部")


def restore(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    for old, new in NAMES:
        Page.objects.filter(depth__lte=2, title=new).update(title=old, draft_title=old)
    Collection.objects.filter(depth=1, name="全部").update(name="Root")


class Migration(migrations.Migration):
    dependencies = [("wagtailcore", "0098_apitoken")]
    operations = [migrations.RunPython(rename, restore)]
