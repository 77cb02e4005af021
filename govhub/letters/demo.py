"""Demo letters for 示范县: categories and routes, a router trained on template letters, and 120
letters over the past five months in every state. Deterministic (own seeded RNG, fixed clock
offsets) and idempotent (skips what exists). All text comes from the templates below; none
from real letters."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from govhub.core import workdays
from govhub.letters import actions as lc
from govhub.letters import policy_admin, router
from govhub.letters.intake import submit_letter
from govhub.letters.models import Category, CategoryRoute, Letter, LetterEvent, RouterModel

CATEGORIES = [
    # code, name, department, subjects, bodies
    (
        "labour",
        "劳动和社会保障",
        "rsj",
        [
            "{place}工地拖欠农民工工资",
            "咨询{year}年养老保险缴费问题",
            "失业保险金如何申领",
            "灵活就业人员社保补贴咨询",
            "{company}不签劳动合同",
        ],
        [
            "我在{place}的{company}打工{n}个月，老板一直拖欠工资{money}元，多次讨要无果，请人社局帮忙解决。",
            "我今年{age}岁，想咨询城乡居民养老保险的缴费档次和补缴政策，社保卡在哪里办理？",
            "{company}与职工不签劳动合同，也不缴纳社会保险，加班没有加班费，请劳动监察部门查处。",
            "本人失业后想申领失业保险金，不清楚需要哪些材料，到哪个窗口办理，多长时间能领到？",
        ],
    ),
    (
        "construction",
        "城乡建设",
        "zjj",
        [
            "{village}小区物业不作为",
            "{place}老旧小区改造进度",
            "楼房漏水开发商不维修",
            "燃气管道安装收费问题",
            "{village}违章搭建影响采光",
        ],
        [
            "{village}小区物业收费后不管事，电梯经常停运，楼道垃圾无人清理，业主多次反映没有结果。",
            "{place}的老旧小区改造说了两年，至今没有动工，外墙脱落、管网老化，请问什么时候开始改造？",
            "我们购买的{company}开发的商品房，交房不到{n}年就屋顶漏水，开发商推脱不修，请住建局督促维修。",
            "小区燃气管道安装要求每户缴纳{money}元，收费标准是否合理？有没有文件依据？",
        ],
    ),
    (
        "education",
        "教育文体",
        "jyj",
        [
            "{school}招生划片问题",
            "孩子入学学位紧张",
            "{school}乱收费",
            "校外培训机构退费难",
            "学生资助申请咨询",
        ],
        [
            "我家孩子今年{age}岁，户籍在{village}，想咨询{school}今年的招生划片范围和报名时间。",
            "{school}向学生收取资料费、校服费共{money}元，没有收据，请教育局核查是否属于乱收费。",
            "孩子在{company}培训机构报了课，机构突然关门，{money}元学费退不回来，请教育部门帮助解决。",
            "家庭困难学生如何申请助学金？需要村里开什么证明，什么时候可以发放？",
        ],
    ),
    (
        "commerce",
        "商贸旅游",
        "swj",
        [
            "{place}商户价格欺诈",
            "景区门票收费不合理",
            "农产品销售渠道咨询",
            "{company}预付卡无法退款",
            "电商创业扶持政策咨询",
        ],
        [
            "{place}的{company}商场商品明码标价与结账价格不一致，多收了{money}元，请有关部门查处。",
            "我在{company}办理的会员预付卡余额{money}元，店铺突然停业无法退款，希望政府帮忙追回。",
            "我们村种植的苹果今年丰收，销路不好，想咨询县里有没有电商销售和冷链物流方面的扶持。",
            "国庆期间{place}景区门票和停车收费过高，游客体验很差，建议规范景区收费。",
        ],
    ),
    (
        "environment",
        "环境保护",
        "sthj",
        [
            "{company}排放废气",
            "{village}河道污水直排",
            "夜间施工噪音扰民",
            "{place}养殖场臭味严重",
            "垃圾焚烧污染空气",
        ],
        [
            "{village}附近的{company}每天晚上偷偷排放刺鼻废气，周边居民头晕恶心，请环保部门夜间检查。",
            "{village}旁边的河道有企业污水直排，河水发黑发臭，鱼都死了，请生态环境部门尽快治理。",
            "{place}工地每天夜里十二点后还在施工，噪音很大，严重影响周边居民休息，请依法查处。",
            "{place}的养猪场粪污随意堆放，夏天臭味熏天，苍蝇很多，请环保部门督促整改。",
        ],
    ),
    (
        "health",
        "卫生计生",
        "wjw",
        [
            "{place}卫生院服务态度差",
            "异地就医报销咨询",
            "疫苗接种预约问题",
            "{company}诊所无证行医",
            "二孩生育登记咨询",
        ],
        [
            "在{place}卫生院看病，医生态度冷漠，排队{n}个小时才看上，希望卫健委加强管理。",
            "{village}有一家诊所没有挂牌，怀疑无证行医，给老人输液出了问题，请卫生部门调查。",
            "孩子打疫苗在社区卫生服务中心预约不上，每次都说没有苗，请问什么时候能接种？",
            "想咨询生育登记需要哪些材料，在哪里办理，网上能不能办？",
        ],
    ),
    (
        "transport",
        "交通运输",
        "jtj",
        [
            "{place}公交线路调整",
            "{village}道路坑洼不平",
            "出租车拒载绕路",
            "{place}至县城班车太少",
            "农村公路养护问题",
        ],
        [
            "{place}到县城的公交车班次太少，早上七点以后就要等一个小时，学生和上班族很不方便，建议增加班次。",
            "{village}通往镇上的道路坑坑洼洼，下雨天积水严重，车辆经常陷进去，请交通部门维修。",
            "在县城打出租车经常被拒载，有的司机故意绕路多收钱，请交通运输局加强管理。",
            "{village}的农村公路修好后没人养护，路边杂草丛生，排水沟堵塞，希望落实养护责任。",
        ],
    ),
    (
        "urban",
        "城市管理",
        "cgj",
        [
            "{place}占道经营",
            "路灯不亮",
            "{place}垃圾清运不及时",
            "违规广告牌安全隐患",
            "共享单车乱停放",
        ],
        [
            "{place}每天早晚都有商贩占道经营，堵塞交通，垃圾遍地，请城管部门加强管理。",
            "{place}一带的路灯坏了{n}个多星期，晚上一片漆黑，老人孩子出行很不安全。",
            "{place}的垃圾桶满了好几天没人清运，气味很大，请环卫部门及时处理。",
            "{place}楼顶的大型广告牌锈蚀严重，刮大风时摇摇晃晃，存在安全隐患，请尽快拆除。",
        ],
    ),
]
SITE_ERROR = ("site_error", "网站找错", "rmt")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "丽华",
    "海燕",
    "俊杰",
    "晓梅",
    "文博",
    "玉兰",
    "国庆",
    "红霞",
    "宇航",
]
PLACES = [
    "人民路",
    "建设路",
    "县城东关",
    "新华街",
    "城关镇农贸市场",
    "滨河公园",
    "西河镇中心街",
    "火车站广场",
]
COMPANIES = ["恒达建材", "鑫源商贸", "宏远置业", "金桥培训", "顺发食品", "华兴化工", "和美超市"]
SCHOOLS = ["县第一小学", "城关镇中心小学", "县第二中学", "东关镇初级中学", "实验幼儿园"]

# state plan: (share, steps) — each letter walks these steps
PLAN = [
    (14, []),
    (10, ["dispatch"]),
    (14, ["dispatch", "accept"]),
    (8, ["dispatch", "accept", "draft"]),
    (6, ["dispatch", "accept", "extension"]),
    (18, ["dispatch", "accept", "draft", "approve"]),
    (30, ["dispatch", "accept", "draft", "approve", "rate"]),
    (6, ["dispatch", "accept", "draft", "approve", "rate_bad"]),
    (4, ["invalid"]),
    (4, ["dispatch", "return"]),
    (6, ["merge"]),
]


def _fill(rng: random.Random, template: str, town_name: str, village_name: str) -> str:
    return template.format(
        place=rng.choice(PLACES + [town_name]),
        village=village_name,
        company=rng.choice(COMPANIES),
        school=rng.choice(SCHOOLS),
        n=rng.randint(2, 9),
        money=rng.choice([680, 1200, 3500, 8600, 12000]),
        age=rng.randint(6, 68),
        year=rng.choice([2025, 2026]),
    )


def template_letters(rng: random.Random, n_per_category: int, county) -> list[tuple[str, str, str]]:
    """(subject, content, category code) generated from the templates."""
    towns = county.towns()
    out = []
    for code, _name, _dept, subjects, bodies in CATEGORIES:
        for _ in range(n_per_category):
            town = rng.choice(towns)
            villages = [
                d for d in county.departments.values() if d.level == "village" and town.contains(d)
            ]
            village = rng.choice(villages).name if villages else town.name
            out.append(
                (
                    _fill(rng, rng.choice(subjects), town.name, village),
                    _fill(rng, rng.choice(bodies), town.name, village),
                    code,
                )
            )
    return out


def build_categories(county) -> None:
    for i, (code, name, dept, *_rest) in enumerate([*CATEGORIES, (*SITE_ERROR, [], [])]):
        cat = Category.objects.filter(code=code).first()
        if cat is None:
            cat = policy_admin.save_category(
                county.admin,
                Category(code=code, name=name, sort_order=i, is_public=code != "site_error"),
            )
        if not CategoryRoute.objects.filter(category=cat, town__isnull=True).exists():
            policy_admin.save_route(
                county.admin, CategoryRoute(category=cat, department=county.dept(dept))
            )
    # a town's own route: 城市管理 in 西河镇 is handled by the town itself
    urban = Category.objects.get(code="urban")
    if not CategoryRoute.objects.filter(category=urban, town=county.dept("xihe")).exists():
        policy_admin.save_route(
            county.admin,
            CategoryRoute(category=urban, town=county.dept("xihe"), department=county.dept("xihe")),
        )


def build_router(county) -> None:
    if RouterModel.objects.exists():
        return
    rng = random.Random(7)
    rows = template_letters(rng, 40, county)
    texts = [router.letter_text(s, c) for s, c, _ in rows]
    labels = [code for _, _, code in rows]
    trained = router.fit(texts, labels)
    router.store_model(trained, metrics={"n": len(texts)}, source="示范数据（模板生成）")


# the letters' own people beyond core's demo staff: (full name, department, role, title)
DEPARTMENT_STAFF = {
    "zjj_reviewer": ("钱立新", "zjj", "reviewer", "住建局副局长"),
    "cgj_reviewer": ("邓国华", "cgj", "reviewer", "城管局副局长"),
    "sthj_reviewer": ("许明", "sthj", "reviewer", "生态环境分局副局长"),
    "wjw_reviewer": ("曹静", "wjw", "reviewer", "卫健委副主任"),
    "jtj_reviewer": ("彭涛", "jtj", "reviewer", "交通局副局长"),
    "swj_reviewer": ("袁丽", "swj", "reviewer", "商务局副局长"),
    "xihe_handler": ("蒋红梅", "xihe", "handler", "西河镇党政办"),
    "xihe_reviewer": ("蒋勇", "xihe", "reviewer", "西河镇副镇长"),
}


def _staff(county, username: str, name: str, code: str, role: str, title: str):
    """A demo member of staff with one role in one department (made once)."""
    from django.contrib.auth import get_user_model

    from govhub.core import actions as core_actions
    from govhub.core.demo import DEMO_PASSWORD

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = core_actions.create_staff_user(
            county.admin,
            username=username,
            password=DEMO_PASSWORD,
            full_name=name,
            email=f"{username}@shifanxian.gov.cn",
        )
    core_actions.assign_role(
        county.admin, user=user, department=county.dept(code), role=role, title=title
    )
    return user


def _shift(letter: Letter, when: dt.datetime, **fields) -> None:
    """Put the last state row (and the given letter fields) at the demo's simulated time."""
    last = LetterEvent.objects.filter(letter=letter).order_by("-id").first()
    LetterEvent.objects.filter(pk=last.pk).update(at=when)
    if fields:
        Letter.objects.filter(pk=letter.pk).update(**fields)
    letter.refresh_from_db()


