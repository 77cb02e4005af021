"""Menus published to (fake) WeChat; slow answers delivered by customer-service message."""

from __future__ import annotations

import pytest

from govhub.wechat import actions, handlers
from govhub.wechat.actions import ButtonSpec, MenuError
from govhub.wechat.simulate import open_reply, text_xml
from tests.factories import make_user
from tests.fakes.wechat_messaging import FakeWeChatMessaging
from tests.wechat.helpers import make_account, make_entries, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeWeChatMessaging() as api:
        yield api


def test_an_editor_saves_and_publishes_a_menu(county, fake):
    account = make_account(county.dept("rmt"), api_base=fake.url)
    editor = county.user("editor")
    actions.save_menu(
        editor,
        account,
        [
            ButtonSpec(
                "办事",
                children=[
                    ButtonSpec("在线咨询", "view", url="https://example.gov.cn/qa/"),
                    ButtonSpec("服务大厅", "click", key="HALL", reply_text="人民路 1 号"),
                ],
            ),
            ButtonSpec("热线", "click", key="HOTLINE"),
        ],
    )
    actions.publish_menu(editor, account)
    assert fake.menu["button"][0]["sub_button"][1] == {
        "type": "click",
        "name": "服务大厅",
        "key": "HALL",
    }
    assert fake.menu["button"][1]["key"] == "HOTLINE"


def test_menu_limits_are_checked_before_anything_is_saved(county):
    account = make_account(county.dept("rmt"))
    editor = county.user("editor")
    with pytest.raises(MenuError, match="最多 3 个"):
        actions.save_menu(editor, account, [ButtonSpec(f"菜单{i}", key=f"K{i}") for i in range(4)])
    with pytest.raises(MenuError, match="最多 5 个"):
        actions.save_menu(
            editor,
            account,
            [ButtonSpec("办事", children=[ButtonSpec(f"子{i}", key=f"K{i}") for i in range(6)])],
        )
    with pytest.raises(MenuError, match="网址"):
        actions.save_menu(editor, account, [ButtonSpec("网站", "view", url="javascript:alert(1)")])
    from govhub.wechat.models import MenuButton

    assert not MenuButton.objects.exists()


def test_someone_without_the_role_cannot_change_the_menu(county):
    from django.core.exceptions import PermissionDenied

    account = make_account(county.dept("rmt"))
    with pytest.raises(PermissionDenied):
        actions.save_menu(make_user(), account, [ButtonSpec("热线", key="H")])


def test_a_slow_answer_is_acknowledged_at_once_and_sent_by_customer_service_message(
    client, county, fake, monkeypatch, django_capture_on_commit_callbacks
):
    account = make_account(county.dept("rmt"), api_base=fake.url)
    make_entries()
    from govhub.qa import engine

    engine.bump_version()  # index now stale in this process
    monkeypatch.setattr(handlers, "SLOW_BUILD_ENTRIES", 0)
    monkeypatch.setattr(engine, "is_ready", lambda: False)
    # the background warm-up would read the database outside this test's transaction
    monkeypatch.setattr(handlers, "_warm_in_background", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        res, push = post(client, account, text_xml(account.remote_id, "o-slow", "公积金怎么提取"))
    assert open_reply(account, res.content, push.query)["Content"] == handlers.SLOW_REPLY
    assert fake.sent and fake.sent[-1]["touser"] == "o-slow"
    assert "公积金中心" in fake.sent[-1]["text"]["content"]
