"""Wagtail's publish/unpublish/move actions → search index, 索引号 and published files.

The receivers only capture what the change was (ids, old URL) inside the action's transaction
and hand the work to ``on_commit``, which runs before the admin's request returns: a publish
is reported done only after every dependent page is rewritten.
"""

from __future__ import annotations

from django.db import transaction
from wagtail.signals import page_published, page_unpublished, post_page_move

from govhub.portal import govinfo, publish, queries, search
from govhub.portal.models import PortalSettings


def _ancestor_ids(page) -> list[int]:
    return list(page.get_ancestors().values_list("pk", flat=True))


def on_published(sender, instance, **kwargs) -> None:
    govinfo.assign_index_number(instance)
    search.index_page(instance)
    page_id = instance.pk
    transaction.on_commit(lambda: publish.refresh_after_publish(page_id))


def on_unpublished(sender, instance, **kwargs) -> None:
    search.remove_page(instance.pk)
    for desc_id in instance.get_descendants().values_list("pk", flat=True):
        search.remove_page(desc_id)
    old_url = publish._page_url(instance)
    ancestors = _ancestor_ids(instance)
    transaction.on_commit(lambda: publish.refresh_after_unpublish(old_url, ancestors))


def on_moved(sender, instance, parent_page_before, url_path_before="", **kwargs) -> None:
    old_ancestors = [*_ancestor_ids(parent_page_before), parent_page_before.pk]
    old_url = None
    if url_path_before:
        site_root = instance.get_site().root_page if instance.get_site() else None
        root_path = site_root.url_path if site_root else "/"
        if url_path_before.startswith(root_path):
            old_url = "/" + url_path_before[len(root_path) :]
    for page in instance.get_descendants(inclusive=True).live().specific():
        search.index_page(page)
    page_id = instance.pk
    transaction.on_commit(lambda: publish.refresh_after_move(page_id, old_url, old_ancestors))


def _page_or_site_changed(sender, instance, **kwargs) -> None:
    from wagtail.models import Page, Site

    if isinstance(instance, Page | Site | PortalSettings):
        queries.nav_changed()


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    # the header's columns and the footer's settings are cached (queries.site_chrome)
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(queries.nav_changed, dispatch_uid=f"portal_nav_{id(signal)}")
    post_save.connect(_page_or_site_changed, dispatch_uid="portal_nav_saved")
    post_delete.connect(_page_or_site_changed, dispatch_uid="portal_nav_deleted")
    page_published.connect(on_published, dispatch_uid="portal_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="portal_unpublished")
    post_page_move.connect(on_moved, dispatch_uid="portal_moved")