def build(county) -> None:
    build_categories(county)
    build_router(county)
    if Letter.objects.filter(idempotency_key__startswith="demo:").exists():
        return
    policy_admin.update_policy(
        county.admin,
        auto_dispatch_confidence=1.0,
        intake_department=county.dept("xfj"),
        supervising_department=county.dept("gov-office"),
    )
    rng = random.Random(20261123)
    rows = template_letters(rng, 15, county)
    rng.shuffle(rows)
    plan = [steps for share, steps in PLAN for _ in range(share)]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    handlers = {
        "rsj": "handler",
        "jyj": "jyj_handler",
        "zjj": "zjj_handler",
        "cgj": "cgj_handler",
        "sthj": "sthj_handler",
        "wjw": "wjw_handler",
        "jtj": "jtj_handler",
        "swj": "swj_handler",
    }
    reviewers = {"rsj": "rsj_reviewer", "jyj": "jyj_reviewer"}
    dept_of = {code: dept for code, _n, dept, *_ in CATEGORIES}
    from govhub.core.actions import assign_role

    for code, user in reviewers.items():
        assign_role(
            county.admin, user=county.user(user), department=county.dept(code), role="reviewer"
        )
    # every other handling department has its own reply reviewer (and 西河镇 its own handler):
    # a reply is approved inside the department that wrote it, never by an outsider
    for username, (name, code, role, title) in DEPARTMENT_STAFF.items():
        county.users[username] = _staff(county, username, name, code, role, title)
        if role == "reviewer":
            reviewers[code] = username
        else:
            handlers[code] = username
    previous: Letter | None = None
    for i, (subject, content, code) in enumerate(rows[:120]):
        steps = plan[i]
        # finished letters are older; open ones are recent
        age = rng.randint(1, 6) if len(steps) <= 2 else rng.randint(5, 150)
        received = now - dt.timedelta(days=age, hours=rng.randint(0, 8))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        town = rng.choice(county.towns())
        if "merge" in steps and previous is not None:
            subject, content, phone = (
                previous.subject,
                previous.content + "再次反映。",
                previous.citizen.phone,
            )
            code = previous.category.code if previous.category else code
        located = rng.random() < 0.4
        letter = submit_letter(
            channel=rng.choice(["portal"] * 6 + ["wechat", "phone", "weibo", "api"]),
            subject=subject,
            content=content,
            name=name,
            phone=phone,
            town_code=town.code,
            category_code=code,
            publish_consent=rng.random() < 0.7,
            idempotency_key=f"demo:{i}",
            received_at=received,
            latitude=round(34.5 + rng.uniform(-0.15, 0.15), 5) if located else None,
            longitude=round(109.7 + rng.uniform(-0.2, 0.2), 5) if located else None,
        )
        # routed now, as the worker would right after: the demo's dispatchers act on it next
        lc.route_letter(letter.pk)
        _shift(letter, received)
        dept = county.dept(dept_of[code])
        if code == "urban" and town.code == "xihe":
            dept = county.dept("xihe")
        handler = county.user(handlers[dept.code])
        reviewer = county.user(reviewers[dept.code])
        t = received
        for step in steps:
            t = t + dt.timedelta(hours=rng.randint(2, 40))
            if step == "dispatch":
                lc.dispatch_letter(county.user("dispatcher"), letter, department=dept)
                _shift(
                    letter,
                    t,
                    dispatched_at=t,
                    handle_due=workdays.add_working_days(
                        workdays.add_working_days(timezone.localdate(t), 0), 2
                    ),
                )
            elif step == "accept":
                lc.accept_letter(handler, letter)
                _shift(letter, t)
            elif step == "draft":
                lc.draft_reply(
                    handler,
                    letter,
                    submit=True,
                    body=f"您好！来信收悉。经{dept.name}调查核实，您反映的问题属实，我单位已责成相关责任人"
                    f"限期整改，并将持续跟踪落实情况。感谢您对我县工作的关心和支持。",
                )
                _shift(letter, t)
            elif step == "approve":
                if rng.random() < 0.75:  # most are answered within the three working days
                    t = min(t, received + dt.timedelta(days=2))
                lc.review_reply(reviewer, letter, approve=True)
                _shift(letter, t, replied_at=t)
            elif step in ("rate", "rate_bad"):
                level = 2 if step == "rate_bad" else rng.choice([5, 5, 4, 4, 3])
                lc.rate_letter(
                    letter,
                    level=level,
                    comment="" if level > 2 else "问题没有解决",
                    actor="citizen",
                )
                _date_rating(letter, t)
                _shift(letter, t, closed_at=t if level > 2 else None)
            elif step == "extension":
                ext = lc.request_extension(
                    handler, letter, days=3, reason="需要协调多个部门现场核查"
                )
                _shift(letter, t)
                if rng.random() < 0.5:
                    lc.decide_extension(county.user("supervisor"), ext, approve=True, note="同意")
            elif step == "invalid":
                lc.mark_invalid(county.user("dispatcher"), letter, reason="内容与政务无关（广告）")
                _shift(letter, t)
            elif step == "return":
                lc.return_letter(handler, letter, reason="不属于本单位职责")
                _shift(letter, t)
            elif step == "merge" and previous is not None and previous.status == "received":
                lc.merge_letter(county.user("dispatcher"), letter, into=previous)
        letter.refresh_from_db()
        if letter.status in ("replied", "closed") and letter.publish_consent and i % 2 == 0:
            _publish(county, letter)
        previous = letter
    policy_admin.update_policy(county.admin, auto_dispatch_confidence=0.95)


