"""好差评 on the answers engine, staff replies in the inbox and appointments: five levels, one
rating per event, a 差评 is a call-back of the responsible department."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from govhub.core.models import Department
from govhub.inbox import actions as inbox
from govhub.inbox.models import InboxMessage
from govhub.ratings.models import CallbackTask, Rating
from govhub.services import actions as services
from tests.factories import make_department, make_user
from tests.services.helpers import make_guide
from tests.wechat.helpers import make_entries

pytestmark = pytest.mark.django_db


def _token(page: str, index: int = 0) -> str:
    return re.findall(r'name="token" value="([^"]+)"', page)[index]


def test_an_answer_of_the_knowledge_base_is_rated_and_a_bad_one_is_called_back(county):
    entries = make_entries()
    dept = county.dept("rsj")
    entries[0].department = dept
    entries[0].save()
    c = Client()
    page = c.post("/qa/", {"q": "居住证在哪里办理"}).content.decode()
    assert "这个回答对您有帮助吗" in page and "非常不满意" in page
    token = _token(page)
    res = c.post("/ratings/rate/", {"token": token, "level": "1", "comment": "派出所说不归他们管"})
    assert res.status_code == 200 and "感谢您的评价" in res.content.decode()
    rating = Rating.objects.get()
    assert (rating.target_type, rating.target_name) == ("answer", "怎么办理居住证")
    assert rating.callback.department == dept and rating.callback.status == "open"
    again = c.post("/ratings/rate/", {"token": token, "level": "5"})
    assert again.status_code == 409 and Rating.objects.count() == 1


def test_an_answer_without_a_responsible_department_goes_to_the_county(county):
    make_entries()
    c = Client()
    page = c.post("/qa/", {"q": "公积金怎么提取"}).content.decode()
    c.post("/ratings/rate/", {"token": _token(page), "level": "2", "comment": "没说要带什么"})
    assert CallbackTask.objects.get().department == Department.get_first_root_node()


def test_a_staff_reply_in_the_web_chat_is_rated_once(county):
    c = Client()
    c.get("/qa/")
    c.post("/qa/handover/", {"q": "体育馆几点开门"})
    msg = InboxMessage.objects.get(channel="chat")
    inbox.reply_to_message(county.user("editor"), msg, "体育馆每天 8:00 开门。")
    page = c.get("/qa/").content.decode()
    assert "请对这条答复评价" in page
    token = _token(page)
    assert c.post("/ratings/rate/", {"token": token, "level": "5"}).status_code == 200
    # a page reloaded offers a fresh form, but the reply is still one event
    again = c.post(
        "/ratings/rate/",
        {"token": _token(c.get("/qa/").content.decode()), "level": "1", "comment": "x"},
    )
    assert again.status_code == 409
    rating = Rating.objects.get()
    assert rating.target_type == "inbox" and rating.get_level_display() == "非常满意"


def test_a_visit_booked_and_attended_is_rated_from_my_booking(county):
    dept = make_department(name="县民政局")
    guide = make_guide(department=dept, name="结婚登记")
    admin = make_user(superuser=True)
    day = timezone.localdate() + dt.timedelta(days=1)
    slot = services.publish_slots(admin, guide, "婚姻登记处", day, "09:00-10:00", 2)[0]
    booking = services.book(slot.pk, "张三", "13800138000")
    c = Client()
    page = c.post("/services/bookings/", {"code": booking.code, "phone": "13800138000"})
    assert "请对本次预约办理评价" not in page.content.decode()  # not before the visit
    services.mark_attendance(admin, booking, True)
    page = c.post("/services/bookings/", {"code": booking.code, "phone": "13800138000"})
    page = page.content.decode()
    assert "请对本次预约办理评价" in page
    c.post("/ratings/rate/", {"token": _token(page), "level": "2", "comment": "等了一个小时"})
    rating = Rating.objects.get()
    assert (rating.target_type, rating.target_name) == (
        "booking",
        "结婚登记",
    ) and rating.callback.department == dept
