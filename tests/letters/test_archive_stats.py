"""Public archive (redaction, staff confirmation, search), statistics against a hand count, map."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest

from govhub.letters import actions as lc
from govhub.letters import stats
from govhub.letters.models import Letter, Status
from govhub.letters.text import redact_for_publication
from govhub.ratings.models import Rating
from tests.letters.helpers import letter

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_redaction_removes_names_phones_id_numbers_and_addresses():
    text = (
        "我叫王建国，身份证号610102199001011234，电话13812345678，住在幸福小区3栋2单元501室，"
        "老家是柳树湾村5组。王建国再次反映。"
    )
    out = redact_for_publication(text, ["王建国"])
    for secret in ("王建国", "610102199001011234", "13812345678", "幸福小区3栋", "柳树湾村5组"):
        assert secret not in out
    assert "王某某" in out and "138****5678" in out and "（地址已隐去）" in out


def _replied(county, **kw):
    lt = letter(**kw)
    lc.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    lc.accept_letter(county.user("handler"), lt)
    lc.draft_reply(
        county.user("handler"), lt, body="经核实，已督促企业于本月底前支付工资。", submit=True
    )
    lc.review_reply(county.user("rsj_reviewer"), lt, approve=True)
    lt.refresh_from_db()
    return lt


def test_staff_confirm_redacted_text_before_it_is_public_and_it_is_searchable(client, county):
    lt = _replied(
        county,
        name="张三",
        publish_consent=True,
        content="我叫张三，电话13800138000，在县城人民路18号工地干活，老板拖欠工资。",
    )
    assert client.get("/letters/archive/").content.decode().count(lt.tracking_code) == 0
    client.force_login(county.user("supervisor"))
    page = client.get(f"/admin/letters/{lt.pk}/").content.decode()
    assert "138****8000" in page.split("公开内容")[1] and "张某" in page.split("公开内容")[1]
    client.post(
        f"/admin/letters/{lt.pk}/act/publish/",
        {
            "subject": "工资被拖欠",
            "content": "我叫张某，电话138****8000，在（地址已隐去）工地干活，老板拖欠工资。",
            "reply": "经核实，已督促企业于本月底前支付工资。",
        },
    )
    client.logout()
    archive = client.get("/letters/archive/?q=拖欠工资").content.decode()
    assert "工资被拖欠" in archive
    assert "工资被拖欠" not in client.get("/letters/archive/?q=幼儿园").content.decode()
    public = client.get(f"/letters/archive/{lt.pk}/").content.decode()
    assert "13800138000" not in public and "张三" not in public and "支付工资" in public


def test_no_consent_no_publication(county):
    lt = _replied(county, publish_consent=False)
    with pytest.raises(lc.LetterStateError):
        lc.publish_letter(county.user("supervisor"), lt, subject="a", content="b", reply="c")
    assert not Letter.objects.get(pk=lt.pk).published


def test_statistics_match_a_hand_count(client, county):
    rsj, jyj = county.dept("rsj"), county.dept("jyj")

    def row(received, replied, due, sat, dept, status=Status.CLOSED):
        lt = letter(phone="", received_at=dt.datetime(*received, 10, tzinfo=SH))
        Letter.objects.filter(pk=lt.pk).update(
            replied_at=dt.datetime(*replied, 15, tzinfo=SH) if replied else None,
            reply_due=dt.date(*due),
            department=dept,
            status=status,
        )
        if sat:  # 好差评 of the reply, on the five levels
            Rating.objects.create(
                target_type="letter",
                target_id=lt.pk,
                target_name="答复",
                department=dept,
                event_key=f"t{lt.pk}",
                level=sat,
            )

    # October 2026: 3 letters (rsj 2, jyj 1)
    row((2026, 10, 12), (2026, 10, 14), (2026, 10, 15), 5, rsj)  # 2 wd, on time
    row((2026, 10, 13), (2026, 10, 20), (2026, 10, 16), 2, rsj)  # 5 wd, late
    row((2026, 10, 14), None, (2026, 10, 19), "", jyj, Status.HANDLING)  # open
    # November 2026: 2 letters (jyj)
    row((2026, 11, 2), (2026, 11, 3), (2026, 11, 5), 3, jyj)  # 1 wd, on time
    row((2026, 11, 3), (2026, 11, 6), (2026, 11, 6), "", jyj)  # 3 wd, on time
    row((2026, 11, 4), None, (2026, 11, 9), "", None, Status.INVALID)  # not counted
    data = stats.compute()
    t = data["total"]
    assert (t["received"], t["replied"], t["on_time"]) == (5, 4, 3)
    assert t["avg_workdays"] == 2.75 and t["on_time_rate"] == 75.0
    assert t["satisfaction_rate"] == round(100 * 2 / 3, 1)
    months = {m["month"]: m for m in data["by_month"]}
    assert (
        months["2026-10"]["received"],
        months["2026-10"]["replied"],
        months["2026-10"]["on_time"],
    ) == (3, 2, 1)
    assert (months["2026-11"]["received"], months["2026-11"]["avg_workdays"]) == (2, 2.0)
    depts = {d["department"]: d for d in data["by_department"]}
    assert depts["县人力资源和社会保障局"]["satisfaction_rate"] == 50.0
    assert depts["县教育局"]["received"] == 3
    page = client.get("/letters/stats/").content.decode()
    assert "<svg" in page and "2026-10 收信 3" in page and "有效来信 <strong>5</strong>" in page


def test_open_problems_by_town_without_tiles_and_on_a_map_with_them(client, county, settings):
    letter(town_code="chengguan", latitude=34.5, longitude=109.7)
    letter(town_code="chengguan", phone="13900000001")
    page = client.get("/letters/map/").content.decode()
    assert "城关镇" in page and "<td>2</td>" in page
    assert "leaflet.js" not in page and "letters-map" not in page  # no tiles: the list only
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    page = client.get("/letters/map/").content.decode()
    assert 'data-tiles="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in page
    assert "/static/leaflet/leaflet.js" in page and "/static/leaflet/leaflet.css" in page
    points = json.loads(re.search(r'id="letters-map-points"[^>]*>(.*?)</script>', page).group(1))
    # the public map shows the centre of the ~1 km grid cell, not the writer's point
    assert points == [
        {"lat": 34.505, "lng": 109.705, "category": "其他", "town": "城关镇", "status": "待分办"}
    ]
    assert "<td>2</td>" in page  # the list stays under the map
    assert "工资被拖欠" not in page  # no letter text on the public map
