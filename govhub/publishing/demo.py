"""Demo content of publishing: a three-step review policy (初审 李建国 of 融媒体中心, 复审 周文斌 and
终审签发 张卫东 of 县政府办公室), a small wording dictionary, e-mail
subscribers and publications in each state (草稿, 审核中, 退回, 不予发布, 定时, 已发布)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhub.channels import demo as channels_demo
from govhub.channels.models import ChannelAccount, EmailSubscriber
from govhub.core.models import Department
from govhub.publishing import actions
from govhub.publishing.models import (
    Publication,
    ReviewPolicy,
    ReviewStepSpec,
    WordingTerm,
)

TERMS = [
    ("最高级", "forbidden", "", "blocking", "广告法禁用的绝对化用语"),
    ("绝对安全", "forbidden", "", "blocking", "绝对化表述"),
    ("国家质检总局", "wrong_expression", "国家市场监督管理总局", "warning", "机构改革后名称已变更"),
    ("国家工商总局", "wrong_expression", "国家市场监督管理总局", "warning", "机构改革后名称已变更"),
    ("计生委", "wrong_expression", "卫生健康委员会", "warning", "机构改革后名称已变更"),
    ("农民工", "sensitive", "", "warning", "提倡使用“进城务工人员”等表述"),
]

PIECES = [
    # title, state, body
    ("示范县冬季供暖安全检查工作启动", "draft", "<p>县住建局联合城关镇启动冬季供暖安全检查。</p>"),
    (
        "城关镇便民服务点延长服务时间",
        "in_review",
        "<p>自12月1日起，城关镇便民服务点周末照常办公。</p>",
    ),
    ("县人社局发布就业见习岗位", "sent_back", "<p>县人社局发布2026年冬季就业见习岗位30个。</p>"),
    ("关于某企业的不实传言", "rejected", "<p>（内容待核实）</p>"),
    (
        "示范县2026年民生实事项目征集",
        "scheduled",
        "<p>即日起面向社会公开征集2026年民生实事项目建议。</p>",
    ),
    (
        "示范县召开2026年第十次县政府常务会议",
        "published",
        "<p>会议研究了冬季安全生产、供暖保障等事项。</p>",
    ),
]


def _dept(code: str) -> Department:
    return Department.objects.get(code=code)


def build(county) -> None:
    channels_demo.build(county)
    if not ReviewPolicy.objects.filter(is_default=True).exists():
        policy = ReviewPolicy.objects.create(name="三审三校（默认）", is_default=True)
        ReviewStepSpec.objects.create(policy=policy, order=1, name="初审", action="review_content")
        ReviewStepSpec.objects.create(
            policy=policy,
            order=2,
            name="复审",
            action="review_content",
            department=_dept("gov-office"),
        )
        ReviewStepSpec.objects.create(
            policy=policy,
            order=3,
            name="终审签发",
            action="sign_content",
            department=_dept("gov-office"),
        )
    for term, kind, correction, severity, note in TERMS:
        WordingTerm.objects.get_or_create(
            term=term,
            kind=kind,
            defaults={"correction": correction, "severity": severity, "note": note},
        )
    for address in ("subscriber1@example.com", "subscriber2@example.com"):
        from govhub.core.pii import blind_index

        if not EmailSubscriber.objects.filter(email_index=blind_index(address, "email")).exists():
            EmailSubscriber.objects.create(email=address)

    editor, reviewer, signer = county.user("editor"), county.user("reviewer"), county.user("signer")
    reviewer2 = county.user("reviewer2")
    targets = list(ChannelAccount.objects.filter(slug__startswith="shifan-"))
    for title, state, body in PIECES:
        if Publication.objects.filter(title=title).exists():
            continue
        scheduled = timezone.now() + dt.timedelta(days=3) if state == "scheduled" else None
        pub, _ = actions.create_publication(
            editor,
            department=_dept("rmt"),
            title=title,
            body=body,
            digest=body.replace("<p>", "").replace("</p>", "")[:100],
            targets=targets if state != "draft" else targets[:1],
            scheduled_at=scheduled,
        )
        if state == "draft":
            continue
        # WeChat needs a cover the demo does not ship: the WeChat-targeted pieces skip it
        pub.targets.set([t for t in targets if t.platform != "wechat"])
        actions.submit_for_review(editor, pub)
        if state == "in_review":
            continue
        if state == "sent_back":
            actions.send_back(reviewer, pub, "请补充见习岗位的报名方式和截止时间")
            continue
        if state == "rejected":
            actions.reject(reviewer, pub, "内容未经核实，不予发布")
            continue
        actions.approve(reviewer, pub, "同意")
        actions.approve(reviewer2, pub, "同意")
        actions.approve(signer, pub, "同意签发")
    from govhub.channels.outbox import run_outbox

    run_outbox(limit=50)  # portal/RSS/e-mail go out now; WeChat/Weibo show 渠道未配置
