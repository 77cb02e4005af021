"""Core records: the department tree, staff roles, the audit chain, citizens' personal data,
local working-day overrides and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from govhub.core.pii import EncryptedTextField, Grade


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县"
    TOWN = "town", "乡镇"
    VILLAGE = "village", "村"


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    OFFICE = "office", "办公室"
    BUREAU = "bureau", "局/委/办"
    TOWN = "town", "乡镇/街道"
    VILLAGE = "village", "村/社区"
    POLICE = "police", "公安"
    YOUTH_LEAGUE = "youth_league", "共青团"
    OTHER = "other", "其他"


class Department(MP_Node):
    """A node of the organisation tree: region → offices/bureaus → towns → villages."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.SlugField(_("代码"), max_length=64, unique=True)
    level = models.CharField(_("行政层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=DepartmentKind.choices)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    duties = models.TextField(_("主要职责"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    # No node_order_by: a sorted tree renumbers siblings' paths when one is inserted, which
    # leaves every Department already in memory with a stale path (and wrong scope checks).

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name

    def subtree(self) -> models.QuerySet[Department]:
        """This department and everything under it."""
        return Department.objects.filter(path__startswith=self.path)

    def contains(self, other: Department | None) -> bool:
        return other is not None and other.path.startswith(self.path)


class Role(models.TextChoices):
    EDITOR = "editor", "编辑"
    REVIEWER = "reviewer", "审核"
    SIGNER = "signer", "签发"
    DISPATCHER = "dispatcher", "分办"
    HANDLER = "handler", "承办"
    SUPERVISOR = "supervisor", "督办/督导"
    ADMINISTRATOR = "administrator", "管理员"


class Membership(models.Model):
    """A staff user holds a role in a department; the role reaches the department's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("设立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class AuditRecord(models.Model):
    """One state change. Append-only and hash-chained; see govhub.core.audit."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人编号"), null=True, blank=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    role = models.CharField(_("岗位"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    summary = models.JSONField(_("详情"), default=dict)
    prev_hash = models.CharField(_("上一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)
    # which GOVHUB_AUDIT_KEYS key signed it; empty for records from before the chain was keyed
    key_id = models.CharField(_("密钥编号"), max_length=16, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's last link, so deleting the newest records is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(_("序号"), default=0)
    hash = models.CharField(_("哈希"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链末端")
        verbose_name_plural = _("审计链末端")


class WorkdayOverride(models.Model):
    """A local correction to the official calendar (a local holiday, or a year the package lacks)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_working_day else '休息日'} {self.note}"


class Citizen(models.Model):
    """A person who writes, asks or subscribes. Personal data is encrypted at rest, found by
    keyed hash, and masked for staff without the right to see it."""

    name = EncryptedTextField(_("姓名"), grade=Grade.SENSITIVE, blank=True)
    phone = EncryptedTextField(_("手机号"), grade=Grade.SENSITIVE, blank=True, index_kind="phone")
    id_number = EncryptedTextField(
        _("身份证号"), grade=Grade.SENSITIVE, blank=True, index_kind="id"
    )
    address = EncryptedTextField(_("地址"), grade=Grade.SENSITIVE, blank=True)
    email = EncryptedTextField(_("电子邮箱"), grade=Grade.INTERNAL, blank=True, index_kind="email")
    phone_index = models.CharField(
        _("电话检索码"), max_length=64, blank=True, db_index=True, editable=False
    )
    id_number_index = models.CharField(
        _("证件号检索码"), max_length=64, blank=True, db_index=True, editable=False
    )
    email_index = models.CharField(
        _("邮箱检索码"), max_length=64, blank=True, db_index=True, editable=False
    )
    wechat_openid = models.CharField(_("微信用户标识"), max_length=64, blank=True, db_index=True)
    weibo_uid = models.CharField(_("微博用户标识"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群众")
        verbose_name_plural = _("群众")

    def __str__(self) -> str:
        return f"群众 #{self.pk}"


class ApiToken(models.Model):
    """A bearer token for the staff API or an Open311 writer; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("密钥前缀"), max_length=8)
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PeriodicRun(models.Model):
    """One row per periodic job per time slot: two schedulers never enqueue the same slot twice."""

    name = models.CharField(_("任务"), max_length=120)
    slot = models.CharField(_("时段"), max_length=40)
    enqueued_at = models.DateTimeField(_("入队时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_slot_unique")
        ]
