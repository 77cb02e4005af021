"""Participation (互动交流): consultations on drafts (征求意见) with paragraph comments and the
published adoption report, the message board (留言板), and surveys (民意调查).

State changes go through ``actions``; these are the records only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from govhub.core.models import Department
from govhub.core.pii import EncryptedTextField, Grade


class Moderation(models.TextChoices):
    """The one pre-moderation vocabulary of what citizens write."""

    PENDING = "pending", "待审核"
    APPROVED = "approved", "已公开"
    REJECTED = "rejected", "未通过审核"


class Moderated(models.Model):
    """What citizens write and a reviewer pre-moderates (a comment, a board post, an interview
    question): the checker's findings, the decision, who made it and the reason told to the
    author. ``actions._moderate`` is the one place that changes these fields."""

    status = models.CharField(
        "审核状态", max_length=12, choices=Moderation.choices, default=Moderation.PENDING
    )
    findings = models.JSONField("内容检查结果", default=list, blank=True)
    # told to the author, but staff-written and apt to quote the phone the author typed:
    # encrypted at rest like the other staff notes
    reject_reason = EncryptedTextField("未通过理由", grade=Grade.INTERNAL, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def author_label(self) -> str:
        return self.nickname or "网友"


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    REPORTED = "reported", "已反馈"


class Adoption(models.TextChoices):
    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"


class Consultation(models.Model):
    """A draft policy open for comments for a period (征求意见稿)."""

    title = models.CharField("标题", max_length=120)
    summary = models.TextField("起草说明", blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="起草单位"
    )
    host = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="发布单位"
    )
    status = models.CharField(
        "状态", max_length=12, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    period_days = models.PositiveSmallIntegerField("征求意见期（天）", default=30)
    opens_at = models.DateTimeField("开始时间", null=True, blank=True)
    closes_at = models.DateTimeField("截止时间", null=True, blank=True, db_index=True)
    report_due = models.DateField("反馈报告应发布日期", null=True, blank=True)
    report_text = models.TextField("采纳情况说明", blank=True)
    report_published_at = models.DateTimeField("反馈报告发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def permission_departments(self) -> list[Department]:
        return [self.host]

    def is_open(self, now=None) -> bool:
        """Open between its opening and closing moments: it closes by itself, no job needed."""
        now = now or timezone.now()
        return (
            self.status == ConsultationStatus.PUBLISHED
            and self.opens_at is not None
            and self.opens_at <= now < self.closes_at
        )

    def phase_label(self, now=None) -> str:
        now = now or timezone.now()
        if self.status == ConsultationStatus.DRAFT:
            return "草稿"
        if self.status == ConsultationStatus.REPORTED:
            return "已发布反馈报告"
        if self.opens_at and now < self.opens_at:
            return "即将开始"
        return "征求意见中" if self.is_open(now) else "已截止，待反馈"


class Paragraph(models.Model):
    """One article or paragraph of a draft: what a citizen can comment on."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="paragraphs"
    )
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("内容")

    class Meta:
        verbose_name = "条款"
        verbose_name_plural = "条款"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="paragraph_number")
        ]

    def __str__(self) -> str:
        return f"第{self.number}段"


class Comment(Moderated):
    """A citizen's comment on the whole draft (paragraph empty) or on one paragraph."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    paragraph = models.ForeignKey(
        Paragraph,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name="针对条款",
    )
    quote = models.CharField("引用原文", max_length=300, blank=True)
    nickname = models.CharField("署名", max_length=30, blank=True)
    phone = EncryptedTextField("手机号", grade=Grade.SENSITIVE, blank=True)
    openid = EncryptedTextField("微信openid", grade=Grade.SENSITIVE, blank=True)
    channel = models.CharField("渠道", max_length=12, default="portal")
    text = models.TextField("意见内容")
    agree_count = models.PositiveIntegerField("赞同数", default=0)
    adoption = models.CharField("采纳情况", max_length=12, choices=Adoption.choices, blank=True)
    adoption_reason = models.TextField("采纳理由", blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    adopted_at = models.DateTimeField("标注时间", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "意见"
        verbose_name_plural = "意见"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["consultation", "status", "created_at"])]

    def __str__(self) -> str:
        return self.text[:30]

    def permission_departments(self) -> list[Department]:
        return self.consultation.permission_departments()


class Agreement(models.Model):
    """One visitor's agreement with a comment; the unique constraint keeps it to one."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="agreements")
    voter_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "赞同"
        verbose_name_plural = "赞同"
        constraints = [
            models.UniqueConstraint(fields=["comment", "voter_key"], name="agreement_once")
        ]