def _publish(county, letter: Letter) -> None:
    from govhub.letters.text import redact_for_publication

    names = [letter.citizen.name] if letter.citizen else []
    reply = letter.replies.filter(status="approved").first()
    lc.publish_letter(
        county.user("supervisor"),
        letter,
        subject=redact_for_publication(letter.subject, names),
        content=redact_for_publication(letter.content, names),
        reply=redact_for_publication(reply.body, names),
    )


def _date_rating(letter, t) -> None:
    """The demo's history: the 好差评 dated when the citizen gave it, its call-back due from then."""
    from govhub.ratings.actions import callback_due
    from govhub.ratings.models import CallbackTask, Rating

    rating = Rating.objects.filter(target_type="letter", target_id=letter.pk).first()
    if rating is None:
        return
    Rating.objects.filter(pk=rating.pk).update(created_at=t)
    due = callback_due(timezone.localdate(t))
    tasks = CallbackTask.objects.filter(rating=rating)
    tasks.update(due_date=due)
    if (
        due < timezone.localdate()
    ):  # the past's call-backs were made, a few days before the deadline
        done = dt.datetime.combine(
            due - dt.timedelta(days=3), dt.time(15), tzinfo=timezone.get_current_timezone()
        )
        tasks.update(status="done", done_at=done, result="已电话回访来信人，说明办理情况并整改。")
