"""好差评: one rating per service event; 差评 become call-backs due in working days."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from govhub.core.errors import FieldErrors
from govhub.core.models import Role
from govhub.ratings import actions, figures
from govhub.ratings.models import CallbackTask, Rating
from tests.factories import make_department, make_user
from tests.services.helpers import make_guide

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_good_rating_is_recorded_without_a_callback():
    guide = make_guide()
    rating = actions.rate(actions.rating_token("guide", guide.pk), 5)
    assert rating.get_level_display() == "非常满意"
    assert rating.department == guide.department
    assert not CallbackTask.objects.exists()


def test_a_bad_rating_on_the_eve_of_national_day_is_due_15_working_days_later():
    guide = make_guide()
    with _at(dt.date(2025, 9, 30)):
        rating = actions.rate(
            actions.rating_token("guide", guide.pk), 1, "材料清单和窗口要求的不一样"
        )
    # 1–8 October 2025 are holidays, 11 October (Saturday) is a working day (调休)
    assert rating.callback.due_date == dt.date(2025, 10, 28)


def test_a_bad_rating_needs_a_reason_and_a_valid_phone_if_one_is_given():
    guide = make_guide()
    with pytest.raises(FieldErrors) as exc:
        actions.rate(actions.rating_token("guide", guide.pk), 2, "", "123")
    assert set(exc.value.errors) == {"comment", "contact"}
    assert not Rating.objects.exists()


def test_one_event_is_rated_once():
    guide = make_guide()
    token = actions.rating_token("guide", guide.pk)
    actions.rate(token, 4)
    with pytest.raises(actions.AlreadyRated):
        actions.rate(token, 1, "改主意了")
    assert Rating.objects.count() == 1


def test_a_forged_token_is_refused():
    with pytest.raises(actions.RatingRefused):
        actions.rate("abc:def", 5)


def test_the_responsible_department_closes_the_callback_others_cannot():
    dept = make_department(name="县住房公积金管理中心")
    other = make_department(name="县教育局")
    guide = make_guide(department=dept)
    rating = actions.rate(actions.rating_token("guide", guide.pk), 1, "窗口人员态度差")
    task = rating.callback
    outsider = make_user(department=other, role=Role.HANDLER)
    with pytest.raises(PermissionDenied):
        actions.close_callback(outsider, task, "已回访并道歉")
    task.refresh_from_db()
    assert task.status == "open"
    handler = make_user(department=dept, role=Role.HANDLER)
    with pytest.raises(FieldErrors):
        actions.close_callback(handler, task, "好")
    actions.close_callback(handler, task, "已电话回访，对窗口人员进行了批评教育")
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == handler
    with pytest.raises(actions.CallbackClosed):
        actions.close_callback(handler, task, "再次办结试试")


def test_monthly_figures_rank_departments_and_count_callbacks_put_right_in_time():
    good_dept = make_department(name="县医疗保障局")
    bad_dept = make_department(name="县住房公积金管理中心")
    g1, g2 = make_guide(department=good_dept), make_guide(department=bad_dept)
    for level in (5, 4, 3):
        actions.rate(actions.rating_token("guide", g1.pk), level)
    actions.rate(actions.rating_token("guide", g2.pk), 5)
    r = actions.rate(actions.rating_token("guide", g2.pk), 1, "等了很久没人管")
    actions.rate(actions.rating_token("guide", g2.pk), 2, "电话打不通")
    actions.close_callback(make_user(superuser=True), r.callback, "已回访并增加了接听人员")
    _, start, end = figures.month_bounds("")
    rows = figures.ratings_by_department(start, end)
    assert [x.department for x in rows] == ["县医疗保障局", "县住房公积金管理中心"]
    assert rows[0].good_rate == 100.0
    worse = rows[1]
    assert (worse.total, worse.bad, worse.fixed_in_time, worse.fixed_rate) == (3, 2, 1, 50.0)
