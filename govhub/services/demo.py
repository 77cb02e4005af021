"""示范县's 办事指南 and 微查询 (written for the demo; phone numbers are the county's own).

The two queries ask the fake backends served by the demo itself (``fake_backend``)."""

from __future__ import annotations

from django.conf import settings

from govhub.services import actions
from govhub.services.fake_backend import GJJ_KEY, LETTERS_SECRET
from govhub.services.models import LifeEvent, QueryConnector, ServiceGuide

CENTRE = "示范县政务服务中心（人民路 88 号）"
HOURS = "周一至周五 上午 8:30—12:00，下午 14:30—17:30（法定节假日除外）"

# code, name, type, dept, audience, events, summary, conditions, materials, steps,
# statutory, promised, visits, fee, place, phone, keywords, online
GUIDES = [
    (
        "SFX-GA-001",
        "新生儿出生登记（落户）",
        "confirmation",
        "gaj",
        "person",
        ["birth"],
        "孩子出生后为其申报常住户口，出生一个月内办理。",
        "新生儿父母一方为本县常住户口；出生一个月内由监护人申报。",
        "出生医学证明｜1｜原件\n父母双方居民身份证｜1｜原件\n父母双方居民户口簿｜1｜原件\n结婚证｜1｜原件，非婚生育的免交",
        "申报｜到户籍窗口或在“示范县公安”公众号在线申报\n审核｜民警当场审核材料\n办结｜当场打印户口簿新生儿页",
        5,
        0,
        1,
        "",
        CENTRE + "公安户籍窗口（一楼 6—8 号）",
        "0000-6110110",
        "上户口,报户口,孩子落户,新生儿户口,出生登记",
        "",
    ),
    (
        "SFX-WJ-002",
        "出生医学证明首次签发",
        "public_service",
        "wjw",
        "person",
        ["birth"],
        "在本县助产机构出生的婴儿，由出生医院签发出生医学证明。",
        "在本县具有助产技术服务资质的医疗机构内出生的新生儿。",
        "父母双方居民身份证｜1｜原件\n出生医学证明首次签发登记表｜1｜医院产科提供",
        "填写登记表｜在医院产科填写并核对信息\n签发｜医院出生医学证明管理窗口签发",
        None,
        3,
        1,
        "",
        "新生儿出生医院出生医学证明管理窗口",
        "0000-6120120",
        "出生证,出生证明,准生证",
        "",
    ),
    (
        "SFX-YB-003",
        "新生儿参加城乡居民医疗保险",
        "public_service",
        "ybj",
        "person",
        ["birth", "health"],
        "新生儿出生后 90 天内参保缴费的，自出生之日起享受医保待遇。",
        "已办理出生登记的本县户籍新生儿。",
        "新生儿户口簿｜1｜原件\n监护人居民身份证｜1｜原件",
        "申请｜医保窗口或“示范县医保”公众号办理\n缴费｜按当年城乡居民个人缴费标准缴费\n享受待遇｜缴费次日起可持社保卡就医",
        None,
        0,
        0,
        "按当年城乡居民医保个人缴费标准",
        CENTRE + "医保窗口（二楼 21 号）",
        "0000-6130130",
        "宝宝医保,小孩医保,新生儿医保,婴儿参保",
        "",
    ),
    (
        "SFX-JY-004",
        "小学一年级新生入学登记",
        "public_service",
        "jyj",
        "person",
        ["school"],
        "每年 6 月网上登记，按学区划分就近入学。",
        "当年 8 月 31 日前年满 6 周岁的适龄儿童，户籍或居住证在本县。",
        "儿童户口簿｜1｜原件\n监护人房产证明或租赁合同｜1｜复印件\n随迁子女另交居住证｜1｜复印件",
        "网上登记｜6 月 1 日至 20 日在县教育局网站登记\n资料审核｜学校审核登记信息\n结果公布｜7 月中旬公布学位安排",
        None,
        20,
        0,
        "",
        "各学区小学",
        "0000-6140140",
        "上小学,孩子入学,报名上学,一年级报名",
        "",
    ),
    (
        "SFX-MZ-005",
        "内地居民结婚登记",
        "confirmation",
        "mzj",
        "person",
        ["marriage"],
        "男女双方共同到婚姻登记处当场办理，可在网上预约。",
        "男年满 22 周岁、女年满 20 周岁，双方自愿，均无配偶，无禁止结婚的亲属关系；一方户籍在本县。",
        "双方居民户口簿｜1｜原件\n双方居民身份证｜1｜原件\n双方近期半身免冠合影 2 寸照片｜3张｜红色背景",
        "预约（可选）｜网上或电话预约登记时间\n双方到场申请｜填写《申请结婚登记声明书》\n审查｜登记员当场审查\n颁证｜当场颁发结婚证",
        0,
        0,
        1,
        "",
        "示范县婚姻登记处（民政局一楼）",
        "0000-6150150",
        "领结婚证,结婚登记,扯证,领证",
        "",
    ),
    (
        "SFX-RS-006",
        "失业保险金申领",
        "benefit",
        "rsj",
        "person",
        ["work"],
        "非因本人意愿中断就业、已办理失业登记的，可申领失业保险金。",
        "失业前用人单位和本人已缴纳失业保险费满一年；非因本人意愿中断就业；已办理失业登记并有求职要求。",
        "居民身份证或社会保障卡｜1｜原件\n解除或终止劳动合同证明｜1｜原件",
        "申请｜窗口或“示范县人社”公众号申请\n审核｜人社局 5 个工作日内审核\n发放｜按月发放至社会保障卡",
        10,
        5,
        0,
        "",
        CENTRE + "人社窗口（二楼 15—18 号）",
        "0000-6160160",
        "失业金,失业补助,没工作了领钱,下岗",
        "",
    ),
    (
        "SFX-GJ-007",
        "购买自住住房提取住房公积金",
        "public_service",
        "gjj",
        "person",
        ["housing"],
        "购买本县自住住房的职工及配偶，可提取住房公积金。",
        "购房合同已网签备案或取得不动产权证书一年内；公积金账户正常缴存。",
        "居民身份证｜1｜原件\n购房合同或不动产权证书｜1｜原件\n购房发票｜1｜原件\n本人银行卡｜1｜一类卡",
        "申请｜窗口或网上办理\n审核｜公积金中心审核\n到账｜审核通过后 3 个工作日内转入银行卡",
        5,
        3,
        0,
        "",
        "县住房公积金管理中心服务大厅（建设路 16 号）",
        "0000-6170170",
        "公积金提取,取公积金,买房提公积金,公积金怎么取",
        "",
    ),
    (
        "SFX-ZR-008",
        "国有建设用地使用权及房屋所有权转移登记",
        "confirmation",
        "zrj",
        "both",
        ["housing"],
        "买卖二手房后，买卖双方申请办理不动产过户。",
        "已签订买卖合同并完成缴税；房屋无查封、抵押或已取得抵押权人同意。",
        "不动产登记申请书｜1｜窗口领取\n买卖双方身份证明｜1｜原件\n不动产权证书｜1｜原件\n房屋买卖合同｜1｜原件\n完税凭证｜1｜原件",
        "受理｜不动产登记窗口一窗受理\n审核｜登记机构审核\n登簿发证｜记载于不动产登记簿并发证",
        30,
        5,
        1,
        "住宅每件 80 元",
        CENTRE + "不动产登记窗口（三楼）",
        "0000-6180180",
        "房产过户,二手房过户,房产证,不动产证",
        "",
    ),
    (
        "SFX-RS-009",
        "城乡居民基本养老保险待遇申领",
        "benefit",
        "rsj",
        "person",
        ["retirement"],
        "年满 60 周岁、累计缴费满 15 年的城乡居民，按月领取养老金。",
        "年满 60 周岁；累计缴费满 15 年；未领取其他基本养老保险待遇。",
        "居民身份证或社会保障卡｜1｜原件",
        "申请｜村（社区）代办员或人社窗口受理\n核定｜人社局核定待遇\n发放｜次月起按月发放至社会保障卡",
        20,
        10,
        0,
        "",
        CENTRE + "人社窗口（二楼 15—18 号）",
        "0000-6160160",
        "领养老金,农村养老金,退休金,60岁领钱",
        "",
    ),
    (
        "SFX-MZ-010",
        "城乡居民丧葬补助金申领",
        "benefit",
        "mzj",
        "person",
        ["death"],
        "参加城乡居民养老保险的人员去世后，其家属可申领丧葬补助金。",
        "死者生前参加本县城乡居民基本养老保险；家属在死亡后 6 个月内申请。",
        "死亡医学证明或火化证明｜1｜原件\n申领人居民身份证｜1｜原件\n与死者关系证明｜1｜户口簿等",
        "申请｜乡镇便民服务中心受理\n审核｜县民政局审核\n发放｜审核通过后发放至申领人账户",
        None,
        10,
        1,
        "",
        "户籍所在乡镇（街道）便民服务中心",
        "0000-6150150",
        "丧葬费,老人去世,死亡补助,抚恤",
        "",
    ),
    (
        "SFX-SC-011",
        "个体工商户设立登记",
        "license",
        "scj",
        "legal",
        ["startup"],
        "开店、摆摊做生意需要办理营业执照，全程网办。",
        "有经营能力的自然人；有固定经营场所。",
        "经营者居民身份证｜1｜原件\n经营场所使用证明｜1｜租赁合同或产权证明复印件",
        "网上申请｜在县政务服务网或窗口提交\n审核｜市场监管局当场审核\n领照｜电子营业执照即时发放，纸质执照可邮寄",
        15,
        0,
        0,
        "",
        CENTRE + "市场监管窗口（一楼 1—4 号）",
        "0000-6190190",
        "营业执照,开店,办执照,做生意,个体户",
        "",
    ),
    (
        "SFX-SC-012",
        "食品经营许可（仅销售预包装食品备案除外）",
        "license",
        "scj",
        "legal",
        ["operation"],
        "开办餐馆、食品店等从事食品经营，需取得食品经营许可证。",
        "有与经营食品品种、数量相适应的场所、设备和食品安全管理人员。",
        "食品经营许可申请书｜1｜窗口领取\n营业执照｜1｜复印件\n经营场所平面图和设备布局图｜1｜\n食品安全管理制度｜1｜",
        "申请｜窗口或网上申请\n现场核查｜需要时 10 个工作日内现场核查\n决定｜作出准予许可决定并发证",
        20,
        10,
        1,
        "",
        CENTRE + "市场监管窗口（一楼 1—4 号）",
        "0000-6190190",
        "开饭店,餐饮许可,食品许可证,卖吃的",
        "",
    ),
]

