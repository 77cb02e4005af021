"""政府信息公开: the 索引号 scheme ``<机构代码>/<类别代码>-<年份>-<流水号4位>``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from wagtail.models import Page

from govhub.portal.models import GovInfoCatalogPage, GovInfoCategoryPage, GovInfoIndex


def format_number(org_code: str, category_code: str, year: int, sequence: int) -> str:
    return f"{org_code}/{category_code}-{year}-{sequence:04d}"


def assign_index_number(page: Page) -> GovInfoIndex | None:
    """Give a published page in the catalogue its 索引号 once; later edits keep it."""
    existing = GovInfoIndex.objects.filter(page_id=page.pk).first()
    if existing:
        return existing
    parent = page.get_parent()
    if parent is None or not issubclass(parent.specific_class, GovInfoCategoryPage):
        return None
    category = parent.specific
    catalog = GovInfoCatalogPage.objects.filter(pk=category.get_parent().pk).first()
    org = catalog.organisation_code if catalog else "000000000"
    year = page.specific.date.year if hasattr(page.specific, "date") else 0
    for _ in range(5):
        seq = (
            GovInfoIndex.objects.filter(category_code=category.code, year=year).aggregate(
                m=Max("sequence")
            )["m"]
            or 0
        ) + 1
        try:
            with transaction.atomic():
                return GovInfoIndex.objects.create(
                    page_id=page.pk,
                    number=format_number(org, category.code, year, seq),
                    category_code=category.code,
                    year=year,
                    sequence=seq,
                )
        except IntegrityError:  # two publishes raced for the same number: take the next
            continue
    raise RuntimeError("无法分配索引号")
