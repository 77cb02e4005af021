"""示范县's answers knowledge base: 48 services × 5 aspects = 240 entries, keyword rules, and a
question set of paraphrases (``demo_questions``) written from templates that differ from the
indexed wording, plus questions that must not be answered.

Everything is generated from the table below, so it is deterministic; ``build`` is idempotent
(entries are keyed by ``external_id``).
"""

from __future__ import annotations

from govhub.qa import engine
from govhub.qa.models import KeywordRule, KnowledgeEntry

# (key, name, aliases for paraphrases, department code, place, materials, working days, fee)
SERVICES = [
    (
        "jzz",
        "居住证",
        ["居住证", "暂住证"],
        "gaj",
        "居住地派出所户籍窗口",
        "身份证、居住证明（房产证或租房合同）、近期照片",
        15,
        "免费",
    ),
    (
        "sfz",
        "身份证补办",
        ["补办身份证", "身份证丢了重新办"],
        "gaj",
        "户籍所在地派出所或县政务服务中心公安窗口",
        "户口簿、近期证件照（现场采集）",
        20,
        "20元工本费",
    ),
    (
        "hkqy",
        "户口迁移",
        ["户口迁入", "迁户口"],
        "gaj",
        "迁入地派出所",
        "身份证、户口簿、房产证或单位接收证明",
        10,
        "免费",
    ),
    (
        "xsehk",
        "新生儿落户",
        ["给孩子上户口", "宝宝落户"],
        "gaj",
        "父或母户籍所在地派出所",
        "出生医学证明、父母身份证和户口簿、结婚证",
        1,
        "免费",
    ),
    (
        "gjjtq",
        "住房公积金提取",
        ["提取公积金", "取公积金"],
        "gjj",
        "县公积金中心服务大厅",
        "身份证、银行卡、购房合同或租房证明",
        3,
        "免费",
    ),
    (
        "gjjdk",
        "公积金贷款",
        ["用公积金贷款买房", "公积金买房贷款"],
        "gjj",
        "县公积金中心贷款窗口",
        "身份证、婚姻证明、购房合同、首付款凭证",
        15,
        "免费",
    ),
    (
        "ylbx",
        "城乡居民养老保险参保",
        ["交农村养老保险", "城乡居民养老保险"],
        "rsj",
        "户籍所在地乡镇便民服务中心",
        "身份证、户口簿",
        1,
        "按所选档次缴费",
    ),
    (
        "ylj",
        "养老金领取",
        ["退休金领取", "领养老金"],
        "rsj",
        "县社保中心",
        "身份证、社保卡",
        10,
        "免费",
    ),
    (
        "sbk",
        "社保卡办理",
        ["办社会保障卡", "申领社保卡"],
        "rsj",
        "县社保中心或合作银行网点",
        "身份证、近期照片",
        7,
        "首次申领免费",
    ),
    (
        "sydj",
        "失业登记",
        ["办理失业登记", "失业了怎么登记"],
        "rsj",
        "县公共就业服务中心",
        "身份证、解除劳动合同证明",
        1,
        "免费",
    ),
    (
        "cydk",
        "创业担保贷款",
        ["创业贷款", "申请创业担保贷"],
        "rsj",
        "县公共就业服务中心创业窗口",
        "身份证、营业执照、创业计划书",
        15,
        "符合条件的财政贴息",
    ),
    (
        "qxbz",
        "拖欠工资投诉",
        ["老板欠工资", "讨要工资"],
        "rsj",
        "县劳动保障监察大队",
        "身份证、劳动合同或工资条等用工证明",
        5,
        "免费",
    ),
    (
        "ybbx",
        "医保报销",
        ["医疗费报销", "看病报销"],
        "ybj",
        "县医保服务中心",
        "社保卡、发票、费用清单、出院小结",
        20,
        "免费",
    ),
    (
        "xsryb",
        "新生儿医保参保",
        ["给小孩办医保", "宝宝参加医保"],
        "ybj",
        "乡镇便民服务中心",
        "出生医学证明、户口簿",
        1,
        "按当年居民医保标准缴费",
    ),
    (
        "ydjy",
        "异地就医备案",
        ["外地看病备案", "异地医保备案"],
        "ybj",
        "县医保服务中心或国家医保服务平台",
        "社保卡、异地居住或工作证明",
        1,
        "免费",
    ),
    (
        "mxb",
        "门诊慢特病申请",
        ["慢性病门诊待遇", "办慢病卡"],
        "ybj",
        "县医保服务中心",
        "社保卡、二级以上医院诊断证明",
        20,
        "免费",
    ),
    (
        "jhdj",
        "结婚登记",
        ["领结婚证", "办结婚证"],
        "mzj",
        "县婚姻登记处",
        "双方身份证、户口簿、2 张合影照片",
        1,
        "免费",
    ),
    (
        "lhdj",
        "离婚登记",
        ["协议离婚", "办离婚手续"],
        "mzj",
        "县婚姻登记处",
        "双方身份证、户口簿、结婚证、离婚协议书",
        30,
        "免费",
    ),
    (
        "db",
        "最低生活保障申请",
        ["申请低保", "吃低保"],
        "mzj",
        "户籍所在地乡镇民政办",
        "身份证、户口簿、家庭收入和财产情况说明",
        30,
        "免费",
    ),
    (
        "glbt",
        "高龄津贴",
        ["老人高龄补贴", "80岁补贴"],
        "mzj",
        "户籍所在地村（社区）或乡镇民政办",
        "老人身份证、户口簿、银行卡",
        20,
        "免费",
    ),
    (
        "cjz",
        "残疾人证办理",
        ["办残疾证", "申请残疾证"],
        "cl",
        "县残联",
        "身份证、户口簿、近期照片、二级以上医院评定",
        20,
        "免费",
    ),
    (
        "rx",
        "小学一年级入学",
        ["孩子上小学报名", "一年级招生"],
        "jyj",
        "学区对应小学或县教育局招生平台",
        "户口簿、房产证或居住证、预防接种证",
        10,
        "免费",
    ),
    (
        "zx",
        "义务教育转学",
        ["孩子转学", "办理转学"],
        "jyj",
        "转入学校",
        "学籍信息、户口簿、转学申请",
        10,
        "免费",
    ),
    (
        "xszz",
        "学生资助",
        ["助学金申请", "贫困生补助"],
        "jyj",
        "就读学校学生资助办公室",
        "户口簿、家庭经济困难认定材料",
        30,
        "免费",
    ),
    (
        "jszhz",
        "驾驶证换证",
        ["驾照到期换证", "换驾驶证"],
        "gaj",
        "县车管所或交管12123",
        "身份证、驾驶证、体检证明",
        1,
        "10元工本费",
    ),
    (
        "clnj",
        "机动车年检",
        ["车辆年审", "汽车年检"],
        "gaj",
        "县机动车检测站",
        "行驶证、交强险保单、身份证",
        1,
        "按检测站标准收费",
    ),
    (
        "wfcl",
        "交通违法处理",
        ["处理违章", "交罚款"],
        "gaj",
        "县交警大队违法处理窗口或交管12123",
        "驾驶证、行驶证",
        1,
        "按处罚决定缴纳罚款",
    ),
    (
        "bdc",
        "不动产登记",
        ["办房产证", "房屋过户"],
        "zrj",
        "县不动产登记中心",
        "身份证、购房合同、完税证明",
        5,
        "住宅 80 元/件",
    ),
    (
        "zjd",
        "农村宅基地审批",
        ["批宅基地", "农村建房用地"],
        "nyj",
        "户籍所在地乡镇政府",
        "户口簿、建房申请、村民小组意见",
        20,
        "免费",
    ),
    (
        "njbt",
        "农机购置补贴",
        ["买农机补贴", "农机补贴申请"],
        "nyj",
        "县农业农村局农机股",
        "身份证、购机发票、银行卡",
        30,
        "免费",
    ),
    (
        "gsjy",
        "个体工商户注册",
        ["办营业执照", "开店登记"],
        "scj",
        "县政务服务中心市场监管窗口",
        "身份证、经营场所证明",
        1,
        "免费",
    ),
    (
        "spjy",
        "食品经营许可",
        ["食品经营许可证", "开饭店办证"],
        "scj",
        "县政务服务中心市场监管窗口",
        "营业执照、食品安全管理制度、从业人员健康证",
        10,
        "免费",
    ),
    (
        "jkz",
        "健康证办理",
        ["办健康证", "从业人员体检"],
        "wjw",
        "县疾控中心体检科",
        "身份证",
        3,
        "按体检项目收费",
    ),
    (
        "ymjz",
        "儿童预防接种",
        ["给孩子打疫苗", "疫苗接种"],
        "wjw",
        "户籍或居住地乡镇卫生院预防接种门诊",
        "预防接种证、孩子出生证明",
        1,
        "免疫规划疫苗免费",
    ),
    (
        "sydj2",
        "生育登记",
        ["生小孩登记", "办理生育登记"],
        "wjw",
        "户籍或居住地乡镇便民服务中心",
        "夫妻双方身份证、结婚证",
        1,
        "免费",
    ),
    (
        "rqkh",
        "燃气开户",
        ["开通天然气", "装燃气"],
        "zjj",
        "县燃气公司营业厅",
        "房产证、身份证",
        7,
        "按物价部门核定标准",
    ),
    (
        "jzxk",
        "建筑工程施工许可",
        ["施工许可证", "工地开工许可"],
        "zjj",
        "县政务服务中心住建窗口",
        "用地和规划许可、施工合同、质量安全手续",
        7,
        "免费",
    ),
    (
        "lsdjzz",
        "老旧小区改造申请",
        ["小区改造", "老小区翻新"],
        "zjj",
        "所在社区居委会",
        "业主改造意愿书",
        30,
        "免费",
    ),
    (
        "flyz",
        "法律援助申请",
        ["免费请律师", "申请法律援助"],
        "sfj",
        "县公共法律服务中心",
        "身份证、经济困难证明、案件材料",
        7,
        "免费",
    ),
    (
        "rmtj",
        "人民调解",
        ["邻里纠纷调解", "申请调解"],
        "sfj",
        "所在村（社区）调解委员会或乡镇司法所",
        "身份证、纠纷情况说明",
        15,
        "免费",
    ),
    (
        "tyjr",
        "退役军人优待证",
        ["办优待证", "退役军人证件"],
        "tyjrj",
        "县退役军人服务中心",
        "身份证、退役证",
        30,
        "免费",
    ),
    (
        "gbhd",
        "公共文化场馆预约",
        ["图书馆办证", "文化馆活动报名"],
        "wlj",
        "县图书馆、文化馆服务台",
        "身份证",
        1,
        "免费",
    ),
    (
        "ldxl",
        "林木采伐许可",
        ["砍树审批", "采伐证"],
        "lyj",
        "县林业局",
        "身份证、林权证、采伐申请",
        10,
        "免费",
    ),
    (
        "hjpj",
        "建设项目环评审批",
        ["环评手续", "环境影响评价"],
        "sthj",
        "县政务服务中心生态环境窗口",
        "环评报告书（表）、项目批复文件",
        20,
        "免费",
    ),
    (
        "zsdj",
        "水电报装",
        ["自来水开户", "通水通电"],
        "slj",
        "县自来水公司、供电营业厅",
        "房产证、身份证",
        5,
        "按核定标准",
    ),
    (
        "gjcz",
        "公交卡办理",
        ["办公交卡", "老年人乘车卡"],
        "jtj",
        "县公交公司服务点",
        "身份证、近期照片",
        1,
        "工本费 10 元，65 岁以上免费",
    ),
    (
        "czsb",
        "纳税申报",
        ["个体户报税", "申报个税"],
        "swjj",
        "县税务局办税服务厅或电子税务局",
        "身份证、营业执照、收入资料",
        1,
        "免费",
    ),
    (
        "fwzl",
        "房屋租赁登记备案",
        ["租房合同备案", "出租房登记"],
        "zjj",
        "县房产交易中心",
        "租赁合同、房产证、双方身份证",
        3,
        "免费",
    ),
]