BASIS = {
    "SFX-GA-001": "《中华人民共和国户口登记条例》第七条",
    "SFX-WJ-002": "《中华人民共和国母婴保健法》第二十三条",
    "SFX-YB-003": "《中华人民共和国社会保险法》第二十五条",
    "SFX-JY-004": "《中华人民共和国义务教育法》第十二条",
    "SFX-MZ-005": "《婚姻登记条例》第四条至第七条",
    "SFX-RS-006": "《中华人民共和国社会保险法》第四十五条；《失业保险条例》第十四条",
    "SFX-GJ-007": "《住房公积金管理条例》第二十四条",
    "SFX-ZR-008": "《不动产登记暂行条例》第十四条",
    "SFX-RS-009": "《中华人民共和国社会保险法》第二十一条",
    "SFX-MZ-010": "《中华人民共和国社会保险法》第十七条及本省城乡居民养老保险实施办法",
    "SFX-SC-011": "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》第三条",
    "SFX-SC-012": "《中华人民共和国食品安全法》第三十五条",
}

CONNECTORS = [
    dict(
        slug="gjj-balance",
        name="住房公积金余额查询",
        description="查询个人住房公积金账户余额、缴存状态和月缴存额。",
        dept="gjj",
        guide="SFX-GJ-007",
        path="gjj",
        auth_type="api_key",
        auth_header="X-Api-Key",
        secret=GJJ_KEY,
        input_fields="idcard｜身份证号｜身份证号",
        result_mapping=(
            "data.status｜账户状态\ndata.balance｜账户余额（元）\ndata.monthly｜月缴存额（元）\n"
            "data.paid_until｜缴存至\ndata.employer｜缴存单位"
        ),
        empty_message="没有查到您的住房公积金缴存记录。如有疑问请致电 0000-6170170。",
        keyword="公积金余额",
    ),
    dict(
        slug="letter-progress",
        name="信件办理进度查询",
        description="输入县长信箱的信件查询码，查看办理到哪一步。",
        dept="xfj",
        guide=None,
        path="letters",
        auth_type="hmac",
        auth_header="",
        secret=LETTERS_SECRET,
        input_fields="code｜信件查询码｜编号",
        result_mapping=(
            "result.stage｜办理进度\nresult.department｜承办单位\nresult.due｜办理期限\n"
            "result.reply｜答复情况"
        ),
        empty_message="没有查到这个查询码对应的信件，请核对后重试。",
        keyword="信件进度",
    ),
]


