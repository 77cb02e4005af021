"""Publishing records: one piece of content (Publication) sent to N channel targets through
review steps, pre-publication checks, and the outbox of deliveries (Delivery).

Review is modelled with explicit state rows (ReviewPolicy/ReviewStepSpec/ReviewDecision) rather
than Wagtail's page workflows: a publication is not a page (it spans the portal, WeChat, Weibo,
RSS and e-mail), and each step is scoped to departments through govhub's own permission function.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField

from govhub.channels.models import ChannelAccount, MessageKind, MessageState, OutboundMessage
from govhub.core.models import Department

# what the editor's Draftail toolbar offers: what every channel can carry (no tables, no embeds)
BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "image", "blockquote"]


class Severity(models.TextChoices):
    BLOCKING = "blocking", "阻断发布"
    WARNING = "warning", "提醒"


class TermKind(models.TextChoices):
    FORBIDDEN = "forbidden", "禁用词"
    SENSITIVE = "sensitive", "敏感词"
    WRONG = "wrong_expression", "错误表述"


class WordingTerm(models.Model):
    """One entry of the wording dictionary (禁用词/敏感词/错误表述及正确写法)."""

    term = models.CharField(_("词语"), max_length=100)
    kind = models.CharField(
        _("类别"), max_length=20, choices=TermKind.choices, default=TermKind.FORBIDDEN
    )
    correction = models.CharField(_("正确写法"), max_length=200, blank=True)
    severity = models.CharField(
        _("处理方式"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("用语词库条目")
        verbose_name_plural = _("用语词库")
        constraints = [models.UniqueConstraint(fields=["term", "kind"], name="wording_term_unique")]
        ordering = ["kind", "term"]

    def __str__(self) -> str:
        return self.term


def _check_codes() -> list[tuple[str, str]]:
    """The kinds of finding a rule can be set for, by their Chinese names."""
    from govhub.safety.findings import CODE_LABELS

    return sorted(CODE_LABELS.items(), key=lambda kv: kv[1])


class CheckSetting(models.Model):
    """Whether a kind of finding blocks publication or only warns (configurable per code)."""

    code = models.CharField(_("检查项"), max_length=32, unique=True, choices=_check_codes)
    severity = models.CharField(_("处理方式"), max_length=10, choices=Severity.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("检查规则")
        verbose_name_plural = _("检查规则")
        ordering = ["code"]

    def __str__(self) -> str:
        from govhub.publishing.checks import CODE_LABELS

        return CODE_LABELS.get(self.code, self.code)


class ReviewPolicy(models.Model):
    """The review steps (三审) of a column; the default policy covers columns without one."""

    name = models.CharField(_("名称"), max_length=100)
    column = models.OneToOneField(
        "wagtailcore.Page",
        verbose_name=_("栏目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_default = models.BooleanField(_("默认流程"), default=False)
    distinct_reviewers = models.BooleanField(
        _("各步由不同人员办理"),
        default=True,
        help_text=_("开启后，同一人不能办理同一稿件的两个审核步骤，撰稿人也不能审核自己的稿件"),
    )

    class Meta:
        verbose_name = _("审核流程")
        verbose_name_plural = _("审核流程")

    def __str__(self) -> str:
        return self.name


class StepAction(models.TextChoices):
    REVIEW = "review_content", "审核"
    SIGN = "sign_content", "签发"


class ReviewStepSpec(models.Model):
    """One step of a policy: who (a permission action, optionally within a department) decides."""

    policy = models.ForeignKey(
        ReviewPolicy, verbose_name=_("审核流程"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("步骤名称"), max_length=40)
    action = models.CharField(
        _("所需权限"), max_length=32, choices=StepAction.choices, default=StepAction.REVIEW
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("审核部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空：由稿件所属部门范围内的人员审核"),
    )

    class Meta:
        verbose_name = _("审核步骤")
        verbose_name_plural = _("审核步骤")
        ordering = ["policy", "order"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "order"], name="review_step_order_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PubStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    SENT_BACK = "sent_back", "退回修改"
    REJECTED = "rejected", "不予发布"
    SCHEDULED = "scheduled", "定时待发"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class PubKind(models.TextChoices):
    ARTICLE = "article", "文章"
    SHORT = "short", "短消息（仅微信/微博）"


class Publication(models.Model):
    """One piece written once and published to every chosen target (一次采编，多渠道发布)."""

    title = models.CharField(_("标题"), max_length=64)
    kind = models.CharField(
        _("类型"), max_length=10, choices=PubKind.choices, default=PubKind.ARTICLE
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    column = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("门户栏目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="publications",
    )
    digest = models.CharField(
        _("摘要"), max_length=300, blank=True, help_text=_("微信图文摘要，不超过 120 字")
    )
    # Draftail's stored rich text (images as <embed embedtype="image">); ``body`` is its HTML
    rich_body = RichTextField(_("正文"), blank=True, db_column="body", features=BODY_FEATURES)
    short_text = models.TextField(_("微博文字"), blank=True, help_text=_("留空时由标题和摘要生成"))
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    images = models.ManyToManyField(
        "wagtailimages.Image", verbose_name=_("配图（微博最多 9 张）"), blank=True, related_name="+"
    )
    targets = models.ManyToManyField(
        ChannelAccount, verbose_name=_("发布渠道"), blank=True, related_name="publications"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=PubStatus.choices, default=PubStatus.DRAFT
    )
    current_step = models.PositiveSmallIntegerField(default=0)
    scheduled_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    portal_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    portal_url = models.CharField(_("门户地址"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # its outbox rows (one per target account), kept by channels' one outbox
    deliveries = GenericRelation(
        "publishing.Delivery",
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="piece",
    )

    class Meta:
        verbose_name = _("稿件")
        verbose_name_plural = _("稿件")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def body(self) -> str:
        """The body as HTML, what every channel, check and preview reads: the editor's rich text
        with image embeds expanded to <img> (renditions of a fitting width) and page links
        resolved."""
        from wagtail.rich_text import expand_db_html

        return expand_db_html(self.rich_body or "")

    @body.setter
    def body(self, value: str) -> None:
        self.rich_body = value or ""

    @property
    def public_url(self) -> str:
        """Where the piece is read on the portal (the link WeChat/Weibo/RSS/e-mail point back to)."""
        return self.portal_url or f"{settings.SITE_URL}/publishing/p/{self.pk}/"


class PublicationAttachment(models.Model):
    """An attachment (附件); its text is extracted on upload so personal data is found in it."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="publishing/attachments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    extracted_text = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    APPROVE = "approve", "通过"
    SEND_BACK = "send_back", "退回修改"
    REJECT = "reject", "不予发布"
    OVERRIDE = "override", "放行检查"


