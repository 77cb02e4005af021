"""The lifecycle functions themselves: states, deadlines moved, refusals change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from govhub.letters import actions as lc
from govhub.letters.models import Extension, LetterEvent, Status
from tests.letters.helpers import letter, make_categories

pytestmark = pytest.mark.django_db


def test_full_lifecycle_to_satisfied(county):
    make_categories(county)
    lt = letter()
    assert lt.status == Status.RECEIVED and len(lt.tracking_code) == 14
    lc.dispatch_letter(
        county.user("dispatcher"),
        lt,
        department=county.dept("rsj"),
        co_departments=[county.dept("chengguan")],
    )
    lt.refresh_from_db()
    assert lt.status == Status.DISPATCHED and lt.handle_due is not None
    lc.accept_letter(county.user("handler"), lt)
    ext = lc.request_extension(county.user("handler"), lt, days=2, reason="需要现场核查")
    due = lt.reply_due
    lc.decide_extension(county.user("supervisor"), ext, approve=True)
    lt.refresh_from_db()
    assert lt.reply_due > due
    assert Extension.objects.get(pk=ext.pk).status == "approved"
    lc.draft_reply(county.user("handler"), lt, body="已责令用人单位支付工资。", submit=True)
    lt.refresh_from_db()
    assert lt.status == Status.REVIEWING
    lc.review_reply(county.user("rsj_reviewer"), lt, approve=False, note="请写明支付时间")
    lt.refresh_from_db()
    assert lt.status == Status.HANDLING
    lc.draft_reply(
        county.user("handler"), lt, body="已责令用人单位于本月底前支付工资。", submit=True
    )
    lc.review_reply(county.user("rsj_reviewer"), lt, approve=True)
    lt.refresh_from_db()
    assert lt.status == Status.REPLIED and lt.replied_at
    lc.rate_letter(lt, level=2, comment="还没发")
    lt.refresh_from_db()
    assert lt.status == Status.REOPENED
    lc.reopen_letter(county.user("supervisor"), lt, note="请再核实")
    lt.refresh_from_db()
    assert lt.status == Status.HANDLING
    kinds = list(LetterEvent.objects.filter(letter=lt).values_list("kind", flat=True))
    assert kinds[:3] == ["received", "dispatched", "accepted"]


def test_other_department_handler_refused_and_nothing_changes(county):
    make_categories(county)
    lt = letter()
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    with pytest.raises(PermissionDenied):
        lc.accept_letter(county.user("jyj_handler"), lt)
    lt.refresh_from_db()
    assert lt.status == Status.DISPATCHED
    with pytest.raises(PermissionDenied):
        lc.dispatch_letter(
            county.user("handler"), letter(phone="13900139000"), department=county.dept("rsj")
        )