ASPECTS = {
    "how": ("{name}怎么办理", ["{name}的办理流程", "如何申请{name}"]),
    "materials": ("{name}需要什么材料", ["办{name}要带哪些证件", "{name}需要准备的资料"]),
    "where": ("{name}在哪里办", ["{name}去哪个地方办理", "{name}的办理地点"]),
    "time": ("{name}多久能办好", ["{name}办理时限是多少天", "{name}要等多长时间"]),
    "fee": ("{name}收费吗", ["{name}要交多少钱", "{name}的收费标准"]),
}

# paraphrases for the question set: other wording than the indexed variants
PARAPHRASES = {
    "how": ["想办{alias}，具体怎么操作", "{alias}咋办", "请问{alias}的手续是怎样的"],
    "materials": ["{alias}得带啥东西", "去办{alias}要拿什么"],
    "where": ["{alias}去哪儿办", "办{alias}要到哪个窗口"],
    "time": ["{alias}几天能拿到", "{alias}一般要多久"],
    "fee": ["{alias}要花钱吗", "{alias}要不要交费"],
}

MUST_NOT = [
    "今天天气怎么样",
    "县长的手机号是多少",
    "推荐一家好吃的火锅店",
    "明天股票会涨吗",
    "帮我写一首诗",
    "你是机器人吗",
    "世界杯谁是冠军",
    "我家猫不吃饭怎么办",
    "怎么减肥最快",
    "哪个手机拍照好",
    "周末去哪里钓鱼",
    "彩票中奖号码是多少",
    "电影院几点关门",
    "我想找个对象",
    "怎么学好英语",
    "地球离太阳多远",
    "今晚吃什么",
    "哪里有打折的衣服",
    "怎么做红烧肉",
    "游戏账号被盗了",
]