class ReviewDecision(models.Model):
    """One visible entry of a piece's review history (who decided what at which step, why)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="decisions")
    step_order = models.PositiveSmallIntegerField(default=0)
    step_name = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=12, choices=Decision.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class CheckOverride(models.Model):
    """A reviewer let a blocking finding through, with a reason (放行)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="overrides")
    code = models.CharField(max_length=32)
    fingerprint = models.CharField(max_length=64)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publication", "fingerprint"], name="override_unique")
        ]


# The outbox is channels' (one for every kind of message): a delivery of a publication is an
# outbound message of kind "publication" whose source is the piece. ``Delivery`` is that view of
# it, so publishing reads ``pub.deliveries`` and ``Delivery.objects.filter(piece=…)``.
DeliveryState = MessageState


def _new_key() -> str:
    """Kept for migration 0001 (the first outbox's idempotency keys)."""
    return uuid.uuid4().hex


class DeliveryManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=MessageKind.PUBLICATION)


class Delivery(OutboundMessage):
    """One publication to one channel account: the outbox row (``channels.OutboundMessage``)."""

    objects = DeliveryManager()

    class Meta:
        proxy = True
        verbose_name = _("投递")
        verbose_name_plural = _("投递")

    def __str__(self) -> str:
        return f"{self.publication} → {self.account}"

    @property
    def publication_id(self) -> int | None:
        return self.source_id

    def permission_departments(self) -> list[Department]:
        return [self.publication.department]


class PublicationVideo(models.Model):
    """The video a piece carries to the short-video channels (抖音, 视频号), with its caption;
    the piece's cover image is the video's cover. Duration, size and format are read from the
    file on upload (PyAV) so each channel's limits are checked before review."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, related_name="video", verbose_name=_("稿件")
    )
    file = models.FileField(_("视频文件"), upload_to="publishing/videos/%Y/%m/")
    caption = models.TextField(
        _("视频文案"), blank=True, help_text=_("抖音、视频号的文字，可带 #话题#；留空时用标题")
    )
    duration = models.FloatField(_("时长（秒）"), default=0)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    container = models.CharField(_("格式"), max_length=16, blank=True)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("稿件视频")
        verbose_name_plural = _("稿件视频")

    def __str__(self) -> str:
        return self.file.name
