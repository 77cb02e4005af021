"""The citizen's portal: write, get a code, look up, rate; and every kind of bad input."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from govhub.letters import actions as lc
from govhub.letters.models import Attachment, Letter, Status
from tests.letters.helpers import letter, make_categories

pytestmark = pytest.mark.django_db


def _token(client) -> str:
    html = client.get("/letters/write/").content.decode()
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def _form(client, **kw):
    data = {
        "subject": "小区路灯坏了",
        "content": "东街社区幸福小区门口的路灯坏了一个月，晚上很黑。",
        "name": "李四",
        "phone": "13912345678",
        "token": _token(client),
    }
    data.update(kw)
    return data


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="PNG")
    return buf.getvalue()


def test_citizen_writes_gets_code_looks_up_and_rates(client, county):
    make_categories(county)
    data = _form(client, town="chengguan", latitude="34.5", longitude="109.7")
    data["attachments"] = SimpleUploadedFile("photo.png", _png(), content_type="image/png")
    resp = client.post("/letters/write/", data)
    assert resp.status_code == 200
    code = re.search(r'id="tracking-code">([^<]+)<', resp.content.decode()).group(1)
    lt = Letter.objects.get(tracking_code=code)  # shown only for a committed row
    assert lt.town.code == "chengguan" and lt.latitude == 34.5
    assert Attachment.objects.get(letter=lt).mime == "image/png"
    assert lt.citizen.phone == "13912345678"  # stored encrypted, read back through the field

    other = client.__class__()
    resp = other.post("/letters/track/", {"code": code.lower().replace("-", ""), "last4": "5678"})
    assert resp.status_code == 302
    page = other.get(resp["Location"]).content.decode()
    assert "您的来信已收到" in page and "待分办" in page

    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("zjj"))
    lc.accept_letter(county.user("zjj_handler"), lt)
    lc.draft_reply(county.user("zjj_handler"), lt, body="路灯已于本周修复。", submit=True)
    from tests.factories import make_user

    reviewer = make_user("zjj_rev", department=county.dept("zjj"), role="reviewer")
    lc.review_reply(reviewer, lt, approve=True)
    page = other.get(resp["Location"]).content.decode()
    assert "已转交县住房和城乡建设局办理" in page and "路灯已于本周修复" in page
    other.post(f"/letters/track/{lt.pk}/rate/", {"level": "4", "comment": "谢谢"})
    lt = Letter.objects.get(pk=lt.pk)
    assert lt.status == Status.CLOSED and lt.rating.get_level_display() == "满意"
    assert not hasattr(lt.rating, "callback")


def test_unsatisfied_rating_reopens_for_supervisor(client, county):
    lt = letter()
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    lc.accept_letter(county.user("handler"), lt)
    lc.draft_reply(county.user("handler"), lt, body="已处理。", submit=True)
    lc.review_reply(county.user("rsj_reviewer"), lt, approve=True)
    client.post("/letters/track/", {"code": lt.tracking_code, "last4": "8000"})
    no_reason = client.post(f"/letters/track/{lt.pk}/rate/", {"level": "2"})
    assert no_reason.status_code == 400
    assert "请简单说明不满意的原因" in no_reason.content.decode()
    client.post(f"/letters/track/{lt.pk}/rate/", {"level": "2", "comment": "没解决"})
    lt = Letter.objects.get(pk=lt.pk)
    assert lt.status == Status.REOPENED
    task = lt.rating.callback
    assert task.department == county.dept("rsj") and task.status == "open"
    page = client.get(f"/letters/track/{lt.pk}/").content.decode()
    assert "您的评价：<strong>不满意</strong>" in page
    assert f"{task.due_date.year}年{task.due_date.month}月{task.due_date.day}日" in page


def test_rating_someone_elses_letter_is_not_possible(client, county):
    lt = letter()
    assert client.post(f"/letters/track/{lt.pk}/rate/", {"level": "5"}).status_code == 404
    assert client.get(f"/letters/track/{lt.pk}/").status_code == 404


def test_double_submit_makes_one_letter(client, county):
    data = _form(client)
    r1 = client.post("/letters/write/", data)
    r2 = client.post("/letters/write/", data)
    assert Letter.objects.count() == 1
    assert r1.status_code == r2.status_code == 200
    code = Letter.objects.get().tracking_code
    assert code in r1.content.decode() and code in r2.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "", "请填写来信内容"),
        ("content", "很" * 50000, "不能超过 5000 字"),
        ("phone", "12345", "手机号码格式不正确"),
        ("phone", "<script>alert(1)</script>", "手机号码格式不正确"),
        ("email", "not-an-email", "电子邮箱格式不正确"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_no_letter(client, county, field, value, message):
    resp = client.post("/letters/write/", _form(client, **{field: value}))
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert "<script>alert(1)</script>" not in resp.content.decode()
    assert Letter.objects.count() == 0


def test_executable_named_jpg_is_refused(client, county):
    data = _form(client)
    data["attachments"] = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00" + b"\x00" * 200 + b"PE\x00\x00", content_type="image/jpeg"
    )
    resp = client.post("/letters/write/", data)
    assert resp.status_code == 400 and "文件类型不允许" in resp.content.decode()
    data["attachments"] = SimpleUploadedFile("photo.jpg", _png(), content_type="image/jpeg")
    data["token"] = _token(client)
    resp = client.post("/letters/write/", data)
    assert resp.status_code == 400 and "扩展名与文件实际类型" in resp.content.decode()
    assert Letter.objects.count() == 0 and Attachment.objects.count() == 0


def test_oversized_file_is_refused(client, county):
    data = _form(client)
    data["attachments"] = SimpleUploadedFile(
        "big.png", _png() + b"\x00" * (10 * 1024 * 1024), content_type="image/png"
    )
    resp = client.post("/letters/write/", data)
    assert resp.status_code == 400 and "超过 10 MB" in resp.content.decode()
    assert Letter.objects.count() == 0


def test_script_tags_in_every_field_are_stored_as_text_and_escaped(client, county):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    resp = client.post(
        "/letters/write/",
        _form(client, subject=evil, content=evil, name="<b>王</b>", email="a@example.com"),
    )
    assert resp.status_code == 200
    lt = Letter.objects.get()
    assert lt.content == evil  # nothing the citizen wrote is lost
    page = client.get(f"/letters/track/{lt.pk}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_one_address_sending_many_letters_is_rate_limited(client, county):
    statuses = []
    for _ in range(12):
        statuses.append(client.post("/letters/write/", _form(client)).status_code)
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    assert Letter.objects.count() == 5
    assert "您提交得太频繁了" in client.post("/letters/write/", _form(client)).content.decode()


def test_random_tracking_codes_reveal_nothing_and_lookups_are_limited(client, county):
    lt = letter()
    statuses = []
    for i in range(12):
        r = client.post("/letters/track/", {"code": f"ABCD-EFGH-{i:04d}"[:14], "last4": "8000"})
        statuses.append(r.status_code)
        assert lt.subject not in r.content.decode()
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]
    # the right code with the wrong digits looks exactly like a wrong code
    from django.core.cache import cache

    cache.clear()  # a new ten-minute window
    client2 = client.__class__()
    r = client2.post("/letters/track/", {"code": lt.tracking_code, "last4": "0000"})
    assert r.status_code == 404 and "未找到对应的信件" in r.content.decode()


def test_tracking_codes_are_unguessable():
    from govhub.letters.intake import CODE_ALPHABET, new_tracking_code

    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 14 and set(c.replace("-", "")) <= set(CODE_ALPHABET) for c in codes)


def test_form_works_without_javascript_and_marks_required(client, county):
    html = client.get("/letters/write/").content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="token"' in html
    assert "来信内容 *" in html


def _field_error(html: str, field: str) -> str:
    """The message shown right beside one field ('' when none)."""
    m = re.search(rf'id="id_{field}-error">(.*?)</span>', html, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else ""


def test_an_empty_letter_shows_every_error_at_once_and_keeps_what_was_typed(client, county):
    data = _form(client, content="", phone="", email="bad@", subject="路灯")
    data["name"] = "李四"
    resp = client.post("/letters/write/", data)
    html = resp.content.decode()
    assert resp.status_code == 400 and Letter.objects.count() == 0
    assert "请填写来信内容" in _field_error(html, "content")
    assert "请填写手机号码" in _field_error(html, "phone")
    assert "电子邮箱格式不正确" in _field_error(html, "email")
    summary = re.search(r'id="error-summary".*?</div>', html, re.S).group(0)
    assert "3 处" in summary and 'href="#id_content"' in summary
    assert 'value="路灯"' in html and 'value="李四"' in html and 'value="bad@"' in html


def test_town_then_village_is_a_two_level_choice(client, county):
    html = client.get("/letters/write/").content.decode()
    town = re.search(r'<select name="town".*?</select>', html, re.S).group(0)
    village = re.search(r'<select name="village".*?</select>', html, re.S).group(0)
    assert "城关镇" in town and "东街社区" not in town  # towns only: 10, not 31
    assert town.count("<option") == 1 + 10
    assert '<optgroup label="城关镇">' in village and 'data-town="chengguan"' in village
    resp = client.post("/letters/write/", _form(client, town="chengguan", village="chengguan-v1"))
    code = re.search(r'id="tracking-code">([^<]+)<', resp.content.decode()).group(1)
    lt = Letter.objects.get(tracking_code=code)
    assert lt.town.code == "chengguan-v1" and lt.place == "城关镇 · 东街社区"
    # a village of another town is refused beside the village, the town kept
    resp = client.post("/letters/write/", _form(client, town="xihe", village="chengguan-v1"))
    html = resp.content.decode()
    assert resp.status_code == 400 and "东街社区不属于西河镇" in _field_error(html, "village")
    assert re.search(r'<option value="xihe"[^>]*selected', html)


def test_the_tracking_page_shows_the_reply_deadline(client, county):
    lt = letter(phone="13912345678")
    resp = client.post("/letters/track/", {"code": lt.tracking_code, "last4": "5678"})
    page = client.get(resp["Location"]).content.decode()
    due = lt.reply_due
    assert f'答复期限：<span class="deadline">{due.year}年{due.month}月{due.day}日</span>' in page


def test_the_archive_pages_through_every_published_letter(client, county):
    for i in range(45):
        lt = letter(subject=f"公开来信{i:02d}", phone=f"139000000{i:02d}", publish_consent=True)
        Letter.objects.filter(pk=lt.pk).update(
            published=True, public_subject=f"公开来信{i:02d}", status=Status.CLOSED
        )
    first = client.get("/letters/archive/").content.decode()
    assert "共 45 封公开来信" in first and "第 1/3 页" in first and 'rel="next"' in first
    third = client.get("/letters/archive/?page=3").content.decode()
    assert third.count("公开来信") - third.count("共 45 封公开来信") == 5
    seen = set()
    for n in (1, 2, 3):
        seen |= set(
            re.findall(
                r"公开来信(\d\d)<", client.get(f"/letters/archive/?page={n}").content.decode()
            )
        )
    assert len(seen) == 45


def test_elder_mode_reaches_the_letters_pages(client, county):
    client.cookies["gh_elder"] = "1"
    for url in ("/letters/", "/letters/write/", "/letters/track/", "/letters/archive/"):
        html = client.get(url).content.decode()
        assert 'class="elder"' in html and "退出长者模式" in html, url
        assert "font-size:16px" not in html  # the page follows the elder font size