# (guide code, level, comment): what citizens said about the guides this month
RATINGS = [
    ("SFX-GA-001", 5, ""),
    ("SFX-GA-001", 5, "在公众号上申报，第二天就办好了"),
    ("SFX-GA-001", 4, ""),
    ("SFX-MZ-005", 5, "预约后不用排队"),
    ("SFX-MZ-005", 4, ""),
    ("SFX-GJ-007", 5, ""),
    ("SFX-GJ-007", 3, "到账比写的慢了一天"),
    ("SFX-GJ-007", 2, "指南没写要银行一类卡，白跑了一趟"),
    ("SFX-RS-006", 4, ""),
    ("SFX-RS-006", 1, "电话一直打不通"),
    ("SFX-SC-011", 5, "全程网上办，很方便"),
    ("SFX-YB-003", 4, ""),
]


def _ratings() -> None:
    from govhub.ratings import actions as rating_actions
    from govhub.ratings.models import Rating

    if Rating.objects.filter(target_type="guide").exists():
        return
    for code, level, comment in RATINGS:
        guide = ServiceGuide.objects.get(code=code)
        token = rating_actions.rating_token("guide", guide.pk)
        rating_actions.rate(token, level, comment, channel="wechat")


# (guide code, place, times): what departments open for booking on the next working days
SLOTS = [
    ("SFX-MZ-005", "示范县婚姻登记处（民政局一楼）", "09:00-10:00\n10:00-11:00\n14:30-15:30"),
    ("SFX-RS-006", CENTRE + "人社窗口（二楼 15—18 号）", "09:00-10:30\n14:30-16:00"),
    ("SFX-ZR-008", CENTRE + "不动产登记窗口（三楼）", "09:00-10:00\n10:00-11:00"),
]


