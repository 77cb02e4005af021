"""The account matrix (政务新媒体矩阵): the registry of every government account of a region,
their posts and daily figures, citizens' messages, nightly inspection findings, rectification
notices (整改通知), duplicates, counterfeit candidates (山寨) and influence scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.core.models import Department, Level
from govhub.core.pii import EncryptedTextField, Grade


class Platform(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音"
    WECHAT_CHANNELS = "wechat_channels", "视频号"
    PORTAL = "portal", "门户网站"
    APP = "app", "客户端"


class AccountKind(models.TextChoices):
    GOVERNMENT = "government", "政府"
    POLICE = "police", "公安"
    YOUTH_LEAGUE = "youth_league", "共青团"
    COURT = "court", "法院"
    PROCURATORATE = "procuratorate", "检察"
    HEALTH = "health", "卫生健康"
    EDUCATION = "education", "教育"
    CULTURE = "culture", "文化旅游"
    MEDIA = "media", "融媒体"
    OTHER = "other", "其他"


class Verification(models.TextChoices):
    VERIFIED = "verified", "已认证"
    PENDING = "pending", "认证中"
    NONE = "none", "未认证"


class Account(models.Model):
    """One government account in the registry (台账)."""

    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("账号名称"), max_length=100, db_index=True)
    remote_id = models.CharField(_("平台账号ID"), max_length=100)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="media_accounts",
        verbose_name=_("主办部门"),
    )
    level = models.CharField(_("行政层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("类别"), max_length=20, choices=AccountKind.choices)
    verification = models.CharField(
        _("认证状态"), max_length=16, choices=Verification.choices, default=Verification.VERIFIED
    )
    filing_number = models.CharField(_("备案号"), max_length=60, blank=True)
    opened_on = models.DateField(_("开设日期"), null=True, blank=True)
    closed_on = models.DateField(_("关停日期"), null=True, blank=True)
    has_interaction = models.BooleanField(_("具备互动功能"), default=True)
    channel = models.OneToOneField(
        "channels.ChannelAccount",
        verbose_name=_("平台对接账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registry_entry",
        help_text=_("本平台用来发布和回复群众的同一个账号；名称、平台账号ID与主办部门以它为准"),
    )
    operator_name = EncryptedTextField(_("运维联系人"), grade=Grade.SENSITIVE, blank=True)
    operator_phone = EncryptedTextField(
        _("联系人电话"), grade=Grade.SENSITIVE, blank=True, index_kind="phone"
    )
    operator_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("政务新媒体账号")
        verbose_name_plural = _("政务新媒体账号")
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "remote_id"], name="matrix_account_remote")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_platform_display()}）"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class AccountChange(models.Model):
    """History of the registry (变更记录): which fields changed, by whom; contact values never
    appear in clear (only that they changed)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=20)  # created / updated / closed / imported
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("账号变更记录")
        verbose_name_plural = _("账号变更记录")

    ACTIONS = {
        "created": "登记",
        "updated": "修改",
        "closed": "关停",
        "imported": "批量导入",
        "linked": "对接平台账号",
        "synced": "随平台账号更新",
    }

    @property
    def action_label(self) -> str:
        return self.ACTIONS.get(self.action, "修改")

    @property
    def summary(self) -> str:
        """What changed, in words: 账号名称：旧 → 新；联系人电话：已修改."""
        parts = []
        for key, value in (self.changes or {}).items():
            try:
                field = Account._meta.get_field(key)
            except Exception:  # noqa: BLE001 - not a field: 行 (the import's line)
                field = None
            label = str(field.verbose_name) if field is not None else key
            names = dict(field.flatchoices) if field is not None and field.choices else {}
            if isinstance(value, list) and len(value) == 2:
                old, new = (names.get(v, v) if v not in (None, "") else "空" for v in value)
                parts.append(f"{label}：{old} → {new}")
            else:
                parts.append(f"{label}：{value}")
        return "；".join(parts) or "—"


class Post(models.Model):
    """One published item of an account, with its latest cumulative figures."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posts")
    remote_id = models.CharField(max_length=100)
    published_at = models.DateTimeField(_("发布时间"), db_index=True)
    title = models.CharField(_("标题"), max_length=300, blank=True)
    text = models.TextField(_("正文"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    is_headline = models.BooleanField(_("头条"), default=False)
    reads = models.PositiveIntegerField(_("阅读"), default=0)
    likes = models.PositiveIntegerField(_("点赞"), default=0)
    looks = models.PositiveIntegerField(_("在看"), default=0)
    shares = models.PositiveIntegerField(_("转发"), default=0)
    comments = models.PositiveIntegerField(_("评论"), default=0)

    class Meta:
        verbose_name = _("发布内容")
        verbose_name_plural = _("发布内容")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "remote_id"], name="matrix_post_remote")
        ]
        indexes = [models.Index(fields=["account", "published_at"])]

    def __str__(self) -> str:
        return self.title or self.text[:30]


class DailyFigure(models.Model):
    """One account's figures for one day (日数据)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="figures")
    date = models.DateField(_("日期"))
    posts = models.PositiveIntegerField(_("发文数"), default=0)
    reads = models.PositiveIntegerField(_("阅读"), default=0)
    likes = models.PositiveIntegerField(_("点赞"), default=0)
    looks = models.PositiveIntegerField(_("在看"), default=0)
    shares = models.PositiveIntegerField(_("转发"), default=0)
    comments = models.PositiveIntegerField(_("评论"), default=0)
    followers = models.PositiveIntegerField(_("粉丝"), default=0)

    class Meta:
        verbose_name = _("日数据")
        verbose_name_plural = _("日数据")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="matrix_figure_day")
        ]


