"""预约办事: slots with a capacity, booking, cancelling, attendance, no-show limit, reminders;
overbooking impossible, also when fifty people take the last place at once."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.utils import timezone

from govhub.core.errors import FieldErrors
from govhub.core.models import Role
from govhub.services import actions
from govhub.services.models import Booking
from tests.factories import make_department, make_user
from tests.services.helpers import make_guide

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _slot(capacity=2, dept=None):
    dept = dept or make_department(name="县民政局")
    guide = make_guide(department=dept, name="内地居民结婚登记")
    admin = make_user(superuser=True)
    (slot,) = actions.publish_slots(admin, guide, "婚姻登记处", TOMORROW, "09:00-10:00", capacity)
    return slot


@pytest.mark.django_db
def test_only_the_department_publishes_its_slots_and_bad_lines_are_named():
    dept, other = make_department(name="县民政局"), make_department(name="县教育局")
    guide = make_guide(department=dept)
    with pytest.raises(PermissionDenied):
        actions.publish_slots(
            make_user(department=other, role=Role.HANDLER),
            guide,
            "窗口",
            TOMORROW,
            "09:00-10:00",
            3,
        )
    handler = make_user(department=dept, role=Role.HANDLER)
    with pytest.raises(FieldErrors) as exc:
        actions.publish_slots(handler, guide, "窗口", TOMORROW, "9点到10点", 3)
    assert exc.value.errors["times"].startswith("第 1 行")
    slots = actions.publish_slots(handler, guide, "窗口", TOMORROW, "09:00-10:00\n10:00-11:00", 3)
    assert [s.start.hour for s in slots] == [9, 10]


@pytest.mark.django_db
def test_booking_until_full_then_a_cancellation_frees_a_place():
    slot = _slot(capacity=2)
    a = actions.book(slot.pk, "张三", "13800138000")
    actions.book(slot.pk, "李四", "13900139000")
    with pytest.raises(actions.SlotFull):
        actions.book(slot.pk, "王五", "13700137000")
    with pytest.raises(actions.BookingRefused):
        actions.find_booking(a.code, "13900139000")  # somebody else's phone
    actions.cancel_booking(actions.find_booking(a.code, "138 0013 8000"))
    actions.book(slot.pk, "王五", "13700137000")
    slot.refresh_from_db()
    assert slot.booked == 2
    assert Booking.objects.filter(status="booked").count() == 2


@pytest.mark.django_db
def test_repeated_no_shows_limit_online_booking():
    slot = _slot(capacity=10)
    handler = make_user(superuser=True)
    for _ in range(actions.NO_SHOW_LIMIT):
        b = actions.book(slot.pk, "赵六", "13600136000")
        actions.mark_attendance(handler, b, attended=False)
    with pytest.raises(actions.BookingRefused, match="未到场"):
        actions.book(slot.pk, "赵六", "13600136000")


@pytest.mark.django_db
def test_the_day_before_a_reminder_goes_out_once_by_sms():
    from govhub.channels.models import OutboundMessage

    slot = _slot()
    actions.book(slot.pk, "张三", "13800138000")
    assert actions.queue_reminders(TOMORROW) == 1
    actions.queue_reminders(TOMORROW)
    msg = OutboundMessage.objects.get(kind="appointment_reminder")
    assert msg.platform == "sms" and "内地居民结婚登记" in msg.payload["text"]


@pytest.mark.django_db
def test_a_citizen_books_and_cancels_on_the_pages():
    slot = _slot(capacity=1)
    c = Client()
    page = c.get(f"/services/guides/{slot.guide_id}/book/").content.decode()
    assert "余 1 个" in page
    bad = c.post(f"/services/guides/{slot.guide_id}/book/", {"slot": slot.pk, "name": "张三"})
    assert bad.status_code == 400 and "手机号应为 11 位" in bad.content.decode()
    ok = c.post(
        f"/services/guides/{slot.guide_id}/book/",
        {"slot": slot.pk, "name": "张三", "phone": "13800138000"},
    ).content.decode()
    code = Booking.objects.get().code
    assert "预约成功" in ok and code in ok
    found = c.post("/services/bookings/", {"code": code, "phone": "13800138000"})
    assert "取消预约" in found.content.decode()
    c.post("/services/bookings/", {"code": code, "phone": "13800138000", "cancel": "1"})
    assert Booking.objects.get().status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_fifty_people_taking_the_last_place_at_once_end_with_one_booking():
    slot = _slot(capacity=1)
    barrier = threading.Barrier(50)
    results: list[str] = []

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            actions.book(slot.pk, "市民", f"1380000{i:04d}")
            results.append("booked")
        except actions.SlotFull:
            results.append("full")
        except Exception as exc:  # noqa: BLE001 - a lock timeout would show here
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slot.refresh_from_db()
    assert Booking.objects.filter(slot=slot).count() == 1
    assert slot.booked == 1
    assert results.count("booked") == 1


@pytest.mark.django_db
def test_booking_through_the_api():
    slot = _slot(capacity=1)
    c = Client()
    slots = c.get(f"/api/services/guides/{slot.guide_id}/slots").json()
    assert slots[0]["left"] == 1
    made = c.post(
        "/api/services/bookings",
        {"slot": slot.pk, "name": "张三", "phone": "13800138000"},
        content_type="application/json",
    )
    assert made.status_code == 200 and made.json()["status"] == "已预约"
    full = c.post(
        "/api/services/bookings",
        {"slot": slot.pk, "name": "李四", "phone": "13900139000"},
        content_type="application/json",
    )
    assert full.status_code == 409 and full.json()["error"] == "slot_full"
    cancelled = c.post(
        "/api/services/bookings/find",
        {"code": made.json()["code"], "phone": "13800138000", "cancel": True},
        content_type="application/json",
    ).json()
    assert cancelled["status"] == "已取消"


@pytest.mark.django_db
def test_changing_a_booking_moves_the_place_or_changes_nothing_when_the_new_slot_is_full():
    slot = _slot(capacity=2)
    admin = make_user(superuser=True)
    full, later = actions.publish_slots(
        admin, slot.guide, "婚姻登记处", TOMORROW, "10:00-11:00\n14:00-15:00", 1
    )
    actions.book(full.pk, "李四", "13900139000")
    mine = actions.book(slot.pk, "张三", "13800138000", channel="wechat")
    with pytest.raises(actions.SlotFull):
        actions.change_booking(mine, full.pk)
    mine.refresh_from_db()
    slot.refresh_from_db()
    assert mine.status == "booked" and slot.booked == 1  # nothing moved
    with pytest.raises(actions.BookingRefused):
        actions.change_booking(mine, slot.pk)  # the same slot
    new = actions.change_booking(mine, later.pk)
    mine.refresh_from_db()
    slot.refresh_from_db()
    later.refresh_from_db()
    assert (mine.status, new.status, new.channel) == ("cancelled", "booked", "wechat")
    assert (slot.booked, later.booked) == (0, 1) and new.code != mine.code
    with pytest.raises(actions.BookingRefused):
        actions.change_booking(mine, slot.pk)  # a cancelled booking is not changed again