def _slots(county) -> None:
    from django.utils import timezone

    from govhub.core import workdays
    from govhub.services.models import AppointmentSlot

    if AppointmentSlot.objects.exists():
        return
    day = timezone.localdate()
    for _ in range(5):
        day = workdays.next_working_day(day)
        for code, place, times in SLOTS:
            guide = ServiceGuide.objects.get(code=code)
            actions.publish_slots(county.admin, guide, place, day, times, 4)


def build(county) -> None:
    admin = county.admin
    events = {e.slug: e for e in LifeEvent.objects.all()}
    for (
        code, name, mtype, dept, audience, evs, summary, conditions, materials, steps,
        statutory, promised, visits, fee, place, phone, keywords, online,
    ) in GUIDES:  # fmt: skip
        guide = ServiceGuide.objects.filter(code=code).first() or ServiceGuide(code=code)
        guide.name, guide.matter_type, guide.audience = name, mtype, audience
        guide.department = county.dept(dept)
        guide.summary, guide.conditions = summary, conditions
        guide.materials, guide.steps = materials, steps
        guide.statutory_days, guide.promised_days, guide.visits = statutory, promised, visits
        guide.fee = fee
        guide.fee_basis = "省发展改革委、省财政厅核定的收费标准" if fee else ""
        guide.place, guide.hours = place, HOURS
        guide.contact_phone, guide.complaint_phone = phone, "12345"
        guide.keywords, guide.online_url = keywords, online
        guide.legal_basis = BASIS.get(code, "")
        actions.save_guide(admin, guide, [events[e] for e in evs if e in events])
    for spec in CONNECTORS:
        spec = dict(spec)
        c = QueryConnector.objects.filter(slug=spec["slug"]).first() or QueryConnector()
        guide_code = spec.pop("guide")
        c.guide = ServiceGuide.objects.filter(code=guide_code).first() if guide_code else None
        c.department = county.dept(spec.pop("dept"))
        c.endpoint = f"{settings.SITE_URL}/services/fake-backend/{spec.pop('path')}/"
        c.method = "POST"
        for k, v in spec.items():
            setattr(c, k, v)
        actions.save_connector(admin, c)
    _ratings()
    _slots(county)
