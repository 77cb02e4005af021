"""我为政府网站找错: a report becomes a letter of category ``site_error`` (deadline one month)
when the letters app's intake is present; it is always kept as a SiteErrorReport."""

from __future__ import annotations

import logging

from django.db import transaction

from govhub.core import audit
from govhub.core.errors import FieldErrors
from govhub.portal.models import SiteErrorReport

log = logging.getLogger(__name__)
CATEGORY = "site_error"


def _letters_intake():
    try:
        from govhub.letters import intake
    except ImportError:
        return None
    return getattr(intake, "submit_letter", None)


class ReportInputError(FieldErrors):
    """The letters intake refused the report; ``errors`` maps field → Chinese message."""


@transaction.atomic
def submit_error_report(
    *, page_url: str, kind: str, description: str, contact: str = ""
) -> SiteErrorReport:
    """Store one report and file it as a letter (channel/category ``site_error``; the letters
    app's deadline policy gives it about a month) so supervision counts it."""
    report = SiteErrorReport.objects.create(
        page_url=page_url[:500], kind=kind, description=description, contact=contact
    )
    submit_letter = _letters_intake()
    if submit_letter is not None:
        letter = _file_letter(submit_letter, report)
        report.letter_code = str(getattr(letter, "tracking_code", "") or letter.pk)[:40]
        report.save(update_fields=["letter_code"])
    audit.record(
        actor=None,
        action="portal_error_reported",
        obj=report,
        summary={"kind": kind, "letter": bool(report.letter_code)},
    )
    return report


def _split_contact(contact: str) -> tuple[str, str]:
    """(phone, email) from the one free-form contact field."""
    contact = (contact or "").strip()
    if "@" in contact:
        return "", contact
    return contact, ""


def _file_letter(submit_letter, report: SiteErrorReport):
    from govhub.letters.intake import LetterInputError

    phone, email = _split_contact(report.contact)
    try:
        return submit_letter(
            channel=CATEGORY,
            subject=f"网站纠错：{report.get_kind_display()}",
            content=f"出错页面：{report.page_url or '未填写'}\n\n{report.description}",
            phone=phone,
            email=email,
        )
    except LetterInputError as exc:
        errors = {
            ("contact" if k in ("phone", "email") else "description"): v
            for k, v in exc.errors.items()
        }
        raise ReportInputError(errors) from exc
