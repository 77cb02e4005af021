"""Public pages of publishing: a published piece (when the portal has no page for it) and the
RSS feed of an RSS channel account."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.feedgenerator import Rss201rev2Feed

from govhub.channels.models import ChannelAccount
from govhub.channels.render import digest_of, sanitise_html
from govhub.publishing import actions
from govhub.publishing.models import Delivery, DeliveryState, Publication, PubStatus


def publication_page(request, pk: int):
    """The piece as readers see it; before it is published, staff who may open the piece see the
    same page marked 预览 (the 阅读原文 links of the previews lead here)."""
    pub = Publication.objects.filter(pk=pk).first()
    if pub is None:
        raise Http404
    preview = pub.status != PubStatus.PUBLISHED
    if preview and not (
        request.user.is_authenticated
        and actions.visible_publications(request.user).filter(pk=pk).exists()
    ):
        raise Http404
    if not preview and pub.portal_page_id and pub.portal_page.live:
        return redirect(pub.portal_page.url or "/")
    return render(
        request,
        "publishing/public_detail.html",
        {"pub": pub, "body": sanitise_html(pub.body), "preview": preview},
    )


def feed(request, slug: str):
    account = get_object_or_404(ChannelAccount, slug=slug, platform="rss", enabled=True)
    f = Rss201rev2Feed(
        title=f"{settings.WAGTAIL_SITE_NAME} · {account.name}",
        link=settings.SITE_URL + "/",
        description=f"{settings.WAGTAIL_SITE_NAME}政务发布",
        language="zh-cn",
    )
    items = (
        Delivery.objects.filter(account=account, state=DeliveryState.SENT)
        .prefetch_related("source")
        .order_by("-sent_at")[:50]
    )
    for d in items:
        pub = d.publication
        f.add_item(
            title=pub.title,
            link=pub.public_url,
            description=digest_of(pub),
            unique_id=d.remote_id,
            pubdate=d.sent_at,
        )
    if account is None:
        raise Http404
    response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
    f.write(response, "utf-8")
    return response
