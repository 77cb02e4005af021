"""Factories for publishing tests: channel accounts on the fakes, images, publications."""

from __future__ import annotations

import io
import itertools

from django.core.files.images import ImageFile
from django.utils import timezone

from govhub.channels.models import ChannelAccount
from govhub.publishing.models import Delivery, Publication, PubStatus

_seq = itertools.count(1)


def make_image(
    title: str = "封面", size: tuple[int, int] = (64, 48), fmt: str = "PNG", pad_bytes: int = 0
):
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    buf = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    data = buf.getvalue() + b"\0" * pad_bytes
    n = next(_seq)
    img = Image(
        title=f"{title}{n}", file=ImageFile(io.BytesIO(data), name=f"cover{n}.{fmt.lower()}")
    )
    img.save()
    return img


def wechat_account(department, api, **kw) -> ChannelAccount:
    n = next(_seq)
    return ChannelAccount.objects.create(
        platform="wechat",
        name=kw.pop("name", f"示范县发布{n}"),
        slug=f"wx-{n}",
        department=department,
        app_id="wx-fake-app",
        app_secret="fake-secret",
        api_base=api.url,
        **kw,
    )


def weibo_account(department, api, **kw) -> ChannelAccount:
    n = next(_seq)
    return ChannelAccount.objects.create(
        platform="weibo",
        name=kw.pop("name", f"示范县微博{n}"),
        slug=f"wb-{n}",
        department=department,
        remote_id="5550001",
        access_token="weibo-fake-token",
        api_base=api.url,
        **kw,
    )


def simple_account(department, platform: str) -> ChannelAccount:
    n = next(_seq)
    return ChannelAccount.objects.create(
        platform=platform, name=f"{platform}{n}", slug=f"{platform}-{n}", department=department
    )


def make_publication(department, *, author=None, targets=(), cover=True, **kw) -> Publication:
    n = next(_seq)
    pub = Publication.objects.create(
        title=kw.pop("title", f"示范县第{n}期政务发布"),
        department=department,
        author=author,
        digest=kw.pop("digest", "县政府召开常务会议，研究部署近期重点工作。"),
        body=kw.pop("body", "<p>县政府召开常务会议，研究部署近期重点工作。</p>"),
        cover=make_image() if cover else None,
        **kw,
    )
    pub.targets.set(targets)
    return pub


def queue_deliveries(pub: Publication) -> list[Delivery]:
    """Publish without the review steps (tests of the outbox only)."""
    pub.status, pub.published_at = PubStatus.PUBLISHED, timezone.now()
    pub.save()
    from govhub.publishing import outbox

    outbox.queue_deliveries(pub)
    return list(pub.deliveries.order_by("pk"))
