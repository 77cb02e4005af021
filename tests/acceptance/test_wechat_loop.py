"""A citizen writes to the county's WeChat account (示范县发布); the message reaches the
unified inbox (统一留言箱); the editor of 县融媒体中心 (王晓燕), who runs the account, answers it
with her own login; the answer goes back to the citizen through the outbox as a WeChat
customer-service message.

WeChat's side is played by what speaks its real protocol: the push is signed and AES-encrypted
as WeChat's servers do it (safe mode) and posted to the account's callback address; the answer
goes to a fake WeChat API on loopback (tests/fakes) that the account is pointed at."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

from playwright.sync_api import expect

from tests.fakes.wechat_messaging import FakeWeChatMessaging

SLUG = "shifan-wechat"
OPENID = "oCitizen20261206"
QUESTION = "我家楼下东街的化粪池盖板裂开了三天，小孩上学要经过，谁来管一下？"
ANSWER = "您好，已通知城关镇东街社区今天下午更换盖板，更换前已设置围挡，感谢您的反映。"


def _push_as_wechat(site_url: str, account, content: str) -> dict:
    """What WeChat's servers do when a follower sends a text: sign, encrypt, POST."""
    from govhub.wechat import simulate

    xml = simulate.text_xml(account.remote_id, OPENID, content)
    push = simulate.sign_push(account, xml)
    url = f"{site_url}/wechat/callback/{SLUG}/?{urllib.parse.urlencode(push.query)}"
    req = urllib.request.Request(
        url, data=push.body, headers={"Content-Type": "text/xml"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=20) as res:  # noqa: S310 - loopback
        assert res.status == 200
        body = res.read()
    return simulate.open_reply(account, body, push.query)


def test_a_wechat_message_is_answered_in_the_inbox_and_delivered_back(site):
    with FakeWeChatMessaging() as wechat, site.db():
        from govhub.channels.models import ChannelAccount
        from govhub.matrix.models import Account

        account = ChannelAccount.objects.get(slug=SLUG)
        # one account: the callback account is the publishing target and the registry's entry
        assert ChannelAccount.objects.filter(platform="wechat").count() == 1
        assert Account.objects.get(channel=account).name == account.name
        wechat.add_credentials(account.app_id, "fake-secret")
        account.app_secret = "fake-secret"
        account.api_base = wechat.url
        account.save()

        # the citizen, in WeChat
        reply = _push_as_wechat(site.url, account, QUESTION)
        assert reply.get("MsgType") == "text" and reply.get("Content")

        # the editor who runs the account, with her own login
        page = site.login("editor")
        page.goto(site.url + "/admin/")
        page.get_by_role("link", name="统一留言箱").click()
        row = page.locator("tr", has_text=QUESTION[:12])
        expect(row).to_be_visible()
        expect(row).to_contain_text("微信")
        expect(row).to_contain_text("示范县发布")
        site.shot(page, "inbox-with-the-wechat-message")
        row.get_by_role("link").click()
        expect(page.get_by_text(QUESTION)).to_be_visible()
        expect(page.get_by_text("微信用户")).to_be_visible()
        page.get_by_label("通过原渠道回复").fill(ANSWER)
        site.shot(page, "answer-written")
        page.get_by_role("button", name="发送回复").click()
        expect(page.get_by_text("已回复，正在通过原渠道发送")).to_be_visible()
        page.reload()
        expect(page.locator("li", has_text=ANSWER)).to_contain_text("已发送")
        expect(page.locator("li", has_text=ANSWER)).to_contain_text("王晓燕")
        site.shot(page, "answer-sent")

        # back in the citizen's WeChat: the customer-service message arrived
        sent = [m for m in wechat.sent if m.get("touser") == OPENID]
        # one message: the answer, then the 好差评 link of this reply (一事一评)
        (content,) = [m["text"]["content"] for m in sent]
        answer, _, rate = content.partition("\n\n")
        assert answer == ANSWER
        assert re.fullmatch(r"请对本次答复评价：http://127\.0\.0\.1:\d+/ratings/rate/\?t=\S+", rate)

        from govhub.inbox.models import InboxMessage

        msg = InboxMessage.objects.get(text_redacted=QUESTION)  # text is encrypted
        assert msg.get_status_display() == "已回复" and msg.assigned_to.username == "editor"
