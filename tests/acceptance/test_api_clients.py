"""The API as a machine client uses it: a real HTTP client (``requests``) against the served demo,
CSRF enforced as in production (Django's test client would switch it off). A piece is written
with its column, cover and images, checked, submitted, passed by three people with their own
tokens and followed until it is out."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import requests


def _token(site, username: str) -> dict:
    with site.db():
        from django.contrib.auth import get_user_model

        from govhub.api.auth import issue_token

        user = get_user_model().objects.get(username=username)
        return {"Authorization": f"Bearer {issue_token(user=user, name='接口测试')[1]}"}


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 360), (30, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def _session_login(site, username: str) -> requests.Session:
    """A browser-like session: the back office's login form, with its CSRF cookie."""
    from govhub.core.demo import DEMO_PASSWORD

    s = requests.Session()
    s.get(site.url + "/admin/login/")
    res = s.post(
        site.url + "/admin/login/",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
        },
        headers={"Referer": site.url + "/admin/login/"},
    )
    assert res.ok and "sessionid" in s.cookies
    return s


def test_a_machine_client_writes_and_follows_a_piece_with_tokens(site):
    api = site.url + "/api"
    editor, reviewer = _token(site, "editor"), _token(site, "reviewer")
    reviewer2, signer = _token(site, "reviewer2"), _token(site, "signer")

    # an image, uploaded as multipart with the token: no CSRF token needed
    res = requests.post(
        api + "/publishing/images",
        headers=editor,
        files={"file": ("封面.png", _png(), "image/png")},
        data={"title": "接口封面"},
        timeout=20,
    )
    assert res.status_code == 201, res.text
    cover = res.json()
    assert requests.get(site.url + cover["url"], timeout=10).status_code == 200
    bad = requests.post(
        api + "/publishing/images",
        headers=editor,
        files={"file": ("名单.exe", b"MZ", "application/octet-stream")},
        timeout=20,
    )
    assert bad.status_code == 400 and "不支持的图片类型" in bad.json()["message"]

    columns = requests.get(api + "/publishing/columns", headers=editor, timeout=20).json()
    assert columns and all(c["path"] for c in columns)
    column = next(c for c in columns if c["title"] == "部门动态")
    body = (
        "<p>示范县今日开通政务服务“一网通办”接口。</p>"
        f'<embed embedtype="image" id="{cover["id"]}" format="fullwidth" alt="服务大厅"/>'
    )
    res = requests.post(
        api + "/publishing/publications",
        headers=editor,
        json={
            "title": "示范县开通政务服务接口",
            "department": "rmt",
            "column": column["id"],
            "digest": "政务服务接口今日开通。",
            "body": body,
            "cover": cover["id"],
            "images": [cover["id"]],
            "targets": ["shifan-portal", "shifan-rss", "shifan-email"],
        },
        timeout=20,
    )
    assert res.status_code == 201, res.text
    piece = res.json()
    assert (piece["column"], piece["cover"], piece["images"]) == (
        column["id"],
        cover["id"],
        [cover["id"]],
    )
    pk = piece["id"]
    res = requests.patch(
        f"{api}/publishing/publications/{pk}",
        headers=editor,
        json={"digest": "政务服务“一网通办”接口今日开通。"},
        timeout=20,
    )
    assert res.status_code == 200, res.text
    checks = requests.get(f"{api}/publishing/publications/{pk}/checks", headers=editor, timeout=20)
    assert checks.status_code == 200
    assert not [f for f in checks.json() if f["severity"] == "blocking"], checks.json()

    def act(headers, action, **payload):
        return requests.post(
            f"{api}/publishing/publications/{pk}/{action}",
            headers=headers,
            json=payload,
            timeout=30,
        )

    assert act(editor, "submit").json()["current_step"] == "初审"
    assert act(reviewer, "approve", comment="同意").json()["current_step"] == "复审"
    again = act(reviewer, "approve", comment="再次同意")
    assert again.status_code == 403 and "“初审”，“复审”须由另一人办理" in again.json()["message"]
    assert act(reviewer2, "approve", comment="同意").json()["current_step"] == "终审签发"
    res = act(signer, "approve", comment="同意签发")
    assert res.status_code == 200 and res.json()["status"] == "published", res.text

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out = requests.get(f"{api}/publishing/publications/{pk}", headers=editor, timeout=20)
        states = {d["account"]: d["state"] for d in out.json()["deliveries"]}
        if set(states.values()) == {"sent"}:
            break
        time.sleep(0.5)
    assert states == {"shifan-portal": "sent", "shifan-rss": "sent", "shifan-email": "sent"}
    public = urlsplit(out.json()["public_url"])
    # the path on the served site (the absolute address is the portal's concern: GOVHUB_SITE_URL)
    assert requests.get(site.url + public.path, timeout=20).status_code == 200


def test_session_writes_need_the_csrf_token_and_a_token_wins_over_the_cookie(site):
    browser = _session_login(site, "editor")
    payload = {"title": "会话写入", "department": "rmt"}
    res = browser.post(site.url + "/api/publishing/publications", json=payload, timeout=20)
    assert res.status_code == 403 and res.json()["error"] == "csrf_failed"
    assert "CSRF" in res.json()["message"] and "令牌" in res.json()["message"]
    res = browser.post(
        site.url + "/api/publishing/publications",
        json=payload,
        headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": site.url + "/admin/"},
        timeout=20,
    )
    assert res.status_code == 201, res.text
    # the same cookie jar with a token: the token is asked first, no CSRF needed
    res = browser.post(
        site.url + "/api/publishing/publications",
        json=payload,
        headers=_token(site, "editor"),
        timeout=20,
    )
    assert res.status_code == 201, res.text
    assert requests.post(site.url + "/api/publishing/publications", json=payload).status_code == 401


def test_bad_paging_is_refused_with_a_structured_422(site):
    headers = _token(site, "dispatcher")
    for query in ("offset=-1", "limit=abc", "offset=x"):
        res = requests.get(f"{site.url}/api/letters/?{query}", headers=headers, timeout=20)
        assert res.status_code == 422, (query, res.status_code, res.text[:200])
        body = res.json()
        assert body["error"] == "invalid" and body["message"].startswith("请求参数不正确")


def test_api_docs_work_without_the_internet(site):
    page = site.citizen(phone=False)
    outside: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(site.url)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page.goto(site.url + "/api/docs")
    page.wait_for_selector(".opblock-tag", timeout=20000)
    site.shot(page, "api-docs")
    text = page.inner_text("body")
    assert "内容发布" in text and "写新稿件" in text
    assert not outside, outside
