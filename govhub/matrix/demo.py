"""Demo content of the matrix for 示范县: ~60 accounts with posts and figures over the past
months (some silent, one without interaction, re-posted texts, a leaked phone number),
citizens' messages on recurring topics, counterfeit candidates, and one nightly run."""

from __future__ import annotations

import datetime as dt
import zlib

from django.db import transaction
from django.utils import timezone

from govhub.core.models import Level
from govhub.matrix.models import (
    Account,
    AccountKind,
    DailyFigure,
    Message,
    Platform,
    Post,
    Rectification,
    SeenAccount,
    Verification,
)

DAYS = 120
KIND_OF = {
    "gaj": AccountKind.POLICE,
    "wjw": AccountKind.HEALTH,
    "jyj": AccountKind.EDUCATION,
    "wlj": AccountKind.CULTURE,
    "rmt": AccountKind.MEDIA,
}
SILENT = {"sjj", "tjj", "lyj", "kjj", "beishan", "xinghua", "tyjr"}
SHARED_NEWS = [
    "示范县召开全县优化营商环境工作推进会，会议要求各部门进一步压缩审批时限，推行一网通办，切实为企业和群众办实事解难题。",
    "示范县2026年度城乡居民医疗保险集中缴费工作启动，参保群众可通过微信公众号、银行网点和村社区代办点缴费。",
    "关于做好冬季森林防火工作的通告：全县范围内禁止野外用火，严禁在林区焚烧秸秆、燃放烟花爆竹，违者依法追究责任。",
    "示范县第十届农民丰收节在城关镇开幕，特色农产品展销、非遗展演、农技培训等活动吸引群众参与。",
    "县政府常务会议研究部署安全生产大检查工作，要求各乡镇各部门压实责任，排查整治隐患，坚决遏制事故发生。",
    "示范县新增3条城乡公交线路，覆盖北山乡、杏花乡等偏远村庄，票价统一为2元，老年人凭证免费乘车。",
]
TOPICS = [
    ("城关镇", "东街社区路灯不亮，晚上出行很不安全，希望尽快维修路灯"),
    ("城关镇", "西街社区路灯坏了好几盏，夜里一片漆黑，老人孩子出门不安全"),
    ("东关镇", "县第二小学门口上下学时段交通拥堵严重，建议安排交警疏导"),
    ("西河镇", "西河村自来水经常停水，饮水困难，请求解决农村供水问题"),
    ("南岭镇", "南岭村工地拖欠农民工工资三个月，希望劳动监察帮忙追讨"),
    ("柳林镇", "柳林镇集市占道经营，垃圾乱扔，环境卫生差，请城管整治"),
    ("龙泉镇", "龙泉村道路坑洼不平，雨天积水严重，希望修缮村道"),
]


def remote_id(platform: str, code: str) -> str:
    """A platform id shaped as the platform shapes it: WeChat's original id gh_ + 12 hex
    characters, Weibo's and Douyin's numeric UIDs, the portal's 10-digit 网站标识码."""
    n = zlib.crc32(f"{platform}:{code}".encode())
    if platform == Platform.WECHAT:
        return f"gh_{n:08x}{n % 65521:04x}"
    if platform == Platform.PORTAL:
        return f"36{n % 10**8:08d}"
    return str(5_000_000_000 + n)


def _accounts(county) -> list[dict]:
    specs = []
    for d in county.bureaus():
        code = d.code
        specs.append(
            dict(
                platform=Platform.WECHAT,
                name=f"示范县{(d.short_name or d.name).removeprefix('县')}",
                dept=d,
                code=code,
            )
        )
        if code in {
            "gaj",
            "jtj",
            "wjw",
            "jyj",
            "rmt",
            "gov-office",
            "scj",
            "rsj",
            "cgj",
            "yjj",
            "wlj",
            "sthj",
            "zjj",
        }:
            specs.append(
                dict(
                    platform=Platform.WEIBO,
                    name=f"示范县{d.name.removeprefix('县')}微博",
                    dept=d,
                    code=code,
                )
            )
    for code in ("gaj", "rmt", "wlj"):
        d = county.dept(code)
        specs.append(
            dict(
                platform=Platform.DOUYIN,
                name=f"示范县{d.name.removeprefix('县')}抖音号",
                dept=d,
                code=code,
            )
        )
    for t in county.towns():
        specs.append(
            dict(platform=Platform.WECHAT, name=f"示范县{t.name}发布", dept=t, code=t.code)
        )
    specs.append(
        dict(
            platform=Platform.PORTAL, name="示范县人民政府门户网站", dept=county.root, code="portal"
        )
    )
    # the police account gets its real name "…公安局" (counterfeits imitate it)
    for s in specs:
        if s["code"] == "gaj" and s["platform"] == Platform.WECHAT:
            s["name"] = "示范县公安局"
    return specs


