"""The demo portal of 示范县: columns, ≥300 articles, 50 notices, 3 专题, the 政府信息公开 catalogue,
footer settings; then the search index and the published files. Deterministic (own seeded
RNG, fixed anchor date) and idempotent (nothing is created when the home page exists)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from govhub.portal import address, govinfo, publish, search
from govhub.portal import demo_text as T
from govhub.portal.models import (
    ArticlePage,
    ColumnPage,
    DocType,
    GovInfoCatalogPage,
    GovInfoCategoryPage,
    HomePage,
    NoticePage,
    PortalSettings,
    SearchEntry,
    SearchSynonym,
    SpecialTopicItem,
    SpecialTopicPage,
    TopicIndexPage,
)

ANCHOR = date(2026, 11, 20)  # "today" of the demo: articles span the two years before it
HOME_SLUG = "shifan"
TOWNS = [
    "城关镇",
    "东关镇",
    "西河镇",
    "南岭镇",
    "北山乡",
    "柳林镇",
    "青石镇",
    "杏花乡",
    "白水镇",
    "龙泉镇",
]

# (slug, title, intro, kind) ; kind: news / service parent
TOP_COLUMNS = [
    ("yaowen", "政务要闻", "县委县政府重要会议、重要活动和重大决策部署"),
    ("tzgg", "通知公告", "县政府及各部门发布的通知、公告、通告和公示"),
    ("bumen", "部门动态", "县直各部门工作动态"),
    ("xiangzhen", "乡镇动态", "各乡镇工作动态"),
    ("zcjd", "政策解读", "对重要政策文件的图文解读和问答"),
    ("bsfw", "办事服务", "按主题分类的办事指南"),
]
SERVICE_COLUMNS = [
    ("shebao", "社会保障", "养老保险、社保缴费与待遇"),
    ("jiaoyu", "教育服务", "入学报名、学生资助"),
    ("yiliao", "医疗卫生", "医保报销、预防接种、家庭医生"),
    ("zhufang", "住房保障", "公积金、不动产登记、老旧小区改造"),
    ("jiuye", "就业创业", "就业补贴、创业担保贷款、职业培训"),
    ("huji", "户籍居住", "居住证、户口迁移、身份证"),
    ("minzheng", "民政救助", "低保、特困供养、临时救助"),
]
SPECIAL_TOPICS = [
    (
        "yingshang",
        "优化营商环境",
        "营商环境",
        "深化“放管服”改革，打造办事方便、法治良好、成本竞争力强的营商环境。",
    ),
    (
        "xiangcun",
        "全面推进乡村振兴",
        "乡村振兴",
        "产业兴旺、生态宜居、乡风文明、治理有效、生活富裕。",
    ),
    (
        "minsheng",
        "民生实事·社会保障",
        "养老保险",
        "养老保险、医疗保障、就业创业等民生政策一站式汇集。",
    ),
]


class Writer:
    """Fills the templates of demo_text with deterministic values."""

    def __init__(self, county) -> None:
        self.rng = random.Random(20261123)
        # figures come from their own sequence: the titles, topics and dates drawn from
        # ``rng`` stay those the search regression set (tests/portal/search_queries.py) was
        # written against
        self.figure_rng = random.Random(20261124)
        self.county = county
        self.used_titles: set[str] = set()

    def values(self, dept_name: str, when: date) -> dict:
        r = self.rng
        return {
            "year": when.year,
            "prev": when.year - 7,
            "next_year": when.year - 6,
            "month": r.randint(1, 12) if when.month == 1 else when.month,
            "day": r.randint(5, 28),
            "town": r.choice(TOWNS),
            "n": r.randint(2, 9),
            # two draws that once chose the figures (now ``figure_rng``): keeps ``rng``'s sequence
            "_": (r.randrange(9), r.randrange(9)),
            "dept": dept_name,
            "phone": f"0000-{r.randint(6100000, 6899999)}",
            **T.figures(self.figure_rng),
        }

    def fill(self, template: str, v: dict) -> str:
        return template.format(**v)

    def title(self, templates: list[str], v: dict) -> str:
        for attempt in range(8):
            t = self.fill(self.rng.choice(templates), v)
            if attempt and t in self.used_titles:
                t = self.fill(self.rng.choice(templates), {**v, "year": v["year"]})
            if t not in self.used_titles:
                break
        else:
            t = f"{t}（{v['month']}月{v['day']}日）"
        self.used_titles.add(t)
        return t

    def body(self, topic: dict, v: dict, general: bool = False) -> tuple[str, str]:
        paras = list(topic["paras"])
        self.rng.shuffle(paras)
        chosen = paras[: self.rng.randint(min(3, len(paras)), min(5, len(paras)))]
        if general:
            chosen = [self.rng.choice(T.GENERAL_PARAS), *chosen[:2]]
        chosen.append(self.rng.choice(T.CLOSING))
        texts = [self.fill(p, v) for p in chosen]
        summary = texts[0][:120]
        return summary, "".join(f"<p>{t}</p>" for t in texts)


def _when(rng: random.Random) -> datetime:
    day = ANCHOR - timedelta(days=rng.randint(0, 729))
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 18), rng.choice([0, 30]))))


def build(county, publish_files: bool | None = None) -> None:
    """Create the demo site once; index it and write the published files when missing
    (not by default under GOVHUB_MODE=test, where other apps' tests build the demo)."""
    from django.conf import settings

    if publish_files is None:
        publish_files = settings.MODE != "test"
    created = False
    with transaction.atomic():
        home = HomePage.objects.filter(slug=HOME_SLUG).first()
        if home is None:
            home = _build_pages(county)
            created = True
        _ensure_site(home)
        for words, note in T.SYNONYMS:
            SearchSynonym.objects.get_or_create(words=words, defaults={"note": note})
    if created or not SearchEntry.objects.exists():
        search.reindex_all()
    if publish_files and (created or publish.rendered_for() != address.site_url()):
        publish.publish_all()  # first build, or the site moved (another PORT): links change


def _ensure_site(home: HomePage) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    hostname, port = address.host_and_port()
    if site is None:
        site = Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name="示范县人民政府",
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "示范县人民政府"
        site.save()
        if type(old_root.specific) is Page and old_root.depth == 2:  # Wagtail's welcome page
            old_root.delete()
    address.sync_site()
    PortalSettings.objects.update_or_create(
        site=site,
        defaults={
            "site_name": "示范县人民政府",
            "sponsor": "示范县人民政府办公室",
            "organiser": "示范县融媒体中心",
            "contact_phone": "0000-6123456",
            "contact_email": "zfb@shifanxian.gov.cn",
            "address": "示范县城关镇人民路1号",
            "site_code": "0000000001",
            "icp_number": "示ICP备00000001号",
            "police_number": "示公网安备 00000002000001号",
            "show_party_gov_mark": True,
        },
    )


def _build_pages(county) -> HomePage:
    root = Page.get_first_root_node()
    home = root.add_child(
        instance=HomePage(
            title="示范县人民政府", slug=HOME_SLUG, welcome="欢迎访问示范县人民政府门户网站"
        )
    )
    cols: dict[str, ColumnPage] = {}
    for slug, title, intro in TOP_COLUMNS:
        cols[slug] = home.add_child(
            instance=ColumnPage(title=title, slug=slug, intro=intro, show_in_menus=True)
        )
    for slug, title, intro in SERVICE_COLUMNS:
        cols[slug] = cols["bsfw"].add_child(
            instance=ColumnPage(title=title, slug=slug, intro=intro)
        )
    catalog = home.add_child(
        instance=GovInfoCatalogPage(
            title="政府信息公开",
            slug="xxgk",
            show_in_menus=True,
            intro="依据《中华人民共和国政府信息公开条例》，主动公开政府信息。",
        )
    )
    cats: dict[str, GovInfoCategoryPage] = {}
    for title, code, intro in T.GOVINFO_CATEGORIES:
        cats[code] = catalog.add_child(
            instance=GovInfoCategoryPage(title=title, slug=code.lower(), code=code, intro=intro)
        )
    HomePage.objects.filter(pk=home.pk).update(
        headline_column=cols["yaowen"], notice_column=cols["tzgg"]
    )
    topics_index = home.add_child(
        instance=TopicIndexPage(title="专题专栏", slug="zhuanti", show_in_menus=True)
    )

    w = Writer(county)
    rng = w.rng
    depts = county.departments
    topic_keys = list(T.TOPICS)
    seq = 0

    def add(parent, cls, topic_key: str, kind: str, doc_type: str, **extra):
        nonlocal seq
        seq += 1
        topic = T.TOPICS[topic_key]
        dept = depts.get(topic["dept"])
        when = _when(rng)
        v = w.values(dept.name if dept else "县政府办公室", when.date())
        general = kind == "general"
        title = w.title(T.GENERAL_NEWS if general else topic[kind], v)
        summary, body = w.body(topic, v, general=general)
        page = cls(
            title=title,
            slug=f"a{seq:04d}",
            date=when,
            doc_type=doc_type,
            summary=summary,
            body=body,
            department=dept if not general else depts.get("gov-office"),
            first_published_at=when,
            last_published_at=when,
            **extra,
        )
        page.tags.add(topic_key)
        parent.add_child(instance=page)
        return page

    # 政务要闻 60, 部门动态 50, 乡镇动态 40, 政策解读 30
    for i in range(60):
        add(
            cols["yaowen"],
            ArticlePage,
            topic_keys[i % len(topic_keys)],
            "general" if i % 4 == 0 else "news",
            DocType.NEWS,
        )
    for i in range(50):
        add(cols["bumen"], ArticlePage, topic_keys[(i * 3) % len(topic_keys)], "news", DocType.NEWS)
    for i in range(40):
        add(
            cols["xiangzhen"],
            ArticlePage,
            topic_keys[(i * 5) % len(topic_keys)],
            "news",
            DocType.NEWS,
        )
    for i in range(30):
        key = topic_keys[i % len(topic_keys)]
        add(cols["zcjd"], ArticlePage, key, "policy", DocType.INTERPRETATION)
    # 办事服务: guides under their service column
    for key, topic in T.TOPICS.items():
        if not topic["service"]:
            continue
        for _ in range(len(topic["guide"]) * 3):
            add(cols[topic["service"]], ArticlePage, key, "guide", DocType.GUIDE)
    # 政府信息公开: policy documents with 文号 and validity
    cat_cycle = {
        "ZCWJ": DocType.POLICY,
        "GHJH": DocType.PLAN,
        "CZYJS": DocType.BUDGET,
        "ZDJC": DocType.DECISION,
        "JGZN": DocType.OTHER,
        "RSXX": DocType.OTHER,
    }
    govinfo_pages = []
    for i in range(60):
        code = list(cat_cycle)[i % 6] if i % 2 else "ZCWJ"
        key = topic_keys[i % len(topic_keys)]
        valid_from = ANCHOR - timedelta(days=rng.randint(30, 700))
        p = add(
            cats[code],
            ArticlePage,
            key,
            "policy",
            cat_cycle[code],
            doc_number=f"示政办发〔{valid_from.year}〕{i + 1}号",
            valid_from=valid_from,
            valid_until=valid_from + timedelta(days=365 * rng.choice([1, 2, 3, 5])),
        )
        govinfo_pages.append(p)
    # 通知公告 50
    for i in range(50):
        idx = i % len(T.NOTICE_TITLES)
        key = T.NOTICE_TAG.get(idx, topic_keys[i % len(topic_keys)])
        topic = T.TOPICS[key]
        dept = depts.get(topic["dept"])
        when = _when(rng)
        v = w.values(dept.name if dept else "县政府办公室", when.date())
        title = w.title([T.NOTICE_TITLES[idx]], v)
        summary, body = w.body(topic, v)
        seq += 1
        page = NoticePage(
            title=title,
            slug=f"n{seq:04d}",
            date=when,
            doc_type=DocType.NOTICE,
            summary=summary,
            body=body,
            department=dept,
            issuer=dept.name if dept else "示范县人民政府办公室",
            action_deadline=(when + timedelta(days=30)).date(),
            first_published_at=when,
            last_published_at=when,
        )
        page.tags.add(key)
        cols["tzgg"].add_child(instance=page)
    # 供热: written out (no random figures), tagged 供热
    zjj = depts.get("zjj")
    for n, (col, kind, days, title, paras) in enumerate(T.HEATING, 1):
        when = timezone.make_aware(datetime.combine(ANCHOR - timedelta(days=days), time(9, 0)))
        cls, doc_type = (NoticePage, DocType.NOTICE) if kind == "notice" else (ArticlePage, kind)
        extra = (
            {"issuer": zjj.name if zjj else "示范县住房和城乡建设局"} if kind == "notice" else {}
        )
        page = cls(
            title=title,
            slug=f"gr{n:02d}",
            date=when,
            doc_type=doc_type,
            summary=paras[0][:120],
            body="".join(f"<p>{p}</p>" for p in paras),
            department=zjj,
            first_published_at=when,
            last_published_at=when,
            **extra,
        )
        page.tags.add("供热")
        cols[col].add_child(instance=page)
    for p in govinfo_pages:
        govinfo.assign_index_number(p)
    # 专题
    for slug, title, tag, intro in SPECIAL_TOPICS:
        topic = topics_index.add_child(
            instance=SpecialTopicPage(
                title=title, slug=slug, tag=tag, intro=intro, is_current=True, start_date=ANCHOR
            )
        )
        curated = ArticlePage.objects.filter(tags__name=tag).order_by("-date")[:3]
        for order, art in enumerate(curated):
            SpecialTopicItem.objects.create(page=topic, article=art, sort_order=order)
    return home