# --- message board (留言板) ---------------------------------------------------------------


class BoardColumn(models.Model):
    """A topic column of the message board (栏目), with the department that usually answers."""

    name = models.CharField("栏目名称", max_length=40, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="默认答复单位"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "留言板栏目"
        verbose_name_plural = "留言板栏目"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Post(Moderated):
    """A citizen's post on the board: checked, pre-moderated, answered officially."""

    column = models.ForeignKey(
        BoardColumn, on_delete=models.PROTECT, related_name="posts", verbose_name="栏目"
    )
    title = models.CharField("标题", max_length=60)
    text = models.TextField("留言内容")
    nickname = models.CharField("署名", max_length=30, blank=True)
    phone = EncryptedTextField("手机号", grade=Grade.SENSITIVE, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="答复单位",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True, db_index=True)
    report_count = models.PositiveIntegerField("被举报次数", default=0)
    letter_id = models.BigIntegerField("转为信件", null=True, blank=True)
    created_at = models.DateTimeField("留言时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "answered_at", "department"])]

    def __str__(self) -> str:
        return self.title

    def permission_departments(self) -> list[Department]:
        return [self.department]


class Answer(models.Model):
    """An official answer to a post, in the name of the answering department."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="answers")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="答复单位"
    )
    text = models.TextField("答复内容")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("答复时间", default=timezone.now)

    class Meta:
        verbose_name = "官方答复"
        verbose_name_plural = "官方答复"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:30]


class AbuseReport(models.Model):
    """A visitor's report of an abusive post; once per visitor per post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField("举报理由", max_length=200)
    voter_key = models.CharField(max_length=64)
    resolved = models.BooleanField("已处理", default=False)
    created_at = models.DateTimeField("举报时间", auto_now_add=True)

    class Meta:
        verbose_name = "举报"
        verbose_name_plural = "举报"
        constraints = [models.UniqueConstraint(fields=["post", "voter_key"], name="report_once")]


# --- surveys (民意调查) -------------------------------------------------------------------


class Audience(models.TextChoices):
    EVERYONE = "everyone", "所有人"
    TOWNS = "towns", "指定乡镇居民"
    STAFF = "staff", "工作人员"


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Survey(models.Model):
    """A survey with open and close dates; one answer per verified person."""

    title = models.CharField("标题", max_length=120)
    description = models.TextField("说明", blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="发起单位"
    )
    status = models.CharField(
        "状态", max_length=12, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("结束时间")
    results_public = models.BooleanField("公开调查结果", default=True)
    audience = models.CharField(
        "调查对象", max_length=12, choices=Audience.choices, default=Audience.EVERYONE
    )
    towns = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name="限定乡镇"
    )
    version = models.PositiveSmallIntegerField("题目版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "民意调查"
        verbose_name_plural = "民意调查"
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == SurveyStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    def phase_label(self, now=None) -> str:
        now = now or timezone.now()
        if self.status == SurveyStatus.DRAFT:
            return "草稿"
        if now < self.opens_at:
            return "即将开始"
        return "进行中" if now < self.closes_at else "已结束"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    RANKING = "ranking", "排序"
    SCALE = "scale", "量表"
    MATRIX = "matrix", "矩阵"
    TEXT = "text", "文本"


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("题型", max_length=12, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=300)
    required = models.BooleanField("必答", default=True)
    scale_min = models.SmallIntegerField("量表最小值", default=1)
    scale_max = models.SmallIntegerField("量表最大值", default=5)
    columns = models.JSONField("矩阵列", default=list, blank=True)
    show_if = models.ForeignKey(
        "Option",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="显示条件（前面某题选了此项）",
    )
    # versions: a question edited after answers arrived is retired (active=False) and a new row
    # takes its place, so the old answers keep the wording they answered
    active = models.BooleanField("当前版本", default=True)
    version = models.PositiveSmallIntegerField("版本", default=1)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "调查题目"
        verbose_name_plural = "调查题目"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "number"],
                condition=models.Q(active=True),
                name="question_number",
            )
        ]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    number = models.PositiveSmallIntegerField("序号")
    label = models.CharField("选项", max_length=120)

    class Meta:
        verbose_name = "选项"
        verbose_name_plural = "选项"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.label


