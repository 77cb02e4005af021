"""Portal adapter: the piece goes live on the portal (宏内容).

Channels import nothing above them, so the portal is reached by name and by registration: a
portal app may register ``register_publisher(publish_article, unpublish_article)``; otherwise,
when the page model named by ``settings.PORTAL_ARTICLE_MODEL`` (default ``portal.ArticlePage``)
is installed and the piece has a column, an article page is created under the column and
published through Wagtail's revision API, filling the fields it has (title, body/intro/summary).
Without a column the piece is shown by the publishing app itself at ``/publishing/p/<id>/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.utils.text import slugify

from govhub.channels import render
from govhub.channels.base import ChannelError, Figures, Preview, Progress, Sent

_publisher: dict[str, Callable] = {}


def register_publisher(publish_article: Callable, unpublish_article: Callable) -> None:
    """Let the portal app publish pieces its own way (``publish_article(piece) -> page``)."""
    _publisher["publish_article"] = publish_article
    _publisher["unpublish_article"] = unpublish_article


def _portal_hook(name: str):
    return _publisher.get(name)


def _article_model():
    label = getattr(settings, "PORTAL_ARTICLE_MODEL", "portal.ArticlePage")
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _set_body(page, html: str, digest: str) -> None:
    from wagtail.fields import RichTextField, StreamField

    names = {f.name: f for f in page._meta.get_fields() if hasattr(f, "attname")}
    for name in ("body", "content", "text"):
        field = names.get(name)
        if isinstance(field, RichTextField) or (
            field is not None and field.get_internal_type() == "TextField"
        ):
            setattr(page, name, html)
            break
        if isinstance(field, StreamField):
            block_names = list(field.stream_block.child_blocks)
            for candidate in ("paragraph", "rich_text", "text", "html"):
                if candidate in block_names:
                    setattr(
                        page, name, [(candidate, html if candidate == "html" else _richtext(html))]
                    )
                    break
            break
    for name in ("intro", "summary", "digest", "search_description"):
        if name in names and names[name].get_internal_type() in ("CharField", "TextField"):
            max_len = getattr(names[name], "max_length", None) or 1000
            setattr(page, name, digest[:max_len])
            break


def _richtext(html: str):
    from wagtail.rich_text import RichText

    return RichText(html)


class PortalAdapter:
    platform = "portal"
    can_withdraw = True

    def configured(self, account) -> bool:
        return True

    def preview(self, publication, account, *, marker: str = "") -> Preview:
        return Preview(
            "portal",
            {
                "title": publication.title,
                "column": publication.column.title
                if publication.column_id
                else "（未选择栏目，发布在“政务发布”页）",
                "digest": render.digest_of(publication),
                "body_html": render.sanitise_html(publication.body),
                "url": publication.public_url,
            },
        )

    def validate(self, publication, account) -> list:
        return []

    def publish(self, delivery, progress: Progress) -> Sent:
        pub = delivery.publication
        hook = _portal_hook("publish_article")
        try:
            page = hook(pub) if hook is not None else self._create_article(pub)
        except ChannelError:
            raise
        except Exception as exc:  # noqa: BLE001 - shown to the editor, retried
            raise ChannelError(f"门户页面发布失败：{type(exc).__name__}: {exc}"[:300]) from exc
        if page is None:
            url = f"{settings.SITE_URL}/publishing/p/{pub.pk}/"
            return Sent(f"publication:{pub.pk}", url, "已在网站发布")
        url = page.full_url or f"{settings.SITE_URL}{page.url}"
        type(pub).objects.filter(pk=pub.pk).update(portal_page=page, portal_url=url)
        return Sent(f"page:{page.pk}", url, "已在网站发布")

    def _create_article(self, pub):
        model = _article_model()
        if model is None or pub.column_id is None:
            return None
        if pub.portal_page_id:
            page = pub.portal_page.specific
        else:
            parent = pub.column.specific
            slug = slugify(f"p{pub.pk}") or f"p{pub.pk}"
            existing = parent.get_children().filter(slug=slug).first()
            if existing is not None:
                return existing.specific
            page = model(title=pub.title, slug=slug)
            _set_body(page, render.sanitise_html(pub.body), render.digest_of(pub))
            if hasattr(page, "department_id"):
                page.department = pub.department
            if hasattr(page, "cover_id") and pub.cover_id:
                page.cover = pub.cover
                if hasattr(page, "cover_alt"):
                    page.cover_alt = pub.cover.title[:200]
            parent.add_child(instance=page)
        revision = page.save_revision(log_action=True)
        revision.publish()
        page.refresh_from_db()
        return page

    def find_existing(self, delivery, progress: Progress) -> Sent | None:
        return None  # publishing to the portal is idempotent by slug

    def withdraw(self, delivery) -> None:
        pub = delivery.publication
        if pub.portal_page_id is None:
            return
        hook = _portal_hook("unpublish_article")
        page = pub.portal_page.specific
        if hook is not None:
            hook(page)
        else:
            page.unpublish(log_action=True)

    def fetch_figures(self, account, deliveries: list, day: dt.date) -> dict[int, Figures]:
        return {}
