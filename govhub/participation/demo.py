"""Demo content of participation, written for the demo county: an open consultation with
comments, a closed one with its adoption report, a message board topic with answered posts and
a survey. Built through the actions, so it passes the same checks as real input; idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhub.participation import actions
from govhub.participation.models import Adoption, Consultation

PARKING = (
    "示范县城区公共停车管理办法（征求意见稿）",
    "为规范城区停车秩序、缓解停车难，县城市管理综合执法局起草了本办法，现公开征求社会各界意见。",
    [
        "第一条 为加强城区公共停车管理，规范停车秩序，方便群众出行，结合本县实际，制定本办法。",
        "第二条 本办法适用于本县城区范围内公共停车场和道路临时停车泊位的规划、建设和管理。",
        "第三条 县城市管理综合执法局负责公共停车的统筹管理，公安交警、住建、自然资源等部门按职责分工做好相关工作。",
        "第四条 道路临时停车泊位实行分时段收费，每日7:00至19:00收费，其余时段免费；首30分钟免费。",
        "第五条 医院、学校周边道路临时停车泊位可设置即停即走区，停放时间不超过15分钟。",
        "第六条 新建住宅小区应按每户不少于1个停车位配建停车场，并预留充电设施安装条件。",
        "第七条 鼓励机关、企事业单位在夜间和节假日向社会开放内部停车场。",
        "第八条 本办法自2027年3月1日起施行。",
    ],
    [
        (4, "首30分钟免费", "建议把首30分钟免费延长到1小时，老城区买菜、办事30分钟往往不够。"),
        (5, "", "学校门口接送孩子的时间集中，15分钟的即停即走很好，希望同时增加引导员。"),
        (7, "", "很赞成机关单位夜间开放停车场，建议公布开放名单和开放时间，方便查找。"),
        (None, "", "希望在办法里写明收费标准的听证程序，收费调整前要听取群众意见。"),
        (6, "", "老旧小区也应当考虑停车位改造，可以利用小区周边空地建设立体停车。"),
    ],
)

WASTE = (
    "示范县农村生活垃圾治理实施方案（征求意见稿）",
    "县农业农村局起草了本方案，征求意见期已结束，意见采纳情况见反馈报告。",
    [
        "一、每个行政村配备保洁员，按每300人不少于1名的标准配置。",
        "二、推行“户分类、村收集、镇转运、县处理”的收运模式，转运站每日清运。",
        "三、垃圾分类实行积分奖励，积分可在村便民超市兑换生活用品。",
        "四、县财政按每人每年20元的标准安排农村保洁经费。",
    ],
    [
        (
            2,
            "",
            "山区村户数分散，每日清运难以做到，建议偏远村改为隔日清运。",
            Adoption.PARTLY,
            "对人口较少的偏远村，方案修改为夏季每日清运、冬季隔日清运。",
        ),
        (
            3,
            "",
            "积分兑换很好，建议积分也能用于缴纳有线电视费等。",
            Adoption.NOT_ADOPTED,
            "有线电视费由运营企业收取，暂不具备与积分打通的条件，今后将继续研究。",
        ),
        (
            1,
            "",
            "保洁员最好优先聘用本村脱贫户和低收入群众。",
            Adoption.ADOPTED,
            "已在方案第一条增加“优先聘用本村脱贫人口和低收入群众”。",
        ),
    ],
)


def _consultation(county, spec, *, opens_at, department):
    title, summary, paragraphs, _comments = spec[:4]
    existing = Consultation.objects.filter(title=title).first()
    if existing:
        return existing, False
    editor = county.user("editor")
    c = actions.create_consultation(
        editor,
        {
            "title": title,
            "summary": summary,
            "body": "\n".join(paragraphs),
            "period_days": 30,
            "department": department,
        },
    )
    c = actions.publish_consultation(editor, c, opens_at=opens_at)
    return c, True


def build_consultations(county) -> None:
    now = timezone.now()
    reviewer = county.user("reviewer")
    names = ["城关居民", "老张", "", "西街社区 刘女士", "上班族"]
    c, created = _consultation(
        county, PARKING, opens_at=now - dt.timedelta(days=9), department=county.dept("cgj")
    )
    if created:
        paras = {p.number: p.pk for p in c.paragraphs.all()}
        for i, (no, quote, text) in enumerate(PARKING[3]):
            m = actions.submit_comment(
                c,
                text=text,
                nickname=names[i % len(names)],
                paragraph_id=paras.get(no),
                quote=quote,
                now=c.opens_at + dt.timedelta(days=1 + i, hours=3),
            )
            if i < 4:  # the last one waits for the moderator
                actions.moderate_comment(reviewer, m, approve=True)
    w, created = _consultation(
        county, WASTE, opens_at=now - dt.timedelta(days=45), department=county.dept("nyj")
    )
    if created:
        paras = {p.number: p.pk for p in w.paragraphs.all()}
        for i, (no, quote, text, adoption, reason) in enumerate(WASTE[3]):
            m = actions.submit_comment(
                w,
                text=text,
                nickname=names[(i + 1) % len(names)],
                paragraph_id=paras.get(no),
                quote=quote,
                now=w.opens_at + dt.timedelta(days=2 + i),
            )
            actions.moderate_comment(reviewer, m, approve=True)
            actions.mark_adoption(county.user("editor"), [m], adoption=adoption, reason=reason)
        actions.publish_report(
            county.user("editor"),
            w,
            text="征求意见期间共收到意见 3 条，经认真研究，采纳 1 条、部分采纳 1 条。"
            "方案已据此修改，并将按程序报县政府审定后印发实施。",
        )


COLUMNS = [
    ("教育", "入学、学校、校车、课后服务", "jyj"),
    ("社保就业", "社会保险、就业创业、工资", "rsj"),
    ("城乡建设", "住房、物业、老旧小区、燃气", "zjj"),
    ("交通出行", "公交、道路、停车", "jtj"),
    ("其他", "其他方面的意见和建议", "gov-office"),
]

POSTS = [
    (
        "教育",
        "城关二小课后服务能否延长到六点？",
        "孩子在城关二小上三年级，课后服务五点结束，我们双职工六点才下班，"
        "希望学校能把课后服务延长到六点，哪怕另外收一点费用也可以。",
        "二年级家长",
        "jyj_handler",
        "感谢您的留言。经与城关第二小学核实，自本学期第十周起，学校课后服务分两段："
        "第一段至17:00，第二段至18:00，第二段由家长自愿报名，费用按县发改局核定标准执行。"
        "报名请联系班主任。县教育局基础教育股，电话 0000-6003。",
    ),
    (
        "社保就业",
        "灵活就业人员怎么参加职工养老保险？",
        "我在县城开网约车，属于灵活就业，想参加职工养老保险，请问需要带什么材料、去哪里办？",
        "网约车司机",
        "handler",
        "您好！灵活就业人员可凭身份证到县政务服务中心社保窗口办理参保登记，也可在县人社局政务微信"
        "“社保服务”栏目自助办理。缴费基数可在全省上年度社会平均工资的60%至300%之间自主选择，按月或按季缴纳。"
        "县人社局社保股，电话 0000-6010。",
    ),
    (
        "交通出行",
        "建议增开县城到青石镇的早班公交",
        "青石镇到县城的第一班公交是早上七点半，到县城已经八点多，赶不上上班。"
        "建议增开一班六点半的早班车。",
        "青石村 小李",
        "",
        "",
    ),
]


def build_board(county) -> None:
    from govhub.participation.models import BoardColumn, Post

    columns = {}
    for i, (name, desc, dept) in enumerate(COLUMNS):
        columns[name], _ = BoardColumn.objects.get_or_create(
            name=name,
            defaults={"description": desc, "department": county.dept(dept), "sort_order": i},
        )
    if Post.objects.exists():
        return
    now = timezone.now()
    reviewer = county.user("reviewer")
    for i, (col, title, text, nickname, answerer, answer) in enumerate(POSTS):
        post = actions.submit_post(
            columns[col],
            title=title,
            text=text,
            nickname=nickname,
            now=now - dt.timedelta(days=12 - 3 * i),
        )
        actions.moderate_post(reviewer, post, approve=True)
        if answerer:
            actions.answer_post(county.user(answerer), post, text=answer)
    actions.submit_post(
        columns["城乡建设"],
        title="幸福小区加装电梯有没有补贴？",
        text="我们楼里老人多，大家商量想加装电梯，请问县里有没有补贴政策，怎么申请？",
        nickname="幸福小区居民",
    )


SURVEY_QUESTIONS = """[单选] 您平时主要通过什么渠道了解县政府发布的信息？
- 县政府网站
- 政务微信公众号
- 政务微博
- 电视和广播
- 村（社区）公告栏
[多选] 您希望政务微信增加哪些服务？
- 社保和医保查询
- 公积金查询
- 办事预约
- 停车和公交信息
- 政策解读
[量表] 您对县政府网站信息更新及时性的评价（1-5）
[量表] 您对县政务服务中心办事体验的总体满意度（1-5）
[文本] 您对县政府网站和政务新媒体还有什么意见和建议？（选填）"""

SURVEY_SUGGESTIONS = [
    "希望网站的办事指南写得再通俗一些，附上材料样表。",
    "政务微信推送太多会议新闻，希望多一些和老百姓有关的通知。",
    "建议在微信里能直接查询孩子入学的学区划分。",
]


def build_survey(county) -> None:
    from govhub.participation.models import Survey

    title = "示范县政府网站和政务新媒体使用情况调查"
    if Survey.objects.filter(title=title).exists():
        return
    today = timezone.localdate()
    editor = county.user("editor")
    survey = actions.create_survey(
        editor,
        {
            "title": title,
            "description": "为了把县政府网站和政务新媒体办得更好用，请您抽出两分钟填写本问卷。"
            "每个手机号可参加一次，结果向社会公开。",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=6),
            "closes_at": today + dt.timedelta(days=24),
            "results_public": True,
            "questions": SURVEY_QUESTIONS,
        },
    )
    survey = actions.publish_survey(editor, survey)
    questions = list(survey.questions.prefetch_related("options"))
    rng = county.rng
    for i in range(36):
        answers = {}
        for q in questions:
            options = [o.pk for o in q.options.all()]
            if q.kind == "single":
                answers[q.pk] = rng.choices(options, weights=[5, 8, 2, 3, 2])[0]
            elif q.kind == "multiple":
                answers[q.pk] = rng.sample(options, rng.randint(1, 3))
            elif q.kind == "scale":
                answers[q.pk] = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 5, 9, 6])[0]
            elif i % 12 == 0:
                answers[q.pk] = SURVEY_SUGGESTIONS[i // 12]
        actions.submit_response(
            survey,
            voter_key=actions.voter_key_for("phone", f"1390000{i:04d}"),
            verified_by="phone",
            answers=answers,
            now=timezone.now() - dt.timedelta(hours=3 * (36 - i)),
        )


JOBS_TALK = (
    "稳就业、促创业：2027年就业创业政策解读",
    "县人力资源和社会保障局局长 赵立新",
    "rsj",
    "县人社局局长做客在线访谈，解读就业补贴、创业担保贷款和职业技能培训政策，并回答网友提问。",
    [
        (
            "返乡大学生",
            "大学毕业回县里创业，能申请多少创业担保贷款？利息怎么算？",
            "个人创业担保贷款最高30万元，期限最长3年，符合条件的由财政按规定贴息。"
            "可到县政务服务中心人社窗口或合作银行申请。",
        ),
        (
            "",
            "失业以后参加县里的职业技能培训要交钱吗？",
            "登记失业人员参加县里组织的职业技能培训免费，取得证书的还可以申请培训补贴。",
        ),
        (
            "建筑工人老周",
            "农民工工资被拖欠了，除了打电话还有什么办法？",
            "可以拨打劳动保障监察投诉电话，也可以在县政府网站领导信箱、政务微信留言，"
            "我们接到后会在规定时限内核查处理。",
        ),
    ],
)

PARKING_TALK = (
    "城区停车难怎么破？城管局长在线答网友问",
    "县城市管理综合执法局局长 刘振华",
    "cgj",
    "围绕《示范县城区公共停车管理办法（征求意见稿）》，县城管局局长在线回答网友关于停车收费、"
    "泊位设置和老旧小区停车的问题。欢迎现在提问。",
)


def build_interviews(county) -> None:
    """A past interview with its transcript published, and an announced one taking questions."""
    from govhub.participation.models import Interview

    editor = county.user("editor")
    reviewer = county.user("reviewer")
    now = timezone.now()
    title, guest, dept, description, talk = JOBS_TALK
    if not Interview.objects.filter(title=title).exists():
        i = actions.create_interview(
            editor,
            {
                "title": title,
                "guest": guest,
                "department": county.dept(dept),
                "starts_at": now - dt.timedelta(days=14),
                "description": description,
            },
        )
        actions.schedule_interview(editor, i)
        questions = []
        for nickname, text, _answer in talk:
            q = actions.ask_question(
                i, text=text, nickname=nickname, now=now - dt.timedelta(days=16)
            )
            questions.append(actions.moderate_question(reviewer, q, approve=True))
        actions.start_interview(editor, i)
        official = county.user("handler")
        actions.post_entry(official, i, text="各位网友大家好，很高兴和大家交流就业创业方面的政策。")
        for q, (_n, _t, answer) in zip(questions, talk, strict=True):
            actions.post_entry(official, i, text=answer, question=q)
        actions.end_interview(editor, i)
        actions.publish_transcript(editor, i, note="本次访谈共收到网友提问 3 个，均已答复。")
    title, guest, dept, description = PARKING_TALK
    if not Interview.objects.filter(title=title).exists():
        i = actions.create_interview(
            editor,
            {
                "title": title,
                "guest": guest,
                "department": county.dept(dept),
                "starts_at": now + dt.timedelta(days=3),
                "description": description,
            },
        )
        actions.schedule_interview(editor, i)
        q = actions.ask_question(
            i,
            text="老城区晚上停车特别难，能不能把机关单位的停车场夜间开放？",
            nickname="老城区居民",
        )
        actions.moderate_question(reviewer, q, approve=True)


RENEWAL_QUESTIONS = """[单选] 您家所在的小区建成于哪一年？
- 2000年以前
- 2000年以后
[排序] 请按迫切程度排列小区改造项目（1 为最迫切）
- 加装电梯
- 增加停车位
- 雨污分流
- 外墙保温
[矩阵] 您对小区现状的评价
- 道路和照明
- 绿化
- 物业服务
列：满意/一般/不满意
[单选] 如果加装电梯需要业主分摊部分费用，您是否愿意？
如果第1题选“2000年以前”
- 愿意
- 不愿意
- 看分摊多少
[文本] 您还有什么建议？（选填）"""


def build_renewal_survey(county) -> None:
    """A survey of 城关镇's residents with ranking, matrix and a conditional question."""
    from govhub.participation.models import Survey

    title = "城关镇老旧小区改造意愿调查"
    if Survey.objects.filter(title=title).exists():
        return
    town = county.dept("chengguan")
    editor = county.user("editor")
    today = timezone.localdate()
    survey = actions.create_survey(
        editor,
        {
            "title": title,
            "description": "城关镇计划明年启动一批老旧小区改造，请城关镇居民说说最需要改什么。",
            "department": county.dept("rmt"),
            "opens_at": today - dt.timedelta(days=2),
            "closes_at": today + dt.timedelta(days=28),
            "results_public": True,
            "audience": "towns",
            "towns": [town.pk],
            "questions": RENEWAL_QUESTIONS,
        },
    )
    survey = actions.publish_survey(editor, survey)
    built, ranking, matrix, lift, _text = list(survey.questions.prefetch_related("options"))
    rng = county.rng
    for i in range(12):
        old = rng.random() < 0.7
        opts = [o.pk for o in ranking.options.all()]
        rng.shuffle(opts)
        answers = {
            built.pk: built.options.all()[0 if old else 1].pk,
            ranking.pk: opts,
            matrix.pk: [rng.choice([1, 2, 2, 3]) for _ in matrix.options.all()],
        }
        if old:
            answers[lift.pk] = rng.choice([o.pk for o in lift.options.all()])
        actions.submit_response(
            survey,
            voter_key=actions.voter_key_for("phone", f"1390001{i:04d}"),
            verified_by="phone",
            answers=answers,
            town_id=town.pk,
            now=timezone.now() - dt.timedelta(hours=4 * (12 - i)),
        )


def build(county) -> None:
    build_consultations(county)
    build_board(county)
    build_survey(county)
    build_renewal_survey(county)
    build_interviews(county)