def answer_text(svc, aspect: str) -> str:
    _key, name, _aliases, _dept, place, materials, days, fee = svc
    return {
        "how": f"{name}：请携带{materials}到{place}提交申请，经审核符合条件的，{days}个工作日内办结。也可以先在示范县政务服务网预约。",
        "materials": f"办理{name}需要准备：{materials}。材料不齐的，窗口会一次性告知需要补正的内容。",
        "where": f"{name}的办理地点：{place}。工作时间为法定工作日上午 9:00-12:00，下午 13:30-17:00。",
        "time": f"{name}的承诺办理时限为{days}个工作日（自受理之日起算）。",
        "fee": f"{name}的收费情况：{fee}。",
    }[aspect]


def entries():
    """(external_id, question, variants, answer, department code) for every entry."""
    for svc in SERVICES:
        key, name, aliases, *_ = svc
        for aspect, (question, variants) in ASPECTS.items():
            lines = [v.format(name=name) for v in variants]
            lines += [question.format(name=a) for a in aliases]  # the names citizens use
            yield (
                f"demo-{key}-{aspect}",
                question.format(name=name),
                "\n".join(lines),
                answer_text(svc, aspect),
                svc[3],
            )


def demo_questions() -> list[tuple[str, str]]:
    """(question, expected external id or "" for must-not-answer): ≥300 paraphrases + 20 negatives."""
    out = []
    for svc in SERVICES:
        key, _name, aliases, *_ = svc
        for aspect, templates in PARAPHRASES.items():
            for i, t in enumerate(templates):
                alias = aliases[i % len(aliases)]
                out.append((t.format(alias=alias), f"demo-{key}-{aspect}"))
    out += [(q, "") for q in MUST_NOT]
    return out