class ResponseFlag(models.TextChoices):
    """Answers from an address that sent many are kept and counted only after review."""

    NONE = "", "正常"
    FLAGGED = "flagged", "待核查"
    ACCEPTED = "accepted", "核查后计入"
    DISCARDED = "discarded", "核查后不计入"


COUNTED_FLAGS = ("", "accepted")


class Response(models.Model):
    """One person's answers. ``voter_key`` is a keyed hash of the verified phone or WeChat
    openid; the unique constraint, not a cookie, keeps it to one per person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    voter_key = models.CharField(max_length=64)
    verified_by = models.CharField(
        "验证方式",
        max_length=12,
        choices=[("phone", "手机短信"), ("wechat", "微信"), ("staff", "工作人员账号")],
    )
    version = models.PositiveSmallIntegerField("题目版本", default=1)
    town = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    address_key = models.CharField(max_length=64, blank=True, db_index=True)
    flag = models.CharField(
        "核查", max_length=12, choices=ResponseFlag.choices, blank=True, default=""
    )
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        constraints = [
            models.UniqueConstraint(fields=["survey", "voter_key"], name="one_response_per_person")
        ]


class ResponseItem(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="items")
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="items"
    )
    value = models.SmallIntegerField("量表值、名次或矩阵列", null=True, blank=True)
    text = models.TextField("文字回答", blank=True)

    class Meta:
        verbose_name = "答卷条目"
        verbose_name_plural = "答卷条目"


class SmsCode(models.Model):
    """A verification code sent by SMS: only its hash is kept, with the phone's blind index."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"


# --- online interviews (在线访谈) ------------------------------------------------------------


class InterviewStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SCHEDULED = "scheduled", "预告"
    LIVE = "live", "直播中"
    ENDED = "ended", "已结束"
    PUBLISHED = "published", "文字实录已发布"


class Interview(models.Model):
    """A scheduled session with an official: questions collected beforehand and live,
    pre-moderated, answered live; the transcript is published afterwards."""

    title = models.CharField("访谈主题", max_length=120)
    guest = models.CharField("访谈嘉宾", max_length=120)
    description = models.TextField("访谈简介", blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="嘉宾单位"
    )
    host = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="主办单位"
    )
    starts_at = models.DateTimeField("访谈时间", db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=InterviewStatus.choices, default=InterviewStatus.DRAFT
    )
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    transcript_note = models.TextField("实录说明", blank=True)
    transcript_published_at = models.DateTimeField("实录发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "在线访谈"
        verbose_name_plural = "在线访谈"
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def permission_departments(self) -> list[Department]:
        return [self.host, self.department]

    @property
    def accepts_questions(self) -> bool:
        return self.status in (InterviewStatus.SCHEDULED, InterviewStatus.LIVE)


class InterviewQuestion(Moderated):
    """A citizen's question, asked beforehand or live: checked, then moderated."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="questions")
    nickname = models.CharField("署名", max_length=30, blank=True)
    phone = EncryptedTextField("手机号", grade=Grade.SENSITIVE, blank=True)
    text = models.TextField("问题")
    live = models.BooleanField("访谈中提问", default=False)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField("提问时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "访谈提问"
        verbose_name_plural = "访谈提问"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["interview", "status", "created_at"])]

    def __str__(self) -> str:
        return self.text[:30]

    def permission_departments(self) -> list[Department]:
        return self.interview.permission_departments()


class InterviewEntry(models.Model):
    """One line of the live transcript: the guest's (or host's) words, answering a question
    or not, optionally with a picture. Entries are numbered by id: the live page asks for
    those after the last it has."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="entries")
    question = models.ForeignKey(
        InterviewQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name="回答的问题",
    )
    speaker = models.CharField("发言人", max_length=60)
    text = models.TextField("内容")
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="图片",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        verbose_name = "访谈实录"
        verbose_name_plural = "访谈实录"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:30]
