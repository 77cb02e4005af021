"""办事指南, 微查询 connectors and appointments (好差评 live in ``govhub.ratings``).

Lists a person edits in the back office (materials, steps, a connector's input fields and result
mapping) are plain text, one item a line with "｜" between parts, so that an administrator
configures them without writing code; ``govhub.services.config`` parses and validates them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhub.core.models import Department
from govhub.core.pii import EncryptedTextField, Grade


class LifeEvent(models.Model):
    """人生事件: a moment of life that groups the matters a person needs then (出生, 上学 …)."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    slug = models.SlugField(_("网址代码"), max_length=30, unique=True)
    description = models.CharField(_("说明"), max_length=100, blank=True)
    audience = models.CharField(
        _("服务对象"),
        max_length=8,
        choices=[("person", "个人"), ("legal", "法人")],
        default="person",
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        ordering = ["audience", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class MatterType(models.TextChoices):
    LICENSE = "license", "行政许可"
    CONFIRMATION = "confirmation", "行政确认"
    BENEFIT = "benefit", "行政给付"
    LEVY = "levy", "行政征收"
    AWARD = "award", "行政奖励"
    RULING = "ruling", "行政裁决"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


class Audience(models.TextChoices):
    PERSON = "person", "个人"
    LEGAL = "legal", "法人"
    BOTH = "both", "个人和法人"


class ServiceGuide(models.Model):
    """One matter (事项) and its 办事指南, with the fields the national standard asks for."""

    name = models.CharField(_("事项名称"), max_length=120)
    code = models.CharField(
        _("事项编码"), max_length=64, unique=True, help_text=_("实施清单编码，全县唯一")
    )
    matter_type = models.CharField(_("事项类型"), max_length=16, choices=MatterType.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("实施部门"),
        on_delete=models.PROTECT,
        related_name="service_guides",
    )
    implementing_body = models.CharField(
        _("实施主体"), max_length=100, blank=True, help_text=_("留空即为实施部门")
    )
    audience = models.CharField(
        _("服务对象"), max_length=8, choices=Audience.choices, default=Audience.PERSON
    )
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name=_("主题分类"), blank=True, related_name="guides"
    )
    summary = models.CharField(_("一句话说明"), max_length=200, blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    materials = models.TextField(
        _("申请材料"),
        blank=True,
        help_text=_("每行一项：材料名称｜份数｜说明（如：原件、复印件、样表网址），后两项可省略"),
    )
    steps = models.TextField(_("办理流程"), blank=True, help_text=_("每行一步：步骤名称｜说明"))
    statutory_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), null=True, blank=True
    )
    promised_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True, help_text=_("0 表示即办")
    )
    fee = models.CharField(_("收费标准"), max_length=200, blank=True, help_text=_("留空即不收费"))
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    place = models.CharField(_("办理地点"), max_length=200, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    contact_phone = models.CharField(_("咨询电话"), max_length=60, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=60, blank=True)
    online_url = models.URLField(_("网上办理入口"), blank=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    keywords = models.CharField(
        _("检索关键词"), max_length=200, blank=True, help_text=_("群众常用的说法，用逗号分隔")
    )
    is_published = models.BooleanField(_("已发布"), default=True)
    search_text = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["department__path", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/services/guides/{self.pk}/"

    @property
    def body(self) -> str:
        return self.implementing_body or self.department.name

    def clean(self) -> None:
        from govhub.services import config

        errors = {}
        for field in ("materials", "steps"):
            try:
                getattr(config, f"parse_{field}")(getattr(self, field))
            except ValueError as exc:
                errors[field] = str(exc)
        if (
            self.statutory_days is not None
            and self.promised_days is not None
            and self.promised_days > self.statutory_days
        ):
            errors["promised_days"] = "承诺时限不能长于法定时限"
        if errors:
            raise ValidationError(errors)


class AuthType(models.TextChoices):
    NONE = "none", "无需认证"
    API_KEY = "api_key", "API 密钥（请求头）"
    HMAC = "hmac", "签名认证（SHA256 消息认证码）"


class QueryConnector(models.Model):
    """微查询: a query a citizen runs against a department's system, configured without code."""

    name = models.CharField(_("查询名称"), max_length=60)
    slug = models.SlugField(
        _("网址代码"), max_length=40, unique=True, help_text=_("英文字母、数字或短横线")
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("数据提供部门"), on_delete=models.PROTECT, related_name="+"
    )
    guide = models.ForeignKey(
        ServiceGuide,
        verbose_name=_("相关办事指南"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connectors",
    )
    endpoint = models.URLField(_("接口地址"), help_text=_("后台系统的 HTTP(S) 地址"))
    method = models.CharField(
        _("请求方式"),
        max_length=4,
        choices=[("POST", "JSON 请求体提交"), ("GET", "地址栏参数")],
        default="POST",
    )
    auth_type = models.CharField(
        _("认证方式"), max_length=8, choices=AuthType.choices, default=AuthType.NONE
    )
    auth_header = models.CharField(_("密钥请求头"), max_length=60, blank=True, default="X-Api-Key")
    app_id = models.CharField(_("应用标识（AppID）"), max_length=60, blank=True)
    secret = EncryptedTextField(_("密钥"), blank=True, help_text=_("保存后加密存储"))
    input_fields = models.TextField(
        _("查询条件"),
        help_text=_(
            "每行一项：参数名｜显示名称｜类型。参数名照后台接口文档填写（英文字母、数字、"
            "下划线）；类型为 身份证号、车牌号、手机号、编号 或 文本，群众填写时按类型校验"
        ),
    )
    result_mapping = models.TextField(
        _("结果显示"),
        help_text=_(
            "每行一项：JSON 路径｜显示名称。路径照后台接口文档填写，各层字段名用英文句点连接，"
            "列表的第几项写作 [0]；查不到的项不显示"
        ),
    )
    empty_message = models.CharField(
        _("查无结果时的提示"), max_length=200, default="没有查到相关记录，请核对查询条件。"
    )
    timeout_seconds = models.FloatField(_("超时（秒）"), default=5)
    cache_seconds = models.PositiveIntegerField(
        _("缓存时间（秒）"), default=0, help_text=_("0 表示不缓存；缓存只存结果，不存查询条件原文")
    )
    keyword = models.CharField(
        _("公众号关键词"), max_length=30, blank=True, help_text=_("用户发送此词时回复查询入口")
    )
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("微查询接口")
        verbose_name_plural = _("微查询接口")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/services/queries/{self.slug}/"

    def clean(self) -> None:
        from govhub.services import config

        errors = {}
        try:
            config.parse_input_fields(self.input_fields)
        except ValueError as exc:
            errors["input_fields"] = str(exc)
        try:
            config.parse_result_mapping(self.result_mapping)
        except ValueError as exc:
            errors["result_mapping"] = str(exc)
        if not 0.5 <= (self.timeout_seconds or 0) <= 30:
            errors["timeout_seconds"] = "超时应在 0.5 到 30 秒之间"
        if self.cache_seconds and self.cache_seconds > 86400:
            errors["cache_seconds"] = "缓存时间不能超过 86400 秒（一天）"
        if self.auth_type != AuthType.NONE and not self.secret:
            errors["secret"] = "所选认证方式需要填写密钥"
        if self.auth_type == AuthType.API_KEY and not self.auth_header:
            errors["auth_header"] = "请填写放密钥的请求头名称"
        if self.endpoint and not self.endpoint.startswith(("http://", "https://")):
            errors["endpoint"] = "接口地址应以 http:// 或 https:// 开头"
        if errors:
            raise ValidationError(errors)


class QueryRun(models.Model):
    """One use of a connector: outcome and duration only, never what the citizen typed."""

    connector = models.ForeignKey(
        QueryConnector, verbose_name=_("微查询接口"), on_delete=models.CASCADE, related_name="runs"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    outcome = models.CharField(
        _("结果"),
        max_length=12,
        choices=[
            ("ok", "成功"),
            ("empty", "查无结果"),
            ("cached", "缓存命中"),
            ("timeout", "超时"),
            ("error", "后台出错"),
            ("bad_answer", "返回格式错误"),
        ],
    )
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    channel = models.CharField(_("渠道"), max_length=10, default="web")

    class Meta:
        verbose_name = _("查询记录")
        verbose_name_plural = _("查询记录")


class AppointmentSlot(models.Model):
    """预约号源: one time slot of one matter at one place, with a capacity.

    ``booked`` only moves through conditional ``F()`` updates (never read-then-write), and the
    database refuses ``booked > capacity``: overbooking is impossible, also concurrently."""

    guide = models.ForeignKey(
        ServiceGuide, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="slots"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("办理地点"), max_length=200)
    date = models.DateField(_("日期"), db_index=True)
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约"), default=0)

    class Meta:
        verbose_name = _("预约号源")
        verbose_name_plural = _("预约号源")
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guide.name} {self.date:%m-%d} {self.start:%H:%M}"

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked, 0)


class Booking(models.Model):
    """One citizen's appointment; name and phone stored encrypted, found by a keyed hash. The
    openid (booked inside WeChat's browser) is where the reminder goes instead of the phone."""

    class Status(models.TextChoices):
        BOOKED = "booked", "已预约"
        CANCELLED = "cancelled", "已取消"
        ATTENDED = "attended", "已到场"
        NO_SHOW = "no_show", "未到场"

    slot = models.ForeignKey(
        AppointmentSlot, verbose_name=_("号源"), on_delete=models.PROTECT, related_name="bookings"
    )
    code = models.CharField(_("预约码"), max_length=12, unique=True)
    name = EncryptedTextField(_("姓名"))
    phone = EncryptedTextField(_("手机号"))
    phone_index = models.CharField(max_length=64, db_index=True, editable=False)
    channel = models.CharField(_("渠道"), max_length=10, default="web")
    openid = EncryptedTextField(
        _("微信openid"),
        grade=Grade.SENSITIVE,
        blank=True,
        help_text=_("在微信中预约时由网页授权得知；提醒经公众号发送"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    changed_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["slot__date", "slot__start", "pk"]

    def __str__(self) -> str:
        return f"预约 {self.code}"

    @property
    def department(self) -> Department:
        return self.slot.department
