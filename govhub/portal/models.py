"""The portal's Wagtail page types, the footer settings, the search index and error reports.

Page tree: HomePage → ColumnPage (栏目, nested) → ArticlePage / NoticePage; HomePage →
GovInfoCatalogPage (政府信息公开) → GovInfoCategoryPage (机构职能, 政策文件 …) → ArticlePage;
HomePage → TopicIndexPage → SpecialTopicPage (专题). Column lists page by path
(``/news/page/2/``) rather than query string, so every list page can be written to a file.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from govhub.core.pii import EncryptedTextField, Grade

PAGE_SIZE = 20


class DocType(models.TextChoices):
    """Document type (文种) used by the search filter."""

    NEWS = "news", "新闻动态"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    INTERPRETATION = "interpretation", "政策解读"
    PLAN = "plan", "规划计划"
    BUDGET = "budget", "财政预决算"
    DECISION = "decision", "重大决策"
    GUIDE = "guide", "办事指南"
    OTHER = "other", "其他"


# ---------------------------------------------------------------------------- settings
@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """The footer every page of a 政府网站 must carry (政府网站发展指引, 国办发〔2017〕47号)."""

    site_name = models.CharField("网站名称", max_length=60, default="示范县人民政府")
    sponsor = models.CharField("主办单位", max_length=80, default="示范县人民政府办公室")
    organiser = models.CharField("承办单位", max_length=80, blank=True, default="示范县融媒体中心")
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)
    address = models.CharField("通讯地址", max_length=120, blank=True)
    site_code = models.CharField("网站标识码", max_length=20, blank=True)
    icp_number = models.CharField("ICP备案号", max_length=40, blank=True)
    police_number = models.CharField("公安机关备案号", max_length=40, blank=True)
    show_party_gov_mark = models.BooleanField("显示党政机关网站标识", default=True)
    party_gov_mark_url = models.URLField(
        "党政机关标识链接", blank=True, default="https://bszs.conac.cn/"
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("site_name"), FieldPanel("sponsor"), FieldPanel("organiser")], "主办"
        ),
        MultiFieldPanel(
            [FieldPanel("contact_phone"), FieldPanel("contact_email"), FieldPanel("address")],
            "联系方式",
        ),
        MultiFieldPanel(
            [
                FieldPanel("site_code"),
                FieldPanel("icp_number"),
                FieldPanel("police_number"),
                FieldPanel("show_party_gov_mark"),
                FieldPanel("party_gov_mark_url"),
            ],
            "备案与标识",
        ),
    ]

    class Meta:
        verbose_name = "门户网站设置"


# ---------------------------------------------------------------------------- pages
class HomePage(Page):
    """首页: headline news, 通知公告, 政府信息公开, 办事服务, 互动交流, current 专题."""

    welcome = models.CharField("欢迎语", max_length=200, blank=True)
    headline_column = models.ForeignKey(
        "portal.ColumnPage",
        verbose_name="要闻栏目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_column = models.ForeignKey(
        "portal.ColumnPage",
        verbose_name="通知公告栏目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("welcome"),
        FieldPanel("headline_column"),
        FieldPanel("notice_column"),
    ]
    subpage_types = [
        "portal.ColumnPage",
        "portal.GovInfoCatalogPage",
        "portal.TopicIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        from govhub.portal import queries

        context = super().get_context(request, *args, **kwargs)
        context.update(queries.home_blocks(self))
        return context


class ColumnPage(RoutablePageMixin, Page):
    """栏目: a list of articles (and sub-columns), paged by path, with RSS and Atom feeds."""

    intro = models.CharField("栏目简介", max_length=300, blank=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name="主管部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    show_in_nav = models.BooleanField("显示在导航栏", default=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("department")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_nav")]
    subpage_types = ["portal.ColumnPage", "portal.ArticlePage", "portal.NoticePage"]
    parent_page_types = ["portal.HomePage", "portal.ColumnPage"]

    class Meta:
        verbose_name = "栏目"

    def articles(self):
        """Live articles anywhere below this column, newest first."""
        return (
            ArticlePage.objects.live()
            .descendant_of(self)
            .select_related("department")
            .order_by("-date", "-pk")
        )

    def page_count(self) -> int:
        return max(1, -(-self.articles().count() // PAGE_SIZE))

    @path("")
    def list_first(self, request):
        return self.list_page(request, 1)

    @path("page/<int:number>/")
    def list_page(self, request, number: int):
        from django.http import Http404

        paginator = Paginator(self.articles(), PAGE_SIZE)
        if number < 1 or number > paginator.num_pages:
            raise Http404("没有这一页")
        page_obj = paginator.page(number)
        return self.render(
            request,
            context_overrides={
                "page_obj": page_obj,
                "subcolumns": ColumnPage.objects.live().child_of(self),
                "canonical_path": self.url if number == 1 else f"{self.url}page/{number}/",
            },
        )

    @path("rss.xml/")
    def rss(self, request):
        from govhub.portal.feeds import ColumnRssFeed

        return ColumnRssFeed()(request, column=self)

    @path("atom.xml/")
    def atom(self, request):
        from govhub.portal.feeds import ColumnAtomFeed

        return ColumnAtomFeed()(request, column=self)


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "portal.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(Page):
    """文章: a news item, policy document or guide, with 文号, 来源部门 and validity dates."""

    date = models.DateTimeField("发布日期", default=timezone.now, db_index=True)
    doc_type = models.CharField(
        "文种", max_length=20, choices=DocType.choices, default=DocType.NEWS
    )
    summary = models.CharField("摘要", max_length=300, blank=True)
    body = RichTextField(
        "正文", features=["h2", "h3", "bold", "ol", "ul", "link", "document-link", "image"]
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name="来源部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_articles",
    )
    doc_number = models.CharField(
        "文号", max_length=60, blank=True, help_text="如：示政办发〔2025〕12号"
    )
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="题图",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt = models.CharField(
        "题图替代文字",
        max_length=200,
        blank=True,
        help_text="描述图片内容，供读屏软件朗读（有题图时必填）",
    )
    tags = ClusterTaggableManager("标签", through=ArticleTag, blank=True)

    search_fields = [*Page.search_fields, index.SearchField("summary")]
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("doc_type")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("department"),
                FieldPanel("doc_number"),
                FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
            ],
            "公文信息",
        ),
        MultiFieldPanel([FieldPanel("cover"), FieldPanel("cover_alt")], "题图"),
        InlinePanel("attachments", label="附件"),
        FieldPanel("tags"),
    ]
    parent_page_types = ["portal.ColumnPage", "portal.GovInfoCategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "文章"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.cover_id and not (self.cover_alt or "").strip():
            errors["cover_alt"] = "有题图时必须填写替代文字，方便视障读者。"
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = "有效期至不能早于生效日期。"
        if errors:
            raise ValidationError(errors)

    @property
    def index_number(self) -> str:
        """索引号 when the article sits in the 政府信息公开 catalogue (assigned at publish)."""
        entry = GovInfoIndex.objects.filter(page_id=self.pk).only("number").first()
        return entry.number if entry else ""

    def validity_label(self) -> str:
        today = timezone.localdate()
        if self.valid_until and self.valid_until < today:
            return "已失效"
        if self.valid_from and self.valid_from > today:
            return "尚未生效"
        if self.valid_from or self.valid_until:
            return "有效"
        return ""


class NoticePage(ArticlePage):
    """通知公告: an article with an issuing body and an optional deadline for action."""

    issuer = models.CharField("发布机关", max_length=80, blank=True)
    action_deadline = models.DateField("办理截止日期", null=True, blank=True)

    content_panels = [
        *ArticlePage.content_panels,
        FieldRowPanel([FieldPanel("issuer"), FieldPanel("action_deadline")]),
    ]
    parent_page_types = ["portal.ColumnPage"]
    template = "portal/article_page.html"

    class Meta:
        verbose_name = "通知公告"


class ArticleAttachment(Orderable):
    """附件: a PDF/Office document from Wagtail's document library."""

    page = ParentalKey(ArticlePage, related_name="attachments", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name="文件", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("附件名称", max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    def label(self) -> str:
        return self.title or self.document.title


class GovInfoCatalogPage(Page):
    """政府信息公开目录: categories with their 索引号 codes."""

    organisation_code = models.CharField(
        "机构代码", max_length=30, default="11520000MB0000000X", help_text="索引号的前缀"
    )
    intro = models.TextField("说明", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("organisation_code"), FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.GovInfoCategoryPage"]

    class Meta:
        verbose_name = "政府信息公开目录"

    def categories(self):
        return GovInfoCategoryPage.objects.live().child_of(self)


class GovInfoCategoryPage(ColumnPage):
    """公开类别 (机构职能、政策文件、规划计划、财政预决算、重大决策 …) with its index code."""

    code = models.CharField("类别代码", max_length=10, help_text="索引号中的类别段，如 ZCWJ")

    content_panels = [*ColumnPage.content_panels, FieldPanel("code")]
    parent_page_types = ["portal.GovInfoCatalogPage"]
    subpage_types = ["portal.ArticlePage"]
    template = "portal/column_page.html"

    class Meta:
        verbose_name = "公开类别"


class GovInfoIndex(models.Model):
    """索引号 ``<机构代码>/<类别代码>-<年份>-<流水号>``, assigned once at first publish and kept
    when the page is edited, so a citation never goes stale."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="govinfo_index")
    number = models.CharField("索引号", max_length=80, unique=True)
    category_code = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()

    class Meta:
        verbose_name = "索引号"
        constraints = [
            models.UniqueConstraint(
                fields=["category_code", "year", "sequence"], name="portal_govinfo_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number


class TopicIndexPage(Page):
    """专题专栏 index."""

    intro = models.CharField("简介", max_length=300, blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.SpecialTopicPage"]

    class Meta:
        verbose_name = "专题专栏"


class SpecialTopicPage(Page):
    """专题: curated articles first, then every article carrying the topic's tag."""

    intro = models.TextField("专题简介", blank=True)
    tag = models.CharField(
        "关联标签", max_length=50, blank=True, help_text="带此标签的文章自动收入专题"
    )
    is_current = models.BooleanField("首页展示", default=True)
    start_date = models.DateField("开始日期", null=True, blank=True)
    banner = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="横幅图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    banner_alt = models.CharField("横幅替代文字", max_length=200, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("tag"),
        FieldRowPanel([FieldPanel("is_current"), FieldPanel("start_date")]),
        MultiFieldPanel([FieldPanel("banner"), FieldPanel("banner_alt")], "横幅"),
        InlinePanel("curated", label="精选文章"),
    ]
    parent_page_types = ["portal.TopicIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "专题"

    def clean(self) -> None:
        super().clean()
        if self.banner_id and not (self.banner_alt or "").strip():
            raise ValidationError({"banner_alt": "有横幅图片时必须填写替代文字。"})

    def topic_articles(self, limit: int = 60) -> tuple[list[ArticlePage], list[ArticlePage]]:
        """(curated, tagged) live articles; tagged excludes the curated ones."""
        curated_ids = [c.article_id for c in self.curated.all()]
        by_id = ArticlePage.objects.live().in_bulk(curated_ids)
        curated = [by_id[i] for i in curated_ids if i in by_id]
        tagged: list[ArticlePage] = []
        if self.tag:
            tagged = list(
                ArticlePage.objects.live()
                .filter(tags__name=self.tag)
                .exclude(pk__in=curated_ids)
                .order_by("-date")
                .distinct()[:limit]
            )
        return curated, tagged


class SpecialTopicItem(Orderable):
    page = ParentalKey(SpecialTopicPage, related_name="curated", on_delete=models.CASCADE)
    article = models.ForeignKey(
        ArticlePage, verbose_name="文章", on_delete=models.CASCADE, related_name="+"
    )
    panels = [FieldPanel("article")]


# ---------------------------------------------------------------------------- search
class SearchEntry(models.Model):
    """One searchable page: its segmented text (space-joined rjieba terms) plus the filter
    columns. SQLite mirrors it into an FTS5 table, PostgreSQL keeps a generated tsvector
    (see migrations and ``govhub.portal.search``)."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, related_name="search_entry")
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    text = models.TextField("纯文本")
    title_terms = models.TextField()
    body_terms = models.TextField()
    path = models.CharField(max_length=255, db_index=True)
    column_title = models.CharField(max_length=255, blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateTimeField(db_index=True)
    doc_type = models.CharField(max_length=20, choices=DocType.choices, db_index=True)
    doc_number = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = "搜索索引"


# ---------------------------------------------------------------------------- 找错
class SiteErrorReport(models.Model):
    """我为政府网站找错: kept here until the letters app's intake is present (then each report
    also becomes a letter of category ``site_error``)."""

    page_url = models.CharField("出错页面", max_length=500, blank=True)
    KINDS = [
        ("typo", "错别字"),
        ("broken_link", "链接打不开"),
        ("outdated", "内容过时"),
        ("wrong_info", "信息有误"),
        ("accessibility", "无障碍问题"),
        ("other", "其他"),
    ]
    kind = models.CharField("错误类型", max_length=20, choices=KINDS)
    # what the visitor typed, encrypted at rest (the letter it becomes keeps a redacted copy)
    description = EncryptedTextField("问题描述", grade=Grade.SENSITIVE)
    contact = EncryptedTextField("联系方式", grade=Grade.SENSITIVE, blank=True)
    letter_code = models.CharField("信件编号", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "网站纠错"
        verbose_name_plural = "网站纠错"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.page_url}"


# ---------------------------------------------------------------------------- search words
class SearchSynonym(models.Model):
    """同义词: words citizens use for the same thing (供暖=供热=暖气). A query with any of them
    also finds pages with the others. Maintained by editors (back office, CSV import)."""

    words = models.CharField(
        "同义词",
        max_length=300,
        unique=True,
        help_text="两个或更多意思相同的词，用“=”、逗号或空格分开，例如：供暖=供热=暖气",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "搜索同义词"
        verbose_name_plural = "搜索同义词"
        ordering = ["words"]

    def __str__(self) -> str:
        return self.words

    def state_label(self) -> str:
        return "启用" if self.enabled else "停用"

    def word_list(self) -> list[str]:
        from govhub.portal.search_words import split_words

        return split_words(self.words)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from govhub.portal.search_words import split_words

        words = split_words(self.words)
        if len(words) < 2:
            raise ValidationError({"words": "请至少填写两个词，用“=”分开，例如：供暖=供热"})
        self.words = "=".join(words)
