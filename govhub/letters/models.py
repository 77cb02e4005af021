"""Citizen letters (领导信箱/区长信箱): the letter, its explicit state rows (events), the
departments handling it, replies, extensions, reminders, the deadline policy, the
category→department table and the stored router models.

State changes never happen here: every change goes through one function in
``govhub.letters.actions`` (or ``intake``), which checks permission, writes the rows in one
transaction and the audit record.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from govhub.channels.models import ChannelAccount, OutboundMessage
from govhub.core.models import Citizen, Department
from govhub.core.pii import EncryptedTextField, Grade
from govhub.letters.attachments import private_storage


class Channel(models.TextChoices):
    PORTAL = "portal", "网站"
    WECHAT = "wechat", "微信"
    WEIBO = "weibo", "微博"
    PHONE = "phone", "电话"
    API = "api", "接口"
    SITE_ERROR = "site_error", "网站找错"
    INBOX = "inbox", "留言转信件"


class Status(models.TextChoices):
    RECEIVED = "received", "待分办"
    DISPATCHED = "dispatched", "待签收"
    HANDLING = "handling", "办理中"
    REVIEWING = "reviewing", "答复待审核"
    REPLIED = "replied", "已答复"
    REOPENED = "reopened", "不满意待督办"
    CLOSED = "closed", "已办结"
    INVALID = "invalid", "无效信件"
    MERGED = "merged", "已合并"


# the Open311 service of a letter without a category
OTHER_SERVICE = ("other", "其他")

OPEN_STATUSES = [
    Status.RECEIVED,
    Status.DISPATCHED,
    Status.HANDLING,
    Status.REVIEWING,
    Status.REOPENED,
]
ANSWERED_STATUSES = [Status.REPLIED, Status.CLOSED]


class Category(models.Model):
    """A category of letters (e.g. 劳动和社会保障); the router predicts it."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    reply_days = models.PositiveSmallIntegerField(
        _("答复时限（工作日，空则按默认）"), null=True, blank=True
    )
    is_public = models.BooleanField(_("群众可选"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("信件类别")
        verbose_name_plural = _("信件类别")

    def __str__(self) -> str:
        return self.name


class CategoryRoute(models.Model):
    """Which department handles a category (optionally: in one town)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="routes", verbose_name=_("类别")
    )
    town = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乡镇（空：全县）"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("承办部门")
    )

    class Meta:
        verbose_name = _("类别分办规则")
        verbose_name_plural = _("类别分办规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "town"], name="category_route_unique"),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(town__isnull=True),
                name="category_route_default_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.department}"


class LetterPolicy(models.Model):
    """The administrator's deadline and dispatch policy (one row). Defaults are seed 001's
    日清日结: dispatched the same working day, handled within 2 working days of dispatch,
    replied within 3 working days of receipt."""

    dispatch_days = models.PositiveSmallIntegerField(_("分办时限（工作日，0=当日）"), default=0)
    handle_days = models.PositiveSmallIntegerField(_("办理时限（分办后工作日）"), default=2)
    reply_days = models.PositiveSmallIntegerField(_("答复时限（收信后工作日）"), default=3)
    site_error_reply_days = models.PositiveSmallIntegerField(
        _("网站找错答复时限（工作日）"), default=22
    )
    remind_before_days = models.PositiveSmallIntegerField(_("到期前几个工作日催办"), default=1)
    auto_dispatch_confidence = models.FloatField(
        _("自动分办置信度门槛（0–1，1 表示不自动分办）"), default=0.9
    )
    intake_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("收信分办部门"),
    )
    supervising_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("督办部门"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办理时限与分办设置")
        verbose_name_plural = _("办理时限与分办设置")

    def __str__(self) -> str:
        return "办理时限与分办设置"


class Letter(models.Model):
    """One citizen letter. Its status is the last of its events; deadlines are dates on the
    working-day calendar."""

    tracking_code = models.CharField(_("查询码"), max_length=20, unique=True)
    pin_hash = models.CharField(max_length=64, blank=True, editable=False)
    channel = models.CharField(_("来信渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    # what the citizen typed, encrypted at rest (phone, ID and card numbers turn up in it); the
    # ``*_redacted`` copies, with those masked, serve search, routing, duplicates and lists
    subject = EncryptedTextField(_("标题"), grade=Grade.SENSITIVE, redacted_copy="subject_redacted")
    content = EncryptedTextField(_("内容"), grade=Grade.SENSITIVE, redacted_copy="content_redacted")
    subject_redacted = models.CharField(max_length=200, blank=True, editable=False)
    content_redacted = models.TextField(blank=True, editable=False)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("类别"),
    )
    town = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乡镇/村"),
    )
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    # where, in the writer's words (Open311 ``address_string``, the portal's 详细地点)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    # a photo kept elsewhere (Open311 ``media_url``); uploads are Attachments
    media_url = models.CharField(_("图片链接"), max_length=500, blank=True)
    publish_consent = models.BooleanField(_("同意公开"), default=False)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    intake_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("收信部门")
    )
    supervising_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("督办部门")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("主办部门"),
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_letters"
    )
    received_at = models.DateTimeField(_("收信时间"), db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    dispatch_due = models.DateField(_("分办期限"))
    handle_due = models.DateField(_("办理期限"), null=True, blank=True)
    reply_due = models.DateField(_("答复期限"))
    # router suggestion at intake
    suggested_department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggestion = models.JSONField(default=dict, blank=True)
    # when the worker's routing job (letters.jobs.route_letter) ran: the sweep re-queues
    # received letters still without it, so no letter stays un-routed when a job is lost
    routed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # public archive
    published = models.BooleanField(_("已公开"), default=False, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    public_subject = models.CharField(max_length=200, blank=True)
    public_content = models.TextField(blank=True)
    public_reply = models.TextField(blank=True)
    search_text = models.TextField(blank=True, editable=False)
    # staff-written (不予受理的理由): encrypted at rest like every staff note, see LetterEvent.note
    invalid_reason = EncryptedTextField(grade=Grade.INTERNAL, blank=True)
    api_token = models.ForeignKey(
        "core.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the account a WeChat/Weibo letter came in through, and how to answer there
    # (Weibo: {"kind": "dm"|"mention", "status_id": …}); notices go back the same way
    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel_ref = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("信件")
        verbose_name_plural = _("信件")
        indexes = [
            models.Index(fields=["status", "received_at"]),
            # the work queue's 待办理/待审核 tabs (ordered by reply_due) and the 督办 tab's
            # overdue letters; see letters.admin_views._supervised
            models.Index(fields=["status", "reply_due"], name="letter_status_reply_due"),
            models.Index(
                fields=["dispatch_due"],
                condition=models.Q(status="received"),
                name="letter_waiting_dispatch_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.subject_redacted}"

    @cached_property
    def rating(self):
        """The citizen's newest 好差评 of the reply (``govhub.ratings``), or None."""
        from govhub.ratings.actions import rating_of

        return rating_of("letter", self.pk) if self.pk else None

    def permission_departments(self) -> list[Department]:
        """Every department that has some role on this letter (narrowed per action by
        ``govhub.letters.access``)."""
        depts = [self.intake_department, self.supervising_department]
        if self.department_id:
            depts.append(self.department)
        depts.extend(a.department for a in self.assignments.all())
        return depts

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def place(self) -> str:
        """Where the matter is, as a person reads it: 乡镇 · 村（社区） · the address given."""
        parts = []
        if self.town_id:
            town = self.town
            parent = town.get_parent() if town.level == "village" else None
            if parent is not None and parent.level == "town":
                parts.append(parent.name)
            parts.append(town.name)
        if self.address:
            parts.append(self.address)
        return " · ".join(parts)

    @property
    def service_code(self) -> str:
        """The Open311 service this letter is filed under: its category, or 其他 (``other``)
        while nobody has classified it."""
        return self.category.code if self.category_id else OTHER_SERVICE[0]


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"


class Assignment(models.Model):
    """A department handling a letter: the lead (主办) or a co-handler (协办)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=8, choices=AssignmentRole.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]


class LetterEvent(models.Model):
    """One explicit state row: what happened to a letter, who did it, from which status to
    which. ``public`` events are shown to the citizen on the lookup page."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    label = models.CharField(max_length=60)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the staff's own words (分办意见, 退回理由, 审核意见, a citizen's rating comment): they often
    # repeat a phone or ID number, so encrypted at rest; roles without ``view_personal_data``
    # and any search read ``note_redacted``. ``public_note`` is the fixed sentence the citizen sees.
    note = EncryptedTextField(grade=Grade.INTERNAL, blank=True, redacted_copy="note_redacted")
    note_redacted = models.TextField(blank=True, editable=False)
    public_note = models.CharField(max_length=300, blank=True)
    public = models.BooleanField(default=False)
    at = models.DateTimeField(db_index=True)
    # what the citizen was told about this step, one outbox message per channel
    notices = GenericRelation(
        OutboundMessage,
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="letter_event",
    )

    class Meta:
        ordering = ["at", "id"]

    @property
    def to_status_label(self) -> str:
        """The status this step led to, in Chinese (empty when it did not change)."""
        if not self.to_status or self.to_status == self.from_status:
            return ""
        try:
            return Status(self.to_status).label
        except ValueError:
            return self.to_status


class Attachment(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="letters/%Y/%m/", storage=private_storage)
    original_name = models.CharField(max_length=200)
    mime = models.CharField(max_length=80)
    size = models.PositiveIntegerField()

    @property
    def is_image(self) -> bool:
        """A photo (shown as a thumbnail to staff)."""
        return self.mime in ("image/jpeg", "image/png", "image/gif", "image/webp")


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEWING = "reviewing", "待审核"
    SENT_BACK = "sent_back", "退回修改"
    APPROVED = "approved", "已通过"


class Reply(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # the draft until approved (the published copy is Letter.public_reply, checked for personal
    # data when it is published): encrypted at rest, ``body_redacted`` for roles without the right
    body = EncryptedTextField(_("答复内容"), grade=Grade.INTERNAL, redacted_copy="body_redacted")
    body_redacted = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=16, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = EncryptedTextField(grade=Grade.INTERNAL, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # the approved reply sent to the citizen, one outbox message per channel
    deliveries = GenericRelation(
        OutboundMessage,
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="letter_reply",
    )

    class Meta:
        ordering = ["-created_at"]

    @property
    def delivery_status(self) -> str:
        """送达: the reply's delivery over every channel in Chinese, e.g. “门户网站：已发送；
        短信：已发送” (“处理中” before anything was queued)."""
        from govhub.channels.outbox import status_line

        return status_line(self.deliveries.all()) or "处理中"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Extension(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="extensions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = EncryptedTextField(_("理由"), grade=Grade.INTERNAL)
    status = models.CharField(
        max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class ReminderKind(models.TextChoices):
    REMIND = "remind", "催办"
    ESCALATE = "escalate", "督办"


class Reminder(models.Model):
    """A reminder or escalation sent for one deadline; unique so a job run twice notifies once."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    stage = models.CharField(max_length=16)  # dispatch / handle / reply
    deadline = models.DateField()
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "kind", "stage", "deadline"], name="reminder_unique"
            )
        ]
        # the 督办 tab's escalated letters, without reading every reminder ever sent
        indexes = [
            models.Index(
                fields=["letter"], condition=models.Q(kind="escalate"), name="reminder_escalated"
            )
        ]


class RouterModel(models.Model):
    """A trained router, versioned; the active one serves, older ones stay for rollback."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=False, db_index=True)
    labels = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    source = models.CharField(max_length=200, blank=True)
    blob = models.BinaryField()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("分办模型")
        verbose_name_plural = _("分办模型")

    def __str__(self) -> str:
        return f"v{self.version}{' (当前)' if self.active else ''}"
