"""我为政府网站找错: a report becomes a letter of category ``site_error`` (deadline one month)
when the letters app's intake is present; it is always kept as a SiteErrorReport."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from govhub.core import audit
from govhub.portal.models import SiteErrorReport

log = logging.getLogger(__name__)
CATEGORY = "site_error"
DEADLINE = timedelta(days=30)


def _letters_intake():
    try:
        from govhub.letters import intake
    except ImportError:
        return None
    return getattr(intake, "submit_letter", None)


@transaction.atomic
def submit_error_report(
    *, page_url: str, kind: str, description: str, contact: str = ""
) -> SiteErrorReport:
    """Store one report (and file it as a letter when the letters intake exists)."""
    report = SiteErrorReport.objects.create(
        page_url=page_url[:500], kind=kind, description=description, contact=contact
    )
    submit_letter = _letters_intake()
    if submit_letter is not None:
        letter = _file_letter(submit_letter, report)
        if letter is not None:
            report.letter_code = str(getattr(letter, "code", "") or getattr(letter, "pk", ""))[:40]
            report.save(update_fields=["letter_code"])
    audit.record(
        actor=None,
        action="portal_error_reported",
        obj=report,
        summary={"kind": kind, "letter": bool(report.letter_code)},
    )
    return report


def _file_letter(submit_letter, report: SiteErrorReport):
    subject = f"网站纠错：{report.get_kind_display()}"
    body = f"出错页面：{report.page_url or '未填写'}\n\n{report.description}"
    return submit_letter(
        subject=subject,
        body=body,
        category=CATEGORY,
        channel="portal",
        contact=report.contact,
        due_at=timezone.now() + DEADLINE,
    )
