"""差评 call-backs: working-day deadlines (2027 from the override table), 催办/督办 once each,
and the 待办 panel of the responsible department."""

from __future__ import annotations

import datetime as dt
import warnings
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from govhub.core import workdays
from govhub.core.models import Role, WorkdayOverride
from govhub.ratings import actions
from govhub.ratings.models import CallbackReminder
from tests.factories import make_department, make_user
from tests.services.helpers import make_guide

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def spring_festival_2027():
    """2027 is not in the official calendar package yet: the administrators' override table
    carries the Spring Festival (8–12 February off, Saturday 6 February worked)."""
    for day in range(8, 13):
        WorkdayOverride.objects.create(date=dt.date(2027, 2, day), is_working_day=False)
    WorkdayOverride.objects.create(date=dt.date(2027, 2, 6), is_working_day=True, note="调休")
    workdays.overrides_changed()
    yield
    workdays.overrides_changed()


def _bad_rating(dept, day: dt.date):
    guide = make_guide(department=dept)
    with _at(day), warnings.catch_warnings():
        warnings.simplefilter("ignore", workdays.CalendarFallbackWarning)
        return actions.rate(actions.rating_token("guide", guide.pk), 1, "窗口说材料不全")


def test_a_bad_rating_before_the_2027_spring_festival_skips_the_holidays(spring_festival_2027):
    rating = _bad_rating(make_department(name="县医疗保障局"), dt.date(2027, 2, 3))
    # Thu 4, Fri 5, Sat 6 (worked), then from Mon 15 February: 15 working days end on 2 March
    assert rating.callback.due_date == dt.date(2027, 3, 2)


def test_handlers_are_reminded_then_supervisors_escalated_each_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dept = make_department(name="县市场监督管理局")
    handler = make_user("h1", department=dept, role=Role.HANDLER)
    sup = make_user("s1", department=dept, role=Role.SUPERVISOR)
    for user in (handler, sup):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    task = _bad_rating(dept, dt.date(2026, 11, 2)).callback
    assert task.due_date == dt.date(2026, 11, 23)
    assert actions.check_callbacks(dt.date(2026, 11, 16)) == []  # 5 working days left
    reminded = actions.check_callbacks(dt.date(2026, 11, 18))  # 3 working days left
    assert [r.kind for r in reminded] == ["remind"] and mail.outbox[-1].to == [handler.email]
    assert actions.check_callbacks(dt.date(2026, 11, 19)) == []  # not twice
    escalated = actions.check_callbacks(dt.date(2026, 11, 24))
    assert [r.kind for r in escalated] == ["escalate"] and mail.outbox[-1].to == [sup.email]
    assert "差评回访" in mail.outbox[-1].subject and "窗口说材料不全" not in mail.outbox[-1].body
    assert actions.check_callbacks(dt.date(2026, 11, 25)) == []
    actions.close_callback(handler, task, "已电话回访并补充了指南中的材料说明")
    assert CallbackReminder.objects.count() == 2
    assert actions.check_callbacks(dt.date(2026, 12, 1)) == []  # done: nothing more


def test_the_todo_panel_lists_the_departments_open_callbacks_only():
    mine, other = make_department(name="县人力资源和社会保障局"), make_department(name="县教育局")
    task = _bad_rating(mine, timezone.localdate()).callback
    _bad_rating(other, timezone.localdate())
    handler = make_user("rsj-h", department=mine, role=Role.HANDLER)
    c = Client()
    c.force_login(handler)
    home = c.get("/admin/").content.decode()
    assert "待办：差评回访（1）" in home
    assert f"/admin/ratings/callbacks/{task.pk}/" in home
    assert f"{task.due_date.year}年{task.due_date.month}月{task.due_date.day}日" in home
    outsider = make_user("jy-editor", department=other, role=Role.EDITOR)
    c.force_login(outsider)
    assert "差评回访" not in c.get("/admin/").content.decode()
