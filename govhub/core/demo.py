"""示范县: the demo county, built deterministically and idempotently.

The core builds the department tree and the staff; every app adds its own content in
``govhub/<app>/demo.py`` through ``build(county)``, called in APPS order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from govhub.core import actions
from govhub.core.models import Department, DepartmentKind, Level, Role

DEMO_PASSWORD = "shifan-2026"  # demo only; printed by `make demo`
APPS = [
    "safety",
    "portal",
    "qa",
    "wechat",
    "publishing",
    "channels",
    "letters",
    "inbox",
    "services",
    "matrix",
    "analytics",
    "participation",
]

# (code, name, kind, duties)
BUREAUS = [
    (
        "gov-office",
        "县人民政府办公室",
        DepartmentKind.OFFICE,
        "政务信息公开、督查督办、政府网站与政务新媒体管理",
    ),
    ("fgj", "县发展和改革局", DepartmentKind.BUREAU, "国民经济和社会发展规划、价格管理、重大项目"),
    ("jyj", "县教育局", DepartmentKind.BUREAU, "学前教育、义务教育、招生入学、学生资助"),
    ("kjj", "县科学技术局", DepartmentKind.BUREAU, "科技项目、科技特派员"),
    ("gxj", "县工业和信息化局", DepartmentKind.BUREAU, "工业经济运行、中小企业服务"),
    ("gaj", "县公安局", DepartmentKind.POLICE, "户籍、居住证、出入境、治安、交通管理"),
    ("mzj", "县民政局", DepartmentKind.BUREAU, "低保、养老服务、婚姻登记、殡葬管理"),
    ("sfj", "县司法局", DepartmentKind.BUREAU, "法律援助、人民调解、公共法律服务"),
    ("czj", "县财政局", DepartmentKind.BUREAU, "财政预决算、惠民惠农补贴发放"),
    (
        "rsj",
        "县人力资源和社会保障局",
        DepartmentKind.BUREAU,
        "就业创业、社会保险、劳动监察、工资拖欠",
    ),
    ("zrj", "县自然资源局", DepartmentKind.BUREAU, "国土空间规划、不动产登记、耕地保护"),
    ("sthj", "市生态环境局示范县分局", DepartmentKind.BUREAU, "大气、水、噪声污染防治与环境执法"),
    ("zjj", "县住房和城乡建设局", DepartmentKind.BUREAU, "房屋建设、物业管理、老旧小区改造、燃气"),
    ("jtj", "县交通运输局", DepartmentKind.BUREAU, "公路建设养护、公交客运、出租车管理"),
    ("slj", "县水利局", DepartmentKind.BUREAU, "防汛抗旱、农村供水、河湖管理"),
    ("nyj", "县农业农村局", DepartmentKind.BUREAU, "农业生产、乡村振兴、农村宅基地"),
    ("swj", "县商务局", DepartmentKind.BUREAU, "商贸流通、招商引资、电子商务"),
    ("wlj", "县文化和旅游局", DepartmentKind.BUREAU, "文化活动、旅游景区、文物保护、体育"),
    ("wjw", "县卫生健康委员会", DepartmentKind.BUREAU, "医疗卫生、疾病预防、计划生育服务"),
    ("tyjr", "县退役军人事务局", DepartmentKind.BUREAU, "退役军人安置、优抚"),
    ("yjj", "县应急管理局", DepartmentKind.BUREAU, "安全生产、防灾减灾、应急救援"),
    ("sjj", "县审计局", DepartmentKind.BUREAU, "财政与经济责任审计"),
    (
        "scj",
        "县市场监督管理局",
        DepartmentKind.BUREAU,
        "市场主体登记、食品药品安全、价格与消费维权",
    ),
    ("tjj", "县统计局", DepartmentKind.BUREAU, "统计调查与统计公报"),
    ("ybj", "县医疗保障局", DepartmentKind.BUREAU, "医疗保险、医疗救助、异地就医备案"),
    ("lyj", "县林业局", DepartmentKind.BUREAU, "森林防火、林权、绿化"),
    ("xfj", "县信访局", DepartmentKind.BUREAU, "群众来信来访、领导信箱分办"),
    ("xzsp", "县行政审批服务局", DepartmentKind.BUREAU, "政务服务中心、一网通办、12345热线"),
    ("cgj", "县城市管理综合执法局", DepartmentKind.BUREAU, "市容环卫、占道经营、违法建设查处"),
    ("gjj", "县住房公积金管理中心", DepartmentKind.BUREAU, "住房公积金缴存、提取、贷款"),
    ("rmt", "县融媒体中心", DepartmentKind.OTHER, "县政府网站、政务微信、政务微博运营"),
]

TOWNS = [
    ("chengguan", "城关镇", ["东街社区", "西街社区", "南关村"]),
    ("dongguan", "东关镇", ["东关村", "李家庄村"]),
    ("xihe", "西河镇", ["西河村", "柳树湾村"]),
    ("nanling", "南岭镇", ["南岭村", "石门村"]),
    ("beishan", "北山乡", ["北山村", "杨家沟村"]),
    ("liulin", "柳林镇", ["柳林村", "王庄村"]),
    ("qingshi", "青石镇", ["青石村", "河口村"]),
    ("xinghua", "杏花乡", ["杏花村", "桃园村"]),
    ("baishui", "白水镇", ["白水村", "新建村"]),
    ("longquan", "龙泉镇", ["龙泉村", "马家坪村"]),
]

# (username, full name, department code, role, title)
STAFF = [
    ("admin", "系统管理员", "county", Role.ADMINISTRATOR, "信息中心主任"),
    ("editor", "王晓燕", "rmt", Role.EDITOR, "网站编辑"),
    ("reviewer", "李建国", "rmt", Role.REVIEWER, "融媒体中心副主任"),
    ("reviewer2", "周文斌", "gov-office", Role.REVIEWER, "县政府办公室信息公开科科长"),
    ("signer", "张卫东", "gov-office", Role.SIGNER, "县政府办公室主任"),
    ("dispatcher", "赵丽娟", "xfj", Role.DISPATCHER, "信访局来信科科长"),
    ("handler", "陈志强", "rsj", Role.HANDLER, "人社局办公室主任"),
    ("supervisor", "刘敏", "gov-office", Role.SUPERVISOR, "县政府督查室主任"),
    ("rsj_reviewer", "孙海涛", "rsj", Role.REVIEWER, "人社局副局长"),
    ("jyj_handler", "周佳", "jyj", Role.HANDLER, "教育局办公室"),
    ("jyj_reviewer", "吴建平", "jyj", Role.REVIEWER, "教育局副局长"),
    ("zjj_handler", "郑凯", "zjj", Role.HANDLER, "住建局办公室"),
    ("cgj_handler", "冯雪", "cgj", Role.HANDLER, "城管局办公室"),
    ("sthj_handler", "韩磊", "sthj", Role.HANDLER, "生态环境分局办公室"),
    ("wjw_handler", "杨帆", "wjw", Role.HANDLER, "卫健委办公室"),
    ("jtj_handler", "何静", "jtj", Role.HANDLER, "交通局办公室"),
    ("swj_handler", "高远", "swj", Role.HANDLER, "商务局办公室"),
    ("gaj_editor", "林涛", "gaj", Role.EDITOR, "公安局宣传科"),
    ("chengguan_handler", "马兰", "chengguan", Role.HANDLER, "城关镇党政办"),
]

# The logins `make demo` prints: each step of each loop is done by the person who owns it.
DEMO_LOOPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "内容发布（三审）",
        [
            ("editor", "撰稿、送审"),
            ("reviewer", "初审"),
            ("reviewer2", "复审"),
            ("signer", "终审签发"),
        ],
    ),
    (
        "领导信箱",
        [
            ("dispatcher", "分办"),
            ("handler", "签收、办理、起草答复"),
            ("rsj_reviewer", "答复审核"),
            ("supervisor", "督办、审批延期"),
        ],
    ),
    ("政务新媒体监管", [("supervisor", "账号台账、巡检、月报")]),
    ("系统管理", [("admin", "部门、人员、发布设置")]),
]
DEMO_LOGINS = list(dict.fromkeys(u for _, steps in DEMO_LOOPS for u, _ in steps))


@dataclass
class County:
    """What apps get to build their demo content on."""

    root: Department
    departments: dict[str, Department]
    users: dict[str, object]
    rng: random.Random = field(default_factory=lambda: random.Random(20261123))  # noqa: S311

    def dept(self, code: str) -> Department:
        return self.departments[code]

    def user(self, username: str):
        return self.users[username]

    @property
    def admin(self):
        return self.users["admin"]

    def towns(self) -> list[Department]:
        return [d for d in self.departments.values() if d.level == Level.TOWN]

    def bureaus(self) -> list[Department]:
        return [d for d in self.departments.values() if d.level == Level.COUNTY and d.depth == 2]


def _ensure_dept(actor, parent, code, name, level, kind, **extra) -> Department:
    existing = Department.objects.filter(code=code).first()
    if existing:
        return existing
    parent = Department.objects.get(pk=parent.pk) if parent else None  # fresh path/numchild
    return actions.create_department(
        actor, parent=parent, name=name, code=code, level=level, kind=kind, **extra
    )


@transaction.atomic
def build_core() -> County:
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "first_name": "系统管理员"},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    root = _ensure_dept(
        admin,
        None,
        "county",
        "示范县人民政府",
        Level.COUNTY,
        DepartmentKind.GOVERNMENT,
        phone="0000-12345",
        address="示范县人民路1号",
    )
    depts = {"county": root}
    for code, name, kind, duties in BUREAUS:
        depts[code] = _ensure_dept(
            admin,
            root,
            code,
            name,
            Level.COUNTY,
            kind,
            duties=duties,
            phone=f"0000-{6000 + len(depts):04d}",
        )
    for code, name, villages in TOWNS:
        town = _ensure_dept(
            admin,
            root,
            code,
            name,
            Level.TOWN,
            DepartmentKind.TOWN,
            duties="辖区经济社会事务、便民服务中心",
        )
        depts[code] = town
        for i, village in enumerate(villages, 1):
            vcode = f"{code}-v{i}"
            depts[vcode] = _ensure_dept(
                admin, town, vcode, village, Level.VILLAGE, DepartmentKind.VILLAGE
            )
    users = {"admin": admin}
    for username, full_name, dept_code, role, title in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = actions.create_staff_user(
                admin,
                username=username,
                password=DEMO_PASSWORD,
                full_name=full_name,
                email=f"{username}@shifanxian.gov.cn",
            )
        actions.assign_role(admin, user=user, department=depts[dept_code], role=role, title=title)
        users[username] = user
    return County(root=Department.objects.get(pk=root.pk), departments=depts, users=users)


def build(apps: list[str] | None = None, stdout=None) -> County:
    """Build the whole demo county; safe to run again."""
    from importlib import import_module

    county = build_core()
    for app in [a for a in (APPS if apps is None else apps) if a != "core"]:
        try:
            module = import_module(f"govhub.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"govhub.{app}.demo":
                raise
            continue
        if stdout:
            stdout.write(f"  {app} …")
        module.build(county)
    return county
