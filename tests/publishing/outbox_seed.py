"""Seed a database with N queued WeChat deliveries (used by the worker-kill test and the bench).

Run: GOVHUB_DATABASE_URL=… python -m tests.publishing.outbox_seed N API_URL
"""

from __future__ import annotations

import os
import sys


def seed(n: int, api_url: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from govhub.channels.models import ChannelAccount
    from govhub.core.models import Department
    from govhub.publishing.models import Publication, PubStatus
    from govhub.publishing.outbox import queue_deliveries
    from tests.publishing.factories import make_image

    with transaction.atomic():
        dept = Department.add_root(
            name="示范县", code="county-bench", level="county", kind="government"
        )
        account = ChannelAccount.objects.create(
            platform="wechat",
            name="示范县发布",
            slug="wx-bench",
            department=dept,
            app_id="wx-fake-app",
            app_secret="fake-secret",
            api_base=api_url,
        )
        cover = make_image()
        now = timezone.now()
        pubs = Publication.objects.bulk_create(
            [
                Publication(
                    title=f"第{i}期政务发布",
                    department=dept,
                    digest="摘要",
                    body=f"<p>正文 {i}</p>",
                    cover=cover,
                    status=PubStatus.PUBLISHED,
                    published_at=now,
                )
                for i in range(n)
            ]
        )
        for p in pubs:
            p.targets.add(account)
            queue_deliveries(p)


if __name__ == "__main__":
    seed(int(sys.argv[1]), sys.argv[2])