class Message(models.Model):
    """A citizen's message or comment to an account (留言/评论), imported or collected."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages")
    remote_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(_("留言时间"), db_index=True)
    text = models.TextField(_("内容"))
    town = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("所属乡镇")
    )
    likes = models.PositiveIntegerField(_("点赞/支持"), default=0)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("群众留言")
        verbose_name_plural = _("群众留言")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "remote_id"], name="matrix_message_remote")
        ]


class InspectionSettings(models.Model):
    """Thresholds of the nightly checks; the defaults are the national indicators
    (国办《政府网站与政务新媒体检查指标》)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    silent_days = models.PositiveIntegerField(_("账号未更新天数（否决）"), default=14)
    unanswered_days = models.PositiveIntegerField(_("留言未答复天数（否决）"), default=90)
    portal_home_days = models.PositiveIntegerField(_("门户首页未更新天数（否决）"), default=14)
    news_column_days = models.PositiveIntegerField(_("动态类栏目未更新天数"), default=14)
    news_column_count = models.PositiveIntegerField(_("动态类栏目未更新个数（否决）"), default=5)
    policy_column_days = models.PositiveIntegerField(
        _("通知公告/政策文件栏目未更新天数（否决）"), default=180
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("检查阈值")
        verbose_name_plural = _("检查阈值")

    def __str__(self) -> str:
        return "检查阈值"

    @classmethod
    def current(cls) -> InspectionSettings:
        obj, _created = cls.objects.get_or_create(id=1)
        return obj


class Severity(models.TextChoices):
    VETO = "veto", "单项否决"
    FAULT = "fault", "扣分项"


class Finding(models.Model):
    """One thing the nightly inspection found on one day for an account (or the portal)."""

    run_date = models.DateField(_("检查日期"), db_index=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("责任部门")
    )
    subject = models.CharField(_("检查对象"), max_length=200)
    rule = models.CharField(_("检查项"), max_length=40)
    severity = models.CharField(_("性质"), max_length=8, choices=Severity.choices)
    message = models.CharField(_("说明"), max_length=500)
    ref = models.CharField(max_length=120, blank=True)  # post / column the finding is about

    class Meta:
        verbose_name = _("检查问题")
        verbose_name_plural = _("检查问题")
        ordering = ["-run_date", "severity", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["run_date", "subject", "rule", "ref"], name="matrix_finding_unique"
            )
        ]


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", "已下发"
    ANSWERED = "answered", "已反馈"
    CLOSED = "closed", "已办结"


class Rectification(models.Model):
    """A rectification notice (整改通知) to the owner of an account, tracked until closed."""

    number = models.CharField(_("通知编号"), max_length=40, unique=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("账号")
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, verbose_name=_("整改单位"))
    problems = models.TextField(_("存在问题"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.ISSUED,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("下发时间"))
    response = models.TextField(_("整改情况"), blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_note = models.CharField(_("办结意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.account.name}"


class DuplicateLink(models.Model):
    """A post that near-duplicates an earlier post of another account (nightly result)."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="duplicate_of")
    original = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="copies")
    similarity = models.FloatField()
    cluster = models.PositiveIntegerField(db_index=True)


class SeenStatus(models.TextChoices):
    ALERT = "alert", "疑似山寨"
    CONFIRMED = "confirmed", "确认山寨"
    DISMISSED = "dismissed", "已排除"
    CLEAR = "clear", "无相似"


class SeenAccount(models.Model):
    """An account seen on a platform (imported list), checked against the registry."""

    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("名称"), max_length=100)
    remote_id = models.CharField(_("平台账号ID"), max_length=100)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    best_match = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("疑似仿冒对象")
    )
    similarity = models.FloatField(_("相似度"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=SeenStatus.choices, default=SeenStatus.CLEAR
    )

    class Meta:
        verbose_name = _("平台发现账号")
        verbose_name_plural = _("平台发现账号")
        ordering = ["-similarity"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "remote_id"], name="matrix_seen_remote")
        ]

    @property
    def department(self):
        return self.best_match.department if self.best_match_id else None


class InfluenceScore(models.Model):
    """An account's influence index for one month (WCI for WeChat, our BCI-like index for Weibo)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scores")
    month = models.DateField(_("月份"))
    index = models.FloatField(_("指数"))
    components = models.JSONField(default=dict)

    class Meta:
        ordering = ["-month", "-index"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="matrix_score_month")
        ]


class NightlyRun(models.Model):
    """One run of the nightly supervision: when and what it counted."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