RULES = [
    (
        "问候",
        "exact",
        ["你好", "您好", "在吗", "hello"],
        "您好！这里是示范县发布，请直接输入您要咨询的问题，例如“怎么办理居住证”。",
        10,
    ),
    (
        "县长信箱",
        "contains",
        ["县长信箱", "领导信箱", "投诉"],
        "您可以回复“留言”直接给县长信箱写信，或访问网站“领导信箱”栏目。我们承诺当日分办、按时答复。",
        20,
    ),
    (
        "政务服务中心",
        "contains",
        ["政务服务中心地址", "办事大厅在哪"],
        "示范县政务服务中心：城关镇人民路 1 号，工作日 9:00-12:00、13:30-17:00 办理业务。",
        30,
    ),
    ("电话号码", "regex", [r"(咨询|服务)电话"], "示范县政务服务热线：12345（24 小时）。", 15),
]


def build(county) -> None:
    from govhub.core.models import Department

    depts = {d.code: d for d in Department.objects.all()}
    fallback = depts.get("gov-office")
    existing = set(
        KnowledgeEntry.objects.filter(external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    new = [
        KnowledgeEntry(
            external_id=ext,
            question=q,
            variants=v,
            answer=a,
            department=depts.get(code) or fallback,
            links="示范县政务服务网 /services/",
        )
        for ext, q, v, a, code in entries()
        if ext not in existing
    ]
    KnowledgeEntry.objects.bulk_create(new)
    for name, match, kws, reply, prio in RULES:
        if not KeywordRule.objects.filter(name=name).exists():
            KeywordRule.objects.create(
                name=name,
                match_type=match,
                keywords="\n".join(kws),
                reply_text=reply,
                priority=prio,
            )
    if new:
        engine.bump_version()
