"""Factories for WeChat tests: an account, knowledge-base entries, and signed pushes."""

from __future__ import annotations

import itertools

from govhub.channels.models import ChannelAccount
from govhub.qa import engine
from govhub.qa.models import KnowledgeEntry
from govhub.wechat.simulate import sign_push

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues
_seq = itertools.count(1)


def make_account(department, mode: str = "plain", api_base: str = "") -> ChannelAccount:
    from govhub.core.models import Department

    n = next(_seq)
    department = Department.objects.get(pk=department.pk)  # fresh tree path
    return ChannelAccount.objects.create(
        platform="wechat",
        name=f"测试公众号{n}",
        slug=f"wx-test-{n}",
        remote_id=f"gh_test{n}",
        department=department,
        app_id="wx-fake-app",
        app_secret="fake-secret",
        callback_token=f"token{n}",
        encoding_aes_key=AES_KEY,
        callback_mode=mode,
        api_base=api_base,
    )


def make_entries() -> list[KnowledgeEntry]:
    rows = [
        (
            "怎么办理居住证",
            "在本县居住半年以上、有合法稳定就业或住所的，可持身份证和居住证明到居住地派出所申领居住证，15 个工作日内办结。",
            "居住证在哪里办理\n申请居住证需要什么材料",
        ),
        (
            "公积金怎么提取",
            "购房、租房、退休等情形可提取住房公积金，请携带身份证到县公积金中心服务大厅办理。",
            "住房公积金提取流程\n怎样取出公积金",
        ),
        (
            "新生儿医保怎么办理",
            "新生儿出生后可凭出生医学证明和户口簿到乡镇便民服务中心参保，当年缴费。",
            "给刚出生的宝宝办医保\n小孩出生后怎么参加医保",
        ),
    ]
    out = [KnowledgeEntry.objects.create(question=q, answer=a, variants=v) for q, a, v in rows]
    engine.bump_version()
    engine.warm_up()
    return out


def post(client, account, xml: str, **kw):
    push = sign_push(account, xml, **kw)
    return post_push(client, account, push.query, push.body), push


def post_push(client, account, query: dict, body, **headers):
    """POST a push with these query parameters (signature …) to the account's callback."""
    from urllib.parse import urlencode

    return client.generic(
        "POST",
        f"/wechat/callback/{account.slug}/?{urlencode(query)}",
        data=body,
        content_type="text/xml",
        **headers,
    )