@transaction.atomic
def build(county) -> None:
    from govhub.core import actions
    from govhub.core.models import Role

    # the county's 督查室 supervises every account of the county, not only its own office
    supervisor = county.user("supervisor")
    actions.assign_role(
        county.admin,
        user=supervisor,
        department=county.root,
        role=Role.SUPERVISOR,
        title="县政府督查室主任（全县新媒体督导）",
    )
    if hasattr(supervisor, "_govhub_memberships"):
        del supervisor._govhub_memberships
    if Account.objects.filter(filing_number__startswith="示政媒备").exists():
        return
    rng = county.rng
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    accounts = []
    for i, s in enumerate(_accounts(county)):
        d = s["dept"]
        acc = Account.objects.create(
            platform=s["platform"],
            name=s["name"],
            remote_id=remote_id(s["platform"], s["code"]),
            department=d,
            level=d.level if d.level in (Level.TOWN, Level.COUNTY) else Level.COUNTY,
            kind=KIND_OF.get(s["code"], AccountKind.GOVERNMENT),
            verification=Verification.PENDING if i % 17 == 5 else Verification.VERIFIED,
            filing_number=f"示政媒备{2019 + i % 6}{i:04d}号",
            opened_on=today - dt.timedelta(days=400 + 13 * i),
            has_interaction=s["code"] != "tjj",
            operator_name=f"运维{i:02d}",
            operator_phone=f"1390000{i:04d}",
        )
        acc._code = s["code"]
        accounts.append(acc)
    posts, figures = [], []
    shared_plan = {k: rng.sample(range(DAYS - 10), 3) for k in range(len(SHARED_NEWS))}
    for acc in accounts:
        if acc.platform == Platform.PORTAL:
            continue
        silent_after = 30 + rng.randint(0, 40) if acc._code in SILENT else None
        rate = {Platform.WECHAT: 0.5, Platform.WEIBO: 0.9, Platform.DOUYIN: 0.3}[acc.platform]
        scale = rng.lognormvariate(6.5 if acc.department.level == Level.COUNTY else 5.5, 0.8)
        followers = int(scale * 20)
        n = 0
        for day in range(DAYS, 0, -1):
            date = today - dt.timedelta(days=day)
            active = silent_after is None or day > DAYS - silent_after
            day_posts = []
            if active and (rng.random() < rate or (acc._code == "zjj" and day == 6)):
                day_posts.append(None)
            for k, days in shared_plan.items():
                if active and (DAYS - day) in days and rng.random() < 0.35:
                    day_posts.append(k)
            reads_day = 0
            for k in day_posts:
                n += 1
                reads = int(rng.paretovariate(1.6) * scale)
                if k is None:
                    title = f"{acc.department.name}工作动态（{date:%m月%d日}）"
                    text = f"{acc.department.name}{date:%m月%d日}开展{rng.choice(['便民服务', '政策宣讲', '安全检查', '走访调研', '业务培训'])}活动，{rng.choice(['服务群众', '解决问题', '宣传政策'])}{rng.randint(3, 300)}人次。"
                    if acc._code == "zjj" and day == 6 and len(day_posts) == 1:
                        text += "咨询电话：13800138000（王先生）。"
                else:
                    title = SHARED_NEWS[k][:20]
                    text = SHARED_NEWS[k] + (
                        "" if rng.random() < 0.6 else "（来源：示范县融媒体中心）"
                    )
                posts.append(
                    Post(
                        account=acc,
                        remote_id=f"{acc.remote_id}-{n}",
                        published_at=dt.datetime.combine(
                            date, dt.time(8 + rng.randint(0, 10), rng.randint(0, 59)), tz
                        ),
                        title=title[:300],
                        text=text,
                        is_headline=k is None or rng.random() < 0.3,
                        reads=reads,
                        likes=int(reads * rng.uniform(0.005, 0.03)),
                        looks=int(reads * rng.uniform(0.002, 0.01)),
                        shares=int(reads * rng.uniform(0.003, 0.02)),
                        comments=int(reads * rng.uniform(0.0, 0.01)),
                    )
                )
                reads_day += reads
            followers += rng.randint(0, 8)
            figures.append(
                DailyFigure(
                    account=acc,
                    date=date,
                    posts=len(day_posts),
                    reads=reads_day,
                    likes=reads_day // 60,
                    looks=reads_day // 200,
                    shares=reads_day // 100,
                    comments=reads_day // 300,
                    followers=followers,
                )
            )
    Post.objects.bulk_create(posts, batch_size=2000)
    link_channel_accounts(county, accounts)
    DailyFigure.objects.bulk_create(figures, batch_size=2000)
    towns = {t.name: t for t in county.towns()}
    msgs = []
    receivers = [a for a in accounts if a.platform in (Platform.WECHAT, Platform.WEIBO)]
    for i in range(260):
        town, text = TOPICS[i % len(TOPICS)] if i % 5 else TOPICS[(i // 5) % 2]
        day = rng.randint(1, DAYS)
        when = dt.datetime.combine(
            today - dt.timedelta(days=day), dt.time(rng.randint(7, 22), rng.randint(0, 59)), tz
        )
        acc = receivers[i % len(receivers)]
        answered = (
            None
            if (day > 95 and i % 9 == 0) or i % 11 == 0
            else when + dt.timedelta(hours=rng.randint(2, 120))
        )
        msgs.append(
            Message(
                account=acc,
                remote_id=f"{acc.remote_id}-m{i}",
                received_at=when,
                text=f"{text}{rng.choice(['', '！', '，谢谢', '，盼回复'])}",
                town=towns.get(town),
                likes=rng.randint(0, 40),
                answered_at=answered,
            )
        )
    Message.objects.bulk_create(msgs)
    for name, rid, plat in [
        ("示范县公安", remote_id(Platform.WECHAT, "seen-gaj-1"), Platform.WECHAT),
        ("示范县公安局服务号", remote_id(Platform.WECHAT, "seen-gaj-2"), Platform.WECHAT),
        ("示范县人社局官方", remote_id(Platform.WECHAT, "seen-rsj"), Platform.WECHAT),
        ("示范县教育发布", remote_id(Platform.WEIBO, "seen-jyj"), Platform.WEIBO),
        ("示范县美食探店", remote_id(Platform.DOUYIN, "seen-food"), Platform.DOUYIN),
        ("城关镇发布", remote_id(Platform.WECHAT, "seen-chengguan"), Platform.WECHAT),
        ("隔壁县旅游", remote_id(Platform.WECHAT, "seen-travel"), Platform.WECHAT),
        ("示范县公安局", remote_id(Platform.WECHAT, "gaj"), Platform.WECHAT),
    ]:
        SeenAccount.objects.create(
            platform=plat, name=name, remote_id=rid, source="2026年平台巡查名单"
        )
    from govhub.matrix import influence
    from govhub.matrix.nightly import run_nightly

    run_nightly(today)
    month = today.replace(day=1)
    for _ in range(3):
        month = influence.previous_month(month)
        influence.compute_month(month)
    _rectifications(county, accounts, today)


def _rectifications(county, accounts, today) -> None:
    from govhub.matrix import inspection

    sup = county.user("supervisor")
    by_code = {a._code: a for a in accounts if a.platform == Platform.WECHAT}
    r1 = inspection.issue_rectification(
        sup,
        by_code["sjj"],
        "账号超过两周未更新，存在“僵尸账号”问题，请立即恢复更新或申请关停。",
        today + dt.timedelta(days=10),
    )
    r2 = inspection.issue_rectification(
        sup,
        by_code["zjj"],
        "《工作动态》正文公开了个人手机号码，请删除并核查发布审核流程。",
        today + dt.timedelta(days=5),
    )
    editor = county.user("admin")
    inspection.answer_rectification(
        editor, r2, "已删除含个人信息的内容，并在审核环节增加个人信息检查。"
    )
    assert Rectification.objects.filter(pk__in=[r1.pk, r2.pk]).count() == 2


def link_channel_accounts(county, accounts: list[Account]) -> None:
    """The county's own accounts (channels' records: the one WeChat account that publishes and
    answers, the Weibo, Douyin and portal accounts) are the registry's entries for the
    融媒体中心 and the portal: one record each, referred to, not copied by hand."""
    from govhub.channels.models import ChannelAccount
    from govhub.matrix import actions

    by_key = {(a.platform, a._code): a for a in accounts}
    for ch in ChannelAccount.objects.filter(platform__in=actions.CHANNEL_PLATFORMS):
        code = "portal" if ch.platform == Platform.PORTAL else ch.department.code
        acc = by_key.get((ch.platform, code))
        if acc is not None and acc.channel_id is None:
            actions.link_channel_account(county.admin, acc, ch)
