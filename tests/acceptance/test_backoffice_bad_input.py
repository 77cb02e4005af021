"""Bad input in the back office: a login that runs out in the middle of a form, a file too big or
of the wrong kind. Each gets a Chinese message, and what was typed is not lost."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

DESCRIPTION = (
    "冬季供暖期为每年11月15日至次年3月15日，供热不达标可拨打12345热线反映，"
    "住建局在24小时内上门检测并答复。"
)


def test_a_form_sent_after_the_login_ran_out_keeps_what_was_typed(site):
    """The administrator writes a promoted search result; meanwhile the login runs out. Sending
    the form shows 登录已过期 with everything typed still there; after logging in again in a
    second window, 重新提交 saves it as typed."""
    query = f"供暖费{uuid.uuid4().hex[:6]}"
    admin = site.login("admin")
    admin.goto(site.url + "/admin/searchpicks/add/")
    admin.fill("input[name=query_string]", query)
    admin.get_by_role("button", name="添加推荐结果").click()
    admin.fill("input[name=editors_picks-0-external_link_url]", "https://www.gov.cn/")
    admin.fill("input[name=editors_picks-0-external_link_text]", "供暖政策")
    admin.fill("textarea[name=editors_picks-0-description]", DESCRIPTION)
    site.shot(admin, "typed")

    # the login runs out (the session cookie expires; the form token cookie stays)
    context = admin.context
    kept = [c for c in context.cookies() if c["name"] != "sessionid"]
    context.clear_cookies()
    context.add_cookies(kept)

    admin.get_by_role("button", name="创建").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("登录已过期")
    assert admin.locator("textarea[readonly]").first.input_value() == DESCRIPTION  # to copy
    site.shot(admin, "login-ran-out")

    with admin.expect_popup() as popup:
        admin.get_by_role("link", name="在新窗口重新登录").click()
    login = popup.value
    login.fill("input[name=username]", "admin")
    from govhub.core.demo import DEMO_PASSWORD

    login.fill("input[name=password]", DEMO_PASSWORD)
    login.click("button[type=submit]")
    expect(login.get_by_role("heading", level=1)).to_contain_text("已重新登录")
    site.shot(login, "logged-in-again")
    login.close()

    admin.get_by_role("button", name="重新提交").click()
    admin.wait_for_load_state()
    assert "/admin/searchpicks/" in admin.url and "add" not in admin.url
    site.shot(admin, "saved")
    with site.db():
        from wagtail.contrib.search_promotions.models import SearchPromotion

        pick = SearchPromotion.objects.get(query__query_string=query)
        assert pick.description == DESCRIPTION
        assert pick.external_link_text == "供暖政策"


def _big_file(tmp_path, name: str, size: int, head: bytes = b"") -> str:
    path = tmp_path / name
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return str(path)


def test_an_image_too_big_or_not_an_image_is_refused_in_chinese(site, tmp_path):
    editor = site.login("editor")
    editor.goto(site.url + "/admin/images/multiple/add/")
    png = b"\x89PNG\r\n\x1a\n"
    editor.set_input_files(
        "input[type=file]",
        [
            _big_file(tmp_path, "航拍大图.png", 10 * 1024 * 1024 + 1, png),
            _big_file(tmp_path, "通知.exe", 2048, b"MZ"),
        ],
    )
    expect(editor.get_by_text(re.compile("文件过大"))).to_be_visible()
    expect(editor.get_by_text(re.compile("不支持的图片格式"))).to_be_visible()
    text = editor.inner_text("body")
    site.shot(editor, "image-refused")
    assert re.search(r"文件(太|过)大|超过", text), text[-600:]
    assert re.search(r"不支持|格式", text), text[-600:]
    assert not re.search(r"\b(too|large|invalid|Error)\b", text)


def test_a_document_too_big_or_of_the_wrong_kind_is_refused_in_chinese(site, tmp_path):
    editor = site.login("editor")
    editor.goto(site.url + "/admin/documents/multiple/add/")
    editor.set_input_files(
        "input[type=file]",
        [
            _big_file(tmp_path, "会议纪要.exe", 4096, b"MZ"),
            _big_file(tmp_path, "规划全文.pdf", 10 * 1024 * 1024 + 1, b"%PDF-1.7\n"),
        ],
    )
    expect(editor.get_by_text(re.compile("文件过大"))).to_be_visible()
    expect(editor.get_by_text(re.compile("“exe”"))).to_be_visible()
    text = editor.inner_text("body")
    site.shot(editor, "document-refused")
    assert "文件扩展“exe”是不被允许" in text or "不支持" in text, text[-600:]
    assert re.search(r"文件(太|过)大|超过", text), text[-600:]
    assert not re.search(r"\b(not allowed|too large|invalid|Error)\b", text)
